// RTCP compound on arbitrary bytes: the iterator, every typed view and every rewriter.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dataplane/rtp/rtcp.hpp"

using namespace fanout::dp::rtp;

namespace {

volatile uint64_t sink;

void touch(std::span<const uint8_t> s) {
  if (!s.empty()) sink = sink + s.front() + s.back();
}

void visit(RtcpPacket& p) {
  SrView sr;
  if (sr.parse(p) == RtcpStatus::kOk) {
    sink = sink + sr.sender_ssrc() + sr.ntp_sec() + sr.ntp_frac() + sr.octet_count();
    for (size_t i = 0; i < sr.report_count(); ++i) {
      auto rb = sr.report(i);
      sink = sink + rb.ssrc() + static_cast<uint32_t>(rb.cumulative_lost()) + rb.dlsr();
    }
    sr.rewrite_for_consumer(1, 2);
    sr.set_packet_count(3);
    sr.set_octet_count(4);
  }
  RrView rr;
  if (rr.parse(p) == RtcpStatus::kOk) {
    for (size_t i = 0; i < rr.report_count(); ++i) sink = sink + rr.report(i).dlsr();
  }
  SdesView sdes;
  if (sdes.parse(p) == RtcpStatus::kOk) {
    auto chunks = sdes.chunks();
    SdesChunk c;
    while (chunks.next(c)) {
      SdesItemIterator items(c.items);
      SdesItem item;
      while (items.next(item)) touch(item.value);
    }
  }
  ByeView bye;
  if (bye.parse(p) == RtcpStatus::kOk) {
    for (size_t i = 0; i < bye.ssrc_count(); ++i) sink = sink + bye.ssrc(i);
    touch(bye.reason());
  }
  AppView app;
  if (app.parse(p) == RtcpStatus::kOk) {
    touch(app.name());
    touch(app.app_data());
  }
  FeedbackView fb;
  if (fb.parse(p) == RtcpStatus::kOk) {
    touch(fb.fci());
    NackView nack;
    if (nack.parse(fb) == RtcpStatus::kOk) {
      for (size_t i = 0; i < nack.item_count(); ++i)
        nack.for_each_lost(i, [](uint16_t s) { sink = sink + s; });
    }
    TransportCcView tcc;
    if (tcc.parse(fb) == RtcpStatus::kOk) {
      sink =
          sink + tcc.base_seq() + tcc.status_count() + static_cast<uint32_t>(tcc.reference_time());
      touch(tcc.chunks_and_deltas());
    }
    FirView fir;
    if (fir.parse(fb) == RtcpStatus::kOk) {
      for (size_t i = 0; i < fir.entry_count(); ++i)
        sink = sink + fir.entry_ssrc(i) + fir.entry_seq(i);
    }
    RembView remb;
    if (remb.parse(fb) == RtcpStatus::kOk) {
      sink = sink + remb.bitrate();
      for (size_t i = 0; i < remb.ssrc_count(); ++i) sink = sink + remb.ssrc(i);
    }
    rewrite_keyframe_request(fb, 5, fb.media_ssrc(), 6);
  }
  if (sr.parse(p) == RtcpStatus::kOk) sr.strip_report_blocks();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  RtcpStatus whole = validate_compound(buf.data(), buf.size());
  starts_with_report(buf.data(), buf.size());
  RtcpIterator it(buf.data(), buf.size());
  RtcpPacket p;
  size_t total = 0;
  while (it.next(p)) {
    if (p.data + p.size > buf.data() + buf.size()) __builtin_trap();
    total += p.size;
    visit(p);
  }
  if (it.status() != whole) __builtin_trap();
  if (whole == RtcpStatus::kOk && total != size) __builtin_trap();
  return 0;
}

// Media on the owner lcore: SRTP in (decrypt once), fan-out to consumers here and on other lcores
// (a reference to the same mbuf), rewrite + SRTP out per consumer; RTCP: sender reports to the
// consumers, PLI/FIR from consumers to the producer; DTLS to and from the control plane.
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include <cstring>

#include "dataplane/engine/worker.hpp"
#include "dataplane/net/checksum.hpp"
#include "dataplane/rtp/rtcp.hpp"
#include "dataplane/rtp/rtcp_writer.hpp"
#include "dataplane/rtp/rtp_packet.hpp"

namespace fanout::dp {
namespace {

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void Worker::handle_rtp(Transport& t, rte_mbuf* m) {
  PktMeta* pm = meta(m);
  // Strip L2-L4: from here on the mbuf holds the RTP packet only.
  rte_pktmbuf_adj(m, pm->payload_off);
  uint8_t* pkt = rte_pktmbuf_mtod(m, uint8_t*);
  size_t len = pm->payload_len;
  if (rte_pktmbuf_data_len(m) > len) rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - len);

  SsrcRole role;
  uint32_t slot;
  uint8_t stream;
  if (!lookup_ssrc(t.slot, load_be32(pkt + 8), &role, &slot, &stream) ||
      role == SsrcRole::kConsumer) {
    return drop(m, Drop::kUnknownSsrc);
  }
  Producer& p = *producers_[slot];
  ProducerStream& ps = p.streams[stream];
  if (t.srtp_in) {
    size_t out_len = 0;
    srtp::Status s = t.srtp_in->unprotect_rtp(pkt, len, &out_len,
                                              role == SsrcRole::kProducer ? ps.srtp : ps.srtp_rtx);
    if (s != srtp::Status::kOk) {
      if (s == srtp::Status::kAuthFail) ++t.counters.srtp_auth_failures;
      if (s == srtp::Status::kReplay) ++t.counters.srtp_replays;
      return drop(m, srtp::rtp_drop_reason(s));
    }
    rte_pktmbuf_trim(m, static_cast<uint16_t>(len - out_len));
    len = out_len;
  } else if (t.kind == TransportKind::kWebRtc) {
    return drop(m, Drop::kSrtpNoKeys);
  }
  rtp::RtpView rtp;
  if (rtp.parse(pkt, len) != rtp::RtpStatus::kOk) return drop(m, Drop::kRtpMalformed);
  ++counters_.rtp_received;
  ++t.counters.rtp_received;
  ++p.rtp_packets;
  p.rtp_bytes += len;
  // RTX (retransmissions and probing padding) is not forwarded until NACK handling exists.
  if (role == SsrcRole::kProducerRtx) return drop(m, Drop::kRtcpUnhandled);
  // Before the pause check: a paused producer still sends, and its loss still scores it.
  ps.received.input(rtp.sequence());
  if (p.paused) return drop(m, Drop::kProducerPaused);

  pm->kind = PktKind::kRtpFanout;
  pm->producer = p.slot;
  pm->producer_gen = p.gen;
  pm->stream = stream;
  pm->rtp_hdr_len = static_cast<uint16_t>(rtp.header_size());
  pm->payload_off = 0;
  pm->payload_len = static_cast<uint16_t>(len);

  // Other lcores get a reference to the same (now read-only) buffer: zero copy.
  uint64_t remote = p.remote_workers;
  if (remote) {
    rte_mbuf_refcnt_update(m, static_cast<int16_t>(__builtin_popcountll(remote)));
    while (remote) {
      uint16_t w = static_cast<uint16_t>(__builtin_ctzll(remote));
      remote &= remote - 1;
      handoff(m, w);
    }
  }
  LocalFanout& f = fanout_[p.slot];
  if (f.gen == p.gen) {
    FanoutInput in{m, pm->rtp_hdr_len};
    for (uint32_t c = f.head; c != kInvalidSlot; c = consumers_[c]->next_local) {
      forward_rtp(*consumers_[c], in);
    }
  }
  rte_pktmbuf_free(m);
}

void Worker::forward_rtp(Consumer& c, FanoutInput& input) {
  if (c.paused) return;
  Transport& t = *transports_[c.transport];
  rte_mbuf* m = input.m;
  const uint16_t hdr_len = input.hdr_len;
  const uint8_t* in = rte_pktmbuf_mtod(m, const uint8_t*);
  const uint16_t len = rte_pktmbuf_data_len(m);
  const uint8_t pt = c.pt_map[in[1] & 0x7f];
  if (pt == 0xff) return;
  // A WebRTC transport without outbound keys (DTLS not done) gets nothing: never media in clear.
  if (!t.srtp_out && t.kind == TransportKind::kWebRtc) {
    counters_.drop(Drop::kSrtpNoKeys);
    return;
  }
  if (!t.selected_tuple()) {
    counters_.drop(Drop::kNoSelectedTuple);
    return;
  }
  uint16_t in_seq = static_cast<uint16_t>((in[2] << 8) | in[3]);
  uint16_t out_seq;
  if (!c.seq.input(in_seq, out_seq)) return;  // older than the last sync point
  uint32_t out_ts = c.ts.rewrite(load_be32(in + 4), now_us_, c.clock_rate);

  rte_mbuf* out = alloc();
  if (!out) return;
  const size_t overhead = t.srtp_out ? srtp::kMaxSrtpOverhead : 0;
  // Headroom for L2-L4 is reserved by the pool; the RTP packet plus tag goes after it.
  auto* dst = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(out, static_cast<uint16_t>(len)));
  if (!dst || rte_pktmbuf_tailroom(out) < overhead) {
    drop(out, Drop::kMbufAllocFail);
    return;
  }
  std::memcpy(dst, in, hdr_len);
  dst[1] = static_cast<uint8_t>((in[1] & 0x80) | pt);
  dst[2] = static_cast<uint8_t>(out_seq >> 8);
  dst[3] = static_cast<uint8_t>(out_seq);
  dst[4] = static_cast<uint8_t>(out_ts >> 24);
  dst[5] = static_cast<uint8_t>(out_ts >> 16);
  dst[6] = static_cast<uint8_t>(out_ts >> 8);
  dst[7] = static_cast<uint8_t>(out_ts);
  dst[8] = static_cast<uint8_t>(c.ssrc >> 24);
  dst[9] = static_cast<uint8_t>(c.ssrc >> 16);
  dst[10] = static_cast<uint8_t>(c.ssrc >> 8);
  dst[11] = static_cast<uint8_t>(c.ssrc);
  if (t.srtp_out) {
    // One pass: the payload is read from the shared buffer and written encrypted into ours.
    size_t out_len = 0;
    srtp::Status s = t.srtp_out->protect_rtp_split(dst, hdr_len, in + hdr_len, len - hdr_len,
                                                   len + overhead, &out_len, c.srtp);
    if (s != srtp::Status::kOk) {
      drop(out, Drop::kSrtpOther);
      return;
    }
    rte_pktmbuf_append(out, static_cast<uint16_t>(out_len - len));
    ++c.packets;
    c.bytes += len - hdr_len;  // RFC 3550 §6.4.1: the SR octet count is payload only
    ++counters_.rtp_forwarded;
    send_selected(t, out);
    return;
  }
  std::memcpy(dst + hdr_len, in + hdr_len, len - hdr_len);
  uint64_t sum = kNoSum;
  if (!e_.ports[t.port].tx_cksum_offload) {
    if (!input.have_payload_sum) {
      input.payload_sum = net::csum_add(0, in + hdr_len, len - hdr_len);
      input.have_payload_sum = true;
    }
    // hdr_len is a multiple of 4 (RFC 3550 §5.1, §5.3.1), so the payload's sum continues the
    // header's without a byte swap.
    sum = net::csum_add_words(input.payload_sum, dst, hdr_len);
  }
  ++c.packets;
  c.bytes += len - hdr_len;
  ++counters_.rtp_forwarded;
  send_selected(t, out, sum);
}

void Worker::handle_rtcp(Transport& t, rte_mbuf* m) {
  PktMeta* pm = meta(m);
  uint8_t* pkt = rte_pktmbuf_mtod_offset(m, uint8_t*, pm->payload_off);
  size_t len = pm->payload_len;
  if (t.srtp_in) {
    uint32_t sender = load_be32(pkt + 4);
    RtcpSenderState* st = nullptr;
    for (RtcpSenderState& s : t.rtcp_senders) {
      if (s.used && s.ssrc == sender) st = &s;
    }
    if (!st) {
      // Not seen before: take a free entry, or recycle the first one.
      st = &t.rtcp_senders[0];
      for (RtcpSenderState& s : t.rtcp_senders) {
        if (!s.used) {
          st = &s;
          break;
        }
      }
      *st = RtcpSenderState{};
      st->ssrc = sender;
      st->used = true;
    }
    size_t out_len = 0;
    srtp::Status s = t.srtp_in->unprotect_rtcp(pkt, len, &out_len, st->srtcp);
    if (s != srtp::Status::kOk) {
      if (s == srtp::Status::kAuthFail) ++t.counters.srtcp_auth_failures;
      return drop(m, srtp::rtcp_drop_reason(s));
    }
    len = out_len;
  } else if (t.kind == TransportKind::kWebRtc) {
    return drop(m, Drop::kSrtpNoKeys);
  }
  ++counters_.rtcp_received;
  ++t.counters.rtcp_received;
  rtp::RtcpIterator it(pkt, len);
  rtp::RtcpPacket rp;
  bool handled = false;
  while (it.next(rp)) {
    if (rp.is(rtp::RtcpType::kRr)) {
      rtp::RrView rr;
      if (rr.parse(rp) != rtp::RtcpStatus::kOk) continue;
      for (uint8_t i = 0; i < rr.report_count(); ++i) handled |= take_report(t, rr.report(i));
    } else if (rp.is(rtp::RtcpType::kSr)) {
      rtp::SrView sr;
      if (sr.parse(rp) != rtp::RtcpStatus::kOk) continue;
      // A browser that also sends reports on what it receives in its SR (RFC 3550 §6.4.1).
      for (uint8_t i = 0; i < sr.report_count(); ++i) handled |= take_report(t, sr.report(i));
      SsrcRole role;
      uint32_t slot;
      uint8_t stream;
      if (!lookup_ssrc(t.slot, sr.sender_ssrc(), &role, &slot, &stream) ||
          role != SsrcRole::kProducer || stream != 0) {
        continue;
      }
      Producer& p = *producers_[slot];
      PktMeta info = *pm;
      info.sr.ntp_sec = sr.ntp_sec();
      info.sr.ntp_frac = sr.ntp_frac();
      info.sr.rtp_ts = sr.rtp_timestamp();
      forward_sr(p.slot, p.gen, info);
      uint64_t remote = p.remote_workers;
      while (remote) {
        uint16_t w = static_cast<uint16_t>(__builtin_ctzll(remote));
        remote &= remote - 1;
        rte_mbuf* note = alloc();
        if (!note) break;
        PktMeta* nm = meta(note);
        *nm = info;
        nm->kind = PktKind::kSenderReport;
        nm->producer = p.slot;
        nm->producer_gen = p.gen;
        handoff(note, w);
      }
      handled = true;
    } else if (rp.is(rtp::RtcpType::kPsfb) && (rp.fmt() == 1 || rp.fmt() == 4)) {
      // PLI (fmt 1) or FIR (fmt 4) from a consumer's browser: the media SSRC is the consumer's
      // (for FIR, the FCI entry's SSRC).
      if (rp.size < 12) continue;
      uint32_t media = load_be32(rp.data + 8);
      if (rp.fmt() == 4 && rp.size >= 20) media = load_be32(rp.data + 12);
      SsrcRole role;
      uint32_t slot;
      uint8_t stream;
      if (!lookup_ssrc(t.slot, media, &role, &slot, &stream) || role != SsrcRole::kConsumer) {
        continue;
      }
      Consumer& c = *consumers_[slot];
      request_keyframe(c.producer, fanout_[c.producer].gen, rp.fmt() == 4);
      handled = true;
    }
  }
  if (it.status() != rtp::RtcpStatus::kOk) return drop(m, Drop::kRtcpMalformed);
  if (!handled) return drop(m, Drop::kRtcpUnhandled);
  rte_pktmbuf_free(m);
}

bool Worker::take_report(const Transport& t, rtp::ReportBlockView rb) {
  SsrcRole role;
  uint32_t slot;
  uint8_t stream;
  // Only blocks about a consumer of this transport: the browser's reports on other senders (or
  // forged ones about another transport's consumer) are not ours to keep.
  if (!lookup_ssrc(t.slot, rb.ssrc(), &role, &slot, &stream) || role != SsrcRole::kConsumer) {
    return false;
  }
  Consumer& c = *consumers_[slot];
  c.fraction_lost = rb.fraction_lost();
  c.packets_lost = rb.cumulative_lost();
  c.jitter = rb.jitter();
  ++c.reports;
  return true;
}

void Worker::forward_sr(uint32_t producer_slot, uint32_t producer_gen, const PktMeta& sr) {
  LocalFanout& f = fanout_[producer_slot];
  if (f.gen != producer_gen) return;
  for (uint32_t c = f.head; c != kInvalidSlot; c = consumers_[c]->next_local) {
    send_sr(*consumers_[c], sr);
  }
}

void Worker::send_sr(Consumer& c, const PktMeta& info) {
  if (c.paused || c.packets == 0) return;
  Transport& t = *transports_[c.transport];
  if (!t.selected_tuple()) return;
  if (!t.srtp_out && t.kind == TransportKind::kWebRtc) return counters_.drop(Drop::kSrtpNoKeys);
  rte_mbuf* out = alloc();
  if (!out) return;
  uint8_t* dst = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(out, 28));
  rtp::SenderInfo si{};
  si.ssrc = c.ssrc;
  si.ntp_sec = info.sr.ntp_sec;
  si.ntp_frac = info.sr.ntp_frac;
  si.rtp_timestamp = info.sr.rtp_ts + c.ts.offset();
  si.packet_count = static_cast<uint32_t>(c.packets);
  si.octet_count = static_cast<uint32_t>(c.bytes);
  size_t n = rtp::write_sr(dst, 28, si);
  if (n == 0) return drop(out, Drop::kRtcpMalformed);
  if (t.srtp_out) {
    size_t out_len = 0;
    if (rte_pktmbuf_tailroom(out) < srtp::kMaxSrtcpOverhead) return drop(out, Drop::kMbufAllocFail);
    srtp::Status s =
        t.srtp_out->protect_rtcp(dst, n, dst, n + srtp::kMaxSrtcpOverhead, &out_len, t.srtcp_send);
    if (s != srtp::Status::kOk) return drop(out, Drop::kSrtpOther);
    rte_pktmbuf_append(out, static_cast<uint16_t>(out_len - n));
  }
  ++counters_.rtcp_sent;
  send_selected(t, out);
}

void Worker::request_keyframe(uint32_t producer_slot, uint32_t producer_gen, bool fir) {
  // The producer may live on another lcore: it is that lcore's transport that sends the PLI.
  Producer* p = producer_slot < producers_.size() ? producers_[producer_slot] : nullptr;
  if (p && p->gen == producer_gen) return send_keyframe_request(*p, fir);
  // Not ours: find the owner through the fan-out bookkeeping the main lcore keeps. The owner is
  // the worker of the producer's transport; we learn it from the command that attached a consumer.
  rte_mbuf* note = alloc();
  if (!note) return;
  PktMeta* nm = meta(note);
  *nm = PktMeta{};
  nm->kind = PktKind::kKeyFrameRequest;
  nm->producer = producer_slot;
  nm->producer_gen = producer_gen;
  nm->fir = fir ? 1 : 0;
  uint16_t owner = producer_owner_[producer_slot];
  handoff(note, owner);
}

void Worker::send_keyframe_request(Producer& p, bool fir) {
  uint64_t min_gap = e_.tsc_hz / 1000 * e_.cfg.keyframe_min_interval_ms;
  if (p.last_keyframe_tsc != 0 && now_tsc_ - p.last_keyframe_tsc < min_gap) {
    ++counters_.keyframe_suppressed;
    return;
  }
  p.last_keyframe_tsc = now_tsc_;
  Transport& t = *transports_[p.transport];
  if (!t.selected_tuple()) return;
  if (!t.srtp_out && t.kind == TransportKind::kWebRtc) return counters_.drop(Drop::kSrtpNoKeys);
  for (uint8_t s = 0; s < p.stream_count; ++s) {
    rte_mbuf* out = alloc();
    if (!out) return;
    uint8_t* dst = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(out, 20));
    size_t n = fir ? rtp::write_fir(dst, 20, t.rtcp_ssrc, p.streams[s].ssrc, p.fir_seq++)
                   : rtp::write_pli(dst, 20, t.rtcp_ssrc, p.streams[s].ssrc);
    if (n == 0) return drop(out, Drop::kRtcpMalformed);
    rte_pktmbuf_trim(out, static_cast<uint16_t>(20 - n));
    if (t.srtp_out) {
      size_t out_len = 0;
      if (rte_pktmbuf_tailroom(out) < srtp::kMaxSrtcpOverhead) {
        return drop(out, Drop::kMbufAllocFail);
      }
      srtp::Status st = t.srtp_out->protect_rtcp(dst, n, dst, n + srtp::kMaxSrtcpOverhead, &out_len,
                                                 t.srtcp_send);
      if (st != srtp::Status::kOk) return drop(out, Drop::kSrtpOther);
      rte_pktmbuf_append(out, static_cast<uint16_t>(out_len - n));
    }
    ++counters_.keyframe_requests;
    ++counters_.rtcp_sent;
    send_selected(t, out);
  }
}

void Worker::handle_dtls(Transport& t, rte_mbuf* m) {
  if (t.kind != TransportKind::kWebRtc) return drop(m, Drop::kDemuxUnknown);
  meta(m)->kind = PktKind::kPuntDtls;
  ++counters_.dtls_punted;
  ++t.counters.dtls_punted;
  to_main(m);
}

void Worker::send_dtls(rte_mbuf* m) {
  PktMeta* pm = meta(m);
  Transport* t = owned_transport(pm->transport, pm->transport_gen);
  if (!t) return drop(m, Drop::kTransportGone);
  ++counters_.dtls_sent;
  send_selected(*t, m);
}

}  // namespace fanout::dp

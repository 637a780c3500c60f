#include "dataplane/rtp/rtcp.hpp"

#include <cstring>

namespace fanout::dp::rtp {

namespace {

constexpr uint8_t kRembId[4] = {'R', 'E', 'M', 'B'};

// Bytes of one SDES chunk starting at b (SSRC, items, null, padding to 32 bits), or 0 if it does
// not fit in len. RFC 3550 §6.5: items end at the first null octet; the chunk then pads to 32 bits.
size_t sdes_chunk_size(const uint8_t* b, size_t len, size_t* items_size) {
  if (len < 4) return 0;
  size_t pos = 4;
  for (;;) {
    if (pos >= len) return 0;
    if (b[pos] == 0) break;
    if (pos + 2 > len) return 0;
    size_t end = pos + 2 + b[pos + 1];
    if (end > len) return 0;
    pos = end;
  }
  if (items_size) *items_size = pos - 4;
  size_t chunk = (pos + 4) & ~size_t{3};  // the null octet plus padding to the next word
  return chunk <= len ? chunk : 0;
}

}  // namespace

bool RtcpIterator::next(RtcpPacket& out) {
  if (status_ != RtcpStatus::kOk || pos_ >= len_) return false;
  size_t left = len_ - pos_;
  uint8_t* h = p_ + pos_;
  auto fail = [this](RtcpStatus s) {
    status_ = s;
    return false;
  };
  if (left < kRtcpHeaderSize) return fail(RtcpStatus::kTooShort);
  if ((h[0] >> 6) != 2) return fail(RtcpStatus::kBadVersion);
  // RFC 3550 §6.4.1: length in 32-bit words minus one, header and padding included.
  size_t size = 4 * (static_cast<size_t>(load_be16(h + 2)) + 1);
  if (size > left) return fail(RtcpStatus::kLengthOverrun);
  RtcpPacket pkt{h, size, 0};
  if (h[0] & 0x20) {
    // RFC 3550 §6.4.1 / A.2: only the last packet of a compound may be padded.
    if (size != left) return fail(RtcpStatus::kPaddingNotLast);
    size_t pad = h[size - 1];
    if (pad == 0 || pad > size - kRtcpHeaderSize) return fail(RtcpStatus::kBadPadding);
    pkt.padding = pad;
  }
  RtcpStatus s = check_packet(pkt);
  if (s != RtcpStatus::kOk) return fail(s);
  pos_ += size;
  out = pkt;
  return true;
}

RtcpStatus check_packet(const RtcpPacket& pkt) {
  switch (static_cast<RtcpType>(pkt.packet_type())) {
    case RtcpType::kSr:
      return SrView().parse(pkt);
    case RtcpType::kRr:
      return RrView().parse(pkt);
    case RtcpType::kSdes:
      return SdesView().parse(pkt);
    case RtcpType::kBye:
      return ByeView().parse(pkt);
    case RtcpType::kApp:
      return AppView().parse(pkt);
    case RtcpType::kRtpfb:
    case RtcpType::kPsfb: {
      FeedbackView fb;
      RtcpStatus s = fb.parse(pkt);
      if (s != RtcpStatus::kOk) return s;
      if (fb.is_transport()) {
        if (fb.fmt() == kFmtNack) return NackView().parse(fb);
        if (fb.fmt() == kFmtTransportCc) return TransportCcView().parse(fb);
      } else {
        if (fb.fmt() == kFmtFir) return FirView().parse(fb);
        // AFB other than REMB is application defined: only the common part is checked.
        if (fb.fmt() == kFmtAfb && fb.fci().size() >= 4 &&
            std::memcmp(fb.fci().data(), kRembId, 4) == 0)
          return RembView().parse(fb);
      }
      return RtcpStatus::kOk;
    }
    default:
      return RtcpStatus::kOk;
  }
}

RtcpStatus validate_compound(uint8_t* data, size_t len) {
  RtcpIterator it(data, len);
  RtcpPacket pkt;
  while (it.next(pkt)) {
  }
  return it.status();
}

bool starts_with_report(const uint8_t* data, size_t len) {
  return len >= kRtcpHeaderSize && (data[1] == static_cast<uint8_t>(RtcpType::kSr) ||
                                    data[1] == static_cast<uint8_t>(RtcpType::kRr));
}

RtcpStatus SrView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kSr)) return RtcpStatus::kWrongType;
  if (pkt.body_size() < 4 + kSenderInfoSize) return RtcpStatus::kTooShort;
  if (pkt.body_size() < 4 + kSenderInfoSize + kReportBlockSize * pkt.count())
    return RtcpStatus::kCountOverrun;
  pkt_ = pkt;
  b_ = pkt.body();
  return RtcpStatus::kOk;
}

size_t SrView::strip_report_blocks() {
  constexpr size_t kSize = kRtcpHeaderSize + 4 + kSenderInfoSize;
  pkt_.data[0] = 0x80;  // V=2, P=0, RC=0
  store_be16(pkt_.data + 2, kSize / 4 - 1);
  pkt_.size = kSize;
  pkt_.padding = 0;
  return kSize;
}

RtcpStatus RrView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kRr)) return RtcpStatus::kWrongType;
  if (pkt.body_size() < 4) return RtcpStatus::kTooShort;
  if (pkt.body_size() < 4 + kReportBlockSize * pkt.count()) return RtcpStatus::kCountOverrun;
  pkt_ = pkt;
  b_ = pkt.body();
  return RtcpStatus::kOk;
}

bool SdesItemIterator::next(SdesItem& out) {
  if (pos_ + 2 > items_.size()) return false;
  size_t vlen = items_[pos_ + 1];
  if (pos_ + 2 + vlen > items_.size()) return false;
  out.type = items_[pos_];
  out.value = items_.subspan(pos_ + 2, vlen);
  pos_ += 2 + vlen;
  return true;
}

RtcpStatus SdesView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kSdes)) return RtcpStatus::kWrongType;
  const uint8_t* b = pkt.body();
  size_t len = pkt.body_size();
  size_t pos = 0;
  for (size_t i = 0; i < pkt.count(); ++i) {
    if (pos >= len) return RtcpStatus::kCountOverrun;
    size_t n = sdes_chunk_size(b + pos, len - pos, nullptr);
    if (n == 0) return RtcpStatus::kBadSdes;
    pos += n;
  }
  pkt_ = pkt;
  return RtcpStatus::kOk;
}

bool SdesView::ChunkIterator::next(SdesChunk& out) {
  if (left_ == 0 || pos_ >= len_) return false;
  size_t items = 0;
  size_t n = sdes_chunk_size(b_ + pos_, len_ - pos_, &items);
  if (n == 0) return false;
  out.ssrc = load_be32(b_ + pos_);
  out.items = {b_ + pos_ + 4, items};
  pos_ += n;
  --left_;
  return true;
}

RtcpStatus ByeView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kBye)) return RtcpStatus::kWrongType;
  size_t ssrcs = 4 * static_cast<size_t>(pkt.count());
  if (pkt.body_size() < ssrcs) return RtcpStatus::kCountOverrun;
  reason_ = {};
  if (pkt.body_size() > ssrcs) {
    // RFC 3550 §6.6: optional reason, an octet count then the text, padded to 32 bits.
    size_t n = pkt.body()[ssrcs];
    if (ssrcs + 1 + n > pkt.body_size()) return RtcpStatus::kCountOverrun;
    reason_ = {pkt.body() + ssrcs + 1, n};
  }
  pkt_ = pkt;
  return RtcpStatus::kOk;
}

RtcpStatus AppView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kApp)) return RtcpStatus::kWrongType;
  if (pkt.body_size() < 8) return RtcpStatus::kTooShort;
  pkt_ = pkt;
  return RtcpStatus::kOk;
}

RtcpStatus FeedbackView::parse(const RtcpPacket& pkt) {
  if (!pkt.is(RtcpType::kRtpfb) && !pkt.is(RtcpType::kPsfb)) return RtcpStatus::kWrongType;
  if (pkt.body_size() < 8) return RtcpStatus::kTooShort;
  pkt_ = pkt;
  return RtcpStatus::kOk;
}

RtcpStatus NackView::parse(const FeedbackView& fb) {
  if (!fb.is_transport() || fb.fmt() != kFmtNack) return RtcpStatus::kWrongType;
  // RFC 4585 §6.2.1: one or more 32-bit (PID, BLP) items.
  if (fb.fci().empty() || fb.fci().size() % 4 != 0) return RtcpStatus::kBadFeedback;
  fci_ = fb.fci();
  return RtcpStatus::kOk;
}

RtcpStatus TransportCcView::parse(const FeedbackView& fb) {
  if (!fb.is_transport() || fb.fmt() != kFmtTransportCc) return RtcpStatus::kWrongType;
  if (fb.fci().size() < 8) return RtcpStatus::kBadFeedback;
  fci_ = fb.fci();
  return RtcpStatus::kOk;
}

RtcpStatus FirView::parse(const FeedbackView& fb) {
  if (fb.is_transport() || fb.fmt() != kFmtFir) return RtcpStatus::kWrongType;
  // RFC 5104 §4.3.1.2: one or more 8-octet FCI entries.
  if (fb.fci().empty() || fb.fci().size() % 8 != 0) return RtcpStatus::kBadFeedback;
  fci_ = fb.fci();
  return RtcpStatus::kOk;
}

size_t FirView::rewrite_entries(uint32_t from, uint32_t to) {
  size_t n = 0;
  for (size_t i = 0; i < entry_count(); ++i) {
    if (entry_ssrc(i) == from) {
      set_entry_ssrc(i, to);
      ++n;
    }
  }
  return n;
}

RtcpStatus RembView::parse(const FeedbackView& fb) {
  if (fb.is_transport() || fb.fmt() != kFmtAfb) return RtcpStatus::kWrongType;
  auto fci = fb.fci();
  if (fci.size() < 8 || std::memcmp(fci.data(), kRembId, 4) != 0) return RtcpStatus::kWrongType;
  if (fci.size() < 8 + 4 * static_cast<size_t>(fci[4])) return RtcpStatus::kCountOverrun;
  fci_ = fci;
  return RtcpStatus::kOk;
}

uint64_t RembView::bitrate() const {
  // BR Exp (6 bits) and BR Mantissa (18 bits): bitrate = mantissa * 2^exp.
  uint32_t exp = fci_[5] >> 2;
  uint64_t mantissa = load_be24(fci_.data() + 5) & 0x3FFFF;
  if (mantissa != 0 && exp > 63 - 17) {
    if ((mantissa >> (64 - exp)) != 0) return UINT64_MAX;
  }
  return mantissa << exp;
}

bool rewrite_keyframe_request(FeedbackView& fb, uint32_t sender_ssrc, uint32_t consumer_ssrc,
                              uint32_t producer_ssrc) {
  bool hit = false;
  if (fb.media_ssrc() == consumer_ssrc) {
    fb.set_media_ssrc(producer_ssrc);
    hit = true;
  }
  if (!fb.is_transport() && fb.fmt() == kFmtFir) {
    FirView fir;
    if (fir.parse(fb) == RtcpStatus::kOk && fir.rewrite_entries(consumer_ssrc, producer_ssrc) > 0)
      hit = true;
  }
  fb.set_sender_ssrc(sender_ssrc);
  return hit;
}

}  // namespace fanout::dp::rtp

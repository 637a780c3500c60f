// Receive statistics of one RTP stream (RFC 3550 A.1, A.3): packets received and the extended
// highest sequence number since the first, so that expected - received is the loss the control
// plane scores. Header-only: it runs once per received media packet, owner lcore only; the common
// case (in order, small gap) is a subtract, a compare and two adds.
#pragma once

#include <cstdint>

namespace fanout::dp::rtp {

class ReceiveStats {
 public:
  // RFC 3550 A.1's limits, as mediasoup uses them: further ahead than kMaxDropout is a jump,
  // up to kMaxMisorder behind is a late (reordered or duplicate) packet.
  static constexpr uint16_t kMaxDropout = 3000;
  static constexpr uint16_t kMaxMisorder = 1500;

  void input(uint16_t seq) {
    if (packets_++ == 0) [[unlikely]] {
      first_ = ext_max_ = seq;
      max_seq_ = seq;
      return;
    }
    const uint16_t delta = static_cast<uint16_t>(seq - max_seq_);
    if (delta < kMaxDropout) [[likely]] {
      // In order, with a gap of lost packets, or a duplicate of the highest (delta 0); a wrap of
      // the 16-bit number is one more cycle of the extended one.
      ext_max_ += delta;
      max_seq_ = seq;
    } else if (delta <= static_cast<uint16_t>(0x10000 - kMaxMisorder)) {
      jump(seq, delta);
    }
    // else: late or duplicate; it counts as received but moves nothing (RFC 3550 A.3).
  }

  uint64_t packets() const { return packets_; }
  uint64_t ext_highest() const { return ext_max_; }
  uint64_t first() const { return first_; }
  // RFC 3550 A.3: extended highest minus the first, plus one; 0 before any packet. Read from the
  // main lcore while the owner writes: the fields may be a packet apart, never negative.
  uint64_t expected() const {
    uint64_t hi = ext_max_, lo = first_;
    return packets_ == 0 || hi < lo ? 0 : hi - lo + 1;
  }

 private:
  static constexpr uint32_t kNoBadSeq = 0x10000;  // equals no 16-bit sequence number

  // A very large jump or one far behind: a sender that restarted its numbering, or a stray packet.
  // RFC 3550 A.1: believe it when the next packet follows it. The count of expected packets then
  // grows by the two received across the jump, not by the distance jumped.
  void jump(uint16_t seq, uint16_t delta) {
    if (seq != bad_seq_) {
      bad_seq_ = static_cast<uint16_t>(seq + 1);  // the one that would confirm it
      return;
    }
    ext_max_ += delta;
    first_ += delta - 2;
    max_seq_ = seq;
    bad_seq_ = kNoBadSeq;
  }

  uint64_t packets_ = 0;
  uint64_t first_ = 0;    // extended sequence number of the first packet (cycle 0)
  uint64_t ext_max_ = 0;  // extended highest: cycles << 16 | highest
  uint16_t max_seq_ = 0;
  uint32_t bad_seq_ = kNoBadSeq;
};

}  // namespace fanout::dp::rtp

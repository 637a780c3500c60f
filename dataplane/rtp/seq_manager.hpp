// Per-consumer RTP sequence number rewriter: output = input + offset (mod 2^16), kept continuous
// across pause/resume and source switches, and free of gaps for packets dropped on purpose.
// Header-only: it runs once per packet per consumer. With TsRewriter and the four header stores,
// ~16-20 cycles per packet per consumer, median (perf/rtp/bench_rtp, BM_ParseAndRewrite/8,32).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataplane/rtp/serial.hpp"

namespace fanout::dp::rtp {

class SeqManager {
 public:
  // Purposeful drops remembered for late (reordered) packets that precede them. When more are
  // pending, the oldest is forgotten and packets older than it are refused instead.
  static constexpr size_t kMaxDrops = 32;
  // Packets further behind the newest input are refused: no reordering is that deep, and it keeps
  // every comparison well inside RFC 1982's unambiguous half range.
  static constexpr uint16_t kMaxAge = 0x4000;

  // The first packet ever maps to `first_output` (a consumer's random initial sequence number).
  explicit SeqManager(uint16_t first_output = 1) : first_output_(first_output) {}

  // After a resume or a source switch: the next input maps to max_output() + 1 and anything older
  // than that input is refused.
  void sync() {
    sync_pending_ = true;
    drop_count_ = 0;
  }

  // Maps `in`. False when the packet must not be forwarded: older than the sync point, too old, or
  // an input that was dropped on purpose (a retransmission of it).
  bool input(uint16_t in, uint16_t& out) {
    if (!started_ || sync_pending_) {
      uint16_t next = started_ ? static_cast<uint16_t>(max_output() + 1) : first_output_;
      base_ = static_cast<uint16_t>(next - in);
      max_input_ = in;
      floor_ = in;
      started_ = true;
      sync_pending_ = false;
      apply_pending_drops(in);
      out = next;
      return true;
    }
    if (seq_newer(in, max_input_)) {
      advance(in);
      out = static_cast<uint16_t>(in + base_);
      return true;
    }
    if (seq_newer(floor_, in)) return false;
    // A late packet: the purposeful drops after it did not exist when its slot was assigned.
    uint16_t later_drops = 0;
    for (size_t i = drop_count_; i-- > 0;) {
      if (drops_[i] == in) return false;
      if (!seq_newer(drops_[i], in)) break;
      ++later_drops;
    }
    out = static_cast<uint16_t>(in + base_ + later_drops);
    return true;
  }

  // Tells the manager that `in` will not be forwarded (e.g. padding only), so the outputs that
  // follow close the gap. Only inputs newer than every input so far are taken into account (a late
  // packet's output slot is already between others): the same rule as mediasoup's SeqManager.
  // Drops reported before a sync point is known are replayed once it is.
  void drop(uint16_t in) {
    if (!started_ || sync_pending_) {
      // Kept until the sync point is known: a drop newer than it must not leave a gap.
      if (drop_count_ < kMaxDrops) drops_[drop_count_++] = in;
      return;
    }
    if (!seq_newer(in, max_input_)) return;
    if (drop_count_ == kMaxDrops) {
      floor_ = static_cast<uint16_t>(drops_[0] + 1);
      pop_front();
    }
    drops_[drop_count_++] = in;
    --base_;
    advance(in);
  }

  bool started() const { return started_; }
  // The output number of the newest input (what the next in-order packet follows).
  uint16_t max_output() const { return static_cast<uint16_t>(max_input_ + base_); }
  uint16_t max_input() const { return max_input_; }

 private:
  // Replays the drops reported while the sync point was unknown, in serial order, keeping those
  // newer than the sync input `in` (older ones are below the floor and refused anyway).
  void apply_pending_drops(uint16_t in) {
    size_t pending = drop_count_;
    drop_count_ = 0;
    if (pending == 0) return;
    uint16_t sorted[kMaxDrops];
    size_t n = 0;
    for (size_t i = 0; i < pending; ++i) {
      uint16_t d = drops_[i];
      uint16_t dist = static_cast<uint16_t>(d - in);
      if (!seq_newer(d, in) || dist > kMaxAge) continue;
      size_t j = n++;
      while (j > 0 && static_cast<uint16_t>(sorted[j - 1] - in) > dist) {
        sorted[j] = sorted[j - 1];
        --j;
      }
      sorted[j] = d;
    }
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && sorted[i] == sorted[i - 1]) continue;
      drops_[drop_count_++] = sorted[i];
      --base_;
      max_input_ = sorted[i];
    }
  }

  void advance(uint16_t in) {
    max_input_ = in;
    if (static_cast<uint16_t>(max_input_ - floor_) > kMaxAge)
      floor_ = static_cast<uint16_t>(max_input_ - kMaxAge);
    while (drop_count_ != 0 && seq_newer(floor_, drops_[0])) pop_front();
  }

  void pop_front() {
    for (size_t i = 1; i < drop_count_; ++i) drops_[i - 1] = drops_[i];
    --drop_count_;
  }

  uint16_t first_output_;
  uint16_t base_ = 0;
  uint16_t max_input_ = 0;
  uint16_t floor_ = 0;  // oldest input still accepted
  bool started_ = false;
  bool sync_pending_ = false;
  size_t drop_count_ = 0;
  uint16_t drops_[kMaxDrops] = {};  // ascending in serial order, all newer than floor_
};

}  // namespace fanout::dp::rtp

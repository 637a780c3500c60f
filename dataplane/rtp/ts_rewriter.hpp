// Per-consumer RTP timestamp rewriter: output = input + offset (mod 2^32). After sync() the offset
// is chosen so that the first packet continues the consumer's timeline by the wall time elapsed
// since the last packet sent (at least one tick), so a receiver's jitter buffer sees neither a
// jump nor a step back when the source changes.
#pragma once

#include <cstdint>

#include "dataplane/rtp/serial.hpp"

namespace fanout::dp::rtp {

class TsRewriter {
 public:
  // Longer pauses are counted as this long: the product with any clock rate stays in 64 bits.
  static constexpr uint64_t kMaxElapsedUs = uint64_t{1} << 40;

  explicit TsRewriter(uint32_t initial_offset = 0) : offset_(initial_offset) {}

  void sync() { sync_pending_ = started_; }

  uint32_t rewrite(uint32_t in_ts, uint64_t now_us, uint32_t clock_rate) {
    if (sync_pending_) {
      uint64_t elapsed = now_us > last_us_ ? now_us - last_us_ : 0;
      if (elapsed > kMaxElapsedUs) elapsed = kMaxElapsedUs;
      uint64_t ticks = elapsed * clock_rate / 1000000;
      uint32_t delta = ticks == 0 ? 1 : static_cast<uint32_t>(ticks);
      offset_ = last_out_ + delta - in_ts;
      sync_pending_ = false;
    }
    uint32_t out = in_ts + offset_;
    if (!started_ || !ts_newer(last_out_, out)) {
      last_out_ = out;
      last_us_ = now_us;
      started_ = true;
    }
    return out;
  }

  uint32_t offset() const { return offset_; }
  uint32_t last_output() const { return last_out_; }
  bool started() const { return started_; }

 private:
  uint32_t offset_;
  uint32_t last_out_ = 0;
  uint64_t last_us_ = 0;
  bool started_ = false;
  bool sync_pending_ = false;
};

}  // namespace fanout::dp::rtp

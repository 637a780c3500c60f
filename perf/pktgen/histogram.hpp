// Latency histogram in TSC ticks: 10 ns buckets up to 1 ms, then 10 us buckets up to 101 ms (one
// multiply and shift per sample, no allocation after construction); above that one overflow
// bucket, and the maximum kept exactly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace fanout::dp::pktgen {

class LatencyHistogram {
 public:
  static constexpr uint32_t kBucketNs = 10;
  static constexpr uint32_t kFine = 100000;       // 10 ns each: 0..1 ms
  static constexpr uint32_t kCoarseEvery = 1000;  // 10 us each: 1..101 ms
  static constexpr uint32_t kBuckets = kFine + 10000;

  explicit LatencyHistogram(uint64_t tsc_hz)
      : tsc_hz_(tsc_hz),
        // bucket = ticks * mult >> 32, mult = 2^32 * 1e9 / (hz * kBucketNs)
        mult_(
            static_cast<uint64_t>(4294967296.0 * 1e9 / (static_cast<double>(tsc_hz) * kBucketNs))),
        counts_(kBuckets + 1, 0) {}

  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    n_ = 0;
    max_ticks_ = 0;
    sum_ticks_ = 0;
  }
  void add(uint64_t ticks) {
    uint64_t b = ticks < tsc_hz_ ? (ticks * mult_) >> 32 : ~uint64_t{0};  // no overflow below 1 s
    if (b >= kFine)
      b = b / kCoarseEvery < 100 + (kBuckets - kFine) ? kFine + b / kCoarseEvery - 100 : kBuckets;
    ++counts_[b < kBuckets ? b : kBuckets];
    ++n_;
    sum_ticks_ += ticks;
    max_ticks_ = std::max(max_ticks_, ticks);
  }
  uint64_t count() const { return n_; }
  // Upper edge of the bucket holding quantile q, in microseconds (the max above 1 ms).
  double quantile_us(double q) const {
    if (n_ == 0) return 0;
    const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n_ - 1)) + 1;
    uint64_t seen = 0;
    for (uint32_t b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen >= rank) {
        return b < kFine ? (b + 1) * kBucketNs / 1000.0
                         : (b - kFine + 101) * double{kCoarseEvery} * kBucketNs / 1000.0;
      }
    }
    return max_us();
  }
  double max_us() const {
    return static_cast<double>(max_ticks_) * 1e6 / static_cast<double>(tsc_hz_);
  }
  double mean_us() const {
    return n_ ? static_cast<double>(sum_ticks_) * 1e6 / static_cast<double>(tsc_hz_) /
                    static_cast<double>(n_)
              : 0;
  }

 private:
  uint64_t tsc_hz_;
  uint64_t mult_;
  std::vector<uint64_t> counts_;
  uint64_t n_ = 0;
  uint64_t max_ticks_ = 0;
  uint64_t sum_ticks_ = 0;
};

}  // namespace fanout::dp::pktgen

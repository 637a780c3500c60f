// Per-source token buckets on one lcore: a fixed, direct-mapped table keyed by a hash of the
// source address (collisions share a bucket, which only makes the limit stricter). No allocation
// after init, no locks: each worker owns its table. ARCHITECTURE.md: "per-source rate limits on
// STUN and on packets for unknown transports".
#pragma once

#include <rte_hash_crc.h>

#include <cstdint>
#include <vector>

#include "dataplane/net/address.hpp"

namespace fanout::dp {

class SourceLimiter {
 public:
  // `per_second` packets per source per second (0: unlimited); `slots` a power of two.
  void init(uint32_t per_second, uint64_t tsc_hz, uint32_t slots = 4096) {
    per_second_ = per_second;
    tsc_hz_ = tsc_hz;
    buckets_.assign(slots, Bucket{});
    mask_ = slots - 1;
  }

  bool allow(const net::IpAddr& src, uint64_t now_tsc) {
    if (per_second_ == 0) return true;
    uint32_t h = rte_hash_crc(src.bytes, src.size(), src.family);
    Bucket& b = buckets_[h & mask_];
    if (b.key != h || now_tsc - b.refill_tsc >= tsc_hz_) {
      // A new source in this slot, or a second has passed: a full bucket.
      b.key = h;
      b.tokens = per_second_;
      b.refill_tsc = now_tsc;
    }
    if (b.tokens == 0) return false;
    --b.tokens;
    return true;
  }

 private:
  struct Bucket {
    uint32_t key = 0;
    uint32_t tokens = 0;
    uint64_t refill_tsc = 0;
  };
  std::vector<Bucket> buckets_;
  uint32_t mask_ = 0;
  uint32_t per_second_ = 0;
  uint64_t tsc_hz_ = 1;
};

}  // namespace fanout::dp

// 128-entry sliding replay window (RFC 3711 §3.3.2), the size libsrtp uses by default. Bit i of the
// mask records whether index (highest - i) was received; indices more than 127 behind the highest
// are rejected as too old.
#pragma once

#include <cstdint>

namespace fanout::dp::srtp {

inline constexpr int64_t kReplayWindowSize = 128;

struct ReplayWindow {
  uint64_t lo;  // bits 0..63: highest - 0 .. highest - 63
  uint64_t hi;  // bits 64..127

  void reset_to_first() {
    lo = 1;
    hi = 0;
  }

  // delta = candidate index - highest index seen. True if the candidate may be accepted.
  bool check(int64_t delta) const {
    if (delta > 0) return true;
    if (delta <= -kReplayWindowSize) return false;
    const uint64_t back = static_cast<uint64_t>(-delta);
    const uint64_t word = back < 64 ? lo : hi;
    return ((word >> (back & 63)) & 1) == 0;
  }

  // Records an accepted index; delta as for check(). A positive delta makes it the new highest.
  void accept(int64_t delta) {
    if (delta > 0) {
      if (delta >= kReplayWindowSize) {
        lo = 0;
        hi = 0;
      } else if (delta >= 64) {
        hi = lo << (delta - 64);
        lo = 0;
      } else {
        hi = (hi << delta) | (lo >> (64 - delta));
        lo <<= delta;
      }
      lo |= 1;
      return;
    }
    const uint64_t back = static_cast<uint64_t>(-delta);
    if (back < 64) {
      lo |= uint64_t{1} << back;
    } else {
      hi |= uint64_t{1} << (back - 64);
    }
  }
};

}  // namespace fanout::dp::srtp

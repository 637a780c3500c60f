// RFC 1982 serial number arithmetic for RTP sequence numbers (16 bits) and timestamps (32 bits).
// "a is newer than b" when the forward distance from b to a is in (0, 2^(N-1)); a distance of
// exactly 2^(N-1) is undefined by RFC 1982 §3.2 and treated here as "not newer" both ways.
#pragma once

#include <cstdint>

namespace fanout::dp::rtp {

constexpr bool seq_newer(uint16_t a, uint16_t b) {
  return static_cast<int16_t>(static_cast<uint16_t>(a - b)) > 0;
}

constexpr bool ts_newer(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a - b)) > 0;
}

}  // namespace fanout::dp::rtp

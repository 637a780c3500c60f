// Packet index estimation for SRTP (RFC 3711 §3.3.1 and Appendix A).
#pragma once

#include <cstdint>

namespace fanout::dp::srtp {

inline constexpr uint64_t rtp_index(uint32_t roc, uint16_t seq) {
  return (uint64_t{roc} << 16) | seq;
}

// Returns the ROC guess v for a received SEQ given the highest index so far (roc, s_l):
//   if s_l < 2^15: v = SEQ - s_l > 2^15 ? ROC - 1 : ROC
//   else:          v = s_l - 2^15 > SEQ ? ROC + 1 : ROC
// Like libsrtp, ROC - 1 is not taken while ROC is 0 (there is no earlier rollover to be in).
inline constexpr uint32_t estimate_roc(uint32_t roc, uint16_t s_l, uint16_t seq) {
  if (s_l < 0x8000) {
    if (seq > s_l && seq - s_l > 0x8000 && roc > 0) return roc - 1;
    return roc;
  }
  if (s_l - 0x8000 > seq) return roc + 1;
  return roc;
}

}  // namespace fanout::dp::srtp

// The little of RTP/RTCP header parsing that SRTP needs: where the payload starts. The full RTP
// parser lives in dataplane/rtp/; this stays separate so the SRTP library has no dependency on it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fanout::dp::srtp {

inline constexpr size_t kRtpFixedHeaderSize = 12;
inline constexpr size_t kRtcpHeaderSize = 8;  // header + sender SSRC, sent in the clear (§3.4)

inline constexpr uint16_t load_be16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline constexpr uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline constexpr void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Length of the RTP header including CSRCs and the header extension (RFC 3550 §5.1, §5.3.1), or 0
// if the version is not 2 or the header does not fit in len. SRTP leaves all of it in the clear.
inline constexpr size_t rtp_header_length(const uint8_t* p, size_t len) {
  if (len < kRtpFixedHeaderSize || (p[0] >> 6) != 2) return 0;
  size_t hdr = kRtpFixedHeaderSize + 4 * size_t{static_cast<uint8_t>(p[0] & 0x0f)};
  if (p[0] & 0x10) {
    if (len < hdr + 4) return 0;
    hdr += 4 + 4 * size_t{load_be16(p + hdr + 2)};
  }
  return hdr <= len ? hdr : 0;
}

}  // namespace fanout::dp::srtp

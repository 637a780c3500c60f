// RFC 7983 §7 demultiplexing of a UDP payload by its first byte, with RTP/RTCP told apart by the
// second byte as RFC 5761 §4 does, and a minimum length per kind so later parsers start sane.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "dataplane/common/drop_reasons.hpp"

namespace fanout::dp::net {

enum class PayloadKind : uint8_t { kStun, kDtls, kRtp, kRtcp, kUnknown };

// 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP; ZRTP (16-19), TURN channels (64-79) and the rest are
// unknown to us. RTCP when the second byte (marker bit + payload type) is 192-223 (RFC 5761 §4:
// RTCP packet types 200-204 plus 192/193 are FIR/NACK, 205-223 feedback and reserved).
constexpr PayloadKind classify_payload(const uint8_t* p, size_t len) {
  if (len == 0) return PayloadKind::kUnknown;
  const uint8_t b = p[0];
  if (b <= 3) return PayloadKind::kStun;
  if (b >= 20 && b <= 63) return PayloadKind::kDtls;
  if (b >= 128 && b <= 191) {
    if (len >= 2 && p[1] >= 192 && p[1] <= 223) return PayloadKind::kRtcp;
    return PayloadKind::kRtp;
  }
  return PayloadKind::kUnknown;
}

// STUN header 20 (RFC 5389 §6), DTLS record header 13 (RFC 6347 §4.1), RTP fixed header 12
// (RFC 3550 §5.1), RTCP header + sender SSRC 8 (RFC 3550 §6.4).
inline constexpr size_t kMinStunLen = 20;
inline constexpr size_t kMinDtlsLen = 13;
inline constexpr size_t kMinRtpLen = 12;
inline constexpr size_t kMinRtcpLen = 8;

constexpr size_t min_payload_len(PayloadKind k) {
  switch (k) {
    case PayloadKind::kStun:
      return kMinStunLen;
    case PayloadKind::kDtls:
      return kMinDtlsLen;
    case PayloadKind::kRtp:
      return kMinRtpLen;
    case PayloadKind::kRtcp:
      return kMinRtcpLen;
    case PayloadKind::kUnknown:
      break;
  }
  return 0;
}

// The drop reason for a payload of kind k that is too short, or nullopt when it may proceed.
// A short DTLS record has no reason of its own and counts as kDemuxUnknown.
constexpr std::optional<Drop> check_payload(PayloadKind k, size_t len) {
  if (k == PayloadKind::kUnknown) return Drop::kDemuxUnknown;
  if (len >= min_payload_len(k)) return std::nullopt;
  switch (k) {
    case PayloadKind::kStun:
      return Drop::kStunMalformed;
    case PayloadKind::kRtp:
      return Drop::kRtpMalformed;
    case PayloadKind::kRtcp:
      return Drop::kRtcpMalformed;
    default:
      return Drop::kDemuxUnknown;
  }
}

}  // namespace fanout::dp::net

// Result of every SRTP/SRTCP packet operation, and the drop reason the engine counts for each.
#pragma once

#include <cstdint>

#include "dataplane/common/drop_reasons.hpp"

namespace fanout::dp::srtp {

enum class Status : uint8_t {
  kOk,
  // Shorter than header + tag (+ SRTCP index). Drop::kSrtpOther.
  kTooShort,
  // Version is not 2, or CSRC/extension lengths run past the packet. Drop::kSrtpOther.
  kMalformed,
  // Tag mismatch. Drop::kSrtpAuthFail (RTP) / Drop::kSrtcpAuthFail (RTCP).
  kAuthFail,
  // Index already seen or older than the 128-packet window. Drop::kSrtpReplay / kSrtcpReplay.
  kReplay,
  // protect_*: out_cap smaller than len + overhead. An engine bug; Drop::kSrtpOther.
  kBufferTooSmall,
  // SRTCP index reached 2^31 (RFC 3711 §3.4): the session must be rekeyed. Drop::kSrtpOther.
  kIndexExhausted,
  // OpenSSL refused a call that cannot fail with valid keys. Drop::kSrtpOther.
  kCryptoError,
};

const char* status_name(Status s);

constexpr Drop rtp_drop_reason(Status s) {
  switch (s) {
    case Status::kAuthFail:
      return Drop::kSrtpAuthFail;
    case Status::kReplay:
      return Drop::kSrtpReplay;
    default:
      return Drop::kSrtpOther;
  }
}

constexpr Drop rtcp_drop_reason(Status s) {
  switch (s) {
    case Status::kAuthFail:
      return Drop::kSrtcpAuthFail;
    case Status::kReplay:
      return Drop::kSrtcpReplay;
    default:
      return Drop::kSrtpOther;
  }
}

}  // namespace fanout::dp::srtp

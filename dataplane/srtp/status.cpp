#include "dataplane/srtp/status.hpp"

namespace fanout::dp::srtp {

const char* status_name(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kTooShort:
      return "too_short";
    case Status::kMalformed:
      return "malformed";
    case Status::kAuthFail:
      return "auth_fail";
    case Status::kReplay:
      return "replay";
    case Status::kBufferTooSmall:
      return "buffer_too_small";
    case Status::kIndexExhausted:
      return "index_exhausted";
    case Status::kCryptoError:
      return "crypto_error";
  }
  return "unknown";
}

}  // namespace fanout::dp::srtp

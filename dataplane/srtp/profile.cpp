#include "dataplane/srtp/profile.hpp"

namespace fanout::dp::srtp {

std::optional<Profile> profile_from_value(uint16_t value) {
  switch (value) {
    case 0x0001:
      return Profile::kAesCm128HmacSha1_80;
    case 0x0002:
      return Profile::kAesCm128HmacSha1_32;
    case 0x0007:
      return Profile::kAeadAes128Gcm;
    case 0x0008:
      return Profile::kAeadAes256Gcm;
    default:
      return std::nullopt;
  }
}

const char* profile_name(Profile p) {
  switch (p) {
    case Profile::kAesCm128HmacSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case Profile::kAesCm128HmacSha1_32:
      return "AES_CM_128_HMAC_SHA1_32";
    case Profile::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case Profile::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
  }
  return "unknown";
}

}  // namespace fanout::dp::srtp

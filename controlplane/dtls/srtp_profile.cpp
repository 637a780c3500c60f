#include "controlplane/dtls/srtp_profile.hpp"

namespace fanout::cp {

size_t srtp_master_key_length(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes256Gcm ? 32 : 16;
}

size_t srtp_master_salt_length(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAeadAes128Gcm:
    case SrtpProfile::kAeadAes256Gcm:
      return 12;
    case SrtpProfile::kAes128CmSha1_80:
    case SrtpProfile::kAes128CmSha1_32:
      break;
  }
  return 14;
}

std::string_view srtp_profile_name(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAes128CmSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::kAes128CmSha1_32:
      return "AES_CM_128_HMAC_SHA1_32";
    case SrtpProfile::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
  }
  return "unknown";
}

std::optional<SrtpProfile> srtp_profile_from_id(uint16_t id) {
  switch (id) {
    case 1:
    case 2:
    case 7:
    case 8:
      return static_cast<SrtpProfile>(id);
    default:
      return std::nullopt;
  }
}

}  // namespace fanout::cp

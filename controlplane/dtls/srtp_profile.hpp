// SRTP protection profiles that DTLS-SRTP negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2), by their
// IANA id, with the master key and salt lengths that the keying material export is split into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fanout::cp {

enum class SrtpProfile : uint16_t {
  kAes128CmSha1_80 = 1,
  kAes128CmSha1_32 = 2,
  kAeadAes128Gcm = 7,
  kAeadAes256Gcm = 8,
};

// Our offer, best first: GCM costs one pass instead of AES-CM + HMAC (see ARCHITECTURE.md), and
// Chromium offers all four. OpenSSL's use_srtp names.
inline constexpr const char* kDefaultSrtpProfiles =
    "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";

// Master key length: 16 (CM, GCM-128) or 32 (GCM-256).
size_t srtp_master_key_length(SrtpProfile profile);
// Master salt length: 14 (CM) or 12 (GCM, RFC 7714 §12).
size_t srtp_master_salt_length(SrtpProfile profile);
// mediasoup's names ("AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM", ...).
std::string_view srtp_profile_name(SrtpProfile profile);
// nullopt for ids we do not negotiate (NULL ciphers, unassigned).
std::optional<SrtpProfile> srtp_profile_from_id(uint16_t id);

}  // namespace fanout::cp

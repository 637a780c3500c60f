// SRTP key derivation (RFC 3711 §4.3, key_derivation_rate 0) with the AES-CM PRF; RFC 7714 §11
// uses the same KDF for GCM with a 96-bit master salt and, for AEAD_AES_256_GCM, an AES-256 PRF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dataplane/srtp/profile.hpp"

namespace fanout::dp::srtp {

// RFC 3711 §4.3.1 and §4.3.2 labels.
enum class KdfLabel : uint8_t {
  kRtpEncryption = 0x00,
  kRtpAuth = 0x01,
  kRtpSalt = 0x02,
  kRtcpEncryption = 0x03,
  kRtcpAuth = 0x04,
  kRtcpSalt = 0x05,
};

// Session keys for one direction; only the first *_length(profile) bytes of each are used.
struct SessionKeys {
  uint8_t rtp_key[32];
  uint8_t rtp_auth[20];
  uint8_t rtp_salt[14];
  uint8_t rtcp_key[32];
  uint8_t rtcp_auth[20];
  uint8_t rtcp_salt[14];
};

// PRF_n(k_master, x) with x = key_id XOR master_salt, key_id = label || r (r = 0): the AES-CM
// keystream from IV x * 2^16. master_salt is at most 14 bytes; a 12-byte GCM salt is padded with
// zeros on the right, as RFC 7714 §11 requires. Slow path.
bool aes_cm_prf(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt,
                KdfLabel label, std::span<uint8_t> out);

// Derives all six session keys; false with *error set if key or salt length does not fit the
// profile.
bool derive_session_keys(Profile profile, std::span<const uint8_t> master_key,
                         std::span<const uint8_t> master_salt, SessionKeys* out,
                         std::string* error);

}  // namespace fanout::dp::srtp

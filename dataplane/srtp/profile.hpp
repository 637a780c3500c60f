// SRTP protection profiles negotiated through DTLS-SRTP (RFC 5764 §4.1.2, RFC 7714 §14.2), with the
// key, salt and tag sizes each one implies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace fanout::dp::srtp {

// Values are the IANA "DTLS-SRTP Protection Profiles" code points.
enum class Profile : uint16_t {
  kAesCm128HmacSha1_80 = 0x0001,
  kAesCm128HmacSha1_32 = 0x0002,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};

// The SRTCP index and E flag word that follows every SRTCP payload (RFC 3711 §3.4).
inline constexpr size_t kSrtcpIndexSize = 4;
inline constexpr size_t kGcmTagSize = 16;
// Largest trailer any profile appends to an RTCP packet: GCM tag + E||index.
inline constexpr size_t kMaxSrtcpOverhead = kGcmTagSize + kSrtcpIndexSize;
inline constexpr size_t kMaxSrtpOverhead = kGcmTagSize;

// Parses a DTLS-SRTP profile value; nullopt for profiles we do not implement.
std::optional<Profile> profile_from_value(uint16_t value);

// SDES crypto-suite spelling (RFC 4568 / RFC 7714 §14.1), e.g. "AES_CM_128_HMAC_SHA1_80".
const char* profile_name(Profile p);

constexpr bool is_gcm(Profile p) {
  return p == Profile::kAeadAes128Gcm || p == Profile::kAeadAes256Gcm;
}

constexpr size_t master_key_length(Profile p) {
  return p == Profile::kAeadAes256Gcm ? 32 : 16;
}

// 112-bit salt for AES-CM (RFC 3711 §8.2), 96-bit for GCM (RFC 7714 §12).
constexpr size_t master_salt_length(Profile p) {
  return is_gcm(p) ? 12 : 14;
}

// The session encryption key has the master key's length and the session salt the master salt's.
constexpr size_t session_key_length(Profile p) {
  return master_key_length(p);
}
constexpr size_t session_salt_length(Profile p) {
  return master_salt_length(p);
}

// HMAC-SHA1 key length n_a = 160 bits (RFC 3711 §8.2); GCM has no separate auth key.
constexpr size_t session_auth_key_length(Profile p) {
  return is_gcm(p) ? 0 : 20;
}

constexpr size_t rtp_tag_length(Profile p) {
  switch (p) {
    case Profile::kAesCm128HmacSha1_80:
      return 10;
    case Profile::kAesCm128HmacSha1_32:
      return 4;
    case Profile::kAeadAes128Gcm:
    case Profile::kAeadAes256Gcm:
      return kGcmTagSize;
  }
  return 0;
}

// RFC 5764 §4.1.2: SRTP_AES128_CM_HMAC_SHA1_32 still uses an 80-bit tag for SRTCP.
constexpr size_t rtcp_tag_length(Profile p) {
  return is_gcm(p) ? kGcmTagSize : 10;
}

// Bytes protect_rtp / protect_rtcp add to a packet.
constexpr size_t srtp_overhead(Profile p) {
  return rtp_tag_length(p);
}
constexpr size_t srtcp_overhead(Profile p) {
  return rtcp_tag_length(p) + kSrtcpIndexSize;
}

}  // namespace fanout::dp::srtp

#include "dataplane/srtp/kdf.hpp"

#include <openssl/crypto.h>

#include <cstring>

#include "dataplane/srtp/aes.hpp"

namespace fanout::dp::srtp {

bool aes_cm_prf(std::span<const uint8_t> master_key, std::span<const uint8_t> master_salt,
                KdfLabel label, std::span<uint8_t> out) {
  if (master_salt.size() > 14) return false;
  AesCtr prf;
  if (!prf.set_key(master_key.data(), master_key.size())) return false;
  uint8_t iv[kAesBlockSize] = {};
  std::memcpy(iv, master_salt.data(), master_salt.size());
  // key_id = label || r is 56 bits, aligned with the low end of the 112-bit salt: label at byte 7.
  iv[7] ^= static_cast<uint8_t>(label);
  std::memset(out.data(), 0, out.size());
  return prf.crypt(iv, out.data(), out.data(), out.size());
}

bool derive_session_keys(Profile profile, std::span<const uint8_t> master_key,
                         std::span<const uint8_t> master_salt, SessionKeys* out,
                         std::string* error) {
  if (master_key.size() != master_key_length(profile)) {
    if (error)
      *error = std::string(profile_name(profile)) + ": master key must be " +
               std::to_string(master_key_length(profile)) + " bytes";
    return false;
  }
  if (master_salt.size() != master_salt_length(profile)) {
    if (error)
      *error = std::string(profile_name(profile)) + ": master salt must be " +
               std::to_string(master_salt_length(profile)) + " bytes";
    return false;
  }
  *out = SessionKeys{};
  const size_t key_len = session_key_length(profile);
  const size_t auth_len = session_auth_key_length(profile);
  const size_t salt_len = session_salt_length(profile);
  bool ok =
      aes_cm_prf(master_key, master_salt, KdfLabel::kRtpEncryption, {out->rtp_key, key_len}) &&
      aes_cm_prf(master_key, master_salt, KdfLabel::kRtpSalt, {out->rtp_salt, salt_len}) &&
      aes_cm_prf(master_key, master_salt, KdfLabel::kRtcpEncryption, {out->rtcp_key, key_len}) &&
      aes_cm_prf(master_key, master_salt, KdfLabel::kRtcpSalt, {out->rtcp_salt, salt_len});
  if (ok && auth_len > 0) {
    ok = aes_cm_prf(master_key, master_salt, KdfLabel::kRtpAuth, {out->rtp_auth, auth_len}) &&
         aes_cm_prf(master_key, master_salt, KdfLabel::kRtcpAuth, {out->rtcp_auth, auth_len});
  }
  if (!ok) {
    OPENSSL_cleanse(out, sizeof(*out));
    if (error) *error = "AES-CM PRF failed";
  }
  return ok;
}

}  // namespace fanout::dp::srtp

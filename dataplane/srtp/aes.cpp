#include "dataplane/srtp/aes.hpp"

#include <openssl/evp.h>

namespace fanout::dp::srtp {

namespace {

// Whole packets only: SRTP packets are far below 2^31 bytes, the caller bounds len.
int as_int(size_t n) {
  return static_cast<int>(n);
}

}  // namespace

AesCtr::~AesCtr() {
  EVP_CIPHER_CTX_free(ctx_);
}

bool AesCtr::set_key(const uint8_t* key, size_t key_len) {
  const EVP_CIPHER* cipher = key_len == 16   ? EVP_aes_128_ctr()
                             : key_len == 32 ? EVP_aes_256_ctr()
                                             : nullptr;
  if (cipher == nullptr) return false;
  if (ctx_ == nullptr) ctx_ = EVP_CIPHER_CTX_new();
  if (ctx_ == nullptr) return false;
  return EVP_EncryptInit_ex(ctx_, cipher, nullptr, key, nullptr) == 1;
}

bool AesCtr::crypt(const uint8_t iv[kAesBlockSize], const uint8_t* in, uint8_t* out, size_t len) {
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (len == 0) return true;
  int n = 0;
  return EVP_EncryptUpdate(ctx_, out, &n, in, as_int(len)) == 1;
}

AesGcm::~AesGcm() {
  EVP_CIPHER_CTX_free(ctx_);
}

bool AesGcm::set_key(const uint8_t* key, size_t key_len, bool encrypt) {
  const EVP_CIPHER* cipher = key_len == 16   ? EVP_aes_128_gcm()
                             : key_len == 32 ? EVP_aes_256_gcm()
                                             : nullptr;
  if (cipher == nullptr) return false;
  if (ctx_ == nullptr) ctx_ = EVP_CIPHER_CTX_new();
  if (ctx_ == nullptr) return false;
  if (EVP_CipherInit_ex(ctx_, cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1)
    return false;
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_IVLEN, kGcmIvSize, nullptr) != 1) return false;
  return EVP_CipherInit_ex(ctx_, nullptr, nullptr, key, nullptr, encrypt ? 1 : 0) == 1;
}

bool AesGcm::seal(const uint8_t iv[kGcmIvSize], const uint8_t* aad1, size_t aad1_len,
                  const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
                  uint8_t tag[kGcmTagSize]) {
  int n = 0;
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (aad1_len > 0 && EVP_EncryptUpdate(ctx_, nullptr, &n, aad1, as_int(aad1_len)) != 1)
    return false;
  if (aad2_len > 0 && EVP_EncryptUpdate(ctx_, nullptr, &n, aad2, as_int(aad2_len)) != 1)
    return false;
  if (len > 0 && EVP_EncryptUpdate(ctx_, out, &n, in, as_int(len)) != 1) return false;
  if (EVP_EncryptFinal_ex(ctx_, out + len, &n) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, kGcmTagSize, tag) == 1;
}

bool AesGcm::open(const uint8_t iv[kGcmIvSize], const uint8_t* aad1, size_t aad1_len,
                  const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
                  const uint8_t tag[kGcmTagSize]) {
  int n = 0;
  if (EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (aad1_len > 0 && EVP_DecryptUpdate(ctx_, nullptr, &n, aad1, as_int(aad1_len)) != 1)
    return false;
  if (aad2_len > 0 && EVP_DecryptUpdate(ctx_, nullptr, &n, aad2, as_int(aad2_len)) != 1)
    return false;
  if (len > 0 && EVP_DecryptUpdate(ctx_, out, &n, in, as_int(len)) != 1) return false;
  // The provider copies the expected tag; the const_cast only satisfies the ctrl signature.
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kGcmTagSize, const_cast<uint8_t*>(tag)) != 1)
    return false;
  return EVP_DecryptFinal_ex(ctx_, out + len, &n) == 1;
}

}  // namespace fanout::dp::srtp

#include "dataplane/srtp/aes.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "dataplane/srtp/gcm_vaes.hpp"

namespace fanout::dp::srtp {

namespace {

bool vaes_allowed = true;

// Key state is heap-allocated on the slow path (as EVP's is), so a session of the other profile
// does not carry ~600 unused bytes per cipher object; it is wiped before it is freed.
template <typename T>
T* new_key_state() {
  return new (std::nothrow) T{};
}

template <typename T>
void delete_key_state(T*& p) {
  if (p == nullptr) return;
  OPENSSL_cleanse(p, sizeof(T));
  delete p;
  p = nullptr;
}

// Whole packets only: SRTP packets are far below 2^31 bytes, the caller bounds len.
int as_int(size_t n) {
  return static_cast<int>(n);
}

// Keystream scratch per ECB call: small enough for the stack and L1, large enough that OpenSSL's
// 8-block AES-NI loop runs full.
constexpr size_t kCtrChunk = 512;

inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

inline void store_be64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// out = in ^ ks, 16 bytes at a time (GCC/Clang vector extension: movdqu/pxor on x86-64).
// Element-wise, so in == out is fine.
inline void xor_into(uint8_t* out, const uint8_t* in, const uint8_t* ks, size_t n) {
  typedef uint8_t V16 __attribute__((vector_size(16)));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    V16 a;
    V16 k;
    std::memcpy(&a, in + i, 16);
    std::memcpy(&k, ks + i, 16);
    a ^= k;
    std::memcpy(out + i, &a, 16);
  }
  for (; i < n; ++i) out[i] = in[i] ^ ks[i];
}

}  // namespace

void set_vaes_allowed(bool allowed) {
  vaes_allowed = allowed;
}

bool vaes_active() {
  return vaes_allowed && vaes::cpu_supported();
}

AesCtr::~AesCtr() {
  free_keys();
}

void AesCtr::free_keys() {
  EVP_CIPHER_CTX_free(ctx_);
  ctx_ = nullptr;
  delete_key_state(fast_);
}

bool AesCtr::set_key(const uint8_t* key, size_t key_len) {
  if (key_len != 16 && key_len != 32) return false;
  if (vaes_active()) {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = nullptr;
    if (fast_ == nullptr) fast_ = new_key_state<vaes::AesKey>();
    return fast_ != nullptr && vaes::aes_set_key(fast_, key, key_len);
  }
  delete_key_state(fast_);
  const EVP_CIPHER* cipher = key_len == 16   ? EVP_aes_128_ecb()
                             : key_len == 32 ? EVP_aes_256_ecb()
                                             : nullptr;
  if (cipher == nullptr) return false;
  if (ctx_ == nullptr) ctx_ = EVP_CIPHER_CTX_new();
  if (ctx_ == nullptr) return false;
  if (EVP_EncryptInit_ex(ctx_, cipher, nullptr, key, nullptr) != 1) return false;
  return EVP_CIPHER_CTX_set_padding(ctx_, 0) == 1;
}

bool AesCtr::crypt(const uint8_t iv[kAesBlockSize], const uint8_t* in, uint8_t* out, size_t len) {
  if (fast_ != nullptr) {
    vaes::ctr_crypt(*fast_, iv, in, out, len);
    return true;
  }
  if (ctx_ == nullptr) return false;
  alignas(64) uint8_t ks[kCtrChunk];
  // The counter is the whole block, big-endian, as EVP's CTR mode counts.
  uint64_t hi = load_be64(iv);
  uint64_t lo = load_be64(iv + 8);
  while (len > 0) {
    const size_t n = std::min(len, kCtrChunk);
    const size_t blocks_len = (n + kAesBlockSize - 1) & ~(kAesBlockSize - 1);
    for (size_t b = 0; b < blocks_len; b += kAesBlockSize) {
      store_be64(ks + b, hi);
      store_be64(ks + b + 8, lo);
      if (++lo == 0) ++hi;
    }
    int produced = 0;
    if (EVP_EncryptUpdate(ctx_, ks, &produced, ks, as_int(blocks_len)) != 1) return false;
    xor_into(out, in, ks, n);
    in += n;
    out += n;
    len -= n;
  }
  return true;
}

AesGcm::~AesGcm() {
  free_keys();
}

void AesGcm::free_keys() {
  EVP_CIPHER_CTX_free(ctx_);
  ctx_ = nullptr;
  delete_key_state(fast_);
}

bool AesGcm::set_key(const uint8_t* key, size_t key_len, bool encrypt) {
  if (key_len != 16 && key_len != 32) return false;
  if (vaes_active()) {
    // One key state serves both directions: GCM only runs the forward cipher.
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = nullptr;
    if (fast_ == nullptr) fast_ = new_key_state<vaes::GcmKey>();
    if (fast_ == nullptr || !vaes::aes_set_key(&fast_->aes, key, key_len)) return false;
    vaes::gcm_init(fast_);
    return true;
  }
  delete_key_state(fast_);
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
  if (fast_ != nullptr) {
    vaes::gcm_seal(*fast_, iv, aad1, aad1_len, aad2, aad2_len, in, out, len, tag);
    return true;
  }
  if (ctx_ == nullptr) return false;
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
  if (fast_ != nullptr) {
    return vaes::gcm_open(*fast_, iv, aad1, aad1_len, aad2, aad2_len, in, out, len, tag);
  }
  if (ctx_ == nullptr) return false;
  int n = 0;
  if (EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (aad1_len > 0 && EVP_DecryptUpdate(ctx_, nullptr, &n, aad1, as_int(aad1_len)) != 1)
    return false;
  if (aad2_len > 0 && EVP_DecryptUpdate(ctx_, nullptr, &n, aad2, as_int(aad2_len)) != 1)
    return false;
  if (len > 0 && EVP_DecryptUpdate(ctx_, out, &n, in, as_int(len)) != 1) return false;
  // The provider copies the expected tag; the const_cast only satisfies the ctrl signature.
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kGcmTagSize, const_cast<uint8_t*>(tag)) !=
      1) {
    return false;
  }
  return EVP_DecryptFinal_ex(ctx_, out + len, &n) == 1;
}

}  // namespace fanout::dp::srtp

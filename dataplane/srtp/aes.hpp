// AES-CTR and AES-GCM keyed once on the slow path, so the packet path does no cipher fetch, no key
// schedule and no allocation. On CPUs with VAES + VPCLMULQDQ (checked once) the packet path is
// dataplane/srtp/gcm_vaes, key schedule and powers of H precomputed: with AVX-512, 16 blocks per
// step on zmm (gcm_vaes.cpp); without it but with AVX2 (e.g. Zen 3), 8 blocks per step on ymm
// (gcm_vaes256.cpp). Elsewhere it is OpenSSL EVP with only the IV set per packet.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataplane/srtp/profile.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace fanout::dp::srtp {

namespace vaes {
struct AesKey;
struct GcmKey;
}  // namespace vaes

inline constexpr size_t kAesBlockSize = 16;

// Test hook: false makes set_key calls that follow use the EVP path even on a CPU with VAES, so
// both paths stay covered there. Not thread-safe; the default is true.
void set_vaes_allowed(bool allowed);
// Whether set_key would pick the VAES path now (CPU support and the hook).
bool vaes_active();
inline constexpr size_t kGcmIvSize = 12;

// AES-CTR with a full 16-byte initial counter block, as SRTP's AES-CM (RFC 3711 §4.1.1).
// The keystream is AES-ECB over counter blocks built here, XORed from in to out: OpenSSL 3.0 spends
// ~220 cycles re-initialising an EVP CTR context for each new IV, more than ECB takes for a whole
// 160-byte packet (~90 cycles). The payload is still read once and written once.
class AesCtr {
 public:
  AesCtr() = default;
  ~AesCtr();
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;

  // Slow path. key_len is 16 or 32.
  bool set_key(const uint8_t* key, size_t key_len);
  // out = in XOR keystream(iv); in == out is allowed, partial overlap is not.
  bool crypt(const uint8_t iv[kAesBlockSize], const uint8_t* in, uint8_t* out, size_t len);
  // Which path the last set_key chose.
  bool uses_vaes() const { return fast_ != nullptr; }

 private:
  void free_keys();

  EVP_CIPHER_CTX* ctx_ = nullptr;
  vaes::AesKey* fast_ = nullptr;  // owned; the only key state when set
};

// AES-GCM with a 12-byte IV and a 16-byte tag, one direction per object.
class AesGcm {
 public:
  AesGcm() = default;
  ~AesGcm();
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  bool set_key(const uint8_t* key, size_t key_len, bool encrypt);
  // AAD is aad1 || aad2 (SRTCP authenticates a header and a trailer that are not adjacent).
  bool seal(const uint8_t iv[kGcmIvSize], const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
            size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len, uint8_t tag[kGcmTagSize]);
  // Decrypts then checks the tag; on false the contents of out are unspecified.
  bool open(const uint8_t iv[kGcmIvSize], const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
            size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
            const uint8_t tag[kGcmTagSize]);
  bool uses_vaes() const { return fast_ != nullptr; }

 private:
  void free_keys();

  EVP_CIPHER_CTX* ctx_ = nullptr;
  vaes::GcmKey* fast_ = nullptr;  // owned; the only key state when set
};

}  // namespace fanout::dp::srtp

// OpenSSL EVP AES contexts keyed once on the slow path; per packet only the IV is set, so the
// packet path does no cipher fetch, no key schedule and no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataplane/srtp/profile.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace fanout::dp::srtp {

inline constexpr size_t kAesBlockSize = 16;
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

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
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

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace fanout::dp::srtp

// AES-CTR and AES-GCM on 512-bit VAES + VPCLMULQDQ (AVX-512: Ice Lake and later, Zen 4 and later).
// OpenSSL 3.0 has no such path: its GCM does ~1.9 GB/s at 1200 B per EVP call on Zen 4, most of it
// per-call set-up. Here the key schedule and the powers of H are computed once at set-key, and a
// packet is 16 blocks per iteration with masked loads and stores for the tail (never touching a
// byte outside [in, in + len) or [out, out + len): an mbuf's data may end where mapped memory
// ends).
//
// Only the functions below are compiled for those extensions (function target attributes, no
// global -m flags); callers must check cpu_supported() first. aes.cpp dispatches once per key.
// Without AVX-512, a 256-bit variant (gcm_vaes256.cpp: VAES + VPCLMULQDQ on ymm with AVX2, 8 blocks
// per step, the tail through a stack buffer) runs behind the same functions, chosen per call from a
// CPU check made once; both variants use the same key layout.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fanout::dp::srtp::vaes {

// Either variant: VAES, VPCLMULQDQ, AVX512F/BW/VL, AES-NI and PCLMULQDQ with the OS saving the
// AVX-512 state (512-bit), or VAES, VPCLMULQDQ, AVX2, AES-NI, PCLMULQDQ with the OS saving the YMM
// state (256-bit).
bool cpu_supported();
// Whether the 512-bit variant runs: the CPU has it and the test hook allows it.
bool zmm_active();
// Test hook: false makes the calls that follow use the 256-bit variant even on an AVX-512 CPU (keys
// are interchangeable). Not thread-safe; the default is true.
void set_zmm_allowed(bool allowed);

// The encryption round keys only: CTR and GCM never run the inverse cipher.
struct AesKey {
  uint8_t round_keys[15][16];
  uint32_t rounds;  // 10 (AES-128) or 14 (AES-256)
};

// GHASH runs as POLYVAL on byte-reversed blocks (RFC 8452 Appendix A), whose Montgomery-form
// product needs no bit shifts: h_powers[i] = H^(16-i) in that form, followed by four zero blocks so
// that a run of n <= 16 blocks loads its multipliers H^n..H^1 from &h_powers[16 - n] in 64-byte
// steps without reading past the table.
struct GcmKey {
  AesKey aes;
  uint8_t h_powers[20][16];
};

// key_len 16 or 32; false otherwise.
bool aes_set_key(AesKey* k, const uint8_t* key, size_t key_len);
// Computes H = AES_K(0^128) and its powers; k->aes must be set.
void gcm_init(GcmKey* k);

// iv is the full initial counter block, incremented as one 128-bit big-endian integer.
void ctr_crypt(const AesKey& k, const uint8_t iv[16], const uint8_t* in, uint8_t* out, size_t len);

// 12-byte IV, 16-byte tag, AAD = aad1 || aad2. in == out is allowed.
void gcm_seal(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              uint8_t tag[16]);
// Decrypts into out and returns whether the tag matches (compared in constant time).
bool gcm_open(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              const uint8_t tag[16]);

// The 256-bit variant (gcm_vaes256.cpp), called through the functions above.
namespace ymm {
bool cpu_supported();
bool aes_set_key(AesKey* k, const uint8_t* key, size_t key_len);
void gcm_init(GcmKey* k);
// ctr_crypt without the 64-bit wrap split: the caller guarantees the low 64 bits do not wrap.
void ctr_run(const AesKey& k, const uint8_t iv[16], const uint8_t* in, uint8_t* out, size_t len);
void gcm_seal(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              uint8_t tag[16]);
bool gcm_open(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              const uint8_t tag[16]);
}  // namespace ymm

}  // namespace fanout::dp::srtp::vaes

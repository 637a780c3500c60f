// The 256-bit variant of gcm_vaes.cpp: VAES + VPCLMULQDQ on ymm with AVX2 (Zen 3, and any CPU with
// VAES but no AVX-512). Same key structs and the same GcmKey::h_powers layout (H^16..H^1 then four
// zero blocks), so a key set by either variant works with both. 8 blocks per step; without masked
// loads the tail (< 128 bytes) goes through a stack buffer, so no byte outside [in, in + len) or
// [out, out + len) is touched.
#include "dataplane/srtp/gcm_vaes.hpp"

#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

#define FANOUT_VAES256_TARGET __attribute__((target("vaes,vpclmulqdq,avx2,avx,aes,pclmul,sse4.1")))
#define FANOUT_VAES256_INLINE FANOUT_VAES256_TARGET inline __attribute__((always_inline))

namespace fanout::dp::srtp::vaes::ymm {

namespace {
// Read CPUID and XCR0 directly on both compilers (Clang 14 knows neither "vaes" nor "vpclmulqdq"
// in __builtin_cpu_supports).
bool cpuid_supported() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool aes = c & (1u << 25), pclmul = c & (1u << 1), osxsave = c & (1u << 27),
             avx = c & (1u << 28), sse41 = c & (1u << 19);
  if (!aes || !pclmul || !osxsave || !avx || !sse41) return false;
  unsigned xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  // SSE and AVX (YMM upper halves) state saved by the OS.
  if ((xcr0_lo & 0x6) != 0x6) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool avx2 = b & (1u << 5);
  const bool vaes = c & (1u << 9), vpclmulqdq = c & (1u << 10);
  return avx2 && vaes && vpclmulqdq;
}
}  // namespace

bool cpu_supported() {
  static const bool supported = cpuid_supported();
  return supported;
}

namespace {

using V = __m256i;

// ---- Key schedule (FIPS 197 §5.2 with AESKEYGENASSIST), as in gcm_vaes.cpp. ----

FANOUT_VAES256_INLINE __m128i expand_step(__m128i key, __m128i assist) {
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

FANOUT_VAES256_TARGET void expand_128(const uint8_t* key, __m128i* rk) {
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
#define FANOUT_AES128_ROUND(i, rcon) \
  rk[i] =                            \
      expand_step(rk[i - 1], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], rcon), 0xff))
  FANOUT_AES128_ROUND(1, 0x01);
  FANOUT_AES128_ROUND(2, 0x02);
  FANOUT_AES128_ROUND(3, 0x04);
  FANOUT_AES128_ROUND(4, 0x08);
  FANOUT_AES128_ROUND(5, 0x10);
  FANOUT_AES128_ROUND(6, 0x20);
  FANOUT_AES128_ROUND(7, 0x40);
  FANOUT_AES128_ROUND(8, 0x80);
  FANOUT_AES128_ROUND(9, 0x1b);
  FANOUT_AES128_ROUND(10, 0x36);
#undef FANOUT_AES128_ROUND
}

FANOUT_VAES256_TARGET void expand_256(const uint8_t* key, __m128i* rk) {
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
#define FANOUT_AES256_EVEN(i, rcon) \
  rk[i] =                           \
      expand_step(rk[i - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], rcon), 0xff))
#define FANOUT_AES256_ODD(i) \
  rk[i] = expand_step(rk[i - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i - 1], 0), 0xaa))
  FANOUT_AES256_EVEN(2, 0x01);
  FANOUT_AES256_ODD(3);
  FANOUT_AES256_EVEN(4, 0x02);
  FANOUT_AES256_ODD(5);
  FANOUT_AES256_EVEN(6, 0x04);
  FANOUT_AES256_ODD(7);
  FANOUT_AES256_EVEN(8, 0x08);
  FANOUT_AES256_ODD(9);
  FANOUT_AES256_EVEN(10, 0x10);
  FANOUT_AES256_ODD(11);
  FANOUT_AES256_EVEN(12, 0x20);
  FANOUT_AES256_ODD(13);
  FANOUT_AES256_EVEN(14, 0x40);
#undef FANOUT_AES256_EVEN
#undef FANOUT_AES256_ODD
}

// ---- Helpers. ----

FANOUT_VAES256_INLINE V load_block_x2(const uint8_t* p) {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

FANOUT_VAES256_INLINE V loadu(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const V*>(p));
}

FANOUT_VAES256_INLINE void storeu(uint8_t* p, V v) {
  _mm256_storeu_si256(reinterpret_cast<V*>(p), v);
}

// Bytes 15..0 in each 128-bit lane: GCM blocks are big-endian, POLYVAL wants little-endian.
FANOUT_VAES256_INLINE V reverse_mask() {
  return _mm256_broadcastsi128_si256(
      _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// 32 bytes of 0xff then 32 zero bytes: loading at 32 - n gives the mask of the first n bytes.
alignas(64) constexpr uint8_t kByteMaskTable[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0};

// Mask of the first min(n, 32) bytes of a 32-byte vector; n may be "negative" (wrapped): zero.
FANOUT_VAES256_INLINE V byte_mask(size_t used, size_t len) {
  const size_t n = len <= used ? 0 : (len - used >= 32 ? 32 : len - used);
  return loadu(kByteMaskTable + 32 - n);
}

template <int Rounds>
FANOUT_VAES256_INLINE void load_round_keys(const AesKey& k, V* rk) {
#pragma GCC unroll 16
  for (int r = 0; r <= Rounds; ++r) rk[r] = load_block_x2(k.round_keys[r]);
}

// AES of n (1..4) vectors of two blocks each; the round keys outer so the n chains interleave.
template <int Rounds, int N>
FANOUT_VAES256_INLINE void aes_encrypt(const V* rk, V* x) {
#pragma GCC unroll 16
  for (int i = 0; i < N; ++i) x[i] = _mm256_xor_si256(x[i], rk[0]);
#pragma GCC unroll 16
  for (int r = 1; r < Rounds; ++r) {
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = _mm256_aesenc_epi128(x[i], rk[r]);
  }
#pragma GCC unroll 16
  for (int i = 0; i < N; ++i) x[i] = _mm256_aesenclast_epi128(x[i], rk[Rounds]);
}

template <int Rounds>
FANOUT_VAES256_INLINE void aes_encrypt_n(const V* rk, V* x, size_t nz) {
  switch (nz) {
    case 1:
      aes_encrypt<Rounds, 1>(rk, x);
      break;
    case 2:
      aes_encrypt<Rounds, 2>(rk, x);
      break;
    case 3:
      aes_encrypt<Rounds, 3>(rk, x);
      break;
    default:
      aes_encrypt<Rounds, 4>(rk, x);
      break;
  }
}

template <int Rounds>
FANOUT_VAES256_INLINE __m128i aes_encrypt_block(const V* rk, __m128i x) {
  x = _mm_xor_si128(x, _mm256_castsi256_si128(rk[0]));
#pragma GCC unroll 16
  for (int r = 1; r < Rounds; ++r) x = _mm_aesenc_si128(x, _mm256_castsi256_si128(rk[r]));
  return _mm_aesenclast_si128(x, _mm256_castsi256_si128(rk[Rounds]));
}

// ---- GHASH as POLYVAL (RFC 8452), as in gcm_vaes.cpp. ----

FANOUT_VAES256_INLINE __m128i reduce(__m128i lo, __m128i hi) {
  const __m128i poly = _mm_set_epi64x(static_cast<long long>(0xc200000000000000ULL), 1);
  __m128i t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  return _mm_xor_si128(lo, hi);
}

FANOUT_VAES256_INLINE __m128i dot(__m128i a, __m128i b) {
  const __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  const __m128i mid =
      _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
  return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

FANOUT_VAES256_INLINE __m128i fold_lanes(V v) {
  return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

// acc = POLYVAL over the 2 * NZ blocks in d (byte-reversed; blocks past the run are zero), with
// acc added to the first block: one aggregated reduction per run of up to 8 blocks. keys points at
// H^n for a run of n blocks (GcmKey::h_powers[16 - n]).
template <int NZ>
FANOUT_VAES256_INLINE __m128i ghash_run(__m128i acc, const V* d, const uint8_t* keys) {
  const V x = _mm256_xor_si256(d[0], _mm256_set_m128i(_mm_setzero_si128(), acc));
  V k = loadu(keys);
  V lo = _mm256_clmulepi64_epi128(x, k, 0x00);
  V hi = _mm256_clmulepi64_epi128(x, k, 0x11);
  V mid =
      _mm256_xor_si256(_mm256_clmulepi64_epi128(x, k, 0x01), _mm256_clmulepi64_epi128(x, k, 0x10));
#pragma GCC unroll 16
  for (int i = 1; i < NZ; ++i) {
    k = loadu(keys + 32 * i);
    lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(d[i], k, 0x00));
    hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(d[i], k, 0x11));
    mid = _mm256_xor_si256(mid, _mm256_xor_si256(_mm256_clmulepi64_epi128(d[i], k, 0x01),
                                                 _mm256_clmulepi64_epi128(d[i], k, 0x10)));
  }
  lo = _mm256_xor_si256(lo, _mm256_slli_si256(mid, 8));
  hi = _mm256_xor_si256(hi, _mm256_srli_si256(mid, 8));
  return reduce(fold_lanes(lo), fold_lanes(hi));
}

// A run of n (1..8) blocks held in d[0 .. ceil(n / 2)).
FANOUT_VAES256_INLINE __m128i ghash_partial_run(__m128i acc, const V* d, size_t n,
                                                const GcmKey& k) {
  const uint8_t* keys = k.h_powers[16 - n];
  switch ((n + 1) / 2) {
    case 1:
      return ghash_run<1>(acc, d, keys);
    case 2:
      return ghash_run<2>(acc, d, keys);
    case 3:
      return ghash_run<3>(acc, d, keys);
    default:
      return ghash_run<4>(acc, d, keys);
  }
}

// POLYVAL over len bytes, the last block zero-padded.
FANOUT_VAES256_TARGET __m128i ghash_bytes(__m128i acc, const uint8_t* p, size_t len,
                                          const GcmKey& k) {
  const V rev = reverse_mask();
  V d[4];
  for (; len >= 128; p += 128, len -= 128) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) d[i] = _mm256_shuffle_epi8(loadu(p + 32 * i), rev);
    acc = ghash_run<4>(acc, d, k.h_powers[8]);
  }
  if (len == 0) return acc;
  // The tail (< 128 bytes) through a zeroed buffer: never reads past p + len.
  alignas(32) uint8_t buf[128] = {};
  std::memcpy(buf, p, len);
#pragma GCC unroll 16
  for (int i = 0; i < 4; ++i) d[i] = _mm256_shuffle_epi8(loadu(buf + 32 * i), rev);
  return ghash_partial_run(acc, d, (len + 15) / 16, k);
}

FANOUT_VAES256_TARGET __m128i ghash_aad(const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
                                        size_t aad2_len, const GcmKey& k) {
  __m128i acc = _mm_setzero_si128();
  const size_t r1 = aad1_len % 16;
  if (r1 == 0 || aad2_len == 0) {
    acc = ghash_bytes(acc, aad1, aad1_len, k);
    return ghash_bytes(acc, aad2, aad2_len, k);
  }
  acc = ghash_bytes(acc, aad1, aad1_len - r1, k);
  uint8_t joint[16] = {};
  const size_t take = aad2_len < 16 - r1 ? aad2_len : 16 - r1;
  std::memcpy(joint, aad1 + aad1_len - r1, r1);
  std::memcpy(joint + r1, aad2, take);
  acc = ghash_bytes(acc, joint, 16, k);
  return ghash_bytes(acc, aad2 + take, aad2_len - take, k);
}

// ---- GCM (NIST SP 800-38D §7). ----

// Counter blocks keep their last 32 bits little-endian so VPADDD does inc32 (mod 2^32).
FANOUT_VAES256_INLINE V ctr32_mask() {
  return _mm256_broadcastsi128_si256(
      _mm_set_epi8(12, 13, 14, 15, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
}

template <int Rounds, bool kSeal>
FANOUT_VAES256_TARGET __m128i gcm_crypt(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1,
                                        size_t aad1_len, const uint8_t* aad2, size_t aad2_len,
                                        const uint8_t* in, uint8_t* out, size_t len) {
  V rk[Rounds + 1];
  load_round_keys<Rounds>(k.aes, rk);
  const V rev = reverse_mask();
  const V swap32 = ctr32_mask();

  alignas(16) uint8_t j0[16];
  std::memcpy(j0, iv, 12);
  j0[12] = 0;
  j0[13] = 0;
  j0[14] = 0;
  j0[15] = 1;
  const __m128i j0_block = _mm_load_si128(reinterpret_cast<const __m128i*>(j0));
  const __m128i ekj0 = aes_encrypt_block<Rounds>(rk, j0_block);
  j0[12] = 2;
  j0[15] = 0;
  // Lane l holds counter 2 + l; each step adds 2.
  V ctr = _mm256_add_epi32(load_block_x2(j0), _mm256_set_epi32(1, 0, 0, 0, 0, 0, 0, 0));
  const V inc2 = _mm256_set_epi32(2, 0, 0, 0, 2, 0, 0, 0);

  __m128i acc = ghash_aad(aad1, aad1_len, aad2, aad2_len, k);
  const uint64_t bits_a = static_cast<uint64_t>(aad1_len + aad2_len) * 8;
  const uint64_t bits_c = static_cast<uint64_t>(len) * 8;

  V x[4];
  V d[4];
  for (; len >= 128; in += 128, out += 128, len -= 128) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm256_shuffle_epi8(ctr, swap32);
      ctr = _mm256_add_epi32(ctr, inc2);
    }
    // Loaded before any store so that in == out works.
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) d[i] = loadu(in + 32 * i);
    aes_encrypt<Rounds, 4>(rk, x);
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm256_xor_si256(x[i], d[i]);
      storeu(out + 32 * i, x[i]);
      d[i] = _mm256_shuffle_epi8(kSeal ? x[i] : d[i], rev);
    }
    acc = ghash_run<4>(acc, d, k.h_powers[8]);
  }
  // The tail: 0..127 bytes, n blocks in nz vectors, through a zeroed stack buffer.
  const size_t n = (len + 15) / 16;
  const size_t nz = (len + 31) / 32;
  alignas(32) uint8_t buf[128] = {};
  if (len > 0) {
    std::memcpy(buf, in, len);
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm256_shuffle_epi8(ctr, swap32);
      ctr = _mm256_add_epi32(ctr, inc2);
    }
    aes_encrypt_n<Rounds>(rk, x, nz);
#pragma GCC unroll 16
    for (size_t i = 0; i < 4; ++i) {
      const V src = loadu(buf + 32 * i);  // zero past len
      // Bytes past the end are zero in the hashed ciphertext, as GCM's padding requires.
      const V res = _mm256_and_si256(_mm256_xor_si256(x[i], src), byte_mask(32 * i, len));
      storeu(buf + 32 * i, res);
      d[i] = _mm256_shuffle_epi8(kSeal ? res : src, rev);
    }
    std::memcpy(out, buf, len);
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) d[i] = _mm256_setzero_si256();
  }
  const __m128i lengths =
      _mm_set_epi64x(static_cast<long long>(bits_a), static_cast<long long>(bits_c));
  if (n < 8) {
    // The lengths block rides in the tail's run as block n.
#pragma GCC unroll 16
    for (size_t i = 0; i < 4; ++i) {
      if (i == n / 2) {
        d[i] = (n % 2 == 0) ? _mm256_inserti128_si256(d[i], lengths, 0)
                            : _mm256_inserti128_si256(d[i], lengths, 1);
      }
    }
    acc = ghash_partial_run(acc, d, n + 1, k);
  } else {
    acc = ghash_partial_run(acc, d, 8, k);
    acc = dot(_mm_xor_si128(acc, lengths),
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(k.h_powers[15])));
  }
  volatile uint8_t* wipe = buf;
  for (size_t i = 0; i < sizeof(buf); ++i) wipe[i] = 0;
  return _mm_xor_si128(_mm_shuffle_epi8(acc, _mm256_castsi256_si128(rev)), ekj0);
}

// ---- CTR with a 128-bit big-endian counter; the caller guarantees no wrap of the low 64 bits.

template <int Rounds>
FANOUT_VAES256_TARGET void ctr_run_impl(const AesKey& k, const uint8_t iv[16], const uint8_t* in,
                                        uint8_t* out, size_t len) {
  V rk[Rounds + 1];
  load_round_keys<Rounds>(k, rk);
  const V rev = reverse_mask();
  V ctr =
      _mm256_add_epi64(_mm256_shuffle_epi8(load_block_x2(iv), rev), _mm256_set_epi64x(0, 1, 0, 0));
  const V inc2 = _mm256_set_epi64x(0, 2, 0, 2);
  V x[4];
  for (; len >= 128; in += 128, out += 128, len -= 128) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm256_shuffle_epi8(ctr, rev);
      ctr = _mm256_add_epi64(ctr, inc2);
    }
    aes_encrypt<Rounds, 4>(rk, x);
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) storeu(out + 32 * i, _mm256_xor_si256(x[i], loadu(in + 32 * i)));
  }
  if (len == 0) return;
  const size_t nz = (len + 31) / 32;
#pragma GCC unroll 16
  for (int i = 0; i < 4; ++i) {
    x[i] = _mm256_shuffle_epi8(ctr, rev);
    ctr = _mm256_add_epi64(ctr, inc2);
  }
  aes_encrypt_n<Rounds>(rk, x, nz);
  alignas(32) uint8_t buf[128] = {};
  std::memcpy(buf, in, len);
#pragma GCC unroll 16
  for (int i = 0; i < 4; ++i) storeu(buf + 32 * i, _mm256_xor_si256(x[i], loadu(buf + 32 * i)));
  std::memcpy(out, buf, len);
  volatile uint8_t* wipe = buf;
  for (size_t i = 0; i < sizeof(buf); ++i) wipe[i] = 0;
}

FANOUT_VAES256_TARGET bool expand_key(AesKey* k, const uint8_t* key, size_t key_len) {
  __m128i rk[15];
  if (key_len == 16) {
    expand_128(key, rk);
    k->rounds = 10;
  } else if (key_len == 32) {
    expand_256(key, rk);
    k->rounds = 14;
  } else {
    return false;
  }
  for (uint32_t r = 0; r <= k->rounds; ++r) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(k->round_keys[r]), rk[r]);
  }
  volatile uint8_t* wipe = reinterpret_cast<volatile uint8_t*>(rk);
  for (size_t i = 0; i < sizeof(rk); ++i) wipe[i] = 0;
  return true;
}

FANOUT_VAES256_TARGET void compute_h_powers(GcmKey* k) {
  V rk[15];
  __m128i h;
  if (k->aes.rounds == 10) {
    load_round_keys<10>(k->aes, rk);
    h = aes_encrypt_block<10>(rk, _mm_setzero_si128());
  } else {
    load_round_keys<14>(k->aes, rk);
    h = aes_encrypt_block<14>(rk, _mm_setzero_si128());
  }
  // RFC 8452 Appendix A: GHASH with H is POLYVAL with mulX_POLYVAL(ByteReverse(H)).
  h = _mm_shuffle_epi8(h, _mm256_castsi256_si128(reverse_mask()));
  uint64_t w[2];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(w), h);
  const uint64_t carry = w[1] >> 63;
  w[1] = (w[1] << 1) | (w[0] >> 63);
  w[0] <<= 1;
  if (carry) {
    w[1] ^= 0xc200000000000000ULL;
    w[0] ^= 1;
  }
  h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  __m128i p = h;
  for (int i = 15; i >= 0; --i) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(k->h_powers[i]), p);
    p = dot(p, h);
  }
  std::memset(k->h_powers[16], 0, 4 * 16);
  volatile uint8_t* wipe = reinterpret_cast<volatile uint8_t*>(rk);
  for (size_t i = 0; i < sizeof(rk); ++i) wipe[i] = 0;
}

FANOUT_VAES256_TARGET bool tags_equal(__m128i computed, const uint8_t tag[16]) {
  const __m128i diff =
      _mm_xor_si128(computed, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tag)));
  return _mm_testz_si128(diff, diff) != 0;
}

}  // namespace

bool aes_set_key(AesKey* k, const uint8_t* key, size_t key_len) {
  return expand_key(k, key, key_len);
}

void gcm_init(GcmKey* k) {
  compute_h_powers(k);
}

void ctr_run(const AesKey& k, const uint8_t iv[16], const uint8_t* in, uint8_t* out, size_t len) {
  if (k.rounds == 10) {
    ctr_run_impl<10>(k, iv, in, out, len);
  } else {
    ctr_run_impl<14>(k, iv, in, out, len);
  }
}

void gcm_seal(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              uint8_t tag[16]) {
  const __m128i t = k.aes.rounds == 10
                        ? gcm_crypt<10, true>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len)
                        : gcm_crypt<14, true>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len);
  std::memcpy(tag, &t, 16);
}

bool gcm_open(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              const uint8_t tag[16]) {
  const __m128i t = k.aes.rounds == 10
                        ? gcm_crypt<10, false>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len)
                        : gcm_crypt<14, false>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len);
  return tags_equal(t, tag);
}

}  // namespace fanout::dp::srtp::vaes::ymm

#pragma GCC diagnostic pop

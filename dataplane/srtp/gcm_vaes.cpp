#include "dataplane/srtp/gcm_vaes.hpp"

// GCC 12's AVX-512 headers build their "undefined" vectors by self-initialisation (__Y = __Y),
// which -Wuninitialized reports once inlined here: silenced for this file only, headers included.
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

// Loops over blocks and rounds carry "#pragma GCC unroll": unrolled, their vector arrays live in
// registers; left rolled (-O2), every round goes through the stack (measured 3x slower).
// Every function that executes these instructions carries the attribute, so the rest of the binary
// still runs on CPUs without them; cpu_supported() itself is compiled for the baseline.
#define FANOUT_VAES_TARGET \
  __attribute__((target("vaes,vpclmulqdq,avx512f,avx512bw,avx512vl,aes,pclmul,sse4.1")))
#define FANOUT_VAES_INLINE FANOUT_VAES_TARGET inline __attribute__((always_inline))

namespace fanout::dp::srtp::vaes {

#if defined(__clang__)
// Clang 14 (the fuzzing build) knows neither "vaes" nor "vpclmulqdq" in __builtin_cpu_supports:
// read CPUID and XCR0 directly there.
namespace {
bool cpuid_supported() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool aes = c & (1u << 25), pclmul = c & (1u << 1), osxsave = c & (1u << 27);
  if (!aes || !pclmul || !osxsave) return false;
  unsigned xcr0_lo, xcr0_hi;
  __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  // SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state saved by the OS.
  if ((xcr0_lo & 0xe6) != 0xe6) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool avx512f = b & (1u << 16), avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
  const bool vaes = c & (1u << 9), vpclmulqdq = c & (1u << 10);
  return avx512f && avx512bw && avx512vl && vaes && vpclmulqdq;
}
}  // namespace

static bool zmm_supported() {
  static const bool supported = cpuid_supported();
  return supported;
}
#else
// libgcc also checks that the OS saves the AVX-512 state (XCR0) before reporting these.
static bool zmm_supported() {
  static const bool supported =
      __builtin_cpu_supports("vaes") && __builtin_cpu_supports("vpclmulqdq") &&
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("aes") &&
      __builtin_cpu_supports("pclmul");
  return supported;
}
#endif

namespace {
bool zmm_allowed = true;
}  // namespace

bool cpu_supported() {
  static const bool supported = zmm_supported() || ymm::cpu_supported();
  return supported;
}

bool zmm_active() {
  return zmm_allowed && zmm_supported();
}

void set_zmm_allowed(bool allowed) {
  zmm_allowed = allowed;
}

namespace {

// ---- Key schedule (FIPS 197 §5.2 with AESKEYGENASSIST, as in Intel's AES-NI white paper). ----

FANOUT_VAES_INLINE __m128i expand_step(__m128i key, __m128i assist) {
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, assist);
}

FANOUT_VAES_TARGET void expand_128(const uint8_t* key, __m128i* rk) {
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

FANOUT_VAES_TARGET void expand_256(const uint8_t* key, __m128i* rk) {
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  // Even round keys take RotWord+SubWord+Rcon of the previous odd one, odd ones SubWord only.
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

FANOUT_VAES_INLINE __m512i load_block_x4(const uint8_t* p) {
  return _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Bytes 15..0 in each 128-bit lane: GCM blocks are big-endian, POLYVAL wants little-endian.
FANOUT_VAES_INLINE __m512i reverse_mask() {
  return _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// Mask of the first n bytes of a 64-byte vector, n <= 64.
FANOUT_VAES_INLINE __mmask64 byte_mask(size_t n) {
  return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
}

FANOUT_VAES_INLINE __m512i xor3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

template <int Rounds>
FANOUT_VAES_INLINE void load_round_keys(const AesKey& k, __m512i* rk) {
#pragma GCC unroll 16
  for (int r = 0; r <= Rounds; ++r) rk[r] = load_block_x4(k.round_keys[r]);
}

// AES of n (1..4) vectors of four blocks each; the round keys outer so the n chains interleave.
template <int Rounds, int N>
FANOUT_VAES_INLINE void aes_encrypt(const __m512i* rk, __m512i* x) {
#pragma GCC unroll 16
  for (int i = 0; i < N; ++i) x[i] = _mm512_xor_si512(x[i], rk[0]);
#pragma GCC unroll 16
  for (int r = 1; r < Rounds; ++r) {
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = _mm512_aesenc_epi128(x[i], rk[r]);
  }
#pragma GCC unroll 16
  for (int i = 0; i < N; ++i) x[i] = _mm512_aesenclast_epi128(x[i], rk[Rounds]);
}

// A tail of nz (1..4) vectors: one branch, then as many chains as there is data (a 148-byte payload
// takes three, an SRTCP report one).
template <int Rounds>
FANOUT_VAES_INLINE void aes_encrypt_n(const __m512i* rk, __m512i* x, size_t nz) {
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
FANOUT_VAES_INLINE __m128i aes_encrypt_block(const __m512i* rk, __m128i x) {
  x = _mm_xor_si128(x, _mm512_castsi512_si128(rk[0]));
#pragma GCC unroll 16
  for (int r = 1; r < Rounds; ++r) x = _mm_aesenc_si128(x, _mm512_castsi512_si128(rk[r]));
  return _mm_aesenclast_si128(x, _mm512_castsi512_si128(rk[Rounds]));
}

// ---- GHASH as POLYVAL (RFC 8452): dot(a, b) = a * b * x^-128 mod x^128 + x^127 + x^126 + x^121
// + 1.

// Montgomery reduction of the 256-bit product hi:lo by x^128, 64 bits per fold: the modulus is 1
// mod x^64, so each fold adds low64 * (x^127 + x^126 + x^121) = low64 * 0xc2.. << 64 and drops a
// word.
FANOUT_VAES_INLINE __m128i reduce(__m128i lo, __m128i hi) {
  const __m128i poly = _mm_set_epi64x(static_cast<long long>(0xc200000000000000ULL), 1);
  __m128i t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  return _mm_xor_si128(lo, hi);
}

FANOUT_VAES_INLINE __m128i dot(__m128i a, __m128i b) {
  const __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  const __m128i mid =
      _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
  return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

FANOUT_VAES_INLINE __m128i fold_lanes(__m512i v) {
  const __m256i y = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  return _mm_xor_si128(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
}

// acc = POLYVAL over the 4 * NZ blocks in d (byte-reversed; blocks past the run are zero), with
// acc added to the first block: one aggregated reduction per run of up to 16 blocks. keys points
// at H^n for a run of n blocks (see GcmKey::h_powers).
template <int NZ>
FANOUT_VAES_INLINE __m128i ghash_run(__m128i acc, const __m512i* d, const uint8_t* keys) {
  __m512i x = _mm512_xor_si512(d[0], _mm512_zextsi128_si512(acc));
  __m512i k = _mm512_loadu_si512(keys);
  __m512i lo = _mm512_clmulepi64_epi128(x, k, 0x00);
  __m512i hi = _mm512_clmulepi64_epi128(x, k, 0x11);
  __m512i mid =
      _mm512_xor_si512(_mm512_clmulepi64_epi128(x, k, 0x01), _mm512_clmulepi64_epi128(x, k, 0x10));
#pragma GCC unroll 16
  for (int i = 1; i < NZ; ++i) {
    k = _mm512_loadu_si512(keys + 64 * i);
    lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(d[i], k, 0x00));
    hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(d[i], k, 0x11));
    mid =
        xor3(mid, _mm512_clmulepi64_epi128(d[i], k, 0x01), _mm512_clmulepi64_epi128(d[i], k, 0x10));
  }
  lo = _mm512_xor_si512(lo, _mm512_bslli_epi128(mid, 8));
  hi = _mm512_xor_si512(hi, _mm512_bsrli_epi128(mid, 8));
  return reduce(fold_lanes(lo), fold_lanes(hi));
}

// A run of n (1..16) blocks held in d[0 .. ceil(n / 4)).
FANOUT_VAES_INLINE __m128i ghash_partial_run(__m128i acc, const __m512i* d, size_t n,
                                             const GcmKey& k) {
  const uint8_t* keys = k.h_powers[16 - n];
  switch ((n + 3) / 4) {
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

// POLYVAL over len bytes, the last block zero-padded (GCM pads A and C each to a whole block).
FANOUT_VAES_TARGET __m128i ghash_bytes(__m128i acc, const uint8_t* p, size_t len, const GcmKey& k) {
  const __m512i rev = reverse_mask();
  __m512i d[4];
  for (; len >= 256; p += 256, len -= 256) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) d[i] = _mm512_shuffle_epi8(_mm512_loadu_si512(p + 64 * i), rev);
    acc = ghash_run<4>(acc, d, k.h_powers[0]);
  }
  if (len == 0) return acc;
  const size_t nz = (len + 63) / 64;
#pragma GCC unroll 16
  for (size_t i = 0; i < 4; ++i) {
    // A constant trip count keeps d[] in registers; the vectors past the data stay zero.
    d[i] = i < nz ? _mm512_shuffle_epi8(
                        _mm512_maskz_loadu_epi8(byte_mask(len - 64 * i), p + 64 * i), rev)
                  : _mm512_setzero_si512();
  }
  return ghash_partial_run(acc, d, (len + 15) / 16, k);
}

// AAD = aad1 || aad2 hashed as one string: a block may straddle the two parts.
FANOUT_VAES_TARGET __m128i ghash_aad(const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
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

// Counter blocks are kept with their last 32 bits little-endian so VPADDD does inc32 (mod 2^32);
// this mask swaps those four bytes back before encryption.
FANOUT_VAES_INLINE __m512i ctr32_mask() {
  return _mm512_broadcast_i32x4(_mm_set_epi8(12, 13, 14, 15, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
}

template <int Rounds, bool kSeal>
FANOUT_VAES_TARGET __m128i gcm_crypt(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1,
                                     size_t aad1_len, const uint8_t* aad2, size_t aad2_len,
                                     const uint8_t* in, uint8_t* out, size_t len) {
  __m512i rk[Rounds + 1];
  load_round_keys<Rounds>(k.aes, rk);
  const __m512i rev = reverse_mask();
  const __m512i swap32 = ctr32_mask();

  // J0 = IV || 1; data counters start at inc32(J0). In ctr the low dword of each lane holds the
  // counter little-endian, lane l = 2 + l.
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
  __m512i ctr =
      _mm512_add_epi32(_mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(j0))),
                       _mm512_set_epi32(3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0));
  const __m512i inc4 = _mm512_set_epi32(4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0);

  __m128i acc = ghash_aad(aad1, aad1_len, aad2, aad2_len, k);
  const uint64_t bits_a = static_cast<uint64_t>(aad1_len + aad2_len) * 8;
  const uint64_t bits_c = static_cast<uint64_t>(len) * 8;

  __m512i x[4];
  __m512i d[4];
  for (; len >= 256; in += 256, out += 256, len -= 256) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm512_shuffle_epi8(ctr, swap32);
      ctr = _mm512_add_epi32(ctr, inc4);
    }
// Loaded before any store so that in == out works.
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) d[i] = _mm512_loadu_si512(in + 64 * i);
    aes_encrypt<Rounds, 4>(rk, x);
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm512_xor_si512(x[i], d[i]);
      _mm512_storeu_si512(out + 64 * i, x[i]);
      d[i] = _mm512_shuffle_epi8(kSeal ? x[i] : d[i], rev);
    }
    acc = ghash_run<4>(acc, d, k.h_powers[0]);
  }
  // The tail: 0..255 bytes, n blocks in nz vectors; the vectors past the data are zero.
  const size_t n = (len + 15) / 16;
  const size_t nz = (len + 63) / 64;
  if (len > 0) {
#pragma GCC unroll 16
    for (size_t i = 0; i < 4; ++i) {
      x[i] = _mm512_shuffle_epi8(ctr, swap32);
      ctr = _mm512_add_epi32(ctr, inc4);
    }
    aes_encrypt_n<Rounds>(rk, x, nz);
  }
#pragma GCC unroll 16
  for (size_t i = 0; i < 4; ++i) {
    if (i < nz) {
      const __mmask64 m = byte_mask(len - 64 * i);
      const __m512i src = _mm512_maskz_loadu_epi8(m, in + 64 * i);
      // Bytes past the end are zero in the hashed ciphertext, as GCM's padding requires.
      const __m512i ct_or_pt = _mm512_maskz_mov_epi8(m, _mm512_xor_si512(x[i], src));
      _mm512_mask_storeu_epi8(out + 64 * i, m, ct_or_pt);
      d[i] = _mm512_shuffle_epi8(kSeal ? ct_or_pt : src, rev);
    } else {
      d[i] = _mm512_setzero_si512();
    }
  }
  const __m128i lengths =
      _mm_set_epi64x(static_cast<long long>(bits_a), static_cast<long long>(bits_c));
  if (n < 16) {
    // The lengths block rides in the tail's run as block n: one reduction fewer on the chain that
    // short packets wait for.
#pragma GCC unroll 16
    for (size_t i = 0; i < 4; ++i) {
      const __mmask16 lane = i == n / 4 ? static_cast<__mmask16>(0xf << (4 * (n % 4))) : 0;
      d[i] = _mm512_mask_broadcast_i32x4(d[i], lane, lengths);
    }
    acc = ghash_partial_run(acc, d, n + 1, k);
  } else {
    acc = ghash_partial_run(acc, d, 16, k);
    acc = dot(_mm_xor_si128(acc, lengths),
              _mm_loadu_si128(reinterpret_cast<const __m128i*>(k.h_powers[15])));
  }
  return _mm_xor_si128(_mm_shuffle_epi8(acc, _mm512_castsi512_si128(rev)), ekj0);
}

// ---- CTR with a 128-bit big-endian counter (RFC 3711 §4.1.1, EVP's CTR). ----

// The caller guarantees that the low 64 bits do not wrap within the call, so the counter is
// byte-reversed once and each lane steps with a 64-bit add.
template <int Rounds>
FANOUT_VAES_TARGET void ctr_run(const AesKey& k, const uint8_t iv[16], const uint8_t* in,
                                uint8_t* out, size_t len) {
  __m512i rk[Rounds + 1];
  load_round_keys<Rounds>(k, rk);
  const __m512i rev = reverse_mask();
  __m512i ctr = _mm512_add_epi64(_mm512_shuffle_epi8(load_block_x4(iv), rev),
                                 _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
  const __m512i inc4 = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
  __m512i x[4];
  for (; len >= 256; in += 256, out += 256, len -= 256) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      x[i] = _mm512_shuffle_epi8(ctr, rev);
      ctr = _mm512_add_epi64(ctr, inc4);
    }
    aes_encrypt<Rounds, 4>(rk, x);
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) {
      _mm512_storeu_si512(out + 64 * i, _mm512_xor_si512(x[i], _mm512_loadu_si512(in + 64 * i)));
    }
  }
  if (len == 0) return;
  const size_t nz = (len + 63) / 64;
#pragma GCC unroll 16
  for (int i = 0; i < 4; ++i) {
    x[i] = _mm512_shuffle_epi8(ctr, rev);
    ctr = _mm512_add_epi64(ctr, inc4);
  }
  aes_encrypt_n<Rounds>(rk, x, nz);
#pragma GCC unroll 16
  for (size_t i = 0; i < 4; ++i) {
    if (i >= nz) break;
    const __mmask64 m = byte_mask(len - 64 * i);
    _mm512_mask_storeu_epi8(out + 64 * i, m,
                            _mm512_xor_si512(x[i], _mm512_maskz_loadu_epi8(m, in + 64 * i)));
  }
}

FANOUT_VAES_TARGET bool expand_key(AesKey* k, const uint8_t* key, size_t key_len) {
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
  // The schedule was on the stack: do not leave a copy of it there.
  volatile uint8_t* wipe = reinterpret_cast<volatile uint8_t*>(rk);
  for (size_t i = 0; i < sizeof(rk); ++i) wipe[i] = 0;
  return true;
}

FANOUT_VAES_TARGET void compute_h_powers(GcmKey* k) {
  __m512i rk[15];
  __m128i h;
  if (k->aes.rounds == 10) {
    load_round_keys<10>(k->aes, rk);
    h = aes_encrypt_block<10>(rk, _mm_setzero_si128());
  } else {
    load_round_keys<14>(k->aes, rk);
    h = aes_encrypt_block<14>(rk, _mm_setzero_si128());
  }
  // RFC 8452 Appendix A: GHASH with H is POLYVAL with mulX_POLYVAL(ByteReverse(H)).
  h = _mm_shuffle_epi8(h, _mm512_castsi512_si128(reverse_mask()));
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
  // dot(H^i, H) = H^(i+1) in the Montgomery form that dot() keeps.
  __m128i p = h;
  for (int i = 15; i >= 0; --i) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(k->h_powers[i]), p);
    p = dot(p, h);
  }
  std::memset(k->h_powers[16], 0, 4 * 16);
  volatile uint8_t* wipe = reinterpret_cast<volatile uint8_t*>(rk);
  for (size_t i = 0; i < sizeof(rk); ++i) wipe[i] = 0;
}

// Constant time: one XOR and one PTEST over the whole tag, no early exit.
FANOUT_VAES_TARGET bool tags_equal(__m128i computed, const uint8_t tag[16]) {
  const __m128i diff =
      _mm_xor_si128(computed, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tag)));
  return _mm_testz_si128(diff, diff) != 0;
}

}  // namespace

// The exported functions are compiled for the baseline: a declaration without the target attribute
// and a definition with it would be two versions of one function to GCC (multiversioning).
bool aes_set_key(AesKey* k, const uint8_t* key, size_t key_len) {
  if (!zmm_active()) return ymm::aes_set_key(k, key, key_len);
  return expand_key(k, key, key_len);
}

void gcm_init(GcmKey* k) {
  if (!zmm_active()) return ymm::gcm_init(k);
  compute_h_powers(k);
}

void ctr_crypt(const AesKey& k, const uint8_t iv[16], const uint8_t* in, uint8_t* out, size_t len) {
  const size_t blocks = (len + 15) / 16;
  if (blocks == 0) return;
  uint64_t lo;
  std::memcpy(&lo, iv + 8, 8);
  lo = __builtin_bswap64(lo);
  // The low 64 bits wrap inside this call: run up to the wrap, then from hi + 1 || 0.
  if (lo > ~uint64_t{0} - (blocks - 1)) {
    const size_t first = static_cast<size_t>(~uint64_t{0} - lo + 1);
    ctr_crypt(k, iv, in, out, first * 16);
    uint8_t next[16] = {};
    uint64_t hi;
    std::memcpy(&hi, iv, 8);
    hi = __builtin_bswap64(__builtin_bswap64(hi) + 1);
    std::memcpy(next, &hi, 8);
    ctr_crypt(k, next, in + first * 16, out + first * 16, len - first * 16);
    return;
  }
  if (!zmm_active()) {
    ymm::ctr_run(k, iv, in, out, len);
  } else if (k.rounds == 10) {
    ctr_run<10>(k, iv, in, out, len);
  } else {
    ctr_run<14>(k, iv, in, out, len);
  }
}

void gcm_seal(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              uint8_t tag[16]) {
  if (!zmm_active()) {
    ymm::gcm_seal(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len, tag);
    return;
  }
  const __m128i t = k.aes.rounds == 10
                        ? gcm_crypt<10, true>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len)
                        : gcm_crypt<14, true>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len);
  std::memcpy(tag, &t, 16);
}

bool gcm_open(const GcmKey& k, const uint8_t iv[12], const uint8_t* aad1, size_t aad1_len,
              const uint8_t* aad2, size_t aad2_len, const uint8_t* in, uint8_t* out, size_t len,
              const uint8_t tag[16]) {
  if (!zmm_active()) return ymm::gcm_open(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len, tag);
  const __m128i t = k.aes.rounds == 10
                        ? gcm_crypt<10, false>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len)
                        : gcm_crypt<14, false>(k, iv, aad1, aad1_len, aad2, aad2_len, in, out, len);
  return tags_equal(t, tag);
}

}  // namespace fanout::dp::srtp::vaes

#pragma GCC diagnostic pop

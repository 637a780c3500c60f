#include "dataplane/net/checksum.hpp"

#include <immintrin.h>

namespace fanout::dp::net {

namespace {

// Each 8-byte load is split into two 32-bit halves added to a 64-bit accumulator: no carry can be
// lost for inputs up to 2^31 words, and the four independent chains keep the adders busy.
// ~0.22 TSC cycles/byte at 1200 bytes (an add-with-carry chain measured 0.20: not worth it).
uint64_t csum_add_scalar(uint64_t sum, const uint8_t* data, size_t len) {
  uint64_t a = sum, b = 0, c = 0, d = 0;
  while (len >= 32) {
    uint64_t w[4];
    std::memcpy(w, data, 32);
    a += (w[0] & 0xffffffffu) + (w[0] >> 32);
    b += (w[1] & 0xffffffffu) + (w[1] >> 32);
    c += (w[2] & 0xffffffffu) + (w[2] >> 32);
    d += (w[3] & 0xffffffffu) + (w[3] >> 32);
    data += 32;
    len -= 32;
  }
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, data, 8);
    a += (w & 0xffffffffu) + (w >> 32);
    data += 8;
    len -= 8;
  }
  if (len >= 4) {
    uint32_t w;
    std::memcpy(&w, data, 4);
    b += w;
    data += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t w;
    std::memcpy(&w, data, 2);
    c += w;
    data += 2;
    len -= 2;
  }
  if (len == 1) {
    // The odd byte is the high-order byte of a zero-padded word in wire order.
    const uint8_t tail[2] = {data[0], 0};
    uint16_t w;
    std::memcpy(&w, tail, 2);
    d += w;
  }
  // Fold each lane to 32 bits before adding, so the total cannot overflow.
  auto f = [](uint64_t x) { return (x & 0xffffffffu) + (x >> 32); };
  return f(a) + f(b) + f(c) + f(d);
}

// AVX2: 64 bytes per step, each 16-bit word widened to a 32-bit lane (unpack with zero) and added
// to one of four accumulators: ~0.04 cycles/byte against the scalar loop's 0.22 (a 1200-byte
// SRTP packet's UDP checksum: ~45 cycles instead of ~260). A lane gains at most 0xffff per step,
// so the lanes are folded into 64 bits every 2^15 steps (2 MiB) and never overflow.
__attribute__((target("avx2"))) uint64_t csum_add_avx2(uint64_t sum, const uint8_t* data,
                                                       size_t len) {
  const __m256i zero = _mm256_setzero_si256();
  while (len >= 64) {
    __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    size_t steps = len / 64;
    if (steps > 32768) steps = 32768;
    for (size_t i = 0; i < steps; ++i) {
      const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data));
      const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + 32));
      a0 = _mm256_add_epi32(a0, _mm256_unpacklo_epi16(v0, zero));
      a1 = _mm256_add_epi32(a1, _mm256_unpackhi_epi16(v0, zero));
      a2 = _mm256_add_epi32(a2, _mm256_unpacklo_epi16(v1, zero));
      a3 = _mm256_add_epi32(a3, _mm256_unpackhi_epi16(v1, zero));
      data += 64;
    }
    len -= steps * 64;
    // Widen the 32-bit lanes to 64 bits and add them up.
    __m256i s64 = _mm256_add_epi64(_mm256_unpacklo_epi32(a0, zero), _mm256_unpackhi_epi32(a0, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpacklo_epi32(a1, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpackhi_epi32(a1, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpacklo_epi32(a2, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpackhi_epi32(a2, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpacklo_epi32(a3, zero));
    s64 = _mm256_add_epi64(s64, _mm256_unpackhi_epi32(a3, zero));
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s64);
    sum += lanes[0] + lanes[1] + lanes[2] + lanes[3];
    // Keep the running sum small enough that callers may keep adding.
    sum = (sum & 0xffffffffu) + (sum >> 32);
  }
  return csum_add_scalar(sum, data, len);
}

const bool kHaveAvx2 = __builtin_cpu_supports("avx2");

}  // namespace

uint64_t csum_add(uint64_t sum, const uint8_t* data, size_t len) {
  if (len >= 64 && kHaveAvx2) return csum_add_avx2(sum, data, len);
  return csum_add_scalar(sum, data, len);
}

bool csum_vector_path() {
  return kHaveAvx2;
}

uint64_t csum_add_portable(uint64_t sum, const uint8_t* data, size_t len) {
  return csum_add_scalar(sum, data, len);
}

uint64_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, uint8_t protocol,
                           uint32_t l4_len) {
  const size_t n = src.family == kFamilyV6 ? 16 : 4;
  uint64_t sum = csum_add_words(0, src.bytes, n);
  sum = csum_add_words(sum, dst.bytes, n);
  sum = csum_add_be16(sum, protocol);
  sum = csum_add_be16(sum, static_cast<uint16_t>(l4_len >> 16));
  return csum_add_be16(sum, static_cast<uint16_t>(l4_len));
}

}  // namespace fanout::dp::net

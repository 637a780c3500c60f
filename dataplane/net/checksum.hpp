// Internet checksum (RFC 1071). Sums are kept in a 64-bit accumulator of 16-bit words read in the
// machine's byte order: the one's-complement sum is byte-order independent (RFC 1071 §2(B)), so the
// folded result is written back with store_csum (a plain memcpy) and is correct on the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/net/address.hpp"

namespace fanout::dp::net {

// Adds data to a running sum. Chained calls must pass even lengths except for the last one (an odd
// tail is padded with a zero byte, as RFC 1071 §4.1 does).
// Uses AVX2 for 64 bytes and more when the CPU has it.
uint64_t csum_add(uint64_t sum, const uint8_t* data, size_t len);
// The scalar loop alone (tests compare both paths), and whether csum_add vectorises here.
uint64_t csum_add_portable(uint64_t sum, const uint8_t* data, size_t len);
bool csum_vector_path();

// Adds len bytes, len a multiple of 4 and small (headers: IPv4, UDP, RTP, pseudo headers): one
// 32-bit load per step, inlined, where csum_add's general loop costs a call and its tails.
inline uint64_t csum_add_words(uint64_t sum, const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; i += 4) {
    uint32_t w;
    std::memcpy(&w, data + i, 4);
    sum += w;
  }
  return sum;
}

// Adds a 16-bit field given in host order as it would appear on the wire.
inline uint64_t csum_add_be16(uint64_t sum, uint16_t host_order) {
  const uint8_t b[2] = {static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
  uint16_t v;
  std::memcpy(&v, b, 2);
  return sum + v;
}

// Folds to 16 bits (not complemented).
inline uint16_t csum_fold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

// The value to put in a checksum field (one's complement of the folded sum).
inline uint16_t csum_finish(uint64_t sum) {
  return static_cast<uint16_t>(~csum_fold(sum));
}

// A region that includes its own checksum field is valid when it sums to 0xffff.
inline bool csum_ok(uint64_t sum) {
  return csum_fold(sum) == 0xffff;
}

inline void store_csum(uint8_t* field, uint16_t csum) {
  std::memcpy(field, &csum, 2);
}

// RFC 1071 checksum of a buffer, ready to store.
inline uint16_t internet_checksum(const uint8_t* data, size_t len) {
  return csum_finish(csum_add(0, data, len));
}

// Pseudo header for UDP/ICMPv6 checksums: RFC 768 (IPv4: src, dst, zero, proto, UDP length) and
// RFC 8200 §8.1 (IPv6: src, dst, 32-bit upper-layer length, zero, next header). The sum of both is
// the same arithmetic, so one function serves either family.
uint64_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, uint8_t protocol, uint32_t l4_len);

}  // namespace fanout::dp::net

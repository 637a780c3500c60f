// Frames as a browser sends them, for the engine benchmarks: Ethernet/IPv4/UDP, ICE checks, RTP.
// The same shapes as tests/common/packets.cpp, kept here so that the benchmark links no test
// library (GoogleTest's EXPECT_* has no place in a benchmark binary).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/ice/crc32.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/net/builder.hpp"

namespace fanout::dp::bench {

inline constexpr uint8_t kPeerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

// A UDP frame from t.remote to t.local (t.local is the data plane). Empty on a bad tuple.
inline std::vector<uint8_t> udp_frame(const net::Tuple& t, const uint8_t* payload, size_t len,
                                      const uint8_t* dst_mac) {
  net::Tuple wire{t.remote, t.local, t.remote_port, t.local_port};
  net::TxL2 l2;
  std::memcpy(l2.dst_mac, dst_mac, 6);
  std::memcpy(l2.src_mac, kPeerMac, 6);
  size_t hl = net::udp_headers_size(t.local.family);
  std::vector<uint8_t> f(hl + len);
  std::memcpy(f.data() + hl, payload, len);
  if (net::build_udp_headers(f.data(), hl, wire, l2, f.data() + hl, len) != hl) return {};
  return f;
}

namespace detail {
inline void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
inline void attr(std::vector<uint8_t>& m, uint16_t type, const void* data, size_t len) {
  size_t at = m.size();
  m.resize(at + 4 + ((len + 3) & ~size_t{3}), 0);
  put16(m, at, type);
  put16(m, at + 2, static_cast<uint16_t>(len));
  if (len) std::memcpy(m.data() + at + 4, data, len);
  put16(m, 2, static_cast<uint16_t>(m.size() - 20));
}
}  // namespace detail

// An ICE connectivity check (RFC 8445 §7.2.2) with USE-CANDIDATE, MESSAGE-INTEGRITY with `pwd`
// (RFC 5389 §15.4) and FINGERPRINT (§15.5).
inline std::vector<uint8_t> stun_request(const std::string& username, const std::string& pwd,
                                         uint8_t txid_seed) {
  using detail::attr;
  using detail::put16;
  std::vector<uint8_t> m(20, 0);
  put16(m, 0, 0x0001);
  m[4] = 0x21, m[5] = 0x12, m[6] = 0xa4, m[7] = 0x42;
  for (int i = 0; i < 12; ++i) m[8 + i] = static_cast<uint8_t>(txid_seed * 31 + i);
  attr(m, 0x0006, username.data(), username.size());
  uint8_t prio[4] = {0x6e, 0x00, 0x01, 0xff};
  attr(m, 0x0024, prio, 4);
  uint8_t tie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  attr(m, 0x802a, tie, 8);
  attr(m, 0x0025, nullptr, 0);
  // MESSAGE-INTEGRITY covers the header with the length including itself.
  put16(m, 2, static_cast<uint16_t>(m.size() - 20 + 24));
  HmacSha1Key key(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size());
  uint8_t mac[20];
  key.mac(m.data(), m.size(), mac);
  attr(m, 0x0008, mac, 20);
  put16(m, 2, static_cast<uint16_t>(m.size() - 20 + 8));
  uint32_t crc = ice::crc32(0, m.data(), m.size()) ^ 0x5354554e;
  uint8_t fp[4] = {static_cast<uint8_t>(crc >> 24), static_cast<uint8_t>(crc >> 16),
                   static_cast<uint8_t>(crc >> 8), static_cast<uint8_t>(crc)};
  attr(m, 0x8028, fp, 4);
  return m;
}

// Payload byte i of the packet with sequence number seq: lets a checker recompute the plaintext.
inline uint8_t payload_byte(uint16_t seq, size_t i) {
  return static_cast<uint8_t>(seq + i * 13);
}

// An RTP packet of `size` bytes in total (12-byte header, no CSRC or extension).
inline void rtp_packet(uint8_t* p, size_t size, uint16_t seq, uint32_t ts, uint32_t ssrc,
                       uint8_t pt) {
  p[0] = 0x80;
  p[1] = pt;
  p[2] = static_cast<uint8_t>(seq >> 8), p[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 12; i < size; ++i) p[i] = payload_byte(seq, i - 12);
}

inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

}  // namespace fanout::dp::bench

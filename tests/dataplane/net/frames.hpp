// Test-only frame composition, written independently of dataplane/net/builder (a bytewise
// RFC 1071 checksum and explicit header bytes), so the parser and the builder are checked against
// something other than themselves.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace fanout::dp::net::testing {

using Bytes = std::vector<uint8_t>;

inline uint16_t ref_checksum(const Bytes& b) {
  uint32_t sum = 0;
  for (size_t i = 0; i < b.size(); i += 2) {
    sum += static_cast<uint32_t>(b[i]) << 8;
    if (i + 1 < b.size()) sum += b[i + 1];
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

inline void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

inline uint16_t get16(const Bytes& b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

inline void append(Bytes& b, std::initializer_list<uint8_t> x) {
  b.insert(b.end(), x);
}
inline void append(Bytes& b, const Bytes& x) {
  b.insert(b.end(), x.begin(), x.end());
}

inline const Bytes kMacA = {0x02, 0, 0, 0, 0, 0x0a};
inline const Bytes kMacB = {0x02, 0, 0, 0, 0, 0x0b};
inline const Bytes kIp4A = {198, 18, 0, 1};
inline const Bytes kIp4B = {198, 18, 0, 2};
inline const Bytes kIp6A = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
inline const Bytes kIp6B = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b};

inline Bytes eth(const Bytes& dst, const Bytes& src, uint16_t type, int vlan = -1) {
  Bytes b = dst;
  append(b, src);
  if (vlan >= 0) {
    append(b, {0x81, 0x00, static_cast<uint8_t>(vlan >> 8), static_cast<uint8_t>(vlan)});
  }
  append(b, {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type)});
  return b;
}

inline Bytes ipv4(const Bytes& src, const Bytes& dst, uint8_t proto, size_t payload_len,
                  uint16_t frag = 0x4000) {
  Bytes h = {0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, proto, 0, 0};
  put16(h, 2, static_cast<uint16_t>(20 + payload_len));
  put16(h, 6, frag);
  append(h, src);
  append(h, dst);
  put16(h, 10, ref_checksum(h));
  return h;
}

inline Bytes ipv6(const Bytes& src, const Bytes& dst, uint8_t next, size_t payload_len,
                  uint8_t hop = 64) {
  Bytes h = {0x60, 0, 0, 0, 0, 0, next, hop};
  put16(h, 4, static_cast<uint16_t>(payload_len));
  append(h, src);
  append(h, dst);
  return h;
}

// Pseudo header + l4 bytes, checksummed; `csum_at` is the checksum field offset within l4.
inline void fill_l4_checksum(Bytes& l4, size_t csum_at, const Bytes& src, const Bytes& dst,
                             uint8_t proto) {
  Bytes ph = src;
  append(ph, dst);
  if (src.size() == 4) {
    append(ph, {0, proto, static_cast<uint8_t>(l4.size() >> 8), static_cast<uint8_t>(l4.size())});
  } else {
    append(ph, {0, 0, static_cast<uint8_t>(l4.size() >> 8), static_cast<uint8_t>(l4.size()), 0, 0,
                0, proto});
  }
  put16(l4, csum_at, 0);
  append(ph, l4);
  uint16_t c = ref_checksum(ph);
  if (c == 0 && proto == 17) c = 0xffff;
  put16(l4, csum_at, c);
}

inline Bytes udp(const Bytes& src_ip, const Bytes& dst_ip, uint16_t sport, uint16_t dport,
                 const Bytes& payload) {
  Bytes u = {0, 0, 0, 0, 0, 0, 0, 0};
  put16(u, 0, sport);
  put16(u, 2, dport);
  put16(u, 4, static_cast<uint16_t>(8 + payload.size()));
  append(u, payload);
  fill_l4_checksum(u, 6, src_ip, dst_ip, 17);
  return u;
}

// A complete UDP frame from A to B.
inline Bytes udp_frame(bool v6, const Bytes& payload, int vlan = -1, uint16_t sport = 5000,
                       uint16_t dport = 4443) {
  const Bytes& s = v6 ? kIp6A : kIp4A;
  const Bytes& d = v6 ? kIp6B : kIp4B;
  Bytes u = udp(s, d, sport, dport, payload);
  Bytes f = eth(kMacB, kMacA, v6 ? 0x86dd : 0x0800, vlan);
  append(f, v6 ? ipv6(s, d, 17, u.size()) : ipv4(s, d, 17, u.size()));
  append(f, u);
  return f;
}

}  // namespace fanout::dp::net::testing

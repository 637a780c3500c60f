#include "tests/common/packets.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/ice/crc32.hpp"
#include "dataplane/net/builder.hpp"

namespace fanout::dp::test {

std::vector<uint8_t> udp_frame(const net::Tuple& t, const std::vector<uint8_t>& payload,
                               const uint8_t* dst_mac) {
  // The frame travels remote -> local: build it with the tuple reversed.
  net::Tuple wire{t.remote, t.local, t.remote_port, t.local_port};
  net::TxL2 l2;
  std::memcpy(l2.dst_mac, dst_mac, 6);
  std::memcpy(l2.src_mac, kPeerMac, 6);
  size_t hl = net::udp_headers_size(t.local.family);
  std::vector<uint8_t> f(hl + payload.size());
  std::memcpy(f.data() + hl, payload.data(), payload.size());
  EXPECT_EQ(net::build_udp_headers(f.data(), hl, wire, l2, f.data() + hl, payload.size()), hl);
  return f;
}

namespace {
void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void attr(std::vector<uint8_t>& m, uint16_t type, const void* data, size_t len) {
  size_t at = m.size();
  m.resize(at + 4 + ((len + 3) & ~size_t{3}), 0);
  put16(m, at, type);
  put16(m, at + 2, static_cast<uint16_t>(len));
  if (len) std::memcpy(m.data() + at + 4, data, len);
  put16(m, 2, static_cast<uint16_t>(m.size() - 20));
}
}  // namespace

std::vector<uint8_t> stun_request(const std::string& username, const std::string& pwd,
                                  bool use_candidate, uint8_t txid_seed) {
  std::vector<uint8_t> m(20, 0);
  put16(m, 0, 0x0001);
  m[4] = 0x21, m[5] = 0x12, m[6] = 0xa4, m[7] = 0x42;
  for (int i = 0; i < 12; ++i) m[8 + i] = static_cast<uint8_t>(txid_seed * 31 + i);
  attr(m, 0x0006, username.data(), username.size());
  uint8_t prio[4] = {0x6e, 0x00, 0x01, 0xff};
  attr(m, 0x0024, prio, 4);
  uint8_t tie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  attr(m, 0x802a, tie, 8);
  if (use_candidate) attr(m, 0x0025, nullptr, 0);
  // MESSAGE-INTEGRITY covers the header with the length including itself (RFC 5389 §15.4).
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

std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t pt,
                                size_t payload) {
  std::vector<uint8_t> p(12 + payload);
  p[0] = 0x80;
  p[1] = pt;
  p[2] = static_cast<uint8_t>(seq >> 8), p[3] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 4; ++i) p[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  for (size_t i = 0; i < payload; ++i) p[12 + i] = static_cast<uint8_t>(seq + i);
  return p;
}

namespace {
void append32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (24 - 8 * i)));
}
// The common header (RFC 3550 §6.4.1): V=2, no padding, count/fmt, type, length in words - 1.
void rtcp_header(std::vector<uint8_t>& v, uint8_t count, uint8_t type, size_t bytes) {
  v.push_back(static_cast<uint8_t>(0x80 | count));
  v.push_back(type);
  v.push_back(static_cast<uint8_t>((bytes / 4 - 1) >> 8));
  v.push_back(static_cast<uint8_t>(bytes / 4 - 1));
}
}  // namespace

std::vector<uint8_t> rtcp_sr(uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac, uint32_t rtp_ts,
                             uint32_t packets, uint32_t octets, const std::string& cname) {
  std::vector<uint8_t> v;
  rtcp_header(v, 0, 200, 28);
  append32(v, ssrc);
  append32(v, ntp_sec);
  append32(v, ntp_frac);
  append32(v, rtp_ts);
  append32(v, packets);
  append32(v, octets);
  if (!cname.empty()) {
    // SDES (RFC 3550 §6.5): one chunk, CNAME item, then a null item padding to a 32-bit boundary.
    size_t chunk = 4 + 2 + cname.size() + 1;
    chunk = (chunk + 3) & ~size_t{3};
    rtcp_header(v, 1, 202, 4 + chunk);
    size_t at = v.size();
    append32(v, ssrc);
    v.push_back(1);
    v.push_back(static_cast<uint8_t>(cname.size()));
    v.insert(v.end(), cname.begin(), cname.end());
    v.resize(at + chunk, 0);
  }
  return v;
}

std::vector<uint8_t> rtcp_pli(uint32_t sender_ssrc, uint32_t media_ssrc) {
  std::vector<uint8_t> v;
  rtcp_header(v, 1, 206, 12);
  append32(v, sender_ssrc);
  append32(v, media_ssrc);
  return v;
}

std::vector<uint8_t> rtcp_rr(uint32_t reporter, uint32_t ssrc, uint8_t fraction_lost,
                             int32_t cumulative_lost, uint32_t jitter) {
  std::vector<uint8_t> v;
  rtcp_header(v, 1, 201, 32);
  append32(v, reporter);
  append32(v, ssrc);
  append32(v, uint32_t{fraction_lost} << 24 | (static_cast<uint32_t>(cumulative_lost) & 0xffffff));
  append32(v, 0x00010000);  // extended highest sequence number received
  append32(v, jitter);
  append32(v, 0);  // LSR
  append32(v, 0);  // DLSR
  return v;
}

std::vector<uint8_t> rtcp_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr) {
  std::vector<uint8_t> v;
  rtcp_header(v, 4, 206, 20);
  append32(v, sender_ssrc);
  append32(v, 0);
  append32(v, media_ssrc);
  append32(v, uint32_t{seq_nr} << 24);
  return v;
}

}  // namespace fanout::dp::test

#include "dataplane/net/builder.hpp"

#include <gtest/gtest.h>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/packet.hpp"
#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using namespace testing;

TxL2 l2(bool vlan = false) {
  TxL2 x;
  std::memcpy(x.dst_mac, kMacA.data(), 6);
  std::memcpy(x.src_mac, kMacB.data(), 6);
  x.vlan = vlan;
  x.vlan_tci = 42;
  return x;
}

Tuple tuple(bool v6) {
  if (v6) return Tuple{IpAddr::v6(kIp6B.data()), IpAddr::v6(kIp6A.data()), 4443, 5000};
  return Tuple{IpAddr::v4(kIp4B.data()), IpAddr::v4(kIp4A.data()), 4443, 5000};
}

// Builds a whole frame: headers into the headroom of one buffer, payload right after.
Bytes build(bool v6, bool vlan, const Bytes& payload, uint32_t flags = kBuildDefault,
            uint8_t dscp = 0) {
  const size_t hdr = udp_headers_size(v6 ? kFamilyV6 : kFamilyV4, vlan);
  Bytes f(hdr + payload.size());
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(hdr));
  TxL2 x = l2(vlan);
  x.dscp = dscp;
  const size_t n =
      build_udp_headers(f.data(), hdr, tuple(v6), x, f.data() + hdr, payload.size(), flags);
  EXPECT_EQ(n, hdr);
  return f;
}

TEST(Builder, HeaderSizes) {
  EXPECT_EQ(udp_headers_size(kFamilyV4), 42u);
  EXPECT_EQ(udp_headers_size(kFamilyV6), 62u);
  EXPECT_EQ(udp_headers_size(kFamilyV4, true), 46u);
  EXPECT_EQ(udp_headers_size(kFamilyV6, true), 66u);
}

TEST(Builder, RoundTripsThroughTheParser) {
  for (bool v6 : {false, true}) {
    for (bool vlan : {false, true}) {
      for (size_t n : {0, 1, 12, 13, 171, 1200}) {
        Bytes payload(n);
        for (size_t i = 0; i < n; ++i) payload[i] = static_cast<uint8_t>(i * 7 + n);
        Bytes f = build(v6, vlan, payload);
        PacketView v;
        ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt) << v6 << vlan << n;
        EXPECT_EQ(v.family, v6 ? kFamilyV6 : kFamilyV4);
        EXPECT_EQ(v.has_vlan, vlan);
        if (vlan) {
          EXPECT_EQ(v.vlan_tci, 42);
        }
        EXPECT_EQ(v.src, tuple(v6).local);
        EXPECT_EQ(v.dst, tuple(v6).remote);
        EXPECT_EQ(v.src_port, 4443);
        EXPECT_EQ(v.dst_port, 5000);
        EXPECT_EQ(v.payload_len, n);
        EXPECT_EQ(v.payload_offset, udp_headers_size(v.family, vlan));
        EXPECT_TRUE(std::equal(f.begin(), f.begin() + 6, kMacA.begin()));
        EXPECT_TRUE(std::equal(f.begin() + 6, f.begin() + 12, kMacB.begin()));
      }
    }
  }
}

TEST(Builder, MatchesIndependentlyComposedFrame) {
  // frames.hpp composes A -> B; build the same direction and compare everything but the IPv4 id.
  const Bytes payload = {1, 2, 3, 4, 5};
  for (bool v6 : {false, true}) {
    const size_t hdr = udp_headers_size(v6 ? kFamilyV6 : kFamilyV4);
    Bytes f(hdr + payload.size());
    std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(hdr));
    TxL2 x;
    std::memcpy(x.dst_mac, kMacB.data(), 6);
    std::memcpy(x.src_mac, kMacA.data(), 6);
    const Tuple t = v6 ? Tuple{IpAddr::v6(kIp6A.data()), IpAddr::v6(kIp6B.data()), 5000, 4443}
                       : Tuple{IpAddr::v4(kIp4A.data()), IpAddr::v4(kIp4B.data()), 5000, 4443};
    ASSERT_EQ(build_udp_headers(f.data(), f.size(), t, x, f.data() + hdr, payload.size()), hdr);
    Bytes ref = udp_frame(v6, payload);
    if (!v6) {
      // The reference uses id 0x1234; the builder sends atomic datagrams with id 0.
      put16(ref, 18, 0);
      put16(ref, 24, 0);
      put16(ref, 24, ref_checksum(Bytes(ref.begin() + 14, ref.begin() + 34)));
    }
    EXPECT_EQ(f, ref) << v6;
  }
}

TEST(Builder, DscpAndTtl) {
  Bytes f4 = build(false, false, {1}, kBuildDefault, 46);
  EXPECT_EQ(f4[15], 46 << 2);
  EXPECT_EQ(f4[22], 64);
  Bytes f6 = build(true, false, {1}, kBuildDefault, 46);
  EXPECT_EQ(((f6[14] & 0x0f) << 4) | (f6[15] >> 4), 46 << 2);
  EXPECT_EQ(f6[21], 64);
}

TEST(Builder, OffloadFlagsLeaveWhatTheNicExpects) {
  const Bytes payload = {9, 8, 7};
  Bytes f = build(false, false, payload, kOffloadIpv4Checksum | kOffloadUdpChecksum);
  EXPECT_EQ(get16(f, 24), 0);
  // The UDP field holds the folded, uncomplemented pseudo header sum (rte_ipv4_phdr_cksum).
  Bytes ph = kIp4B;
  append(ph, kIp4A);
  append(ph, {0, 17, 0, 11});
  EXPECT_EQ(get16(f, 40), static_cast<uint16_t>(~ref_checksum(ph)));
  // Finishing the job the NIC's way gives a valid datagram.
  PacketView v;
  EXPECT_EQ(parse_frame(f.data(), f.size(), v), Drop::kIpv4BadChecksum);
  EXPECT_EQ(parse_frame(f.data(), f.size(), v, kSkipIpv4Checksum), Drop::kUdpBadChecksum);
  put16(f, 40, 0);
  Bytes u(f.begin() + 34, f.end());
  fill_l4_checksum(u, 6, kIp4B, kIp4A, 17);
  put16(f, 40, get16(u, 6));
  EXPECT_EQ(parse_frame(f.data(), f.size(), v, kSkipIpv4Checksum), std::nullopt);
}

TEST(Builder, PresummedPayloadInSegments) {
  Bytes payload(301);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i ^ 0x5a);
  uint64_t sum = csum_add(0, payload.data(), 100);
  sum = csum_add(sum, payload.data() + 100, 201);
  const size_t hdr = udp_headers_size(kFamilyV6);
  Bytes f(hdr + payload.size());
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(hdr));
  ASSERT_EQ(build_udp_headers_presummed(f.data(), hdr, tuple(true), l2(), payload.size(), sum),
            hdr);
  PacketView v;
  EXPECT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
}

TEST(Builder, RefusesWhatItCannotBuild) {
  uint8_t buf[128];
  const Bytes p = {1};
  EXPECT_EQ(build_udp_headers(buf, 41, tuple(false), l2(), p.data(), 1), 0u);
  EXPECT_EQ(build_udp_headers(buf, 61, tuple(true), l2(), p.data(), 1), 0u);
  Tuple mixed = tuple(false);
  mixed.remote = tuple(true).remote;
  EXPECT_EQ(build_udp_headers(buf, sizeof(buf), mixed, l2(), p.data(), 1), 0u);
  EXPECT_EQ(build_udp_headers(buf, sizeof(buf), Tuple{}, l2(), p.data(), 1), 0u);
  EXPECT_EQ(build_udp_headers_presummed(buf, sizeof(buf), tuple(false), l2(), 65535 - 28 + 1, 0),
            0u);
  EXPECT_EQ(build_udp_headers_presummed(buf, sizeof(buf), tuple(false), l2(), 65535 - 28, 0), 42u);
}

TEST(Builder, ComputedZeroChecksumIsSentAsOnes) {
  // Search a 2-byte payload whose UDP checksum computes to zero, then check it goes out as ffff.
  for (uint32_t x = 0; x < 0x10000; ++x) {
    const Bytes payload = {static_cast<uint8_t>(x >> 8), static_cast<uint8_t>(x)};
    Bytes f = build(false, false, payload);
    if (get16(f, 40) == 0xffff) {
      PacketView v;
      EXPECT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
      return;
    }
    ASSERT_NE(get16(f, 40), 0);
  }
  FAIL() << "no payload produced a zero checksum";
}

}  // namespace
}  // namespace fanout::dp::net

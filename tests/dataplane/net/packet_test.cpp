#include "dataplane/net/packet.hpp"

#include <gtest/gtest.h>

#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using namespace testing;

std::optional<Drop> parse(const Bytes& f, PacketView& v, uint32_t flags = kParseDefault) {
  return parse_frame(f.data(), f.size(), v, flags);
}

const Bytes kPayload = {0x80, 0x6f, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc};

TEST(Packet, ParsesIpv4Udp) {
  Bytes f = udp_frame(false, kPayload);
  PacketView v;
  ASSERT_EQ(parse(f, v), std::nullopt);
  EXPECT_EQ(v.kind, FrameKind::kUdp);
  EXPECT_EQ(v.family, kFamilyV4);
  EXPECT_EQ(v.ethertype, 0x0800);
  EXPECT_FALSE(v.has_vlan);
  EXPECT_EQ(v.l3_offset, 14);
  EXPECT_EQ(v.l4_offset, 34);
  EXPECT_EQ(v.protocol, 17);
  EXPECT_EQ(v.src, IpAddr::v4(kIp4A.data()));
  EXPECT_EQ(v.dst, IpAddr::v4(kIp4B.data()));
  EXPECT_EQ(v.src_port, 5000);
  EXPECT_EQ(v.dst_port, 4443);
  EXPECT_EQ(v.payload_offset, 42);
  EXPECT_EQ(v.payload_len, kPayload.size());
  EXPECT_EQ(f[v.payload_offset], 0x80);
  Tuple t = v.rx_tuple();
  EXPECT_EQ(t.local, v.dst);
  EXPECT_EQ(t.local_port, 4443);
  EXPECT_EQ(t.remote_port, 5000);
}

TEST(Packet, ParsesIpv6UdpWithVlan) {
  Bytes f = udp_frame(true, kPayload, 0x0123);
  PacketView v;
  ASSERT_EQ(parse(f, v), std::nullopt);
  EXPECT_TRUE(v.has_vlan);
  EXPECT_EQ(v.vlan_tci, 0x0123);
  EXPECT_EQ(v.ethertype, 0x86dd);
  EXPECT_EQ(v.family, kFamilyV6);
  EXPECT_EQ(v.l3_offset, 18);
  EXPECT_EQ(v.l4_offset, 58);
  EXPECT_EQ(v.payload_offset, 66);
  EXPECT_EQ(v.payload_len, kPayload.size());
  EXPECT_EQ(v.src, IpAddr::v6(kIp6A.data()));
  EXPECT_EQ(v.dst, IpAddr::v6(kIp6B.data()));
}

TEST(Packet, Ipv4WithVlanAndEthernetPadding) {
  // A 1-byte payload makes a 43-byte frame; NICs pad it to 60. The IP total length rules.
  Bytes f = udp_frame(false, {0x00}, 7);
  f.resize(64, 0xee);
  PacketView v;
  ASSERT_EQ(parse(f, v), std::nullopt);
  EXPECT_EQ(v.payload_len, 1);
  EXPECT_EQ(v.l3_offset, 18);
}

TEST(Packet, ShortFramesAreMalformedAtEveryLayer) {
  for (bool v6 : {false, true}) {
    Bytes f = udp_frame(v6, kPayload, 5);
    for (size_t n = 0; n < f.size(); ++n) {
      PacketView v;
      auto r = parse_frame(f.data(), n, v);
      ASSERT_TRUE(r.has_value()) << n;
      const Drop ip = v6 ? Drop::kIpv6Malformed : Drop::kIpv4Malformed;
      EXPECT_EQ(*r, n < 18 ? Drop::kEthMalformed : ip) << n;
    }
  }
}

TEST(Packet, UnsupportedEtherTypeAndDoubleTags) {
  Bytes f = udp_frame(false, kPayload);
  put16(f, 12, 0x88cc);  // LLDP
  PacketView v;
  EXPECT_EQ(parse(f, v), Drop::kEthUnsupported);
  Bytes q = udp_frame(false, kPayload, 1);
  put16(q, 16, 0x8100);  // QinQ: a second tag is not supported
  EXPECT_EQ(parse(q, v), Drop::kEthUnsupported);
}

TEST(Packet, Ipv4HeaderChecks) {
  PacketView v;
  Bytes f = udp_frame(false, kPayload);
  Bytes bad = f;
  bad[14 + 10] ^= 1;  // header checksum
  EXPECT_EQ(parse(bad, v), Drop::kIpv4BadChecksum);
  EXPECT_EQ(parse(bad, v, kSkipIpv4Checksum), std::nullopt);
  bad = f;
  bad[14] = 0x55;  // version 5
  EXPECT_EQ(parse(bad, v), Drop::kIpv4Malformed);
  bad = f;
  bad[14] = 0x44;  // IHL 4
  EXPECT_EQ(parse(bad, v), Drop::kIpv4Malformed);
  bad = f;
  bad[14] = 0x4f;  // IHL 15: 60 bytes of header, more than the total length
  EXPECT_EQ(parse(bad, v, kSkipIpv4Checksum), Drop::kIpv4Malformed);
  bad = f;
  put16(bad, 16, static_cast<uint16_t>(f.size() - 14 + 1));  // total length past the frame
  EXPECT_EQ(parse(bad, v, kSkipIpv4Checksum), Drop::kIpv4Malformed);
  bad = f;
  put16(bad, 16, 19);  // total length shorter than the header
  EXPECT_EQ(parse(bad, v, kSkipIpv4Checksum), Drop::kIpv4Malformed);
}

TEST(Packet, Ipv4OptionsAreSkipped) {
  Bytes u = udp(kIp4A, kIp4B, 1, 2, kPayload);
  Bytes ip = ipv4(kIp4A, kIp4B, 17, u.size());
  ip[0] = 0x46;
  put16(ip, 2, static_cast<uint16_t>(24 + u.size()));
  ip.insert(ip.end(), {1, 1, 1, 0});  // NOP NOP NOP EOL
  put16(ip, 10, 0);
  put16(ip, 10, ref_checksum(ip));
  Bytes f = eth(kMacB, kMacA, 0x0800);
  append(f, ip);
  append(f, u);
  PacketView v;
  ASSERT_EQ(parse(f, v), std::nullopt);
  EXPECT_EQ(v.l4_offset, 38);
  EXPECT_EQ(v.payload_len, kPayload.size());
}

TEST(Packet, Ipv4FragmentsAreDropped) {
  for (uint16_t frag : {0x2000 /* MF */, 0x0001 /* offset 8 */, 0x4001, 0x3fff}) {
    Bytes u = udp(kIp4A, kIp4B, 1, 2, kPayload);
    Bytes f = eth(kMacB, kMacA, 0x0800);
    append(f, ipv4(kIp4A, kIp4B, 17, u.size(), frag));
    append(f, u);
    PacketView v;
    EXPECT_EQ(parse(f, v), Drop::kIpv4Fragment) << frag;
  }
}

TEST(Packet, Ipv6HeaderChecks) {
  PacketView v;
  Bytes f = udp_frame(true, kPayload);
  Bytes bad = f;
  bad[14] = 0x40;
  EXPECT_EQ(parse(bad, v), Drop::kIpv6Malformed);
  bad = f;
  put16(bad, 18, static_cast<uint16_t>(f.size() - 54 + 1));
  EXPECT_EQ(parse(bad, v), Drop::kIpv6Malformed);
  bad = f;
  put16(bad, 18, 0);  // jumbogram marker
  EXPECT_EQ(parse(bad, v), Drop::kIpv6Malformed);
}

TEST(Packet, NonUdpProtocolsAndExtensionHeaders) {
  PacketView v;
  Bytes tcp4 = eth(kMacB, kMacA, 0x0800);
  append(tcp4, ipv4(kIp4A, kIp4B, 6, 20));
  tcp4.resize(tcp4.size() + 20);
  EXPECT_EQ(parse(tcp4, v), Drop::kNotUdp);
  // Hop-by-hop options before UDP: not walked.
  Bytes hbh = eth(kMacB, kMacA, 0x86dd);
  append(hbh, ipv6(kIp6A, kIp6B, 0, 16));
  hbh.resize(hbh.size() + 16);
  EXPECT_EQ(parse(hbh, v), Drop::kNotUdp);
}

TEST(Packet, IcmpIsReportedAsItsOwnKind) {
  PacketView v;
  Bytes f4 = eth(kMacB, kMacA, 0x0800);
  append(f4, ipv4(kIp4A, kIp4B, 1, 8));
  append(f4, {8, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_EQ(parse(f4, v), std::nullopt);
  EXPECT_EQ(v.kind, FrameKind::kIcmpv4);
  EXPECT_EQ(v.l4_offset, 34);
  EXPECT_EQ(v.l4_len, 8);
  Bytes f6 = eth(kMacB, kMacA, 0x86dd);
  append(f6, ipv6(kIp6A, kIp6B, 58, 8));
  append(f6, {128, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_EQ(parse(f6, v), std::nullopt);
  EXPECT_EQ(v.kind, FrameKind::kIcmpv6);
  EXPECT_EQ(v.l4_len, 8);
}

TEST(Packet, ArpNeedsItsBody) {
  PacketView v;
  Bytes f = eth(kMacB, kMacA, 0x0806);
  f.resize(14 + 27);
  EXPECT_EQ(parse(f, v), Drop::kArpIgnored);
  f.resize(60);
  ASSERT_EQ(parse(f, v), std::nullopt);
  EXPECT_EQ(v.kind, FrameKind::kArp);
  EXPECT_EQ(v.l3_offset, 14);
}

TEST(Packet, UdpLengthMustMatchIpPayload) {
  PacketView v;
  for (bool v6 : {false, true}) {
    Bytes f = udp_frame(v6, kPayload);
    const size_t udp_at = v6 ? 54 : 34;
    for (int delta : {-1, 1, -100}) {
      Bytes bad = f;
      put16(bad, udp_at + 4, static_cast<uint16_t>(8 + kPayload.size() + delta));
      EXPECT_EQ(parse(bad, v, kSkipL4Checksum), Drop::kUdpMalformed) << v6 << delta;
    }
    // IP payload shorter than a UDP header.
    Bytes tiny = eth(kMacB, kMacA, v6 ? 0x86dd : 0x0800);
    append(tiny, v6 ? ipv6(kIp6A, kIp6B, 17, 4) : ipv4(kIp4A, kIp4B, 17, 4));
    append(tiny, {0, 1, 0, 2});
    EXPECT_EQ(parse(tiny, v), Drop::kUdpMalformed);
  }
}

TEST(Packet, UdpChecksum) {
  PacketView v;
  for (bool v6 : {false, true}) {
    Bytes f = udp_frame(v6, kPayload);
    Bytes bad = f;
    bad.back() ^= 0x01;
    EXPECT_EQ(parse(bad, v), Drop::kUdpBadChecksum);
    EXPECT_EQ(parse(bad, v, kSkipL4Checksum), std::nullopt);
    Bytes zero = f;
    put16(zero, (v6 ? 54 : 34) + 6, 0);
    // RFC 768: zero is "no checksum" over IPv4; RFC 8200 §8.1: not allowed over IPv6.
    EXPECT_EQ(parse(zero, v), v6 ? std::optional<Drop>(Drop::kUdpBadChecksum) : std::nullopt);
  }
}

TEST(Packet, OddPayloadLengthsVerify) {
  for (size_t n = 0; n < 40; ++n) {
    Bytes payload(n);
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<uint8_t>(0xf0 + i);
    for (bool v6 : {false, true}) {
      Bytes f = udp_frame(v6, payload);
      PacketView v;
      ASSERT_EQ(parse(f, v), std::nullopt) << n << v6;
      EXPECT_EQ(v.payload_len, n);
    }
  }
}

}  // namespace
}  // namespace fanout::dp::net

#include "dataplane/net/echo.hpp"

#include <gtest/gtest.h>

#include "dataplane/net/checksum.hpp"
#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using namespace testing;

const Bytes kEchoData = {0x12, 0x34, 0x00, 0x07, 'p', 'i', 'n', 'g', '!'};  // id, seq, data

Bytes echo4(const Bytes& dst, uint8_t type = 8, int vlan = -1) {
  Bytes icmp = {type, 0, 0, 0};
  append(icmp, kEchoData);
  put16(icmp, 2, ref_checksum(icmp));
  Bytes f = eth(kMacB, kMacA, 0x0800, vlan);
  append(f, ipv4(kIp4A, dst, 1, icmp.size()));
  append(f, icmp);
  return f;
}

Bytes echo6(const Bytes& dst, uint8_t type = 128) {
  Bytes icmp = {type, 0, 0, 0};
  append(icmp, kEchoData);
  fill_l4_checksum(icmp, 2, kIp6A, dst, 58);
  Bytes f = eth(kMacB, kMacA, 0x86dd);
  append(f, ipv6(kIp6A, dst, 58, icmp.size()));
  append(f, icmp);
  return f;
}

const IpAddr kOurs[] = {IpAddr::v4(kIp4B.data()), IpAddr::v6(kIp6B.data())};

TEST(Echo, Ipv4RequestBecomesTheReply) {
  for (int vlan : {-1, 3}) {
    Bytes f = echo4(kIp4B, 8, vlan);
    PacketView v;
    ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
    ASSERT_EQ(echo_reply_in_place(f.data(), f.size(), v, kMacB.data(), kOurs), std::nullopt);
    // The reply parses (IP checksum valid) and goes back where the request came from.
    PacketView r;
    ASSERT_EQ(parse_frame(f.data(), f.size(), r), std::nullopt);
    EXPECT_EQ(r.src, IpAddr::v4(kIp4B.data()));
    EXPECT_EQ(r.dst, IpAddr::v4(kIp4A.data()));
    EXPECT_TRUE(std::equal(kMacA.begin(), kMacA.end(), f.begin()));
    EXPECT_TRUE(std::equal(kMacB.begin(), kMacB.end(), f.begin() + 6));
    const uint8_t* icmp = f.data() + r.l4_offset;
    EXPECT_EQ(icmp[0], 0);
    EXPECT_EQ(icmp[1], 0);
    EXPECT_TRUE(std::equal(kEchoData.begin(), kEchoData.end(), icmp + 4));
    EXPECT_EQ(ref_checksum(Bytes(icmp, icmp + r.l4_len)), 0);
  }
}

TEST(Echo, Ipv6RequestBecomesTheReply) {
  Bytes f = echo6(kIp6B);
  PacketView v;
  ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
  ASSERT_EQ(echo_reply_in_place(f.data(), f.size(), v, kMacB.data(), kOurs), std::nullopt);
  PacketView r;
  ASSERT_EQ(parse_frame(f.data(), f.size(), r), std::nullopt);
  EXPECT_EQ(r.src, IpAddr::v6(kIp6B.data()));
  EXPECT_EQ(r.dst, IpAddr::v6(kIp6A.data()));
  EXPECT_EQ(f[14 + 7], 64);
  const uint8_t* icmp = f.data() + r.l4_offset;
  EXPECT_EQ(icmp[0], 129);
  EXPECT_TRUE(std::equal(kEchoData.begin(), kEchoData.end(), icmp + 4));
  Bytes expect = {129, 0, 0, 0};
  append(expect, kEchoData);
  fill_l4_checksum(expect, 2, kIp6B, kIp6A, 58);
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), icmp));
}

TEST(Echo, IgnoresOthers) {
  PacketView v;
  auto ignored = [&](Bytes f) {
    const Bytes before = f;
    ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
    EXPECT_EQ(echo_reply_in_place(f.data(), f.size(), v, kMacB.data(), kOurs), Drop::kIcmpIgnored);
    EXPECT_EQ(f, before);
  };
  ignored(echo4({198, 18, 0, 255}));  // not ours (e.g. broadcast)
  ignored(echo4(kIp4B, 0));           // already a reply
  ignored(echo4(kIp4B, 13));          // timestamp
  ignored(echo6(kIp6B, 129));
  ignored(echo6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));  // multicast
  // Requests from a group or broadcast source are not answered (no reflection to many).
  Bytes from_bcast = echo4(kIp4B);
  std::fill(from_bcast.begin() + 26, from_bcast.begin() + 30, 0xff);
  put16(from_bcast, 24, 0);
  put16(from_bcast, 24, ref_checksum(Bytes(from_bcast.begin() + 14, from_bcast.begin() + 34)));
  ignored(from_bcast);
  Bytes from_group = echo6(kIp6B);
  from_group[22] = 0xff;  // source ff01:...
  Bytes icmp6(from_group.begin() + 54, from_group.end());
  fill_l4_checksum(icmp6, 2, Bytes(from_group.begin() + 22, from_group.begin() + 38), kIp6B, 58);
  std::copy(icmp6.begin(), icmp6.end(), from_group.begin() + 54);
  ignored(from_group);
  Bytes bad = echo4(kIp4B);
  bad.back() ^= 0xff;  // ICMP checksum
  ignored(bad);
  bad = echo6(kIp6B);
  bad.back() ^= 0xff;
  ignored(bad);
  bad = echo4(kIp4B);
  bad[34 + 1] = 1;  // code
  ignored(bad);
}

}  // namespace
}  // namespace fanout::dp::net

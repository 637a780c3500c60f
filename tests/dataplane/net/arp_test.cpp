#include "dataplane/net/arp.hpp"

#include <gtest/gtest.h>

#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using namespace testing;

// A who-has kIp4B tell kIp4A from kMacA, broadcast, padded to 60 bytes.
Bytes arp_request(const Bytes& target, int vlan = -1, uint16_t op = 1) {
  Bytes f = eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kMacA, 0x0806, vlan);
  append(f, {0, 1, 0x08, 0x00, 6, 4, 0, static_cast<uint8_t>(op)});
  append(f, kMacA);
  append(f, kIp4A);
  append(f, {0, 0, 0, 0, 0, 0});
  append(f, target);
  f.resize(std::max<size_t>(f.size(), 60), 0);
  return f;
}

const IpAddr kOurs[] = {IpAddr::v4(kIp4B.data()), IpAddr::v6(kIp6B.data())};

TEST(Arp, AnswersARequestForOurAddressInPlace) {
  for (int vlan : {-1, 9}) {
    Bytes f = arp_request(kIp4B, vlan);
    const size_t len = f.size();
    PacketView v;
    ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
    ASSERT_EQ(arp_reply_in_place(f.data(), f.size(), v, kMacB.data(), kOurs), std::nullopt);
    Bytes expect = eth(kMacA, kMacB, 0x0806, vlan);
    append(expect, {0, 1, 0x08, 0x00, 6, 4, 0, 2});
    append(expect, kMacB);
    append(expect, kIp4B);
    append(expect, kMacA);
    append(expect, kIp4A);
    expect.resize(len, 0);
    EXPECT_EQ(f, expect) << vlan;
  }
}

TEST(Arp, IgnoresEverythingElse) {
  PacketView v;
  auto check_ignored = [&](Bytes f) {
    const Bytes before = f;
    ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
    EXPECT_EQ(arp_reply_in_place(f.data(), f.size(), v, kMacB.data(), kOurs), Drop::kArpIgnored);
    EXPECT_EQ(f, before);
  };
  check_ignored(arp_request({198, 18, 0, 99}));  // not our address
  check_ignored(arp_request(kIp4B, -1, 2));      // a reply, not a request
  Bytes bad = arp_request(kIp4B);
  bad[14 + 4] = 8;  // hlen
  check_ignored(bad);
  bad = arp_request(kIp4B);
  put16(bad, 14 + 2, 0x86dd);  // ptype
  check_ignored(bad);
  bad = arp_request(kIp4B);
  put16(bad, 14, 6);  // htype IEEE 802
  check_ignored(bad);
  // A UDP frame is not ARP.
  Bytes u = udp_frame(false, {1, 2});
  ASSERT_EQ(parse_frame(u.data(), u.size(), v), std::nullopt);
  EXPECT_EQ(arp_reply_in_place(u.data(), u.size(), v, kMacB.data(), kOurs), Drop::kArpIgnored);
}

}  // namespace
}  // namespace fanout::dp::net

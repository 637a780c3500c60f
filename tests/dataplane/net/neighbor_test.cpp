#include "dataplane/net/neighbor.hpp"

#include <gtest/gtest.h>

#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using namespace testing;

// ff02::1:ff00:b, the solicited-node group of kIp6B.
const Bytes kSolicitedB = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x0b};
const Bytes kUnspecified(16, 0);
const Bytes kAllNodes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

Bytes solicit(const Bytes& src, const Bytes& dst, const Bytes& target, bool slla, int vlan = -1,
              uint8_t hop = 255) {
  Bytes icmp = {135, 0, 0, 0, 0, 0, 0, 0};
  append(icmp, target);
  if (slla) {
    append(icmp, {1, 1});
    append(icmp, kMacA);
  }
  fill_l4_checksum(icmp, 2, src, dst, 58);
  Bytes f = eth({0x33, 0x33, 0xff, 0, 0, 0x0b}, kMacA, 0x86dd, vlan);
  append(f, ipv6(src, dst, 58, icmp.size(), hop));
  append(f, icmp);
  return f;
}

const IpAddr kOurs[] = {IpAddr::v4(kIp4B.data()), IpAddr::v6(kIp6B.data())};

Bytes expected_advert(const Bytes& eth_dst, const Bytes& ip_dst, bool solicited, int vlan) {
  Bytes na = {136, 0, 0, 0, static_cast<uint8_t>(solicited ? 0x60 : 0x20), 0, 0, 0};
  append(na, kIp6B);
  append(na, {2, 1});
  append(na, kMacB);
  fill_l4_checksum(na, 2, kIp6B, ip_dst, 58);
  Bytes f = eth(eth_dst, kMacB, 0x86dd, vlan);
  append(f, ipv6(kIp6B, ip_dst, 58, na.size(), 255));
  append(f, na);
  return f;
}

TEST(Neighbor, AnswersASolicitationWithAnAdvertisement) {
  for (int vlan : {-1, 100}) {
    for (bool slla : {true, false}) {
      Bytes f = solicit(kIp6A, kSolicitedB, kIp6B, slla, vlan);
      PacketView v;
      ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
      uint8_t out[128];
      size_t n = 0;
      ASSERT_EQ(
          neighbor_advert_for(f.data(), f.size(), v, kMacB.data(), kOurs, out, sizeof(out), n),
          std::nullopt);
      ASSERT_EQ(n, neighbor_advert_size(vlan >= 0));
      EXPECT_EQ(Bytes(out, out + n), expected_advert(kMacA, kIp6A, true, vlan));
      PacketView r;
      EXPECT_EQ(parse_frame(out, n, r), std::nullopt);
      EXPECT_EQ(r.kind, FrameKind::kIcmpv6);
    }
  }
}

TEST(Neighbor, BuildsInPlaceWhenTheBufferHasRoom) {
  Bytes f = solicit(kIp6A, kSolicitedB, kIp6B, false);
  const size_t len = f.size();
  f.resize(256);
  PacketView v;
  ASSERT_EQ(parse_frame(f.data(), len, v), std::nullopt);
  size_t n = 0;
  ASSERT_EQ(neighbor_advert_for(f.data(), len, v, kMacB.data(), kOurs, f.data(), f.size(), n),
            std::nullopt);
  EXPECT_EQ(Bytes(f.begin(), f.begin() + static_cast<long>(n)),
            expected_advert(kMacA, kIp6A, true, -1));
}

TEST(Neighbor, DuplicateAddressDetectionGoesToAllNodes) {
  Bytes f = solicit(kUnspecified, kSolicitedB, kIp6B, false);
  PacketView v;
  ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
  uint8_t out[128];
  size_t n = 0;
  ASSERT_EQ(neighbor_advert_for(f.data(), f.size(), v, kMacB.data(), kOurs, out, sizeof(out), n),
            std::nullopt);
  EXPECT_EQ(Bytes(out, out + n), expected_advert({0x33, 0x33, 0, 0, 0, 1}, kAllNodes, false, -1));
}

TEST(Neighbor, ValidationPerRfc4861) {
  uint8_t out[128];
  size_t n = 0;
  PacketView v;
  auto ignored = [&](const Bytes& f, size_t cap = 128) {
    ASSERT_EQ(parse_frame(f.data(), f.size(), v), std::nullopt);
    EXPECT_EQ(neighbor_advert_for(f.data(), f.size(), v, kMacB.data(), kOurs, out, cap, n),
              Drop::kIcmpIgnored);
    EXPECT_EQ(n, 0u);
  };
  ignored(solicit(kIp6A, kSolicitedB, kIp6A, true));          // not our target
  ignored(solicit(kIp6A, kSolicitedB, kIp6B, true, -1, 64));  // hop limit not 255
  ignored(solicit(kIp6A, kSolicitedB, kSolicitedB, true));    // multicast target
  ignored(solicit(kUnspecified, kSolicitedB, kIp6B, true));   // DAD with SLLA
  ignored(solicit(kUnspecified, kIp6B, kIp6B, false));        // DAD not to solicited-node
  ignored(solicit(kIp6A, kSolicitedB, kIp6B, true), 85);      // no room for the answer
  Bytes bad = solicit(kIp6A, kSolicitedB, kIp6B, true);
  bad.back() ^= 1;  // checksum
  ignored(bad);
  // A zero-length option, with the checksum recomputed so only the option check can refuse it.
  bad = solicit(kIp6A, kSolicitedB, kIp6B, true);
  Bytes icmp(bad.begin() + 54, bad.end());
  icmp[25] = 0;
  fill_l4_checksum(icmp, 2, kIp6A, kSolicitedB, 58);
  std::copy(icmp.begin(), icmp.end(), bad.begin() + 54);
  ignored(bad);
}

}  // namespace
}  // namespace fanout::dp::net

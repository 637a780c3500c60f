#include "dataplane/net/address.hpp"

#include <gtest/gtest.h>

#include <array>

namespace fanout::dp::net {
namespace {

TEST(Address, TupleIsAPaddingFreeHashKey) {
  Tuple t{};
  std::array<uint8_t, sizeof(Tuple)> raw{};
  std::memcpy(raw.data(), &t, sizeof(t));
  for (uint8_t b : raw) EXPECT_EQ(b, 0);
  // Two tuples built differently compare equal byte for byte.
  Tuple a{*parse_addr("198.18.0.2"), *parse_addr("192.0.2.1"), 4443, 5000};
  Tuple b;
  b.local = IpAddr::v4_host(0xc6120002);
  b.remote = IpAddr::v4_host(0xc0000201);
  b.local_port = 4443;
  b.remote_port = 5000;
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(Tuple)), 0);
  EXPECT_EQ(a, b);
}

TEST(Address, FormatsV4AndV6Endpoints) {
  EXPECT_EQ(format_endpoint(*parse_addr("198.18.0.2"), 4443), "198.18.0.2:4443");
  EXPECT_EQ(format_endpoint(*parse_addr("::1"), 5000), "[::1]:5000");
  EXPECT_EQ(format_addr(*parse_addr("2001:db8::a")), "2001:db8::a");
  EXPECT_EQ(format_addr(IpAddr{}), "<unset>");
  Tuple t{*parse_addr("10.0.0.1"), *parse_addr("10.0.0.2"), 1, 2};
  EXPECT_EQ(format_tuple(t), "10.0.0.1:1 -> 10.0.0.2:2");
}

TEST(Address, ParsesAddressesAndLeavesTheTailZero) {
  auto a = parse_addr("192.0.2.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, kFamilyV4);
  EXPECT_EQ(a->bytes[0], 192);
  EXPECT_EQ(a->bytes[3], 1);
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(a->bytes[i], 0);
  EXPECT_EQ(a->size(), 4u);
  auto b = parse_addr("2001:db8:1234:5678:11:2233:4455:6677");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->family, kFamilyV6);
  EXPECT_EQ(b->bytes[15], 0x77);
  EXPECT_FALSE(parse_addr(""));
  EXPECT_FALSE(parse_addr("256.0.0.1"));
  EXPECT_FALSE(parse_addr("not an address"));
  EXPECT_FALSE(parse_addr(std::string(100, '1')));
}

TEST(Address, ParsesEndpoints) {
  auto e = parse_endpoint("198.18.0.2:4443");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 4443);
  EXPECT_EQ(format_endpoint(e->addr, e->port), "198.18.0.2:4443");
  auto v6 = parse_endpoint("[::1]:5000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->addr.family, kFamilyV6);
  EXPECT_EQ(v6->port, 5000);
  EXPECT_FALSE(parse_endpoint("::1:5000"));
  EXPECT_FALSE(parse_endpoint("[1.2.3.4]:5"));
  EXPECT_FALSE(parse_endpoint("1.2.3.4:65536"));
  EXPECT_FALSE(parse_endpoint("1.2.3.4:"));
  EXPECT_FALSE(parse_endpoint("1.2.3.4:5x"));
  EXPECT_FALSE(parse_endpoint("1.2.3.4"));
  EXPECT_FALSE(parse_endpoint("[::1]5000"));
  EXPECT_FALSE(parse_endpoint(""));
}

TEST(Address, ContainsComparesFamilyAndBytes) {
  const IpAddr ours[] = {*parse_addr("198.18.0.2"), *parse_addr("2001:db8::2")};
  EXPECT_TRUE(contains(ours, *parse_addr("198.18.0.2")));
  EXPECT_TRUE(contains(ours, *parse_addr("2001:db8::2")));
  EXPECT_FALSE(contains(ours, *parse_addr("198.18.0.3")));
  // Same leading bytes, different family.
  IpAddr v6 = *parse_addr("198.18.0.2");
  v6.family = kFamilyV6;
  EXPECT_FALSE(contains(ours, v6));
}

}  // namespace
}  // namespace fanout::dp::net

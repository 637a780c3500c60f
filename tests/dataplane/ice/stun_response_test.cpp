#include "dataplane/ice/stun_response.hpp"

#include <gtest/gtest.h>

#include "dataplane/ice/stun.hpp"
#include "tests/dataplane/ice/rfc5769.hpp"

namespace fanout::dp::ice {
namespace {

using namespace testing;
using Bytes = std::vector<uint8_t>;

const HmacSha1Key& key() {
  static const HmacSha1Key k(reinterpret_cast<const uint8_t*>(kPassword.data()), kPassword.size());
  return k;
}

// Our response to the §2.1 request, with the RFC's SOFTWARE and space padding, is the §2.2 / §2.3
// response byte for byte.
TEST(StunResponse, ReproducesRfc5769ResponsesExactly) {
  StunMessage req;
  ASSERT_EQ(parse_stun(kRequest.data(), kRequest.size(), req), StunStatus::kOk);
  const StunResponseOptions opt{kSoftware, 0x20};
  uint8_t out[kMaxStunResponseLen];
  size_t n = build_binding_success(out, sizeof(out), req.transaction_id(),
                                   *net::parse_addr("192.0.2.1"), 32853, key(), opt);
  EXPECT_EQ(Bytes(out, out + n), kResponseV4);
  n = build_binding_success(out, sizeof(out), req.transaction_id(),
                            *net::parse_addr("2001:db8:1234:5678:11:2233:4455:6677"), 32853, key(),
                            opt);
  EXPECT_EQ(Bytes(out, out + n), kResponseV6);
}

TEST(StunResponse, DefaultResponseParsesAndVerifies) {
  StunMessage req;
  ASSERT_EQ(parse_stun(kRequest.data(), kRequest.size(), req), StunStatus::kOk);
  for (const char* a : {"198.18.0.2", "::1"}) {
    uint8_t out[128];
    const size_t n = build_binding_success(out, sizeof(out), req.transaction_id(),
                                           *net::parse_addr(a), 5000, key());
    ASSERT_GT(n, 0u);
    StunMessage m;
    ASSERT_EQ(parse_stun(out, n, m), StunStatus::kOk);
    EXPECT_EQ(m.type, kBindingSuccess);
    EXPECT_TRUE(std::equal(out + 8, out + 20, kRequest.begin() + 8));
    EXPECT_TRUE(verify_message_integrity(m, key()));
    EXPECT_TRUE(verify_fingerprint(m));
    net::IpAddr got;
    uint16_t port = 0;
    ASSERT_TRUE(xor_mapped_address(m, got, port));
    EXPECT_EQ(got, *net::parse_addr(a));
    EXPECT_EQ(port, 5000);
    // Without SOFTWARE: 20 + 12 (or 24) + 24 + 8.
    EXPECT_EQ(n, std::string_view(a) == "::1" ? 76u : 64u);
  }
}

TEST(StunResponse, RoleConflict) {
  StunMessage req;
  ASSERT_EQ(parse_stun(kRequest.data(), kRequest.size(), req), StunStatus::kOk);
  uint8_t out[128];
  const size_t n = build_role_conflict(out, sizeof(out), req.transaction_id(), key());
  ASSERT_GT(n, 0u);
  StunMessage m;
  ASSERT_EQ(parse_stun(out, n, m), StunStatus::kOk);
  EXPECT_EQ(m.type, kBindingError);
  EXPECT_EQ(m.error_code, 487);
  EXPECT_TRUE(verify_message_integrity(m, key()));
  EXPECT_TRUE(verify_fingerprint(m));
  // ERROR-CODE: reserved, class 4, number 87, "Role Conflict" (13 bytes, 3 padding).
  const Bytes expect = {0x00, 0x09, 0x00, 0x11, 0,   0,   4,   87,  'R', 'o', 'l', 'e',
                        ' ',  'C',  'o',  'n',  'f', 'l', 'i', 'c', 't', 0,   0,   0};
  EXPECT_EQ(Bytes(out + 20, out + 44), expect);
}

TEST(StunResponse, RefusesSmallBuffersAndBadInput) {
  uint8_t out[kMaxStunResponseLen];
  const uint8_t txid[12] = {};
  const auto v4 = *net::parse_addr("10.0.0.1");
  EXPECT_EQ(build_binding_success(out, 63, txid, v4, 1, key()), 0u);
  EXPECT_EQ(build_binding_success(out, 64, txid, v4, 1, key()), 64u);
  EXPECT_EQ(build_binding_success(out, sizeof(out), txid, net::IpAddr{}, 1, key()), 0u);
  EXPECT_EQ(build_role_conflict(out, 75, txid, key()), 0u);
  EXPECT_EQ(build_role_conflict(out, 76, txid, key()), 76u);
  const std::string longest(763, 's');
  EXPECT_GT(
      build_binding_success(out, sizeof(out), txid, *net::parse_addr("::1"), 1, key(), {longest}),
      0u);
  const std::string too_long(764, 's');
  EXPECT_EQ(build_binding_success(out, sizeof(out), txid, v4, 1, key(), {too_long}), 0u);
}

}  // namespace
}  // namespace fanout::dp::ice

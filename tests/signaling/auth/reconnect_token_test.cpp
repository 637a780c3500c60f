#include "signaling/auth/reconnect_token.hpp"

#include <set>

#include <gtest/gtest.h>

#include "signaling/auth/base64url.hpp"

namespace fanout::sig {
namespace {

using std::chrono::seconds;

TEST(ReconnectToken, Is32RandomBytesInBase64Url) {
  const SteadyTime t0{};
  const auto token = ReconnectToken::issue("peer-1", t0 + seconds(30));
  EXPECT_EQ(token.value().size(), 43u);
  const auto raw = base64url_decode(token.value());
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_EQ(token.peer_id(), "peer-1");

  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(ReconnectToken::issue("p", t0).value());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ReconnectToken, AcceptsOnlyItsValueForItsPeerBeforeExpiry) {
  const SteadyTime t0{};
  const auto token = ReconnectToken::issue("peer-1", t0 + seconds(30));
  EXPECT_TRUE(token.accepts(token.value(), "peer-1", t0));
  EXPECT_TRUE(token.accepts(token.value(), "peer-1", t0 + seconds(29)));
  EXPECT_FALSE(token.accepts(token.value(), "peer-1", t0 + seconds(30)));
  EXPECT_FALSE(token.accepts(token.value(), "peer-2", t0));

  std::string forged = token.value();
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(token.accepts(forged, "peer-1", t0));
  EXPECT_FALSE(token.accepts(token.value().substr(1), "peer-1", t0));
  EXPECT_FALSE(token.accepts("", "peer-1", t0));
}

TEST(ReconnectToken, DefaultConstructedAcceptsNothing) {
  const ReconnectToken none;
  EXPECT_FALSE(none.accepts("", "", SteadyTime{}));
}

TEST(ReconnectToken, RandomBase64UrlHasRequestedLength) {
  EXPECT_EQ(base64url_decode(random_base64url(9))->size(), 9u);
  EXPECT_EQ(random_base64url(9).size(), 12u);
}

}  // namespace
}  // namespace fanout::sig

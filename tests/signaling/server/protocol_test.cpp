#include "signaling/server/protocol.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "signaling/server/token_bucket.hpp"

namespace fanout::sig {
namespace {

namespace json = boost::json;

TEST(Protocol, ParsesARequest) {
  auto parsed = parse_request(R"({"id": 12, "method": "echo", "data": {"a": [1]}})");
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  const Request& r = std::get<Request>(parsed);
  EXPECT_EQ(r.id, 12);
  EXPECT_EQ(r.method, "echo");
  EXPECT_EQ(r.data.at("a"), json::parse("[1]"));
}

TEST(Protocol, DataDefaultsToEmptyObject) {
  auto parsed = parse_request(R"({"id": 1.5, "method": "ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  EXPECT_TRUE(std::get<Request>(parsed).data.empty());
}

TEST(Protocol, BadRequestsKeepTheIdWhenUsable) {
  auto bad = parse_request(R"({"id": 4, "method": ""})");
  ASSERT_TRUE(std::holds_alternative<BadRequest>(bad));
  EXPECT_EQ(std::get<BadRequest>(bad).id, 4);
  EXPECT_EQ(std::get<BadRequest>(bad).error.code, kErrInvalidRequest);
  bad = parse_request(R"({"id": null, "method": "x"})");
  EXPECT_TRUE(std::get<BadRequest>(bad).id.is_null());
  bad = parse_request("{");
  EXPECT_EQ(std::get<BadRequest>(bad).error.code, kErrInvalidJson);
}

TEST(Protocol, StringIdsAreEchoedAndBoundedInLength) {
  auto parsed = parse_request(R"({"id": "req-7", "method": "ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(parsed));
  EXPECT_EQ(std::get<Request>(parsed).id, "req-7");
  for (const char* bad : {R"({"id": "", "method": "ping"})", R"({"id": true, "method": "ping"})",
                          R"({"id": [1], "method": "ping"})"}) {
    auto r = parse_request(bad);
    ASSERT_TRUE(std::holds_alternative<BadRequest>(r)) << bad;
    EXPECT_EQ(std::get<BadRequest>(r).error.code, kErrInvalidRequest);
  }
  const std::string long_id(kMaxRequestIdBytes + 1, 'x');
  auto too_long = parse_request(R"({"id": ")" + long_id + R"(", "method": "ping"})");
  ASSERT_TRUE(std::holds_alternative<BadRequest>(too_long));
  EXPECT_TRUE(std::get<BadRequest>(too_long).id.is_null());
}

TEST(Protocol, Shapes) {
  EXPECT_EQ(json::parse(make_response(3, json::object{{"x", 1}})),
            json::parse(R"({"id":3,"ok":true,"data":{"x":1}})"));
  EXPECT_EQ(
      json::parse(make_error(nullptr, "invalid_json", "why")),
      json::parse(R"({"id":null,"ok":false,"error":{"code":"invalid_json","reason":"why"}})"));
  EXPECT_EQ(json::parse(make_notification("peerJoined", json::object{{"peer", "a"}})),
            json::parse(R"({"notification":true,"method":"peerJoined","data":{"peer":"a"}})"));
}

TEST(TokenBucket, BurstThenRate) {
  const auto t0 = TokenBucket::Clock::now();
  TokenBucket b(10, 3, t0);
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_TRUE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0));
  EXPECT_FALSE(b.try_take(t0 + std::chrono::milliseconds(50)));
  EXPECT_TRUE(b.try_take(t0 + std::chrono::milliseconds(120)));
  // Never more than the burst, however long the pause.
  const auto later = t0 + std::chrono::seconds(100);
  int n = 0;
  while (b.try_take(later)) ++n;
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace fanout::sig

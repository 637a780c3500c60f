#include "signaling/server/config.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace fanout::sig {
namespace {

std::string error_of(std::string_view text) {
  try {
    config_from_json(boost::json::parse(text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultsAreLoopbackPlain) {
  const ServerConfig c = config_from_json(boost::json::parse("{}"));
  EXPECT_EQ(c.listen_address, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.ws_read_message_max, 64u * 1024);
  EXPECT_FALSE(c.tls_enabled());
}

TEST(Config, ReadsEverySection) {
  const ServerConfig c = config_from_json(boost::json::parse(R"({
    "listen": {"address": "0.0.0.0", "port": 9000, "io_threads": 4},
    "tls": {"certificate": "c.pem", "private_key": "k.pem"},
    "http": {"static_dir": "/srv", "body_limit": 1000, "timeout_ms": 500},
    "websocket": {"read_message_max": 2048, "idle_timeout_ms": 100,
                  "allowed_origins": ["https://a.example"], "write_queue_bytes": 4096},
    "rate_limit": {"requests_per_second": 2.5, "burst": 10, "close_after": 3}})"));
  EXPECT_EQ(c.listen_address, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.io_threads, 4u);
  EXPECT_TRUE(c.tls_enabled());
  EXPECT_EQ(c.static_dir, "/srv");
  EXPECT_EQ(c.http_body_limit, 1000u);
  EXPECT_EQ(c.http_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.ws_read_message_max, 2048u);
  EXPECT_EQ(c.ws_idle_timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"https://a.example"});
  EXPECT_EQ(c.ws_write_queue_bytes, 4096u);
  EXPECT_DOUBLE_EQ(c.rate_limit_per_second, 2.5);
  EXPECT_EQ(c.rate_limit_close_after, 3u);
}

TEST(Config, ErrorsNameTheKey) {
  EXPECT_NE(error_of(R"({"listen": {"port": 70000}})").find("listen.port"), std::string::npos);
  EXPECT_NE(error_of(R"({"listen": {"port": "x"}})").find("listen.port"), std::string::npos);
  EXPECT_NE(error_of(R"({"listen": {"prot": 1}})").find("listen.prot: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"lisen": {}})").find("lisen: unknown section"), std::string::npos);
  EXPECT_NE(error_of(R"({"websocket": {"allowed_origins": ["a", 3]}})")
                .find("websocket.allowed_origins[1]"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"tls": {"certificate": "c.pem"}})").find("tls"), std::string::npos);
  EXPECT_NE(error_of(R"({"rate_limit": {"requests_per_second": 0}})")
                .find("rate_limit.requests_per_second"),
            std::string::npos);
}

TEST(Config, CommandLineOverridesTheFile) {
  const char* argv[] = {"fanout-signaling", "--listen.port=0", "--listen.address=::1",
                        "--websocket.allowed_origins=[\"https://x.example\"]"};
  bool help = true;
  const ServerConfig c = config_from_args(4, argv, help);
  EXPECT_FALSE(help);
  EXPECT_EQ(c.listen_port, 0);
  EXPECT_EQ(c.listen_address, "::1");
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"https://x.example"});

  const char* bad[] = {"fanout-signaling", "--listen.port=abc"};
  EXPECT_THROW(config_from_args(2, bad, help), ConfigError);
  const char* stray[] = {"fanout-signaling", "port"};
  EXPECT_THROW(config_from_args(2, stray, help), ConfigError);
}

}  // namespace
}  // namespace fanout::sig

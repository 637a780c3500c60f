#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fanout::sig {

// Everything the signaling server can be told. Defaults serve a local demo: plain HTTP/WS on
// loopback. The config file is JSON with the same sections as below; `--section.key=value` on the
// command line overrides any key.
struct ServerConfig {
  // listen
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 picks an ephemeral port (tests)
  unsigned io_threads = 2;

  // tls: both set = TLS (https/wss) on the same port.
  std::string tls_certificate;   // PEM chain file
  std::string tls_private_key;   // PEM key file
  bool tls_allow_plain = false;  // also accept plain connections when TLS is on

  // http
  std::string static_dir;  // empty = no static files
  std::size_t http_body_limit = 64 * 1024;
  std::chrono::milliseconds http_timeout{30'000};  // TLS handshake + request read, keep-alive idle

  // websocket
  std::size_t ws_read_message_max = 64 * 1024;
  std::chrono::milliseconds ws_handshake_timeout{10'000};  // also bounds the closing handshake
  std::chrono::milliseconds ws_idle_timeout{30'000};       // pings at half, closes when silent
  std::size_t ws_write_queue_messages = 1024;
  std::size_t ws_write_queue_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds ws_close_timeout{2'000};  // slow consumer: wait this long for a write
  std::vector<std::string> allowed_origins;           // empty = any origin, only on a loopback bind

  // rate_limit (per connection token bucket)
  double rate_limit_per_second = 50;
  double rate_limit_burst = 100;
  unsigned rate_limit_close_after = 50;  // consecutive refused requests before closing

  // controlplane
  std::string controlplane_socket = "/run/fanout/controlplane.sock";

  // auth
  std::string auth_secret;   // HS256 key for join tokens, at least 32 bytes
  bool auth_open = false;    // local demo only: join without a token
  std::string auth_api_key;  // REST API bearer key; empty = REST API off

  // rooms
  std::size_t rooms_max_peers_per_room = 100;
  std::size_t rooms_max_producers_per_peer = 4;
  unsigned rooms_grace_seconds = 30;

  bool tls_enabled() const { return !tls_certificate.empty() && !tls_private_key.empty(); }
};

// A config mistake; what() names the key ("websocket.idle_timeout_ms: expected ...").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a parsed config document; unknown keys are errors so that typos do not pass silently.
ServerConfig config_from_json(const boost::json::value& root);

// What a parsed config may still lack to start: a join-token secret unless in open mode. Throws
// ConfigError naming the key.
void check_startable(const ServerConfig& config);

// Sets `section.key=value` in `root`; value is parsed as JSON when it is valid JSON, else taken
// as a string (so --listen.address=0.0.0.0 works without quotes).
void apply_override(boost::json::object& root, std::string_view assignment);

// Command line: [--config FILE] [--section.key=value ...]. Throws ConfigError; `help` is set
// when --help was given.
ServerConfig config_from_args(int argc, const char* const* argv, bool& help);

std::string config_usage();

}  // namespace fanout::sig

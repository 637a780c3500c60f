#include "signaling/server/config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

namespace fanout::sig {
namespace {

namespace json = boost::json;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw ConfigError("config: " + key + ": " + what);
}

std::uint64_t get_uint(const json::value& v, const std::string& key, std::uint64_t lo,
                       std::uint64_t hi) {
  std::uint64_t n = 0;
  if (v.is_uint64()) {
    n = v.get_uint64();
  } else if (v.is_int64() && v.get_int64() >= 0) {
    n = static_cast<std::uint64_t>(v.get_int64());
  } else {
    fail(key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                  "], got " + json::serialize(v));
  }
  if (n < lo || n > hi) {
    fail(key, "value " + std::to_string(n) + " is out of range [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
  }
  return n;
}

double get_positive(const json::value& v, const std::string& key) {
  if (!v.is_number()) fail(key, "expected a number, got " + json::serialize(v));
  const double d = v.to_number<double>();
  if (!(d > 0)) fail(key, "expected a positive number, got " + json::serialize(v));
  return d;
}

std::string get_string(const json::value& v, const std::string& key) {
  if (!v.is_string()) fail(key, "expected a string, got " + json::serialize(v));
  return std::string(v.get_string());
}

bool get_bool(const json::value& v, const std::string& key) {
  if (!v.is_bool()) fail(key, "expected true or false, got " + json::serialize(v));
  return v.get_bool();
}

std::chrono::milliseconds get_ms(const json::value& v, const std::string& key) {
  return std::chrono::milliseconds(get_uint(v, key, 1, 24ull * 3600 * 1000));
}

using Setter = std::function<void(ServerConfig&, const json::value&, const std::string&)>;

const std::map<std::string, std::map<std::string, Setter>>& schema() {
  static const std::map<std::string, std::map<std::string, Setter>> kSchema = {
      {"listen",
       {
           {"address", [](ServerConfig& c, const json::value& v,
                          const std::string& k) { c.listen_address = get_string(v, k); }},
           {"port",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.listen_port = static_cast<std::uint16_t>(get_uint(v, k, 0, 65535));
            }},
           {"io_threads",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.io_threads = static_cast<unsigned>(get_uint(v, k, 1, 256));
            }},
       }},
      {"tls",
       {
           {"certificate", [](ServerConfig& c, const json::value& v,
                              const std::string& k) { c.tls_certificate = get_string(v, k); }},
           {"private_key", [](ServerConfig& c, const json::value& v,
                              const std::string& k) { c.tls_private_key = get_string(v, k); }},
           {"allow_plain", [](ServerConfig& c, const json::value& v,
                              const std::string& k) { c.tls_allow_plain = get_bool(v, k); }},
       }},
      {"http",
       {
           {"static_dir", [](ServerConfig& c, const json::value& v,
                             const std::string& k) { c.static_dir = get_string(v, k); }},
           {"body_limit",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.http_body_limit = get_uint(v, k, 0, 64ull << 20);
            }},
           {"timeout_ms", [](ServerConfig& c, const json::value& v,
                             const std::string& k) { c.http_timeout = get_ms(v, k); }},
       }},
      {"websocket",
       {
           {"read_message_max",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.ws_read_message_max = get_uint(v, k, 1024, 64ull << 20);
            }},
           {"handshake_timeout_ms",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.ws_handshake_timeout = get_ms(v, k);
            }},
           {"idle_timeout_ms", [](ServerConfig& c, const json::value& v,
                                  const std::string& k) { c.ws_idle_timeout = get_ms(v, k); }},
           {"close_timeout_ms", [](ServerConfig& c, const json::value& v,
                                   const std::string& k) { c.ws_close_timeout = get_ms(v, k); }},
           {"write_queue_messages",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.ws_write_queue_messages = get_uint(v, k, 1, 1u << 20);
            }},
           {"write_queue_bytes",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.ws_write_queue_bytes = get_uint(v, k, 1024, 1ull << 30);
            }},
           {"allowed_origins",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              if (!v.is_array()) fail(k, "expected an array of strings, got " + json::serialize(v));
              c.allowed_origins.clear();
              for (std::size_t i = 0; i < v.get_array().size(); ++i) {
                c.allowed_origins.push_back(
                    get_string(v.get_array()[i], k + "[" + std::to_string(i) + "]"));
              }
            }},
       }},
      {"controlplane",
       {
           {"socket", [](ServerConfig& c, const json::value& v,
                         const std::string& k) { c.controlplane_socket = get_string(v, k); }},
       }},
      {"auth",
       {
           {"secret",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.auth_secret = get_string(v, k);
              // RFC 7518 §3.2: an HS256 key at least as long as the hash.
              if (!c.auth_secret.empty() && c.auth_secret.size() < 32) {
                fail(k, "shorter than 32 bytes; use e.g. `openssl rand -base64 48`");
              }
            }},
           {"open", [](ServerConfig& c, const json::value& v,
                       const std::string& k) { c.auth_open = get_bool(v, k); }},
           {"api_key",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.auth_api_key = get_string(v, k);
              if (!c.auth_api_key.empty() && c.auth_api_key.size() < 16) {
                fail(k, "shorter than 16 bytes; a bearer key must not be guessable");
              }
            }},
       }},
      {"rooms",
       {
           {"max_peers_per_room",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.rooms_max_peers_per_room = get_uint(v, k, 1, 100000);
            }},
           {"max_producers_per_peer",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.rooms_max_producers_per_peer = get_uint(v, k, 1, 64);
            }},
           {"grace_seconds",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.rooms_grace_seconds = static_cast<unsigned>(get_uint(v, k, 0, 3600));
            }},
       }},
      {"rate_limit",
       {
           {"requests_per_second",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.rate_limit_per_second = get_positive(v, k);
            }},
           {"burst", [](ServerConfig& c, const json::value& v,
                        const std::string& k) { c.rate_limit_burst = get_positive(v, k); }},
           {"close_after",
            [](ServerConfig& c, const json::value& v, const std::string& k) {
              c.rate_limit_close_after = static_cast<unsigned>(get_uint(v, k, 1, 1u << 20));
            }},
       }},
  };
  return kSchema;
}

}  // namespace

ServerConfig config_from_json(const json::value& root) {
  if (!root.is_object()) fail("(root)", "expected a JSON object");
  ServerConfig config;
  for (const auto& [section_name, section] : root.get_object()) {
    const std::string section_key(section_name);
    auto it = schema().find(section_key);
    if (it == schema().end()) fail(section_key, "unknown section");
    if (!section.is_object()) fail(section_key, "expected an object");
    for (const auto& [name, value] : section.get_object()) {
      const std::string key = section_key + "." + std::string(name);
      auto field = it->second.find(std::string(name));
      if (field == it->second.end()) fail(key, "unknown key");
      field->second(config, value, key);
    }
  }
  if (config.tls_certificate.empty() != config.tls_private_key.empty()) {
    fail("tls", "set both tls.certificate and tls.private_key, or neither");
  }
  if (config.rate_limit_burst < 1) fail("rate_limit.burst", "must be at least 1");
  return config;
}

void check_startable(const ServerConfig& config) {
  if (config.auth_secret.empty() && !config.auth_open) {
    fail("auth.secret",
         "empty: set the HS256 secret that signs join tokens (at least 32 bytes), or "
         "auth.open=true for a local demo without tokens");
  }
}

void apply_override(json::object& root, std::string_view assignment) {
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string_view::npos || dot == std::string_view::npos || dot > eq) {
    throw ConfigError("config: override '" + std::string(assignment) +
                      "': expected section.key=value (e.g. listen.port=8443)");
  }
  const std::string section(assignment.substr(0, dot));
  const std::string key(assignment.substr(dot + 1, eq - dot - 1));
  const std::string_view text = assignment.substr(eq + 1);
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) value = json::string(text);
  json::value& slot = root[section];
  if (!slot.is_object()) slot = json::object();
  slot.get_object()[key] = std::move(value);
}

ServerConfig config_from_args(int argc, const char* const* argv, bool& help) {
  help = false;
  json::object root;
  std::vector<std::string_view> overrides;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--config") {
      if (i + 1 >= argc) throw ConfigError("config: --config needs a file name");
      const std::string path = argv[++i];
      std::ifstream in(path);
      if (!in) throw ConfigError("config: cannot open '" + path + "'");
      std::stringstream text;
      text << in.rdbuf();
      boost::system::error_code ec;
      json::value doc = json::parse(text.str(), ec);
      if (ec) throw ConfigError("config: " + path + ": not valid JSON: " + ec.message());
      if (!doc.is_object()) throw ConfigError("config: " + path + ": expected a JSON object");
      root = std::move(doc.get_object());
    } else if (arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
      overrides.push_back(arg.substr(2));
    } else {
      throw ConfigError("config: unknown argument '" + std::string(arg) + "' (see --help)");
    }
  }
  // Overrides win over the file whatever their order on the command line.
  for (auto o : overrides) apply_override(root, o);
  return config_from_json(root);
}

std::string config_usage() {
  return "usage: fanout-signaling [--config FILE.json] [--section.key=value ...]\n"
         "  keys: listen.{address,port,io_threads}\n"
         "        tls.{certificate,private_key,allow_plain}\n"
         "        http.{static_dir,body_limit,timeout_ms}\n"
         "        websocket.{read_message_max,handshake_timeout_ms,idle_timeout_ms,\n"
         "                   close_timeout_ms,write_queue_messages,write_queue_bytes,\n"
         "                   allowed_origins}\n"
         "        rate_limit.{requests_per_second,burst,close_after}\n"
         "        controlplane.socket\n"
         "        auth.{secret,open,api_key}\n"
         "        rooms.{max_peers_per_room,max_producers_per_peer,grace_seconds}\n"
         "  example: fanout-signaling --listen.port=8443 --tls.certificate=cert.pem "
         "--tls.private_key=key.pem\n";
}

}  // namespace fanout::sig

#include "controlplane/config.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "controlplane/api/connection.hpp"

namespace fanout::cp {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The keys this program knows, by section: anything else is a typo to report, not to ignore.
const std::map<std::string, std::set<std::string>>& known_keys() {
  static const std::map<std::string, std::set<std::string>> keys = {
      {"controlplane",
       {"dataplane_socket", "api_socket", "api_tcp", "state_file", "certificate", "private_key",
        "log_level"}},
      {"webrtc", {"own_port", "announced_address"}},
  };
  return keys;
}

class Loader {
 public:
  Loader(const IniFile& ini, std::string& error) : ini_(ini), error_(error) {}

  std::string where(const std::string& section, const std::string& key, int line) const {
    std::string pos = line > 0 ? ini_.origin + ":" + std::to_string(line) : std::string("--set");
    return pos + ": " + section + "." + key + ": ";
  }

  bool fail(const std::string& section, const std::string& key, const std::string& reason) {
    error_ = where(section, key, line_of(section, key)) + reason;
    return false;
  }

  const IniFile::Value* get(const std::string& section, const std::string& key) const {
    auto s = ini_.sections.find(section);
    if (s == ini_.sections.end()) return nullptr;
    auto k = s->second.find(key);
    return k == s->second.end() ? nullptr : &k->second;
  }

  int line_of(const std::string& section, const std::string& key) const {
    const IniFile::Value* v = get(section, key);
    return v ? v->line : 0;
  }

  void text(const std::string& section, const std::string& key, std::string& out) const {
    if (const IniFile::Value* v = get(section, key)) out = v->text;
  }

  bool boolean(const std::string& section, const std::string& key, bool& out) {
    const IniFile::Value* v = get(section, key);
    if (!v) return true;
    if (v->text == "true" || v->text == "yes" || v->text == "on" || v->text == "1") {
      out = true;
    } else if (v->text == "false" || v->text == "no" || v->text == "off" || v->text == "0") {
      out = false;
    } else {
      return fail(section, key, "'" + v->text + "' is not a boolean (true or false)");
    }
    return true;
  }

  bool socket_path(const std::string& section, const std::string& key, std::string& out) {
    text(section, key, out);
    if (out.empty()) return fail(section, key, "must not be empty");
    if (out.size() >= sizeof(sockaddr_un::sun_path)) {
      return fail(section, key,
                  "'" + out + "' is longer than " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                      " bytes (the limit of a Unix socket path)");
    }
    return true;
  }

  bool check_unknown() {
    for (const auto& [section, keys] : ini_.sections) {
      auto known = known_keys().find(section);
      if (known == known_keys().end()) {
        int line = keys.empty() ? 0 : keys.begin()->second.line;
        std::string pos = keys.empty() ? ini_.origin
                          : line > 0   ? ini_.origin + ":" + std::to_string(line)
                                       : std::string("--set");
        error_ = pos + ": [" + section +
                 "]: unknown section (expected [controlplane] or [webrtc]; see "
                 "deploy/controlplane.conf)";
        return false;
      }
      for (const auto& [key, value] : keys) {
        if (known->second.count(key) == 0) {
          return fail(section, key, "unknown key (see deploy/controlplane.conf for the keys)");
        }
      }
    }
    return true;
  }

 private:
  const IniFile& ini_;
  std::string& error_;
};

}  // namespace

bool parse_ini(const std::string& text, const std::string& origin, IniFile& out,
               std::string& error) {
  out.origin = origin;
  std::istringstream in(text);
  std::string line;
  std::string section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    const std::string at = origin + ":" + std::to_string(n) + ": ";
    if (t[0] == '[') {
      if (t.back() != ']' || t.size() < 3) {
        error = at + "malformed section header '" + t + "'";
        return false;
      }
      section = trim(t.substr(1, t.size() - 2));
      out.sections[section];
      continue;
    }
    size_t eq = t.find('=');
    if (eq == std::string::npos) {
      error = at + "expected 'key = value', got '" + t + "'";
      return false;
    }
    std::string key = trim(t.substr(0, eq));
    if (key.empty()) {
      error = at + "empty key";
      return false;
    }
    if (section.empty()) {
      error = at + key + ": key outside a section (put it under [controlplane] or [webrtc])";
      return false;
    }
    auto& keys = out.sections[section];
    if (auto it = keys.find(key); it != keys.end()) {
      error = at + section + "." + key + ": set twice (first on line " +
              std::to_string(it->second.line) + ")";
      return false;
    }
    keys[key] = IniFile::Value{trim(t.substr(eq + 1)), n};
  }
  return true;
}

bool read_ini_file(const std::string& path, IniFile& out, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = "cannot read config file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_ini(ss.str(), path, out, error);
}

bool apply_override(const std::string& assignment, IniFile& ini, std::string& error) {
  size_t eq = assignment.find('=');
  size_t dot = eq == std::string::npos ? std::string::npos : assignment.rfind('.', eq);
  if (eq == std::string::npos || dot == std::string::npos || dot == 0 || dot + 1 == eq) {
    error = "--set " + assignment +
            ": expected section.key=value (e.g. controlplane.api_tcp=127.0.0.1:4100)";
    return false;
  }
  std::string section = trim(assignment.substr(0, dot));
  std::string key = trim(assignment.substr(dot + 1, eq - dot - 1));
  ini.sections[section][key] = IniFile::Value{trim(assignment.substr(eq + 1)), 0};
  return true;
}

bool load_config(const IniFile& ini, ControlplaneConfig& c, std::string& error) {
  Loader l(ini, error);
  if (!l.check_unknown()) return false;
  const std::string cp = "controlplane";
  if (!l.socket_path(cp, "dataplane_socket", c.dataplane_socket)) return false;
  if (!l.socket_path(cp, "api_socket", c.api_socket)) return false;
  l.text(cp, "api_tcp", c.api_tcp);
  if (!c.api_tcp.empty()) {
    std::string host;
    uint16_t port = 0;
    std::string why = api::parse_host_port(c.api_tcp, host, port);
    if (!why.empty()) return l.fail(cp, "api_tcp", why);
  }
  l.text(cp, "state_file", c.state_file);
  l.text(cp, "certificate", c.certificate);
  l.text(cp, "private_key", c.private_key);
  if (c.certificate.empty() != c.private_key.empty()) {
    return l.fail(cp, c.certificate.empty() ? "private_key" : "certificate",
                  "set both certificate and private_key, or neither (a certificate is then "
                  "generated at start)");
  }
  l.text(cp, "log_level", c.log_level);
  if (c.log_level != "error" && c.log_level != "warn" && c.log_level != "info" &&
      c.log_level != "debug") {
    return l.fail(cp, "log_level", "'" + c.log_level + "' is not one of error, warn, info, debug");
  }
  const std::string w = "webrtc";
  if (!l.boolean(w, "own_port", c.own_port)) return false;
  l.text(w, "announced_address", c.announced_address);
  if (!c.announced_address.empty()) {
    unsigned char buf[16];
    if (::inet_pton(AF_INET, c.announced_address.c_str(), buf) != 1 &&
        ::inet_pton(AF_INET6, c.announced_address.c_str(), buf) != 1) {
      return l.fail(w, "announced_address",
                    "'" + c.announced_address + "' is not an IPv4 or IPv6 address");
    }
  }
  return true;
}

}  // namespace fanout::cp

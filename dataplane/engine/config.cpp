#include "dataplane/engine/config.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace fanout::dp {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    cur = trim(cur);
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

class Loader {
 public:
  Loader(const IniFile& ini, std::string* error) : ini_(ini), error_(error) {}

  std::string where(const std::string& section, const std::string& key) const {
    auto s = ini_.sections.find(section);
    int line = 0;
    if (s != ini_.sections.end()) {
      auto k = s->second.find(key);
      if (k != s->second.end()) line = k->second.line;
    }
    std::string pos = ini_.origin;
    if (line > 0) pos += ":" + std::to_string(line);
    return pos + ": " + (section.empty() ? key : section + "." + key) + ": ";
  }

  const IniFile::Value* get(const std::string& section, const std::string& key) {
    used_[section].insert(key);
    auto s = ini_.sections.find(section);
    if (s == ini_.sections.end()) return nullptr;
    auto k = s->second.find(key);
    return k == s->second.end() ? nullptr : &k->second;
  }

  template <typename T>
  bool number(const std::string& section, const std::string& key, T* out, uint64_t min,
              uint64_t max) {
    const IniFile::Value* v = get(section, key);
    if (!v) return true;
    uint64_t n = 0;
    const char* b = v->text.data();
    const char* e = b + v->text.size();
    auto [p, ec] = std::from_chars(b, e, n);
    if (ec != std::errc() || p != e) return fail(section, key, "'" + v->text + "' is not a number");
    if (n < min || n > max) {
      return fail(section, key,
                  std::to_string(n) + " is out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
    }
    *out = static_cast<T>(n);
    return true;
  }

  bool text(const std::string& section, const std::string& key, std::string* out) {
    const IniFile::Value* v = get(section, key);
    if (v) *out = v->text;
    return true;
  }

  bool boolean(const std::string& section, const std::string& key, bool* out) {
    const IniFile::Value* v = get(section, key);
    if (!v) return true;
    if (v->text == "true" || v->text == "yes" || v->text == "1") {
      *out = true;
    } else if (v->text == "false" || v->text == "no" || v->text == "0") {
      *out = false;
    } else {
      return fail(section, key, "'" + v->text + "' is not true or false");
    }
    return true;
  }

  bool addresses(const std::string& section, const std::string& key, int family,
                 std::vector<std::string>* out) {
    const IniFile::Value* v = get(section, key);
    if (!v) return true;
    for (const std::string& a : split(v->text, ',')) {
      unsigned char buf[16];
      if (inet_pton(family, a.c_str(), buf) != 1) {
        return fail(section, key,
                    "'" + a + "' is not an IPv" + (family == AF_INET ? "4" : "6") + " address");
      }
      out->push_back(a);
    }
    return true;
  }

  bool fail(const std::string& section, const std::string& key, const std::string& what) {
    *error_ = where(section, key) + what;
    return false;
  }

  // Every key present in the file must have been read: a typo stops start-up.
  bool check_unknown() {
    for (const auto& [section, keys] : ini_.sections) {
      auto u = used_.find(section);
      for (const auto& [key, value] : keys) {
        if (u == used_.end() || !u->second.count(key)) {
          return fail(section, key, "unknown key (see deploy/dataplane.conf for the keys)");
        }
      }
    }
    return true;
  }

 private:
  const IniFile& ini_;
  std::string* error_;
  std::map<std::string, std::set<std::string>> used_;
};

}  // namespace

bool parse_ini(const std::string& text, const std::string& origin, IniFile* out,
               std::string* error) {
  out->origin = origin;
  std::istringstream in(text);
  std::string line;
  std::string section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t[0] == '[') {
      if (t.back() != ']' || t.size() < 3) {
        *error = origin + ":" + std::to_string(n) + ": malformed section header '" + t + "'";
        return false;
      }
      section = trim(t.substr(1, t.size() - 2));
      out->sections[section];
      continue;
    }
    size_t eq = t.find('=');
    if (eq == std::string::npos) {
      *error = origin + ":" + std::to_string(n) + ": expected 'key = value', got '" + t + "'";
      return false;
    }
    std::string key = trim(t.substr(0, eq));
    std::string value = trim(t.substr(eq + 1));
    if (key.empty()) {
      *error = origin + ":" + std::to_string(n) + ": empty key";
      return false;
    }
    auto& keys = out->sections[section];
    if (keys.count(key)) {
      *error = origin + ":" + std::to_string(n) + ": " + (section.empty() ? "" : section + ".") +
               key + ": set twice (first on line " + std::to_string(keys[key].line) + ")";
      return false;
    }
    keys[key] = IniFile::Value{value, n};
  }
  return true;
}

bool read_ini_file(const std::string& path, IniFile* out, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = "cannot read config file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_ini(ss.str(), path, out, error);
}

bool apply_override(const std::string& assignment, IniFile* ini, std::string* error) {
  size_t eq = assignment.find('=');
  size_t dot = assignment.rfind('.', eq);
  if (eq == std::string::npos || dot == std::string::npos || dot == 0) {
    *error = "--set " + assignment + ": expected section.key=value (e.g. port.0.ipv4=198.18.0.2)";
    return false;
  }
  std::string section = assignment.substr(0, dot);
  std::string key = assignment.substr(dot + 1, eq - dot - 1);
  ini->sections[section][key] = IniFile::Value{trim(assignment.substr(eq + 1)), 0};
  return true;
}

bool load_config(const IniFile& ini, DataplaneConfig* c, std::string* error) {
  Loader l(ini, error);
  const std::string d = "dataplane";
  std::string eal;
  if (!l.text("eal", "args", &eal)) return false;
  for (const std::string& a : split(eal, ' ')) c->eal_args.push_back(a);
  constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
  if (!l.text(d, "ipc_socket", &c->ipc_socket) || !l.text(d, "log_level", &c->log_level) ||
      !l.number(d, "mbufs", &c->mbufs, 1023, kU32) ||
      !l.number(d, "mbuf_cache", &c->mbuf_cache, 0, 512) ||
      !l.number(d, "ring_size", &c->ring_size, 64, 1 << 20) ||
      !l.number(d, "rx_desc", &c->rx_desc, 64, 16384) ||
      !l.number(d, "tx_desc", &c->tx_desc, 64, 16384) ||
      !l.number(d, "max_transports", &c->max_transports, 1, 1 << 22) ||
      !l.number(d, "max_producers", &c->max_producers, 1, 1 << 22) ||
      !l.number(d, "max_consumers", &c->max_consumers, 1, 1 << 24) ||
      !l.number(d, "unknown_source_pps", &c->unknown_source_pps, 0, kU32) ||
      !l.number(d, "unknown_source_per_source_pps", &c->unknown_source_per_source_pps, 0, kU32) ||
      !l.number(d, "stun_per_source_pps", &c->stun_per_source_pps, 0, kU32) ||
      !l.number(d, "keyframe_min_interval_ms", &c->keyframe_min_interval_ms, 0, 60000) ||
      !l.number(d, "ice_consent_timeout_ms", &c->ice_consent_timeout_ms, 1000, 600000) ||
      !l.number(d, "ipc_max_message", &c->ipc_max_message, 4096, 64u << 20)) {
    return false;
  }
  if ((c->ring_size & (c->ring_size - 1)) != 0) {
    return l.fail(d, "ring_size", std::to_string(c->ring_size) + " is not a power of two");
  }
  static const std::set<std::string> kLevels = {"debug", "info", "notice", "warning", "error"};
  if (!kLevels.count(c->log_level)) {
    return l.fail(d, "log_level",
                  "'" + c->log_level +
                      "' is not one of debug, info, notice, "
                      "warning, error");
  }

  for (const auto& [section, keys] : ini.sections) {
    if (section.rfind("port.", 0) != 0) {
      if (section != "" && section != "eal" && section != d) {
        *error = ini.origin + ": [" + section +
                 "]: unknown section (expected [eal], [dataplane], "
                 "[port.N])";
        return false;
      }
      continue;
    }
    PortConfig p;
    std::string idx = section.substr(5);
    uint32_t n = 0;
    auto [ptr, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), n);
    if (ec != std::errc() || ptr != idx.data() + idx.size() || n > 63) {
      *error = ini.origin + ": [" + section + "]: port sections are [port.0] .. [port.63]";
      return false;
    }
    p.index = static_cast<uint16_t>(n);
    if (!l.text(section, "device", &p.device) || !l.text(section, "devargs", &p.devargs) ||
        !l.addresses(section, "ipv4", AF_INET, &p.ipv4) ||
        !l.addresses(section, "ipv6", AF_INET6, &p.ipv6) ||
        !l.text(section, "announced_ip", &p.announced_ip) ||
        !l.number(section, "ice_port", &p.ice_port, 1, 65535) ||
        !l.number(section, "udp_port_min", &p.udp_port_min, 1, 65535) ||
        !l.number(section, "udp_port_max", &p.udp_port_max, 1, 65535) ||
        !l.number(section, "mtu", &p.mtu, 576, 9000) ||
        !l.boolean(section, "promiscuous", &p.promiscuous)) {
      return false;
    }
    if (p.device.empty())
      return l.fail(section, "device", "missing (e.g. net_tap0 or 0000:3b:00.0)");
    if (p.ipv4.empty() && p.ipv6.empty()) {
      return l.fail(section, "ipv4", "a port needs at least one ipv4 or ipv6 address");
    }
    if (p.udp_port_min > p.udp_port_max) {
      return l.fail(section, "udp_port_min", "greater than udp_port_max");
    }
    if (p.ice_port >= p.udp_port_min && p.ice_port <= p.udp_port_max) {
      return l.fail(section, "ice_port", "inside udp_port_min..udp_port_max");
    }
    if (p.announced_ip.empty()) p.announced_ip = p.ipv4.empty() ? p.ipv6[0] : p.ipv4[0];
    c->ports.push_back(p);
  }
  if (c->ports.empty()) {
    *error = ini.origin + ": no [port.N] section: the data plane needs at least one port";
    return false;
  }
  for (size_t i = 0; i < c->ports.size(); ++i) {
    if (c->ports[i].index != i) {
      *error = ini.origin + ": [port." + std::to_string(i) +
               "] missing: ports are numbered from 0 "
               "without gaps";
      return false;
    }
  }
  return l.check_unknown();
}

}  // namespace fanout::dp

// fanout-controlplane configuration: an INI file (the syntax of deploy/dataplane.conf) plus
// `--set section.key=value` overrides. Unknown sections and keys are refused; every error names
// where it came from: "FILE:LINE: section.key: reason" (or "--set section.key: reason").
#pragma once

#include <map>
#include <string>

namespace fanout::cp {

struct IniFile {
  struct Value {
    std::string text;
    int line = 0;  // 0: from a --set override
  };
  std::string origin;  // the file name, for errors
  std::map<std::string, std::map<std::string, Value>> sections;
};

// `origin` names the text in errors. False with `error` set on a syntax error.
bool parse_ini(const std::string& text, const std::string& origin, IniFile& out,
               std::string& error);
bool read_ini_file(const std::string& path, IniFile& out, std::string& error);
// "section.key=value" on top of `ini` (later ones win).
bool apply_override(const std::string& assignment, IniFile& ini, std::string& error);

struct ControlplaneConfig {
  // [controlplane]
  std::string dataplane_socket = "/run/fanout/dataplane.sock";
  std::string api_socket = "/run/fanout/controlplane.sock";
  std::string api_tcp;  // host:port; empty = no TCP listener
  std::string state_file = "/run/fanout/controlplane.state";
  std::string certificate;  // PEM files; both empty = an ECDSA P-256 certificate made at start
  std::string private_key;
  std::string log_level = "info";  // error, warn, info, debug
  // [webrtc]
  bool own_port = false;          // default for transports: a UDP port of their own
  std::string announced_address;  // empty: the data plane port's first address
};

// Validates and fills `out` (which keeps its defaults for absent keys).
bool load_config(const IniFile& ini, ControlplaneConfig& out, std::string& error);

}  // namespace fanout::cp

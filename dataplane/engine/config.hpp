// fanout-dataplane configuration: an INI file plus `--set section.key=value` overrides. Every
// error names the file, line and key so that start-up stops with a message an operator can act on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fanout::dp {

// Parsed INI: section -> key -> (value, line). Keys outside a section belong to "".
struct IniFile {
  struct Value {
    std::string text;
    int line = 0;
  };
  std::map<std::string, std::map<std::string, Value>> sections;
  std::string origin;  // file name for messages
};

// Parses INI text ("[section]", "key = value", '#' or ';' comments). Returns false with `error`.
bool parse_ini(const std::string& text, const std::string& origin, IniFile* out,
               std::string* error);

struct PortConfig {
  uint16_t index = 0;             // [port.N]
  std::string device;             // PCI address or vdev name (net_tap0, net_memif0, net_ring0, ...)
  std::string devargs;            // vdev arguments, e.g. "iface=fanout0" for net_tap
  std::vector<std::string> ipv4;  // our addresses on this port (ARP, STUN, media)
  std::vector<std::string> ipv6;
  std::string announced_ip;   // what the control plane puts in ICE candidates (default: first ip)
  uint16_t ice_port = 40000;  // the shared ICE/media port, demultiplexed by ICE ufrag
  uint16_t udp_port_min = 40001;  // per-transport ports (when the control plane asks for one)
  uint16_t udp_port_max = 49999;
  uint16_t mtu = 1500;
  bool promiscuous = false;
};

struct DataplaneConfig {
  std::vector<std::string> eal_args;  // [eal] args, split on spaces; command-line args come after
  std::string ipc_socket = "/run/fanout/dataplane.sock";
  uint32_t mbufs = 32767;  // per NUMA socket pool
  uint32_t mbuf_cache = 256;
  uint32_t ring_size = 2048;  // handoff rings between lcores (power of two)
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  uint32_t max_transports = 4096;
  uint32_t max_producers = 16384;
  uint32_t max_consumers = 65536;
  uint32_t unknown_source_pps = 2000;  // per lcore: unknown-source packets sent to the slow path
  uint32_t unknown_source_per_source_pps = 50;  // per source address and lcore
  uint32_t stun_per_source_pps = 200;           // per source address and lcore (browsers: ~50)
  uint32_t keyframe_min_interval_ms = 500;
  // RFC 7675: no successful ICE check on the selected tuple for this long -> stop sending there
  uint32_t ice_consent_timeout_ms = 30000;
  uint32_t ipc_max_message = 1 << 20;
  std::string log_level = "info";
  std::vector<PortConfig> ports;
};

// Builds the config from parsed INI. Unknown sections or keys, bad numbers, bad addresses and
// inconsistent values are errors naming the key ("dataplane.conf:12: port.0.ipv4: ...").
bool load_config(const IniFile& ini, DataplaneConfig* out, std::string* error);

// Applies "section.key=value" on top of `ini` (command-line overrides).
bool apply_override(const std::string& assignment, IniFile* ini, std::string* error);

// Reads and parses a file; the error names the file when it cannot be read.
bool read_ini_file(const std::string& path, IniFile* out, std::string* error);

}  // namespace fanout::dp

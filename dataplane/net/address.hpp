// IP addresses and UDP 5-tuples in a fixed, fully zero-filled layout, so the engine can hash and
// compare them as raw bytes (an rte_hash key) without normalising first.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace fanout::dp::net {

inline constexpr uint8_t kFamilyV4 = 4;
inline constexpr uint8_t kFamilyV6 = 6;

struct IpAddr {
  uint8_t family = 0;  // kFamilyV4, kFamilyV6, or 0 when unset
  uint8_t pad[3] = {};
  uint8_t bytes[16] = {};  // network order; IPv4 uses the first 4, the rest stay zero

  static IpAddr v4(const uint8_t* network_order) {
    IpAddr a;
    a.family = kFamilyV4;
    std::memcpy(a.bytes, network_order, 4);
    return a;
  }
  static IpAddr v6(const uint8_t* network_order) {
    IpAddr a;
    a.family = kFamilyV6;
    std::memcpy(a.bytes, network_order, 16);
    return a;
  }
  // 192.0.2.1 is v4_host(0xc0000201).
  static IpAddr v4_host(uint32_t host_order) {
    const uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24),
                          static_cast<uint8_t>(host_order >> 16),
                          static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
    return v4(b);
  }
  size_t size() const { return family == kFamilyV6 ? 16 : (family == kFamilyV4 ? 4 : 0); }

  friend bool operator==(const IpAddr&, const IpAddr&) = default;
};

// Local and remote are from the data plane's point of view (on receive, local = destination).
struct Tuple {
  IpAddr local;
  IpAddr remote;
  uint16_t local_port = 0;  // host order
  uint16_t remote_port = 0;

  friend bool operator==(const Tuple&, const Tuple&) = default;
};

static_assert(sizeof(IpAddr) == 20);
static_assert(sizeof(Tuple) == 44);
static_assert(std::has_unique_object_representations_v<IpAddr>);
static_assert(std::has_unique_object_representations_v<Tuple>);
static_assert(std::is_trivially_copyable_v<Tuple>);

struct Endpoint {
  IpAddr addr;
  uint16_t port = 0;  // host order
};

// The port's own addresses are a handful: a linear scan is faster than any lookup structure.
inline bool contains(std::span<const IpAddr> set, const IpAddr& a) {
  for (const IpAddr& x : set) {
    if (x == a) return true;
  }
  return false;
}

// Slow path (control, logs, config). "198.18.0.2", "::1".
std::string format_addr(const IpAddr& a);
// "198.18.0.2:4443", "[::1]:5000".
std::string format_endpoint(const IpAddr& a, uint16_t port);
// "local -> remote" with both endpoints formatted.
std::string format_tuple(const Tuple& t);

std::optional<IpAddr> parse_addr(std::string_view text);
// Accepts "a.b.c.d:port" and "[v6]:port"; port 0..65535.
std::optional<Endpoint> parse_endpoint(std::string_view text);

}  // namespace fanout::dp::net

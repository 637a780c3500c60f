#include "dataplane/net/address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace fanout::dp::net {

std::string format_addr(const IpAddr& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.family == kFamilyV4) {
    inet_ntop(AF_INET, a.bytes, buf, sizeof(buf));
  } else if (a.family == kFamilyV6) {
    inet_ntop(AF_INET6, a.bytes, buf, sizeof(buf));
  } else {
    return "<unset>";
  }
  return buf;
}

std::string format_endpoint(const IpAddr& a, uint16_t port) {
  if (a.family == kFamilyV6) return "[" + format_addr(a) + "]:" + std::to_string(port);
  return format_addr(a) + ":" + std::to_string(port);
}

std::string format_tuple(const Tuple& t) {
  return format_endpoint(t.local, t.local_port) + " -> " + format_endpoint(t.remote, t.remote_port);
}

std::optional<IpAddr> parse_addr(std::string_view text) {
  // inet_pton needs a NUL-terminated string; addresses are short.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddr a;
  if (inet_pton(AF_INET, buf, a.bytes) == 1) {
    a.family = kFamilyV4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes) == 1) {
    a.family = kFamilyV6;
    return a;
  }
  return std::nullopt;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous with a port: refuse it.
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 0xffff) {
    return std::nullopt;
  }
  auto addr = parse_addr(host);
  if (!addr) return std::nullopt;
  if (text.front() == '[' && addr->family != kFamilyV6) return std::nullopt;
  return Endpoint{*addr, static_cast<uint16_t>(value)};
}

}  // namespace fanout::dp::net

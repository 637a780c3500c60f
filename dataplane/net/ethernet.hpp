// Wire constants for the L2-L4 headers the data plane parses and builds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fanout::dp::net {

inline constexpr size_t kMacLen = 6;
inline constexpr size_t kEthHeaderLen = 14;
inline constexpr size_t kVlanTagLen = 4;
inline constexpr size_t kIpv4HeaderLen = 20;  // without options
inline constexpr size_t kIpv6HeaderLen = 40;
inline constexpr size_t kUdpHeaderLen = 8;
inline constexpr size_t kArpLen = 28;  // Ethernet/IPv4 ARP body
inline constexpr size_t kIcmpHeaderLen = 8;

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpv6 = 58;

}  // namespace fanout::dp::net

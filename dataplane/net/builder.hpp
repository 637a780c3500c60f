// Writes Ethernet (+ optional 802.1Q) + IPv4/IPv6 + UDP headers for a transmitted datagram into
// headroom the engine reserved in front of the payload.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataplane/net/address.hpp"
#include "dataplane/net/ethernet.hpp"

namespace fanout::dp::net {

struct TxL2 {
  uint8_t dst_mac[kMacLen] = {};
  uint8_t src_mac[kMacLen] = {};
  bool vlan = false;
  uint16_t vlan_tci = 0;
  uint8_t ttl = 64;  // IPv4 TTL / IPv6 hop limit
  uint8_t dscp = 0;  // e.g. 46 (EF) for audio, RFC 8837
};

enum BuildFlags : uint32_t {
  kBuildDefault = 0,
  // Leave the IPv4 header checksum 0 for RTE_MBUF_F_TX_IP_CKSUM.
  kOffloadIpv4Checksum = 1u << 0,
  // Store only the pseudo header sum in the UDP checksum field, as RTE_MBUF_F_TX_UDP_CKSUM expects
  // (rte_ipv4_phdr_cksum / rte_ipv6_phdr_cksum).
  kOffloadUdpChecksum = 1u << 1,
};

// Bytes of headers in front of the UDP payload.
constexpr size_t udp_headers_size(uint8_t family, bool vlan = false) {
  return kEthHeaderLen + (vlan ? kVlanTagLen : 0) +
         (family == kFamilyV6 ? kIpv6HeaderLen : kIpv4HeaderLen) + kUdpHeaderLen;
}

// Writes the headers at out[0, udp_headers_size) for a datagram from t.local:t.local_port to
// t.remote:t.remote_port. `payload` need not follow the headers in memory (it can be a chained
// segment); it is only read for the UDP checksum. Returns the header size, or 0 when cap is too
// small, the families differ or are unset, or the datagram would exceed 65535 bytes.
size_t build_udp_headers(uint8_t* out, size_t cap, const Tuple& t, const TxL2& l2,
                         const uint8_t* payload, size_t payload_len,
                         uint32_t flags = kBuildDefault);

// Same, with the payload's checksum sum precomputed (csum_add over every segment in order), for a
// payload spread over several buffers.
size_t build_udp_headers_presummed(uint8_t* out, size_t cap, const Tuple& t, const TxL2& l2,
                                   size_t payload_len, uint64_t payload_sum,
                                   uint32_t flags = kBuildDefault);

}  // namespace fanout::dp::net

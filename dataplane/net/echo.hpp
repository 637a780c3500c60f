// ICMP (RFC 792) and ICMPv6 (RFC 4443 §4) echo responder, so operators can ping the data plane.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dataplane/common/drop_reasons.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/net/packet.hpp"

namespace fanout::dp::net {

inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpv6EchoRequest = 128;
inline constexpr uint8_t kIcmpv6EchoReply = 129;

// For a frame parse_frame returned as kIcmpv4 or kIcmpv6: when it is an echo request (code 0,
// valid checksum) to one of `ours` (unicast only: no broadcast or multicast pings) from a unicast
// source (not multicast, broadcast, 0.0.0.0/8 or ::), turns it into
// the echo reply in place (addresses and MACs swapped, TTL/hop limit 64, checksums recomputed,
// identifier, sequence and data echoed) and returns nullopt. Otherwise kIcmpIgnored, untouched.
std::optional<Drop> echo_reply_in_place(uint8_t* frame, size_t len, const PacketView& view,
                                        const uint8_t our_mac[6], std::span<const IpAddr> ours);

}  // namespace fanout::dp::net

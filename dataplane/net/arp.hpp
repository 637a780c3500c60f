// ARP responder (RFC 826): the data plane owns its IPv4 addresses, so it answers for them itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dataplane/common/drop_reasons.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/net/packet.hpp"

namespace fanout::dp::net {

// For a frame that parse_frame returned as FrameKind::kArp: when it is an Ethernet/IPv4 request
// whose target protocol address is one of `ours`, rewrites the frame in place into the reply
// (same length, VLAN tag kept) and returns nullopt: transmit it back. Otherwise kArpIgnored and
// the frame is untouched.
std::optional<Drop> arp_reply_in_place(uint8_t* frame, size_t len, const PacketView& view,
                                       const uint8_t our_mac[6], std::span<const IpAddr> ours);

}  // namespace fanout::dp::net

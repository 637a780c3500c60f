// IPv6 Neighbor Discovery responder (RFC 4861): answers a Neighbor Solicitation for one of our
// addresses with a Neighbor Advertisement carrying our link-layer address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dataplane/common/drop_reasons.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/net/packet.hpp"

namespace fanout::dp::net {

inline constexpr uint8_t kIcmpv6NeighborSolicit = 135;
inline constexpr uint8_t kIcmpv6NeighborAdvert = 136;
inline constexpr size_t kNeighborAdvertIcmpLen = 32;  // 24-byte message + 8-byte target LLA option

// Size of the advertisement frame written for a solicitation with or without a VLAN tag.
constexpr size_t neighbor_advert_size(bool vlan) {
  return 14 + (vlan ? 4 : 0) + 40 + kNeighborAdvertIcmpLen;
}

// For a frame parse_frame returned as kIcmpv6: when it is a Neighbor Solicitation that passes
// RFC 4861 §7.1.1 validation (hop limit 255, code 0, length >= 24, valid checksum, target not
// multicast, no zero-length option, and from the unspecified address only to a solicited-node
// address without a source link-layer option) whose target is one of `ours`, writes the
// advertisement (RFC 4861 §7.2.4: S flag unless answering DAD, O flag, target link-layer address
// option, to the all-nodes group when the source was unspecified) into out[0, out_len) and returns
// nullopt. `out` may be `frame` itself (the advertisement can be 8 bytes longer than a
// solicitation without options). Otherwise kIcmpIgnored.
std::optional<Drop> neighbor_advert_for(const uint8_t* frame, size_t len, const PacketView& view,
                                        const uint8_t our_mac[6], std::span<const IpAddr> ours,
                                        uint8_t* out, size_t cap, size_t& out_len);

}  // namespace fanout::dp::net

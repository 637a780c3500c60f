#include "dataplane/net/arp.hpp"

#include <cstring>

#include "dataplane/net/bytes.hpp"
#include "dataplane/net/ethernet.hpp"

namespace fanout::dp::net {

std::optional<Drop> arp_reply_in_place(uint8_t* frame, size_t len, const PacketView& view,
                                       const uint8_t our_mac[6], std::span<const IpAddr> ours) {
  if (view.kind != FrameKind::kArp || len < size_t{view.l3_offset} + kArpLen) {
    return Drop::kArpIgnored;
  }
  uint8_t* arp = frame + view.l3_offset;
  // htype Ethernet, ptype IPv4, hlen 6, plen 4, op request.
  if (load_be16(arp) != 1 || load_be16(arp + 2) != kEtherTypeIpv4 || arp[4] != 6 || arp[5] != 4 ||
      load_be16(arp + 6) != 1) {
    return Drop::kArpIgnored;
  }
  const IpAddr target = IpAddr::v4(arp + 24);
  if (!contains(ours, target)) return Drop::kArpIgnored;

  uint8_t sender_mac[6];
  uint8_t sender_ip[4];
  std::memcpy(sender_mac, arp + 8, 6);
  std::memcpy(sender_ip, arp + 14, 4);
  store_be16(arp + 6, 2);
  std::memcpy(arp + 8, our_mac, 6);
  std::memcpy(arp + 14, target.bytes, 4);
  std::memcpy(arp + 18, sender_mac, 6);
  std::memcpy(arp + 24, sender_ip, 4);
  // Reply to the Ethernet source (which is the sender hardware address for any sane requester).
  std::memcpy(frame, frame + 6, 6);
  std::memcpy(frame + 6, our_mac, 6);
  return std::nullopt;
}

}  // namespace fanout::dp::net

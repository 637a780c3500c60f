#include "dataplane/net/packet.hpp"

#include "dataplane/net/bytes.hpp"
#include "dataplane/net/checksum.hpp"
#include "dataplane/net/ethernet.hpp"

namespace fanout::dp::net {
namespace {

// Shared by both families once the IP layer has located the UDP header and its pseudo header sum.
std::optional<Drop> parse_udp(const uint8_t* frame, PacketView& v, bool v6, uint32_t flags) {
  const uint8_t* udp = frame + v.l4_offset;
  if (v.l4_len < kUdpHeaderLen) return Drop::kUdpMalformed;
  const uint16_t udp_len = load_be16(udp + 4);
  if (udp_len != v.l4_len) return Drop::kUdpMalformed;
  const uint16_t wire_csum = load_be16(udp + 6);
  if (!(flags & kSkipL4Checksum)) {
    if (wire_csum == 0) {
      // RFC 768: zero means "no checksum" on IPv4; RFC 8200 §8.1: IPv6 receivers discard it.
      if (v6) return Drop::kUdpBadChecksum;
    } else {
      uint64_t sum = pseudo_header_sum(v.src, v.dst, kProtoUdp, udp_len);
      sum = csum_add(sum, udp, udp_len);
      if (!csum_ok(sum)) return Drop::kUdpBadChecksum;
    }
  }
  v.src_port = load_be16(udp);
  v.dst_port = load_be16(udp + 2);
  v.payload_offset = static_cast<uint16_t>(v.l4_offset + kUdpHeaderLen);
  v.payload_len = static_cast<uint16_t>(udp_len - kUdpHeaderLen);
  return std::nullopt;
}

std::optional<Drop> parse_ipv4(const uint8_t* frame, size_t len, PacketView& v, uint32_t flags) {
  const size_t l3 = v.l3_offset;
  if (len < l3 + kIpv4HeaderLen) return Drop::kIpv4Malformed;
  const uint8_t* ip = frame + l3;
  if ((ip[0] >> 4) != 4) return Drop::kIpv4Malformed;
  const size_t ihl = static_cast<size_t>(ip[0] & 0x0f) * 4;
  const size_t total = load_be16(ip + 2);
  if (ihl < kIpv4HeaderLen || total < ihl || l3 + total > len) return Drop::kIpv4Malformed;
  if (!(flags & kSkipIpv4Checksum) && !csum_ok(csum_add(0, ip, ihl))) {
    return Drop::kIpv4BadChecksum;
  }
  // MF flag or a non-zero fragment offset (RFC 791 §3.1); DF is fine.
  if (load_be16(ip + 6) & 0x3fff) return Drop::kIpv4Fragment;
  v.family = kFamilyV4;
  v.protocol = ip[9];
  v.src = IpAddr::v4(ip + 12);
  v.dst = IpAddr::v4(ip + 16);
  v.l4_offset = static_cast<uint16_t>(l3 + ihl);
  v.l4_len = static_cast<uint16_t>(total - ihl);
  if (v.protocol == kProtoUdp) {
    v.kind = FrameKind::kUdp;
    return parse_udp(frame, v, false, flags);
  }
  if (v.protocol == kProtoIcmp) {
    v.kind = FrameKind::kIcmpv4;
    return std::nullopt;
  }
  return Drop::kNotUdp;
}

std::optional<Drop> parse_ipv6(const uint8_t* frame, size_t len, PacketView& v, uint32_t flags) {
  const size_t l3 = v.l3_offset;
  if (len < l3 + kIpv6HeaderLen) return Drop::kIpv6Malformed;
  const uint8_t* ip = frame + l3;
  if ((ip[0] >> 4) != 6) return Drop::kIpv6Malformed;
  const size_t payload = load_be16(ip + 4);
  if (payload == 0 || l3 + kIpv6HeaderLen + payload > len) return Drop::kIpv6Malformed;
  v.family = kFamilyV6;
  v.protocol = ip[6];
  v.src = IpAddr::v6(ip + 8);
  v.dst = IpAddr::v6(ip + 24);
  v.l4_offset = static_cast<uint16_t>(l3 + kIpv6HeaderLen);
  v.l4_len = static_cast<uint16_t>(payload);
  if (v.protocol == kProtoUdp) {
    v.kind = FrameKind::kUdp;
    return parse_udp(frame, v, true, flags);
  }
  if (v.protocol == kProtoIcmpv6) {
    v.kind = FrameKind::kIcmpv6;
    return std::nullopt;
  }
  return Drop::kNotUdp;
}

}  // namespace

std::optional<Drop> parse_frame(const uint8_t* frame, size_t len, PacketView& v, uint32_t flags) {
  v = PacketView{};
  // Offsets are 16-bit; larger buffers are not Ethernet frames we receive.
  if (len < kEthHeaderLen || len > 0xffff) return Drop::kEthMalformed;
  size_t l3 = kEthHeaderLen;
  uint16_t type = load_be16(frame + 12);
  if (type == kEtherTypeVlan) {
    if (len < kEthHeaderLen + kVlanTagLen) return Drop::kEthMalformed;
    v.has_vlan = true;
    v.vlan_tci = load_be16(frame + 14);
    type = load_be16(frame + 16);
    l3 += kVlanTagLen;
  }
  v.ethertype = type;
  v.l3_offset = static_cast<uint16_t>(l3);
  switch (type) {
    case kEtherTypeIpv4:
      return parse_ipv4(frame, len, v, flags);
    case kEtherTypeIpv6:
      return parse_ipv6(frame, len, v, flags);
    case kEtherTypeArp:
      if (len < l3 + kArpLen) return Drop::kArpIgnored;
      v.kind = FrameKind::kArp;
      return std::nullopt;
    default:
      return Drop::kEthUnsupported;
  }
}

}  // namespace fanout::dp::net

#include "dataplane/net/builder.hpp"

#include <cstring>

#include "dataplane/net/bytes.hpp"
#include "dataplane/net/checksum.hpp"

namespace fanout::dp::net {

size_t build_udp_headers_presummed(uint8_t* out, size_t cap, const Tuple& t, const TxL2& l2,
                                   size_t payload_len, uint64_t payload_sum, uint32_t flags) {
  const uint8_t family = t.local.family;
  if ((family != kFamilyV4 && family != kFamilyV6) || t.remote.family != family) return 0;
  const bool v6 = family == kFamilyV6;
  const size_t hdr = udp_headers_size(family, l2.vlan);
  if (cap < hdr) return 0;
  const size_t udp_len = kUdpHeaderLen + payload_len;
  if (udp_len + (v6 ? 0 : kIpv4HeaderLen) > 0xffff) return 0;

  uint8_t* p = out;
  std::memcpy(p, l2.dst_mac, kMacLen);
  std::memcpy(p + 6, l2.src_mac, kMacLen);
  p += 12;
  if (l2.vlan) {
    store_be16(p, kEtherTypeVlan);
    store_be16(p + 2, l2.vlan_tci);
    p += 4;
  }
  store_be16(p, v6 ? kEtherTypeIpv6 : kEtherTypeIpv4);
  p += 2;

  uint8_t* ip = p;
  if (v6) {
    // Version 6, traffic class = DSCP << 2, flow label 0.
    store_be32(ip, (6u << 28) | (static_cast<uint32_t>(l2.dscp) << 22));
    store_be16(ip + 4, static_cast<uint16_t>(udp_len));
    ip[6] = kProtoUdp;
    ip[7] = l2.ttl;
    std::memcpy(ip + 8, t.local.bytes, 16);
    std::memcpy(ip + 24, t.remote.bytes, 16);
    p += kIpv6HeaderLen;
  } else {
    ip[0] = 0x45;
    ip[1] = static_cast<uint8_t>(l2.dscp << 2);
    store_be16(ip + 2, static_cast<uint16_t>(kIpv4HeaderLen + udp_len));
    // DF set and ID 0: an atomic datagram (RFC 6864 §4.1).
    store_be16(ip + 4, 0);
    store_be16(ip + 6, 0x4000);
    ip[8] = l2.ttl;
    ip[9] = kProtoUdp;
    store_be16(ip + 10, 0);
    std::memcpy(ip + 12, t.local.bytes, 4);
    std::memcpy(ip + 16, t.remote.bytes, 4);
    if (!(flags & kOffloadIpv4Checksum)) store_csum(ip + 10, csum_finish(csum_add_words(0, ip, kIpv4HeaderLen)));
    p += kIpv4HeaderLen;
  }

  uint8_t* udp = p;
  store_be16(udp, t.local_port);
  store_be16(udp + 2, t.remote_port);
  store_be16(udp + 4, static_cast<uint16_t>(udp_len));
  store_be16(udp + 6, 0);
  const uint64_t phdr =
      pseudo_header_sum(t.local, t.remote, kProtoUdp, static_cast<uint32_t>(udp_len));
  if (flags & kOffloadUdpChecksum) {
    store_csum(udp + 6, csum_fold(phdr));
  } else {
    uint16_t c = csum_finish(csum_add_words(phdr + payload_sum, udp, kUdpHeaderLen));
    // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
    if (c == 0) c = 0xffff;
    store_csum(udp + 6, c);
  }
  return hdr;
}

size_t build_udp_headers(uint8_t* out, size_t cap, const Tuple& t, const TxL2& l2,
                         const uint8_t* payload, size_t payload_len, uint32_t flags) {
  const uint64_t sum = (flags & kOffloadUdpChecksum) ? 0 : csum_add(0, payload, payload_len);
  return build_udp_headers_presummed(out, cap, t, l2, payload_len, sum, flags);
}

}  // namespace fanout::dp::net

#include "dataplane/net/neighbor.hpp"

#include <cstring>

#include "dataplane/net/bytes.hpp"
#include "dataplane/net/checksum.hpp"
#include "dataplane/net/ethernet.hpp"

namespace fanout::dp::net {
namespace {

inline constexpr size_t kNsLen = 24;
inline constexpr uint8_t kHopLimitNd = 255;
inline constexpr uint8_t kOptSourceLla = 1;
inline constexpr uint8_t kOptTargetLla = 2;

bool is_unspecified(const IpAddr& a) {
  for (uint8_t b : a.bytes) {
    if (b != 0) return false;
  }
  return true;
}

// ff02::1:ffXX:XXXX (RFC 4291 §2.7.1).
bool is_solicited_node(const IpAddr& a) {
  static constexpr uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  return std::memcmp(a.bytes, kPrefix, sizeof(kPrefix)) == 0;
}

}  // namespace

std::optional<Drop> neighbor_advert_for(const uint8_t* frame, size_t len, const PacketView& view,
                                        const uint8_t our_mac[6], std::span<const IpAddr> ours,
                                        uint8_t* out, size_t cap, size_t& out_len) {
  out_len = 0;
  if (view.kind != FrameKind::kIcmpv6 || view.l4_len < kNsLen ||
      size_t{view.l4_offset} + view.l4_len > len) {
    return Drop::kIcmpIgnored;
  }
  const uint8_t* ip = frame + view.l3_offset;
  const uint8_t* icmp = frame + view.l4_offset;
  if (icmp[0] != kIcmpv6NeighborSolicit || icmp[1] != 0 || ip[7] != kHopLimitNd) {
    return Drop::kIcmpIgnored;
  }
  if (!csum_ok(csum_add(pseudo_header_sum(view.src, view.dst, kProtoIcmpv6, view.l4_len), icmp,
                        view.l4_len))) {
    return Drop::kIcmpIgnored;
  }
  const IpAddr target = IpAddr::v6(icmp + 8);
  if (target.bytes[0] == 0xff || !contains(ours, target)) return Drop::kIcmpIgnored;

  bool has_source_lla = false;
  for (size_t off = kNsLen; off < view.l4_len;) {
    if (view.l4_len - off < 2) return Drop::kIcmpIgnored;
    const size_t opt_len = size_t{icmp[off + 1]} * 8;
    if (opt_len == 0 || opt_len > view.l4_len - off) return Drop::kIcmpIgnored;
    if (icmp[off] == kOptSourceLla) has_source_lla = true;
    off += opt_len;
  }
  const bool dad = is_unspecified(view.src);
  if (dad && (!is_solicited_node(view.dst) || has_source_lla)) return Drop::kIcmpIgnored;

  const size_t l3 = view.l3_offset;
  const size_t total = l3 + kIpv6HeaderLen + kNeighborAdvertIcmpLen;
  if (cap < total) return Drop::kIcmpIgnored;

  // Everything read from the solicitation is copied out first: out may alias frame.
  uint8_t eth_dst[6];
  std::memcpy(eth_dst, frame + 6, 6);
  const uint16_t vlan_tci = view.has_vlan ? load_be16(frame + 14) : 0;
  IpAddr dst = view.src;
  if (dad) {
    // RFC 4861 §7.2.4: answer DAD to all-nodes, ff02::1, at 33:33:00:00:00:01 (RFC 2464 §7).
    static constexpr uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr uint8_t kAllNodesMac[6] = {0x33, 0x33, 0, 0, 0, 1};
    dst = IpAddr::v6(kAllNodes);
    std::memcpy(eth_dst, kAllNodesMac, 6);
  }

  uint8_t* p = out;
  std::memcpy(p, eth_dst, 6);
  std::memcpy(p + 6, our_mac, 6);
  if (view.has_vlan) {
    store_be16(p + 12, kEtherTypeVlan);
    store_be16(p + 14, vlan_tci);
  }
  store_be16(p + l3 - 2, kEtherTypeIpv6);
  uint8_t* oip = p + l3;
  store_be32(oip, 6u << 28);
  store_be16(oip + 4, kNeighborAdvertIcmpLen);
  oip[6] = kProtoIcmpv6;
  oip[7] = kHopLimitNd;
  std::memcpy(oip + 8, target.bytes, 16);
  std::memcpy(oip + 24, dst.bytes, 16);
  uint8_t* na = oip + kIpv6HeaderLen;
  na[0] = kIcmpv6NeighborAdvert;
  na[1] = 0;
  na[2] = na[3] = 0;
  // R=0 (not a router), S=1 unless DAD, O=1 (RFC 4861 §4.4).
  store_be32(na + 4, (dad ? 0u : 0x40000000u) | 0x20000000u);
  std::memcpy(na + 8, target.bytes, 16);
  na[24] = kOptTargetLla;
  na[25] = 1;
  std::memcpy(na + 26, our_mac, 6);
  const uint64_t phdr = pseudo_header_sum(target, dst, kProtoIcmpv6, kNeighborAdvertIcmpLen);
  store_csum(na + 2, csum_finish(csum_add(phdr, na, kNeighborAdvertIcmpLen)));
  out_len = total;
  return std::nullopt;
}

}  // namespace fanout::dp::net

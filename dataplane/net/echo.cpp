#include "dataplane/net/echo.hpp"

#include <cstring>

#include "dataplane/net/checksum.hpp"
#include "dataplane/net/ethernet.hpp"

namespace fanout::dp::net {
namespace {

inline constexpr uint8_t kReplyTtl = 64;
inline constexpr uint8_t kUnspecified[16] = {};

void swap_bytes(uint8_t* a, uint8_t* b, size_t n) {
  uint8_t tmp[16];
  std::memcpy(tmp, a, n);
  std::memcpy(a, b, n);
  std::memcpy(b, tmp, n);
}

}  // namespace

std::optional<Drop> echo_reply_in_place(uint8_t* frame, size_t len, const PacketView& view,
                                        const uint8_t our_mac[6], std::span<const IpAddr> ours) {
  const bool v6 = view.kind == FrameKind::kIcmpv6;
  if ((!v6 && view.kind != FrameKind::kIcmpv4) || view.l4_len < kIcmpHeaderLen ||
      size_t{view.l4_offset} + view.l4_len > len || !contains(ours, view.dst)) {
    return Drop::kIcmpIgnored;
  }
  // Never answer towards a group, broadcast or nobody (RFC 1122 §3.2.2.6, RFC 4443 §2.4(e)).
  const uint8_t s0 = view.src.bytes[0];
  if (v6 ? (s0 == 0xff || view.src == IpAddr::v6(kUnspecified)) : (s0 >= 224 || s0 == 0)) {
    return Drop::kIcmpIgnored;
  }
  uint8_t* icmp = frame + view.l4_offset;
  const uint8_t request = v6 ? kIcmpv6EchoRequest : kIcmpEchoRequest;
  if (icmp[0] != request || icmp[1] != 0) return Drop::kIcmpIgnored;
  // ICMPv6 covers a pseudo header (RFC 4443 §2.3); ICMPv4 only the message.
  const uint64_t phdr = v6 ? pseudo_header_sum(view.src, view.dst, kProtoIcmpv6, view.l4_len) : 0;
  if (!csum_ok(csum_add(phdr, icmp, view.l4_len))) return Drop::kIcmpIgnored;

  icmp[0] = v6 ? kIcmpv6EchoReply : kIcmpEchoReply;
  icmp[2] = icmp[3] = 0;
  // The pseudo header sum does not change when source and destination swap.
  store_csum(icmp + 2, csum_finish(csum_add(phdr, icmp, view.l4_len)));

  uint8_t* ip = frame + view.l3_offset;
  if (v6) {
    ip[7] = kReplyTtl;
    swap_bytes(ip + 8, ip + 24, 16);
  } else {
    const size_t ihl = static_cast<size_t>(ip[0] & 0x0f) * 4;
    ip[8] = kReplyTtl;
    swap_bytes(ip + 12, ip + 16, 4);
    ip[10] = ip[11] = 0;
    store_csum(ip + 10, internet_checksum(ip, ihl));
  }
  std::memcpy(frame, frame + 6, 6);
  std::memcpy(frame + 6, our_mac, 6);
  return std::nullopt;
}

}  // namespace fanout::dp::net

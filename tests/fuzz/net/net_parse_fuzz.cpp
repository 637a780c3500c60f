// Frame parser + demux + ARP/NS/echo responders on arbitrary bytes. Every buffer is an exact-size
// heap copy so ASan reports any read past the frame; accepted UDP frames are rebuilt with the
// builder and must parse back to the same view.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dataplane/net/arp.hpp"
#include "dataplane/net/builder.hpp"
#include "dataplane/net/demux.hpp"
#include "dataplane/net/echo.hpp"
#include "dataplane/net/neighbor.hpp"
#include "dataplane/net/packet.hpp"

using namespace fanout::dp;
using namespace fanout::dp::net;

namespace {

const uint8_t kOurMac[6] = {0x02, 0, 0, 0, 0, 0x0b};

void check_rebuild(const uint8_t* frame, const PacketView& v) {
  const size_t hdr = udp_headers_size(v.family, v.has_vlan);
  std::vector<uint8_t> out(hdr + v.payload_len);
  std::memcpy(out.data() + hdr, frame + v.payload_offset, v.payload_len);
  TxL2 l2;
  std::memcpy(l2.dst_mac, frame, 6);
  std::memcpy(l2.src_mac, frame + 6, 6);
  l2.vlan = v.has_vlan;
  l2.vlan_tci = v.vlan_tci;
  const Tuple t{v.src, v.dst, v.src_port, v.dst_port};
  if (build_udp_headers(out.data(), hdr, t, l2, out.data() + hdr, v.payload_len) != hdr) abort();
  PacketView r;
  if (parse_frame(out.data(), out.size(), r)) abort();
  if (r.src != v.src || r.dst != v.dst || r.src_port != v.src_port || r.dst_port != v.dst_port ||
      r.payload_len != v.payload_len || r.vlan_tci != v.vlan_tci) {
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> frame(data, data + size);
  PacketView v;
  const uint32_t all_flags[] = {kParseDefault, kSkipIpv4Checksum | kSkipL4Checksum};
  for (uint32_t flags : all_flags) {
    if (parse_frame(frame.data(), frame.size(), v, flags)) continue;
    if (v.kind == FrameKind::kUdp) {
      const uint8_t* payload = frame.data() + v.payload_offset;
      const PayloadKind k = classify_payload(payload, v.payload_len);
      (void)check_payload(k, v.payload_len);
      if (flags == kParseDefault) check_rebuild(frame.data(), v);
    }
  }
  if (parse_frame(frame.data(), frame.size(), v)) return 0;
  // Our addresses are the frame's own destination, so the responders get past the address check.
  const IpAddr ours[] = {v.dst};
  if (v.kind == FrameKind::kArp) {
    IpAddr target;
    if (frame.size() >= v.l3_offset + 28u) target = IpAddr::v4(frame.data() + v.l3_offset + 24);
    const IpAddr arp_ours[] = {target};
    if (!arp_reply_in_place(frame.data(), frame.size(), v, kOurMac, arp_ours)) {
      PacketView r;
      if (parse_frame(frame.data(), frame.size(), r) || r.kind != FrameKind::kArp) abort();
    }
  } else if (v.kind == FrameKind::kIcmpv4 || v.kind == FrameKind::kIcmpv6) {
    std::vector<uint8_t> copy = frame;
    if (!echo_reply_in_place(copy.data(), copy.size(), v, kOurMac, ours)) {
      PacketView r;
      if (parse_frame(copy.data(), copy.size(), r) || r.src != v.dst) abort();
    }
    if (v.kind == FrameKind::kIcmpv6) {
      IpAddr target;
      if (v.l4_len >= 24) target = IpAddr::v6(frame.data() + v.l4_offset + 8);
      const IpAddr nd_ours[] = {target};
      std::vector<uint8_t> out(neighbor_advert_size(v.has_vlan));
      size_t n = 0;
      if (!neighbor_advert_for(frame.data(), frame.size(), v, kOurMac, nd_ours, out.data(),
                               out.size(), n)) {
        PacketView r;
        if (n != out.size() || parse_frame(out.data(), n, r) || r.kind != FrameKind::kIcmpv6) {
          abort();
        }
      }
    }
  }
  return 0;
}

// Per-lcore counters: plain integers written only by their lcore (no atomics on the hot path),
// summed by the main lcore on read (x86-64 loads of aligned 64-bit words do not tear).
#pragma once

#include <rte_common.h>

#include <cstdint>

#include "dataplane/common/drop_reasons.hpp"
#include "dataplane/engine/limits.hpp"

namespace fanout::dp {

// X(field, metric help)
#define FANOUT_LCORE_EVENTS(X)                                              \
  X(stun_requests, "STUN binding requests that passed the checks")          \
  X(stun_responses, "STUN binding responses sent")                          \
  X(ice_tuple_changes, "ICE selected tuple appeared or changed")            \
  X(dtls_punted, "DTLS records handed to the control plane")                \
  X(dtls_sent, "DTLS records sent for the control plane")                   \
  X(rtp_received, "SRTP/RTP packets accepted from producers")               \
  X(rtp_forwarded, "RTP packets sent to consumers")                         \
  X(rtcp_received, "SRTCP/RTCP compound packets accepted")                  \
  X(rtcp_sent, "RTCP packets sent (SR to consumers, PLI/FIR to producers)") \
  X(keyframe_requests, "PLI/FIR sent to producers")                         \
  X(keyframe_suppressed, "keyframe requests within the minimum interval")   \
  X(handoff_out, "packets handed to another lcore")                         \
  X(handoff_in, "packets received from another lcore")                      \
  X(slowpath_punts, "packets sent to the main lcore")                       \
  X(arp_replies, "ARP replies sent")                                        \
  X(nd_replies, "IPv6 neighbor advertisements sent")                        \
  X(icmp_echo_replies, "ICMP echo replies sent")                            \
  X(loop_iterations, "worker loop iterations")

struct PortCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
};

struct alignas(RTE_CACHE_LINE_SIZE) LcoreCounters {
  PortCounters ports[kMaxPorts];
  uint64_t drops[kDropReasonCount] = {};
#define FANOUT_EVENT_FIELD(name, help) uint64_t name = 0;
  FANOUT_LCORE_EVENTS(FANOUT_EVENT_FIELD)
#undef FANOUT_EVENT_FIELD

  void drop(Drop d) {
    ++drops[static_cast<size_t>(d)];
  }
  void add(const LcoreCounters& o);
};

inline void LcoreCounters::add(const LcoreCounters& o) {
  for (int p = 0; p < kMaxPorts; ++p) {
    ports[p].rx_packets += o.ports[p].rx_packets;
    ports[p].rx_bytes += o.ports[p].rx_bytes;
    ports[p].tx_packets += o.ports[p].tx_packets;
    ports[p].tx_bytes += o.ports[p].tx_bytes;
  }
  for (size_t i = 0; i < kDropReasonCount; ++i) drops[i] += o.drops[i];
#define FANOUT_EVENT_ADD(name, help) name += o.name;
  FANOUT_LCORE_EVENTS(FANOUT_EVENT_ADD)
#undef FANOUT_EVENT_ADD
}

// Per-transport counters, written by the owner lcore only.
struct TransportCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t srtp_auth_failures = 0;
  uint64_t srtp_replays = 0;
  uint64_t stun_bad_integrity = 0;
  uint64_t dropped = 0;
  uint64_t srtcp_auth_failures = 0;
  uint64_t stun_requests = 0;  // answered
  uint64_t dtls_punted = 0;
  uint64_t rtp_received = 0;  // RTP of its producers, authenticated and parsed
  uint64_t rtcp_received = 0;
};

}  // namespace fanout::dp

// One list of every reason the data plane drops a packet. It generates the enum, the metric names
// and the per-lcore counter array, so a new reason is one line here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fanout::dp {

// X(enumerator, metric_name, help)
#define FANOUT_DROP_REASONS(X)                                                                \
  X(kEthMalformed, "eth_malformed", "Ethernet frame shorter than its header")                 \
  X(kEthUnsupported, "eth_unsupported", "EtherType is not IPv4, IPv6 or ARP")                 \
  X(kArpIgnored, "arp_ignored", "ARP that is not a request for one of our addresses")         \
  X(kIpv4Malformed, "ipv4_malformed", "IPv4 header truncated, bad IHL or bad length")         \
  X(kIpv4BadChecksum, "ipv4_bad_checksum", "IPv4 header checksum mismatch")                   \
  X(kIpv4Fragment, "ipv4_fragment", "IPv4 fragments are not reassembled")                     \
  X(kIpv6Malformed, "ipv6_malformed", "IPv6 header truncated or bad payload length")          \
  X(kIcmpIgnored, "icmp_ignored", "ICMP/ICMPv6 that we do not answer")                        \
  X(kNotUdp, "not_udp", "IP protocol is not UDP")                                             \
  X(kNotOurAddress, "not_our_address", "destination IP is not one of the port's addresses")   \
  X(kUdpMalformed, "udp_malformed", "UDP length does not match the IP payload")               \
  X(kUdpBadChecksum, "udp_bad_checksum", "UDP checksum mismatch")                             \
  X(kDemuxUnknown, "demux_unknown", "first payload byte is not STUN, DTLS, RTP or RTCP")      \
  X(kStunMalformed, "stun_malformed", "STUN message does not parse")                          \
  X(kStunNotBindingRequest, "stun_not_binding_request", "STUN other than a binding request")  \
  X(kStunUnknownUsername, "stun_unknown_username", "USERNAME names no transport")             \
  X(kStunBadIntegrity, "stun_bad_integrity", "MESSAGE-INTEGRITY missing or wrong")            \
  X(kStunBadFingerprint, "stun_bad_fingerprint", "FINGERPRINT missing or wrong")              \
  X(kUnknownSource, "unknown_source", "packet from a tuple that passed no ICE check")         \
  X(kUnknownSourceRateLimited, "unknown_source_rate_limited",                                 \
    "unknown-source packet over the per-lcore slow-path budget")                              \
  X(kStunRateLimited, "stun_rate_limited", "STUN from one source over its per-second budget") \
  X(kHandoffRingFull, "handoff_ring_full", "ring to the owner lcore was full")                \
  X(kSlowPathRingFull, "slowpath_ring_full", "ring to the main lcore was full")               \
  X(kNoSelectedTuple, "no_selected_tuple", "transport has no ICE-selected tuple to send to")  \
  X(kTransportGone, "transport_gone", "transport was closed while the packet was queued")     \
  X(kRtpMalformed, "rtp_malformed", "RTP header does not parse")                              \
  X(kRtcpMalformed, "rtcp_malformed", "RTCP compound packet does not parse")                  \
  X(kSrtpNoKeys, "srtp_no_keys", "SRTP/SRTCP before keys were installed")                     \
  X(kSrtpAuthFail, "srtp_auth_fail", "SRTP authentication tag mismatch")                      \
  X(kSrtpReplay, "srtp_replay", "SRTP packet replayed or too old")                            \
  X(kSrtpOther, "srtp_other", "SRTP packet too short or otherwise invalid")                   \
  X(kSrtcpAuthFail, "srtcp_auth_fail", "SRTCP authentication tag mismatch")                   \
  X(kSrtcpReplay, "srtcp_replay", "SRTCP packet replayed or too old")                         \
  X(kUnknownSsrc, "unknown_ssrc", "RTP SSRC belongs to no producer")                          \
  X(kProducerPaused, "producer_paused", "producer is paused")                                 \
  X(kNoConsumers, "no_consumers", "producer has no active consumer")                          \
  X(kRtcpUnhandled, "rtcp_unhandled", "RTCP block terminated here (RR, SDES, ...)")           \
  X(kMbufAllocFail, "mbuf_alloc_fail", "mempool empty")                                       \
  X(kTxFull, "tx_full", "TX queue full")

enum class Drop : uint16_t {
#define FANOUT_DROP_ENUM(name, metric, help) name,
  FANOUT_DROP_REASONS(FANOUT_DROP_ENUM)
#undef FANOUT_DROP_ENUM
      kCount
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(Drop::kCount);

inline constexpr std::string_view kDropNames[kDropReasonCount] = {
#define FANOUT_DROP_NAME(name, metric, help) metric,
    FANOUT_DROP_REASONS(FANOUT_DROP_NAME)
#undef FANOUT_DROP_NAME
};

inline constexpr std::string_view kDropHelp[kDropReasonCount] = {
#define FANOUT_DROP_HELP(name, metric, help) help,
    FANOUT_DROP_REASONS(FANOUT_DROP_HELP)
#undef FANOUT_DROP_HELP
};

constexpr std::string_view drop_name(Drop d) {
  return kDropNames[static_cast<size_t>(d)];
}

}  // namespace fanout::dp

// Metadata that travels with a packet buffer between lcores, in the mbuf's private area (the
// mempools are created with priv_size = sizeof(PktMeta)). Written by the lcore that enqueues a
// packet, read by the one that dequeues it; a fan-out mbuf is read-only for every reader.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/net/address.hpp"

namespace fanout::dp {

enum class PktKind : uint8_t {
  kRaw,              // received frame, parsed by the RX lcore, for the owner of `transport`
  kRtpFanout,        // decrypted RTP of `producer`, shared read-only by every consumer lcore
  kSenderReport,     // an SR of `producer` (fields in `sr`), for the consumers' lcores
  kKeyFrameRequest,  // ask the owner of `producer` to send a PLI/FIR to its browser
  kTxDtls,           // DTLS record from the control plane, to send on `transport`
  kPuntDtls,         // DTLS record for the control plane (worker -> main)
  kPuntUnknown,      // packet from an unknown tuple (worker -> main), main re-dispatches it
  kEvent,            // an event for the control plane (worker -> main), body in `event`
};

enum class PayloadKind : uint8_t { kStun, kDtls, kRtp, kRtcp };

enum class EventKind : uint8_t { kTupleSelected, kConsentExpired };

struct PktMeta {
  PktKind kind;
  PayloadKind payload;
  uint8_t port;
  uint8_t stream;        // producer stream index (kRtpFanout, kSenderReport)
  uint16_t from;         // worker index that enqueued it, kMainIndex for main
  uint16_t payload_off;  // offset of the UDP payload from the start of data
  uint16_t payload_len;
  uint16_t rtp_hdr_len;  // kRtpFanout: header length of the decrypted RTP packet
  uint32_t transport;    // slot
  uint32_t transport_gen;
  uint32_t producer;  // slot
  uint32_t producer_gen;
  uint32_t consumer;   // slot (kKeyFrameRequest: the consumer that asked, or kInvalidSlot)
  net::Tuple tuple;    // local/remote addresses and ports of the received packet
  uint8_t src_mac[6];  // the sender's MAC: replies and media go back to it
  uint8_t fir;         // kKeyFrameRequest: 1 when the consumer asked with FIR
  EventKind event;
  uint8_t selected;  // kEvent kTupleSelected: the tuple is now the selected one
  struct {
    uint32_t ntp_sec;
    uint32_t ntp_frac;
    uint32_t rtp_ts;
  } sr;
};

inline PktMeta* meta(rte_mbuf* m) {
  return static_cast<PktMeta*>(rte_mbuf_to_priv(m));
}

inline constexpr uint16_t kMbufPrivSize = (sizeof(PktMeta) + 7) & ~7u;

}  // namespace fanout::dp

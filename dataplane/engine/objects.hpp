// The data plane's objects. The main lcore creates and frees them (slow path); after it hands an
// object to its owner worker with a command, only that worker mutates it (shared-nothing). The
// main lcore reads ids, creation parameters and counters (single-writer integers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/engine/counters.hpp"
#include "dataplane/engine/limits.hpp"
#include "dataplane/net/address.hpp"
#include "dataplane/rtp/receive_stats.hpp"
#include "dataplane/rtp/seq_manager.hpp"
#include "dataplane/rtp/ts_rewriter.hpp"
#include "dataplane/srtp/srtp_session.hpp"

namespace fanout::dp {

enum class TransportKind : uint8_t { kWebRtc, kPlain };
enum class MediaKind : uint8_t { kAudio, kVideo };

struct ValidatedTuple {
  net::Tuple tuple;
  uint8_t mac[6];
  uint64_t last_check_tsc;
};

struct RtcpSenderState {
  uint32_t ssrc = 0;
  bool used = false;
  srtp::SrtcpRecvState srtcp;
};

struct Transport {
  // Creation parameters (immutable once attached, except through the commands kSetIce and
  // kSetPlainRemote, which the owner applies).
  uint32_t id = 0;
  uint32_t slot = kInvalidSlot;
  uint32_t gen = 0;
  uint64_t epoch = 0;
  uint16_t worker = 0;  // owner worker index
  uint8_t port = 0;
  TransportKind kind = TransportKind::kWebRtc;
  net::IpAddr local_addr{};
  uint16_t local_port = 0;  // host order
  bool shared_port = true;
  std::string ufrag;
  std::string pwd;
  HmacSha1Key ice_key;        // STUN short-term credential (RFC 8445 §7.2.2)
  bool comedia = false;       // Plain: learn the remote tuple from the first packet
  net::Tuple plain_remote{};  // Plain: the static remote (family 0: none)

  // Owner-only state.
  std::unique_ptr<srtp::SrtpSession> srtp_in;
  std::unique_ptr<srtp::SrtpSession> srtp_out;
  ValidatedTuple validated[kMaxValidatedTuples] = {};
  uint8_t validated_count = 0;
  int8_t selected = -1;  // index into validated, -1 until an ICE check passed
  RtcpSenderState rtcp_senders[kMaxRtcpSenders];
  srtp::SrtcpSendState srtcp_send{};
  uint32_t rtcp_ssrc = 0;  // our sender SSRC in PLI/FIR towards this transport's browser
  TransportCounters counters;
  // The owner's list of its transports (timers walk it; no allocation on attach).
  Transport* owned_prev = nullptr;
  Transport* owned_next = nullptr;

  const ValidatedTuple* selected_tuple() const {
    return selected < 0 ? nullptr : &validated[selected];
  }
};

struct ProducerStream {
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t rtx_payload_type = 0;
  uint32_t clock_rate = 90000;
  std::string rid;
  srtp::SrtpRecvState srtp{};      // owner-only
  srtp::SrtpRecvState srtp_rtx{};  // owner-only
  rtp::ReceiveStats received;      // owner-only: media (not RTX) packets, for loss
};

struct Producer {
  uint32_t id = 0;
  uint32_t slot = kInvalidSlot;
  uint32_t gen = 0;
  uint64_t epoch = 0;
  uint32_t transport = kInvalidSlot;  // slot; the producer lives on its transport's worker
  uint16_t worker = 0;
  MediaKind kind = MediaKind::kVideo;
  uint8_t stream_count = 0;
  ProducerStream streams[kMaxProducerStreams];

  // Owner-only state.
  bool paused = false;
  uint64_t remote_workers = 0;     // bit w: a consumer of this producer lives on worker w
  uint64_t last_keyframe_tsc = 0;  // rate limit of PLI/FIR towards the producer
  uint8_t fir_seq = 0;
  uint64_t rtp_packets = 0;
  uint64_t rtp_bytes = 0;
};

struct Consumer {
  uint32_t id = 0;
  uint32_t slot = kInvalidSlot;
  uint32_t gen = 0;
  uint64_t epoch = 0;
  uint32_t producer = kInvalidSlot;  // slot
  uint32_t producer_id = 0;
  uint32_t transport = kInvalidSlot;  // slot, on this consumer's worker
  uint16_t worker = 0;
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  uint32_t clock_rate = 90000;
  uint8_t pt_map[128];  // producer payload type -> consumer payload type, 0xff: not forwarded

  // Owner-only state.
  bool paused = false;
  uint32_t next_local = kInvalidSlot;  // next consumer of the same producer on this worker
  rtp::SeqManager seq;
  rtp::TsRewriter ts;
  srtp::SrtpSendState srtp{};
  uint64_t packets = 0;
  uint64_t bytes = 0;
  // The latest RTCP report block about `ssrc` from the consumer's endpoint (RFC 3550 §6.4.1):
  // what the control plane scores the consumer with.
  uint64_t reports = 0;
  uint8_t fraction_lost = 0;  // /256
  int32_t packets_lost = 0;   // cumulative, sign-extended from 24 bits
  uint32_t jitter = 0;        // RTP timestamp units
};

}  // namespace fanout::dp

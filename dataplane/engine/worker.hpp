// A worker lcore: runs to completion (RX burst -> classify -> dispatch -> process -> TX burst),
// owns the transports placed on it and everything they hold (SRTP contexts, ICE state, streams).
// Other lcores reach it only through rings (ARCHITECTURE.md: shared-nothing).
#pragma once

#include <rte_hash.h>
#include <rte_mbuf.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/engine/commands.hpp"
#include "dataplane/engine/counters.hpp"
#include "dataplane/engine/engine.hpp"
#include "dataplane/engine/mbuf_meta.hpp"
#include "dataplane/engine/source_limiter.hpp"
#include "dataplane/net/packet.hpp"
#include "dataplane/rtp/rtcp.hpp"

namespace fanout::dp {

class Worker {
 public:
  Worker(Engine& engine, uint16_t index);
  ~Worker();
  bool init(std::string* error);  // slow path: private tables

  // The lcore entry point (rte_eal_remote_launch); returns when engine.quit is set.
  int run();
  // One iteration of the loop; tests drive a worker with it on the main thread.
  void poll_once();

  uint16_t index() const { return index_; }
  const LcoreCounters& counters() const { return counters_; }

  // Private-table view for tests and dumps (owner lcore, or while the worker is stopped).
  const Transport* transport(uint32_t slot) const { return transports_[slot]; }

 private:
  // SSRC map values: what an SSRC on one of our transports means.
  enum class SsrcRole : uint8_t { kProducer, kProducerRtx, kConsumer };
  struct SsrcKey {
    uint32_t transport_slot;
    uint32_t ssrc;
  };
  // One decrypted RTP packet being fanned out on this lcore. The checksum sum of its payload
  // (everything after the RTP header, the same bytes in every plain-RTP copy) is computed at the
  // first plain consumer and reused by the others: a copy then sums only its own header.
  struct FanoutInput {
    rte_mbuf* m;
    uint16_t hdr_len;
    bool have_payload_sum = false;
    uint64_t payload_sum = 0;
  };

  // worker.cpp: loop, RX, dispatch, handoff, TX, commands
  void rx_burst(uint16_t port);
  void drain_handoff(uint16_t src);
  void classify(rte_mbuf* m, uint16_t port);
  void answer_control(rte_mbuf* m, uint16_t port, const net::PacketView& v);
  void dispatch(rte_mbuf* m, Route route);
  void handle_owned(rte_mbuf* m);
  void handle_handoff(rte_mbuf* m);
  void handoff(rte_mbuf* m, uint16_t worker);
  void flush_handoffs();
  void to_main(rte_mbuf* m);
  void punt_unknown(rte_mbuf* m);
  void apply(Command* cmd);
  void drop(rte_mbuf* m, Drop reason);
  Transport* owned_transport(uint32_t slot, uint32_t gen) const;

  // tx.cpp: headers and TX buffering
  // payload_sum: the UDP payload's checksum sum when the caller knows it (kNoSum: compute it).
  static constexpr uint64_t kNoSum = ~uint64_t{0};
  bool send_to(Transport& t, rte_mbuf* m, const ValidatedTuple& to, uint64_t payload_sum = kNoSum);
  bool send_selected(Transport& t, rte_mbuf* m, uint64_t payload_sum = kNoSum);
  void tx(uint16_t port, rte_mbuf* m);
  void flush_tx();
  rte_mbuf* alloc();

  // worker_ice.cpp
  void handle_stun(Transport& t, rte_mbuf* m);
  void record_validated(Transport& t, const PktMeta& pm, bool use_candidate);
  void send_tuple_event(const Transport& t, const net::Tuple& tuple, bool selected,
                        EventKind kind = EventKind::kTupleSelected);
  void sweep_consent();

  // worker_media.cpp
  void handle_rtp(Transport& t, rte_mbuf* m);
  void fan_out_local(Producer& p, uint32_t producer_slot, uint32_t producer_gen, rte_mbuf* m);
  void forward_rtp(Consumer& c, FanoutInput& in);
  void handle_rtcp(Transport& t, rte_mbuf* m);
  bool take_report(const Transport& t, rtp::ReportBlockView rb);
  void forward_sr(uint32_t producer_slot, uint32_t producer_gen, const PktMeta& sr);
  void send_sr(Consumer& c, const PktMeta& sr);
  void request_keyframe(uint32_t producer_slot, uint32_t producer_gen, bool fir);
  void send_keyframe_request(Producer& p, bool fir);
  void handle_dtls(Transport& t, rte_mbuf* m);
  void send_dtls(rte_mbuf* m);
  bool lookup_ssrc(uint32_t transport_slot, uint32_t ssrc, SsrcRole* role, uint32_t* slot,
                   uint8_t* stream) const;
  bool add_ssrc(uint32_t transport_slot, uint32_t ssrc, SsrcRole role, uint32_t slot,
                uint8_t stream);
  void remove_ssrc(uint32_t transport_slot, uint32_t ssrc);

  Engine& e_;
  const uint16_t index_;
  LcoreCounters counters_;

  // Private tables, indexed by slot (sized from the config at init).
  std::vector<Transport*> transports_;
  Transport* owned_head_ = nullptr;   // the transports this worker owns, linked through them
  std::vector<Producer*> producers_;  // producers whose transport we own
  std::vector<Consumer*> consumers_;  // consumers whose transport we own
  struct LocalFanout {
    uint32_t head = kInvalidSlot;  // first local consumer of the producer
    uint32_t gen = 0;              // producer generation the list belongs to
  };
  std::vector<LocalFanout> fanout_;       // by producer slot
  std::vector<uint16_t> producer_owner_;  // by producer slot: worker of a producer we consume
  rte_hash* ssrcs_ = nullptr;             // SsrcKey -> (role, slot, stream)

  struct TxQueue {
    uint16_t n = 0;
    rte_mbuf* pkts[kBurst];
  };
  TxQueue tx_[kMaxPorts];
  TxQueue handoff_[kMaxWorkers];
  SourceLimiter stun_limiter_;
  SourceLimiter unknown_limiter_;
  uint64_t unknown_tokens_ = 0;
  uint64_t unknown_refill_tsc_ = 0;
  uint64_t now_tsc_ = 0;
  uint64_t now_us_ = 0;  // now_tsc_ in microseconds (RTP timestamp rewriting), once per loop
  uint64_t next_sweep_tsc_ = 0;
};

}  // namespace fanout::dp

// The main lcore's side of the data plane: the object model as the control plane programs it
// (transports, producers, consumers, keys), slot and generation allocation, commands to the owner
// workers, events and punted packets from them. Every method runs on the main lcore only. Errors
// are returned with a reason that the IPC layer sends back to the control plane.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataplane/engine/commands.hpp"
#include "dataplane/engine/engine.hpp"

namespace fanout::dp {

enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,
  kInternal,
};

struct Status {
  ErrorCode code = ErrorCode::kOk;
  std::string reason;
  bool ok() const { return code == ErrorCode::kOk; }
  static Status error(ErrorCode c, std::string r) { return Status{c, std::move(r)}; }
};

struct Endpoint {
  std::string address;
  uint16_t port = 0;
};

struct TransportParams {
  uint32_t id = 0;
  uint16_t worker = 0xffff;  // 0xffff: least loaded worker
  uint16_t port = 0;
  uint16_t local_port = 0;  // 0: the port's shared ICE port
  std::string ice_ufrag;
  std::string ice_pwd;
  TransportKind kind = TransportKind::kWebRtc;
  std::optional<Endpoint> plain_remote;
  bool comedia = false;
};

struct TransportCreated {
  uint32_t id = 0;
  uint16_t worker = 0;
  std::string local_address;
  uint16_t local_port = 0;
};

struct StreamParams {
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t rtx_payload_type = 0;
  uint32_t clock_rate = 90000;
  std::string rid;
};

struct ProducerParams {
  uint32_t id = 0;
  uint32_t transport = 0;
  MediaKind kind = MediaKind::kVideo;
  bool paused = false;
  std::vector<StreamParams> streams;
};

struct ConsumerParams {
  uint32_t id = 0;
  uint32_t producer = 0;
  uint32_t transport = 0;
  bool paused = false;
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  std::vector<std::pair<uint8_t, uint8_t>> payload_types;  // producer pt -> consumer pt
  uint32_t clock_rate = 90000;
};

struct TransportInfo {
  TransportParams params;
  TransportCreated created;
  uint64_t epoch = 0;
  uint16_t srtp_in_profile = 0;  // 0: no keys yet
  uint16_t srtp_out_profile = 0;
  std::optional<net::Tuple> selected;
  TransportCounters counters;
};

// One stream's receive counters, in ProducerParams.streams' order.
struct ProducerStreamInfo {
  uint32_t ssrc = 0;
  uint64_t packets = 0;   // media (not RTX) received and authenticated
  uint64_t expected = 0;  // RFC 3550 A.3; 0 before the first packet
};

struct ProducerInfo {
  ProducerParams params;
  uint64_t epoch = 0;
  uint64_t rtp_packets = 0;
  uint64_t rtp_bytes = 0;
  std::vector<ProducerStreamInfo> streams;
};

struct ConsumerInfo {
  ConsumerParams params;
  uint64_t epoch = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  // The latest receiver report block about the consumer's SSRC (all 0 while none arrived).
  uint64_t reports = 0;
  uint8_t fraction_lost = 0;
  int32_t packets_lost = 0;
  uint32_t jitter = 0;
};

// RFC 8839 §5.4 lengths; the ufrag also names the transport on the shared port (no ':').
Status check_ice_credentials(const std::string& ufrag, const std::string& pwd);

// Receives what the workers report; the IPC layer turns these into events for the control plane.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_tuple_selected(uint32_t transport, const net::Tuple& tuple, uint16_t port) = 0;
  virtual void on_dtls(uint32_t transport, const net::Tuple& tuple,
                       std::span<const uint8_t> data) = 0;
  // The transport's worker attached it and the dispatch tables route to it: packets for it are
  // delivered from now on (a create is answered only then).
  virtual void on_transport_ready(uint32_t /*transport*/) {}
  // RFC 7675: the selected tuple had no ICE check within the consent timeout; media to it stopped.
  virtual void on_consent_expired(uint32_t /*transport*/) {}
};

// One request of a batch: a closure that either checks (dry run) or applies.
class Controller {
 public:
  explicit Controller(Engine& engine);
  ~Controller();

  void set_event_sink(EventSink* sink) { sink_ = sink; }
  void set_epoch(uint64_t epoch) { epoch_ = epoch; }
  uint64_t epoch() const { return epoch_; }

  Status create_transport(const TransportParams& p, TransportCreated* out);
  Status delete_transport(uint32_t id);
  // ICE restart: new local credentials (the old ufrag stops routing at once).
  Status set_ice_parameters(uint32_t transport, const std::string& ufrag, const std::string& pwd);
  // A plain transport's new remote (static, or comedia: latch the next packet's source).
  Status set_plain_remote(uint32_t transport, const std::optional<Endpoint>& remote, bool comedia);
  Status set_srtp_keys(uint32_t transport, bool inbound, uint16_t profile,
                       std::span<const uint8_t> key, std::span<const uint8_t> salt);
  Status create_producer(const ProducerParams& p);
  Status delete_producer(uint32_t id);
  Status set_producer_paused(uint32_t id, bool paused);
  Status create_consumer(const ConsumerParams& p);
  Status delete_consumer(uint32_t id);
  Status set_consumer_paused(uint32_t id, bool paused);
  Status request_keyframe(uint32_t producer);
  Status send_dtls(uint32_t transport, std::span<const uint8_t> data);
  // Deletes every object created under an epoch other than `keep`. Returns how many.
  size_t flush(uint64_t keep);

  // Dry-run checks for batches: the same validation as the methods, against the current model
  // plus the ids a batch creates or deletes before this entry.
  struct Overlay {
    std::unordered_map<uint32_t, bool> transports, producers, consumers;  // id -> exists
    std::unordered_map<uint32_t, uint32_t> producer_transport;  // producers the batch creates
    std::unordered_map<std::string, bool> ufrags;               // ufrag -> in use
    std::unordered_map<uint32_t, bool> ports;                   // port << 16 | udp -> in use
    std::unordered_map<uint32_t, TransportParams> created;      // transports the batch creates
  };
  // Record in `o` what a create or delete in a batch does to ids, ufrags and ports.
  void overlay_create_transport(const TransportParams& p, Overlay* o) const;
  void overlay_delete_transport(uint32_t id, Overlay* o) const;
  Status check_create_transport(const TransportParams& p, const Overlay& o) const;
  Status check_create_producer(const ProducerParams& p, const Overlay& o) const;
  Status check_create_consumer(const ConsumerParams& p, const Overlay& o) const;
  bool transport_exists(uint32_t id, const Overlay& o) const;
  bool producer_exists(uint32_t id, const Overlay& o) const;
  bool consumer_exists(uint32_t id, const Overlay& o) const;

  std::vector<TransportInfo> transports() const;
  std::vector<ProducerInfo> producers() const;
  std::vector<ConsumerInfo> consumers() const;
  std::optional<TransportInfo> transport(uint32_t id) const;
  std::optional<ProducerInfo> producer(uint32_t id) const;
  std::optional<ConsumerInfo> consumer(uint32_t id) const;
  LcoreCounters total_counters() const;  // workers plus main
  const LcoreCounters& main_counters() const { return counters_; }

  // Main-loop duty: command completions, worker events and punts, deferred slot reuse.
  void poll();
  // True when every command sent has come back (tests wait on it).
  bool idle() const { return in_flight_ == 0; }

 private:
  struct TransportEntry {
    std::unique_ptr<Transport> obj;
    TransportParams params;
    TransportCreated created;
    uint64_t epoch = 0;
    std::vector<uint32_t> producers;  // ids
    std::vector<uint32_t> consumers;  // ids
    std::vector<net::Tuple> tuples;   // in the dispatch table
    std::optional<net::Tuple> selected;
    uint16_t srtp_in_profile = 0;
    uint16_t srtp_out_profile = 0;
    bool attached = false;     // the worker attached it and the dispatch tables route to it
    net::Tuple plain_tuple{};  // plain: the static remote (main's copy; the worker owns obj's)
  };
  static TransportInfo info_of(const TransportEntry& t);
  struct ProducerEntry {
    std::unique_ptr<Producer> obj;
    ProducerParams params;
    uint64_t epoch = 0;
    std::vector<uint32_t> consumers;  // ids
    uint32_t consumers_on_worker[kMaxWorkers] = {};
  };
  struct ConsumerEntry {
    std::unique_ptr<Consumer> obj;
    ConsumerParams params;
    uint64_t epoch = 0;
  };
  class SlotPool {
   public:
    void init(uint32_t n);
    bool alloc(uint32_t* slot, uint32_t* gen);
    void release_after(uint32_t slot, uint64_t rcu_token);
    void reclaim(rte_rcu_qsbr* rcu);

   private:
    std::vector<uint32_t> free_;
    std::vector<uint32_t> gens_;
    std::deque<std::pair<uint32_t, uint64_t>> deferred_;
  };

  void send(uint16_t worker, std::unique_ptr<Command> cmd);
  void complete(Command* cmd);
  void publish_routes(TransportEntry& t);
  void handle_from_worker(rte_mbuf* m);
  uint16_t pick_worker() const;
  bool enqueue_to_worker(uint16_t worker, rte_mbuf* m);
  TransportEntry* find_transport(uint32_t id);
  const TransportEntry* find_transport_slot(uint32_t slot, uint32_t gen) const;

  Engine& e_;
  EventSink* sink_ = nullptr;
  uint64_t epoch_ = 0;
  std::unordered_map<uint32_t, TransportEntry> transports_;
  std::unordered_map<uint32_t, ProducerEntry> producers_;
  std::unordered_map<uint32_t, ConsumerEntry> consumers_;
  std::vector<uint32_t> transport_ids_by_slot_;
  std::unordered_map<std::string, uint32_t> ufrags_;
  std::unordered_map<uint32_t, uint32_t> ports_in_use_;  // (port << 16 | udp port) -> transport id
  SlotPool transport_slots_, producer_slots_, consumer_slots_;
  uint32_t transports_on_worker_[kMaxWorkers] = {};
  uint64_t in_flight_ = 0;
  LcoreCounters counters_;  // the main lcore's own (punts re-dispatched, dropped)
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace fanout::dp

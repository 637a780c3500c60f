// One per fanout-controlplane process: the link to the data plane, the node's DTLS identity (a
// certificate generated at start, shared by every transport) and the object model (routers,
// WebRtcTransports, PlainTransports, producers, consumers) under the string ids signaling chooses,
// mapped to the data plane's uint32 ids. Driven by run_once() and the request methods from one
// thread.
//
// Requests on the model throw CpError (or RtpError from the negotiation) with a reason; closes
// cascade as in mediasoup (a transport's producers and consumers, a producer's consumers), each
// cascaded close reported to the NodeObserver with its reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "controlplane/core/consumer.hpp"
#include "controlplane/core/dataplane_link.hpp"
#include "controlplane/core/errors.hpp"
#include "controlplane/core/journal.hpp"
#include "controlplane/core/keyframe_limiter.hpp"
#include "controlplane/core/plain_transport.hpp"
#include "controlplane/core/producer.hpp"
#include "controlplane/core/router.hpp"
#include "controlplane/core/scores.hpp"
#include "controlplane/core/webrtc_transport.hpp"

namespace fanout::cp {

// What the model reports without being asked. Called from inside Node's methods (run_once or a
// request); an observer must not call back into Node from them.
// Scores (controlplane/core/scores.hpp): a producer's per encoding, a consumer's with the score
// of the producer stream it is forwarded.
struct EncodingScore {
  uint16_t encoding_idx = 0;
  uint32_t ssrc = 0;
  std::string rid;
  uint8_t score = 0;
  bool operator==(const EncodingScore&) const = default;
};
struct ConsumerScore {
  uint8_t score = 0;
  uint8_t producer_score = 0;
  std::vector<uint8_t> producer_scores;
  bool operator==(const ConsumerScore&) const = default;
};

class NodeObserver {
 public:
  virtual ~NodeObserver() = default;
  // After every ICE or DTLS state change of a transport created by string id.
  virtual void on_transport_state(const std::string& /*transport_id*/,
                                  const WebRtcTransport& /*transport*/) {}
  // Closed by a cascade (its transport or router closed), not by a close of the producer itself.
  virtual void on_producer_closed(const std::string& /*producer_id*/,
                                  const std::string& /*reason*/) {}
  virtual void on_consumer_closed(const std::string& /*consumer_id*/,
                                  const std::string& /*reason*/) {}
  virtual void on_producer_paused_changed(const std::string& /*producer_id*/, bool /*paused*/) {}
  // A score changed (node_scores.cpp; checked every Options::score_interval).
  virtual void on_producer_score(const std::string& /*producer_id*/,
                                 const std::vector<EncodingScore>& /*scores*/) {}
  virtual void on_consumer_score(const std::string& /*consumer_id*/, const ConsumerScore& /*s*/) {}
};

// A transport created by string id: the WebRtcTransport or PlainTransport plus what the model
// keeps about it.
struct TransportEntry {
  std::string id;
  std::string router_id;
  uint32_t dataplane_id = 0;
  bool plain = false;     // a PlainTransport (else a WebRtcTransport)
  uint16_t own_port = 0;  // a UDP port of its own, 0: the shared ICE port
  std::set<std::string> producers;
  std::set<std::string> consumers;
  boost::json::value app_data;
  uint32_t next_consumer_mid = 0;  // mediasoup's consumer mids: "0", "1"... per transport
};

class Node : private DataplaneEventHandler {
 public:
  using Clock = WebRtcTransport::Clock;

  struct Options {
    DataplaneLink::Options link;
    // The DTLS identity; nullopt: an ECDSA P-256 certificate generated now.
    std::optional<Certificate> certificate;
    // A router's transports stay on one worker until it has this many there.
    uint32_t max_transports_per_worker = 200;
    std::chrono::milliseconds key_frame_interval{500};
    // DPDK port of every transport created by string id.
    uint16_t port = 0;
    // How often the data plane's media counters are read for scores; 0: no scores.
    std::chrono::milliseconds score_interval{1000};
  };

  // Generates the certificate and connects; throws std::runtime_error if the data plane cannot
  // be reached or refuses us.
  explicit Node(Options options);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // --- Transports by data plane id (the transport core; tests and tools) ---

  // `id` 0: the next free id. Throws std::runtime_error when the data plane refuses (and
  // std::invalid_argument for an id in use).
  WebRtcTransport& create_webrtc_transport(uint32_t id = 0, WebRtcTransportOptions options = {});
  WebRtcTransport* transport(uint32_t id);
  // Sends close_notify now and forgets the transport; its DeleteTransport follows kCloseLinger
  // later from run_once (see WebRtcTransport::close_dtls), or at once from ~Node.
  Status close_transport(uint32_t id);
  size_t transport_count() const { return transports_.size(); }
  // Closed transports whose DeleteTransport is still to be sent.
  size_t closing_count() const { return closing_.size(); }

  // Time for the owner worker to send a close_notify before the transport is deleted (its ring
  // is drained every loop, in microseconds).
  static constexpr std::chrono::milliseconds kCloseLinger{20};

  // --- The object model by string id ---

  void set_observer(NodeObserver* observer) { observer_ = observer; }

  // `media_codecs` nullopt: every codec of supported_rtp_capabilities().
  const Router& create_router(const std::string& id,
                              const std::optional<std::vector<RtpCodecCapability>>& media_codecs);
  const TransportEntry& create_webrtc_transport(const std::string& router_id,
                                                const std::string& transport_id, bool own_port,
                                                boost::json::value app_data = {});
  // Always on a UDP port of its own. `srtp` nullopt: plain RTP.
  const TransportEntry& create_plain_transport(const std::string& router_id,
                                               const std::string& transport_id, bool comedia,
                                               std::optional<SrtpProfile> srtp,
                                               boost::json::value app_data = {});
  // mediasoup's plainTransport.connect({ ip, port, srtpParameters }): `remote` required without
  // comedia and refused with it, `remote_srtp` (the remote's sending key) required with SRTP.
  // Keys and remote are set on the live data plane transport: its producers and consumers stay.
  // Throws CpError.
  const PlainTransport& connect_plain_transport(const std::string& transport_id,
                                                const std::optional<UdpEndpoint>& remote,
                                                const std::optional<SrtpParameters>& remote_srtp);
  // mediasoup's webRtcTransport.restartIce(): new ICE credentials (see
  // WebRtcTransport::restart_ice). Throws CpError (a plain transport has no ICE).
  const IceParameters& restart_ice(const std::string& transport_id);
  // The browser's dtlsParameters: its role and the fingerprint to check its certificate against.
  void connect_webrtc_transport(const std::string& transport_id, DtlsRole remote_role,
                                const Fingerprint& remote_fingerprint);
  const Producer& produce(const std::string& transport_id, const std::string& producer_id,
                          MediaKind kind, const RtpParameters& rtp_parameters, bool paused,
                          boost::json::value app_data = {});
  // Consumers created resumed (and resumed later) ask the producer for a keyframe.
  const Consumer& consume(const std::string& transport_id, const std::string& consumer_id,
                          const std::string& producer_id, const RtpCapabilities& rtp_capabilities,
                          bool paused);
  // A producer's pause reaches its consumers' producer_paused and the observer. No-op when
  // unchanged.
  void set_producer_paused(const std::string& producer_id, bool paused);
  void set_consumer_paused(const std::string& consumer_id, bool paused);
  // For the consumer's producer, rate-limited (see KeyFrameLimiter).
  void request_key_frame(const std::string& consumer_id);

  void close_router(const std::string& id);
  void close_transport(const std::string& id);
  void close_producer(const std::string& id);
  void close_consumer(const std::string& id);

  // Lookups: nullptr when absent.
  const Router* router(const std::string& id) const;
  const TransportEntry* transport_entry(const std::string& id) const;
  WebRtcTransport* webrtc_transport(const std::string& id);
  PlainTransport* plain_transport(const std::string& id);
  const Producer* producer(const std::string& id) const;
  const Consumer* consumer(const std::string& id) const;
  const std::map<std::string, Router>& routers() const { return routers_; }
  const std::map<std::string, TransportEntry>& transport_entries() const { return entries_; }
  const std::map<std::string, Producer>& producers() const { return producers_; }
  const std::map<std::string, Consumer>& consumers() const { return consumers_; }

  // Transports (all, by data plane id) per worker, indexed by worker.
  std::vector<uint32_t> worker_loads() const;
  size_t worker_count() const;
  // Keyframe requests the data plane refused (the producer's worker ring full, for one).
  uint64_t key_frame_request_errors() const { return key_frame_errors_; }
  uint64_t key_frame_requests_sent() const { return key_frame_requests_; }
  // The latest scores (nullopt: none computed yet, or no such object).
  std::optional<std::vector<EncodingScore>> producer_score(const std::string& id) const;
  std::optional<ConsumerScore> consumer_score(const std::string& id) const;

  // Waits up to `timeout` for data plane events or the earliest DTLS or keyframe timer, then
  // delivers the events and fires the timers that are due. An error means the link to the data
  // plane is gone.
  Status run_once(std::chrono::milliseconds timeout);

  // --- Restart (node_journal.cpp) ---

  // Bumped by every change of the object model: the owner rewrites the journal when it moved.
  uint64_t model_version() const { return model_version_; }
  // The model as the restart journal keeps it (controlplane/core/journal.hpp), and as JSON.
  Journal journal() const;
  boost::json::value snapshot() const;
  // The changes since the last call, as records for the journal's log (JournalFile::append): a
  // put of each object created or changed (its whole journal entry), a delete of each one closed.
  // `full` is set instead when only a whole snapshot will do (start, restore). One request's
  // records cost what it changed, not the size of the model.
  struct JournalChanges {
    bool full = false;
    boost::json::array records;
  };
  JournalChanges take_journal_changes();
  struct RestoreSummary {
    size_t routers = 0, transports = 0, producers = 0, consumers = 0;
    size_t transports_keyed = 0;               // SRTP keys installed: DTLS connected, media flows
    size_t transports_rehandshaking = 0;       // no keys yet: a fresh DTLS session with the browser
    std::string stale;                         // why only the journal's routers were used, if so
    size_t dropped = 0;                        // in the journal, gone from the data plane
    std::vector<std::string> dropped_details;  // one line each: what and why
    size_t orphans_deleted = 0;                // in the data plane, not in the journal
    size_t orphan_transports = 0, orphan_producers = 0, orphan_consumers = 0;
    size_t orphans_failed = 0;  // deletes refused (already gone with their parent)
    // The ids of the journal's transports, producers and consumers that were not restored: the
    // API's clients (signaling) still know them, and are told that they are closed.
    std::vector<std::string> lost_transports, lost_producers, lost_consumers;
    // One line for the log: "restored N routers, N transports (...), ...; dropped ...; deleted".
    std::string describe() const;
  };
  // Adopts the objects of a previous control plane: `journal` (its snapshot(), nullptr when there
  // is none) reconciled with the data plane's Dump (see reconcile()). Objects in both are restored
  // without being created again (media keeps flowing); journal objects the data plane lost are
  // dropped; data plane objects the journal lacks are deleted. Call once, on an empty node. Throws
  // std::runtime_error when the data plane cannot be read, CpError for a journal that is not one
  // (before anything changed).
  RestoreSummary restore(const boost::json::value* journal);

  DataplaneLink& link() { return link_; }
  const std::shared_ptr<const DtlsContext>& dtls_context() const { return dtls_context_; }

  uint64_t events_for_unknown_transports() const { return unknown_transport_events_; }

 private:
  void on_dtls_received(uint32_t transport, const UdpEndpoint& remote,
                        std::span<const uint8_t> data) override;
  void on_ice_selected_tuple_changed(uint32_t transport, const IceTuple& tuple) override;
  void on_ice_consent_expired(uint32_t transport) override;
  WebRtcTransport* find_for_event(uint32_t id);

  // Reports the transport's state changes to the observer under its string id.
  void watch_transport(const std::string& id, WebRtcTransport& transport);
  TransportEntry& entry_or_throw(const std::string& id);
  Producer& producer_or_throw(const std::string& id);
  Consumer& consumer_or_throw(const std::string& id);
  void check_new_id(const std::string& what, const std::string& id) const;
  uint16_t allocate_own_port(uint16_t attempt);
  uint32_t next_transport_id();
  // The worker of a transport by string id; nullopt if it has none.
  std::optional<uint16_t> worker_of(const TransportEntry& entry) const;
  // place_transport() for a new transport of `router`.
  std::optional<uint16_t> place_in(const Router& router) const;
  void request_key_frame_for(const Producer& producer);
  void close_transport_with(const std::string& id, const std::string& reason);
  // `reason` empty: closed by request (no event).
  void close_producer_with(const std::string& id, const std::string& reason);
  void close_consumer_with(const std::string& id, const std::string& reason, bool in_dataplane);

  // Declared first: destroyed last, after the transports' DeleteTransport went through it.
  DataplaneLink link_;
  std::shared_ptr<const DtlsContext> dtls_context_;
  std::map<uint32_t, std::unique_ptr<WebRtcTransport>> transports_;
  struct Closing {
    Clock::time_point delete_at;
    std::unique_ptr<WebRtcTransport> transport;
  };
  std::vector<Closing> closing_;
  std::map<uint32_t, std::unique_ptr<PlainTransport>> plain_transports_;
  uint32_t next_id_ = 1;
  uint64_t unknown_transport_events_ = 0;

  Options options_;
  NodeObserver* observer_ = nullptr;
  std::map<std::string, Router> routers_;
  std::map<std::string, TransportEntry> entries_;
  std::map<std::string, Producer> producers_;
  std::map<std::string, Consumer> consumers_;
  std::set<uint16_t> own_ports_in_use_;
  uint32_t next_producer_id_ = 1;
  uint32_t next_consumer_id_ = 1;
  KeyFrameLimiter key_frames_;
  uint64_t key_frame_errors_ = 0;
  uint64_t key_frame_requests_ = 0;
  uint64_t model_version_ = 0;
  // What changed since take_journal_changes() (node_journal.cpp).
  enum class JournalKind : uint8_t { kRouter, kTransport, kProducer, kConsumer };
  void touch(JournalKind kind, const std::string& id) {
    ++model_version_;
    journal_dirty_.emplace(kind, id);
  }
  std::optional<JournalTransport> journal_transport(const std::string& id,
                                                    const TransportEntry& e) const;
  std::set<std::pair<JournalKind, std::string>> journal_dirty_;
  bool journal_full_ = true;
  // Scores (node_scores.cpp): state per object, what was last announced, the next reading.
  void update_scores();
  struct ProducerScoreState {
    std::vector<StreamScore> streams;
    std::vector<EncodingScore> announced;
  };
  struct ConsumerScoreState {
    ConsumerScoreKeeper keeper;
    std::optional<ConsumerScore> announced;
  };
  std::map<std::string, ProducerScoreState> producer_scores_;
  std::map<std::string, ConsumerScoreState> consumer_scores_;
  Clock::time_point next_scores_at_{};
  uint64_t score_read_errors_ = 0;
};

}  // namespace fanout::cp

// The control plane's connection to fanout-dataplane (schemas/dataplane.fbs over the IPC socket):
// typed requests that return a Status, and the events the transports need (punted DTLS records,
// ICE tuple selection, consent expiry) delivered to a handler from drain_events().
//
// One thread drives a link. Requests block until their reply (the data plane answers from its
// main lcore within milliseconds); events that arrive meanwhile are queued, never delivered from
// inside a request, so a handler may itself send requests (a DTLS flight in answer to a record).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "controlplane/core/status.hpp"
#include "controlplane/dtls/srtp_profile.hpp"
#include "controlplane/rtp/dataplane_params.hpp"
#include "dataplane/ipc/client.hpp"

namespace fanout::cp {

struct UdpEndpoint {
  std::string address;  // textual IPv4 or IPv6
  uint16_t port = 0;
};

struct IceTuple {
  UdpEndpoint local;
  UdpEndpoint remote;
  uint16_t port = 0;  // DPDK port id
};

struct TransportCreated {
  uint16_t worker = 0;
  std::string local_address;  // the address announced in the ICE candidate
  uint16_t local_port = 0;
};

enum class SrtpDirection { kInbound, kOutbound };

// What the data plane holds (its Dump), as far as a restarted control plane needs it to adopt
// its predecessor's objects.
struct DataplaneDump {
  struct Transport {
    uint32_t id = 0;
    TransportCreated created;
    std::string ice_ufrag;
    std::optional<IceTuple> selected_tuple;
    uint16_t srtp_inbound_profile = 0;  // 0: no keys
    uint16_t srtp_outbound_profile = 0;
    bool plain = false;  // TransportKind Plain
    std::optional<UdpEndpoint> plain_remote;
    bool comedia = false;
  };
  std::vector<Transport> transports;
  std::vector<uint32_t> producers;
  std::vector<uint32_t> consumers;
};
enum class PauseTarget { kProducer, kConsumer };

class DataplaneEventHandler {
 public:
  virtual ~DataplaneEventHandler() = default;
  virtual void on_dtls_received(uint32_t transport, const UdpEndpoint& remote,
                                std::span<const uint8_t> data) = 0;
  virtual void on_ice_selected_tuple_changed(uint32_t transport, const IceTuple& tuple) = 0;
  virtual void on_ice_consent_expired(uint32_t transport) = 0;
};

class DataplaneLink {
 public:
  using Millis = std::chrono::milliseconds;

  struct Options {
    std::string socket_path = "/run/fanout/dataplane.sock";
    std::string client_name = "fanout-controlplane 0.1.0";
    // Tags every object we create (Flush keeps one epoch after a restart). 0: wall-clock ms, so
    // that a restarted control plane never reuses its predecessor's epoch.
    uint64_t epoch = 0;
    Millis timeout{2000};  // connect, Hello and each request
  };

  DataplaneLink() = default;
  DataplaneLink(const DataplaneLink&) = delete;
  DataplaneLink& operator=(const DataplaneLink&) = delete;

  // Connects and says Hello; a refused Hello (schema major mismatch) is an error.
  Status connect(const Options& options);
  bool connected() const { return client_.connected(); }
  void close() { client_.close(); }
  uint64_t epoch() const { return epoch_; }
  // The data plane's HelloReply (ports, workers); null before connect().
  const fanout::ipc::HelloReply* hello_reply() const;

  // `worker` nullopt: the data plane picks. `local_port` 0: the port's shared ICE port.
  StatusOr<TransportCreated> create_transport(uint32_t id, std::string_view ufrag,
                                              std::string_view pwd,
                                              std::optional<uint16_t> worker = std::nullopt,
                                              uint16_t port = 0, uint16_t local_port = 0);
  // A plain transport (`remote` or `comedia`, see schemas/dataplane.fbs CreateTransport).
  StatusOr<TransportCreated> create_plain_transport(uint32_t id, std::optional<uint16_t> worker,
                                                    uint16_t port, uint16_t local_port,
                                                    const std::optional<UdpEndpoint>& remote,
                                                    bool comedia);
  Status set_srtp_keys(uint32_t id, SrtpDirection direction, SrtpProfile profile,
                       std::span<const uint8_t> key, std::span<const uint8_t> salt);
  // Both directions in one Batch, so the data plane applies both or neither: a transport never
  // receives media it could not answer, or sends under keys it cannot receive with.
  Status set_srtp_keys(uint32_t id, SrtpProfile profile, std::span<const uint8_t> inbound_key,
                       std::span<const uint8_t> inbound_salt, std::span<const uint8_t> outbound_key,
                       std::span<const uint8_t> outbound_salt);
  Status delete_transport(uint32_t id);
  // ICE restart: the transport's new local ufrag and pwd (the old ufrag stops working at once).
  Status set_ice_parameters(uint32_t id, std::string_view ufrag, std::string_view pwd);
  // A plain transport's new remote: `remote` (static), or comedia (latch the next packet's
  // source). Producers and consumers on it are kept.
  Status set_plain_remote(uint32_t id, const std::optional<UdpEndpoint>& remote, bool comedia);
  StatusOr<DataplaneDump> dump();
  Status send_dtls(uint32_t id, std::span<const uint8_t> data);
  Status create_producer(uint32_t id, uint32_t transport, const DataplaneProducer& producer,
                         bool paused = false);
  Status create_consumer(uint32_t id, uint32_t producer, uint32_t transport,
                         const DataplaneConsumer& consumer, bool paused = false);
  // The data plane deletes a producer's consumers with it, and a transport's producers and
  // consumers with the transport.
  Status delete_producer(uint32_t id);
  Status delete_consumer(uint32_t id);
  Status set_paused(PauseTarget target, uint32_t id, bool paused);
  // The producer's owner sends it a PLI (FIR for a stream without PLI).
  Status request_key_frame(uint32_t producer);
  // A Counters reply; `transport` 0: global counters.
  StatusOr<dp::ipc::OwnedEnvelope> get_counters(uint32_t transport);
  // One producer's (RTP received) or consumer's (RTP sent) packets and bytes.
  struct RtpCounts {
    uint64_t packets = 0;
    uint64_t bytes = 0;
  };
  StatusOr<RtpCounts> producer_counters(uint32_t producer);
  StatusOr<RtpCounts> consumer_counters(uint32_t consumer);
  // Every producer's streams and every consumer's receiver reports (GetCounters.all_media), by
  // data plane id: what the scores are computed from, once a second.
  struct MediaCounters {
    struct Stream {
      uint32_t ssrc = 0;
      uint64_t packets = 0;
      uint64_t expected = 0;
    };
    struct Consumer {
      uint64_t packets = 0;
      uint64_t reports = 0;
      uint8_t fraction_lost = 0;
    };
    std::unordered_map<uint32_t, std::vector<Stream>> producers;
    std::unordered_map<uint32_t, Consumer> consumers;
  };
  StatusOr<MediaCounters> media_counters();

  // For poll(): readable when events (or a late reply) wait. Events already queued by a request
  // do not make it readable: check has_queued_events() too.
  int fd() const { return client_.fd(); }
  bool has_queued_events() const { return client_.queued_events() > 0; }
  // Delivers every event queued or readable now without blocking. An error means the data plane
  // closed the connection (or sent garbage): reconnect.
  Status drain_events(DataplaneEventHandler& handler);

  // Other requests (GetCounters, Dump...) through the same connection and epoch.
  dp::ipc::IpcClient& client() { return client_; }
  Millis timeout() const { return timeout_; }

 private:
  template <typename Build>
  StatusOr<dp::ipc::OwnedEnvelope> call(std::string_view what, Build&& build);
  void deliver(const dp::ipc::OwnedEnvelope& event, DataplaneEventHandler& handler);

  dp::ipc::IpcClient client_;
  uint64_t epoch_ = 0;
  Millis timeout_{2000};
};

}  // namespace fanout::cp

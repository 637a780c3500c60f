// The signaling API's request service (schemas/controlplane.fbs): each verified request becomes
// calls on the Node's object model, and its reply (or Error) a size-prefixed FCP1 Envelope. The
// mediasoup-shaped parameters travel as JSON text and are parsed here, once (controlplane/rtp).
// Node's cascades and transport state changes come back as events through the EventSink.
//
// The socket server (controlplane/api) answers Hello and framing errors itself; everything else
// comes here. One thread: the one that drives Node::run_once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "controlplane/core/node.hpp"
#include "schemas/controlplane_generated.h"

namespace fanout::cp {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(std::span<const uint8_t> size_prefixed_envelope) = 0;
};

struct ServiceOptions {
  bool default_own_port = false;
  // Announced in ICE candidates instead of the address the data plane reports (NAT, a public
  // address in front of the port); empty: the data plane's.
  std::string announced_address;
};

class Service : private NodeObserver {
 public:
  Service(Node& node, ServiceOptions options, EventSink& events);
  ~Service() override;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // A verified request whose body is not Hello. Returns a size-prefixed FCP1 Envelope with
  // the request's id and the reply body (or Error). Never throws.
  std::vector<uint8_t> handle(const fanout::cpapi::Envelope& request);
  // After Node::restore: what the previous control plane had made (and its clients still know)
  // but was not restored — lost with a restarted data plane — is announced closed, as if it had
  // been closed here: consumers and producers first (ConsumerClosed, ProducerClosed), then the
  // transports (TransportStateChanged, ICE and DTLS closed).
  void announce_lost(const Node::RestoreSummary& restored);

 private:
  void on_transport_state(const std::string& transport_id,
                          const WebRtcTransport& transport) override;
  void on_producer_closed(const std::string& producer_id, const std::string& reason) override;
  void on_consumer_closed(const std::string& consumer_id, const std::string& reason) override;
  void on_producer_paused_changed(const std::string& producer_id, bool paused) override;
  void on_producer_score(const std::string& producer_id,
                         const std::vector<EncodingScore>& scores) override;
  void on_consumer_score(const std::string& consumer_id, const ConsumerScore& score) override;

  Node& node_;
  ServiceOptions options_;
  EventSink& events_;
};

}  // namespace fanout::cp

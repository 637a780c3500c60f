// One per fanout-controlplane process: the link to the data plane, the node's DTLS identity (a
// certificate generated at start, shared by every transport) and the transports by id, driven by
// run_once() from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "controlplane/core/dataplane_link.hpp"
#include "controlplane/core/webrtc_transport.hpp"

namespace fanout::cp {

class Node : private DataplaneEventHandler {
 public:
  using Clock = WebRtcTransport::Clock;

  struct Options {
    DataplaneLink::Options link;
  };

  // Generates the certificate and connects; throws std::runtime_error if the data plane cannot
  // be reached or refuses us.
  explicit Node(Options options);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

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

  // Waits up to `timeout` for data plane events or the earliest DTLS timer, then delivers the
  // events and fires the timers that are due. An error means the link to the data plane is gone.
  Status run_once(std::chrono::milliseconds timeout);

  DataplaneLink& link() { return link_; }
  const std::shared_ptr<const DtlsContext>& dtls_context() const { return dtls_context_; }

  uint64_t events_for_unknown_transports() const { return unknown_transport_events_; }

 private:
  void on_dtls_received(uint32_t transport, const UdpEndpoint& remote,
                        std::span<const uint8_t> data) override;
  void on_ice_selected_tuple_changed(uint32_t transport, const IceTuple& tuple) override;
  void on_ice_consent_expired(uint32_t transport) override;
  WebRtcTransport* find_for_event(uint32_t id);

  // Declared first: destroyed last, after the transports' DeleteTransport went through it.
  DataplaneLink link_;
  std::shared_ptr<const DtlsContext> dtls_context_;
  std::map<uint32_t, std::unique_ptr<WebRtcTransport>> transports_;
  struct Closing {
    Clock::time_point delete_at;
    std::unique_ptr<WebRtcTransport> transport;
  };
  std::vector<Closing> closing_;
  uint32_t next_id_ = 1;
  uint64_t unknown_transport_events_ = 0;
};

}  // namespace fanout::cp

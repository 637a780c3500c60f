#include "controlplane/core/node.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fanout::cp {

Node::Node(Options options)
    : dtls_context_(std::make_shared<const DtlsContext>(Certificate::generate())) {
  Status s = link_.connect(options.link);
  if (!s.ok()) throw std::runtime_error(s.error());
}

Node::~Node() {
  // Transports close through the link, which must still be connected.
  closing_.clear();
  transports_.clear();
}

WebRtcTransport& Node::create_webrtc_transport(uint32_t id, WebRtcTransportOptions options) {
  if (id == 0) {
    while (next_id_ == 0 || transports_.count(next_id_) != 0) ++next_id_;
    id = next_id_++;
  } else if (transports_.count(id) != 0) {
    throw std::invalid_argument("transport " + std::to_string(id) + " exists");
  }
  auto t = std::make_unique<WebRtcTransport>(link_, dtls_context_, id, std::move(options));
  return *transports_.emplace(id, std::move(t)).first->second;
}

WebRtcTransport* Node::transport(uint32_t id) {
  auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : it->second.get();
}

Status Node::close_transport(uint32_t id) {
  auto it = transports_.find(id);
  if (it == transports_.end())
    return Status::failure("transport " + std::to_string(id) + " not found");
  it->second->close_dtls();
  closing_.push_back({Clock::now() + kCloseLinger, std::move(it->second)});
  transports_.erase(it);
  return {};
}

Status Node::run_once(std::chrono::milliseconds timeout) {
  if (!link_.connected()) return Status::failure("not connected to the data plane");
  auto now = Clock::now();
  auto deadline = now + timeout;
  for (auto& [id, t] : transports_) {
    if (auto next = t->next_timeout(now)) deadline = std::min(deadline, *next);
  }
  for (const Closing& c : closing_) deadline = std::min(deadline, c.delete_at);
  int wait_ms = 0;
  if (!link_.has_queued_events() && deadline > now) {
    // Rounded up: waking a millisecond early would spin until the timer is due.
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
    wait_ms = static_cast<int>((us + 999) / 1000);
  }
  pollfd pfd{link_.fd(), POLLIN, 0};
  if (::poll(&pfd, 1, wait_ms) < 0 && errno != EINTR) {
    return Status::failure(std::string("poll: ") + std::strerror(errno));
  }
  Status s = link_.drain_events(*this);
  now = Clock::now();
  for (auto& [id, t] : transports_) {
    if (auto next = t->next_timeout(now); next && *next <= now) t->on_timer(now);
  }
  for (auto it = closing_.begin(); it != closing_.end();) {
    if (it->delete_at > now) {
      ++it;
      continue;
    }
    Status d = it->transport->delete_in_dataplane();
    if (!d.ok() && s.ok()) s = d;
    it = closing_.erase(it);
  }
  return s;
}

WebRtcTransport* Node::find_for_event(uint32_t id) {
  WebRtcTransport* t = transport(id);
  // Another client's objects (fanoutctl, a previous epoch) share the event stream.
  if (t == nullptr) ++unknown_transport_events_;
  return t;
}

void Node::on_dtls_received(uint32_t transport, const UdpEndpoint& /*remote*/,
                            std::span<const uint8_t> data) {
  if (WebRtcTransport* t = find_for_event(transport)) t->on_dtls_received(data);
}

void Node::on_ice_selected_tuple_changed(uint32_t transport, const IceTuple& tuple) {
  if (WebRtcTransport* t = find_for_event(transport)) t->on_ice_selected_tuple_changed(tuple);
}

void Node::on_ice_consent_expired(uint32_t transport) {
  if (WebRtcTransport* t = find_for_event(transport)) t->on_ice_consent_expired();
}

}  // namespace fanout::cp

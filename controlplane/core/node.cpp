#include "controlplane/core/node.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "controlplane/core/placement.hpp"
#include "controlplane/rtp/dataplane_params.hpp"
#include "controlplane/rtp/supported_capabilities.hpp"

namespace fanout::cp {

namespace {

[[noreturn]] void throw_not_found(const std::string& what, const std::string& id) {
  throw CpError(CpError::Code::kNotFound, what + " '" + id + "' not found");
}

[[noreturn]] void throw_dataplane(const Status& s) {
  throw CpError(CpError::Code::kDataplane, s.error());
}

// Transport ids of the data plane and string ids of signaling never mix: signaling's are UUIDs,
// but any non-empty string up to this length is accepted.
constexpr size_t kMaxIdLength = 256;

}  // namespace

Node::Node(Options options)
    : dtls_context_(std::make_shared<const DtlsContext>(
          options.certificate ? *options.certificate : Certificate::generate())),
      options_(std::move(options)),
      key_frames_(options_.key_frame_interval) {
  Status s = link_.connect(options_.link);
  if (!s.ok()) throw std::runtime_error(s.error());
}

Node::~Node() {
  // Transports close through the link, which must still be connected.
  closing_.clear();
  transports_.clear();
  plain_transports_.clear();
}

uint32_t Node::next_transport_id() {
  while (next_id_ == 0 || transports_.count(next_id_) != 0 ||
         plain_transports_.count(next_id_) != 0)
    ++next_id_;
  return next_id_++;
}

WebRtcTransport& Node::create_webrtc_transport(uint32_t id, WebRtcTransportOptions options) {
  if (id == 0) {
    id = next_transport_id();
  } else if (transports_.count(id) != 0 || plain_transports_.count(id) != 0) {
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

// ---------------------------------------------------------------------------------------------
// Lookups

const Router* Node::router(const std::string& id) const {
  auto it = routers_.find(id);
  return it == routers_.end() ? nullptr : &it->second;
}

const TransportEntry* Node::transport_entry(const std::string& id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

WebRtcTransport* Node::webrtc_transport(const std::string& id) {
  const TransportEntry* e = transport_entry(id);
  return e ? transport(e->dataplane_id) : nullptr;
}

PlainTransport* Node::plain_transport(const std::string& id) {
  const TransportEntry* e = transport_entry(id);
  if (e == nullptr || !e->plain) return nullptr;
  auto it = plain_transports_.find(e->dataplane_id);
  return it == plain_transports_.end() ? nullptr : it->second.get();
}

const Producer* Node::producer(const std::string& id) const {
  auto it = producers_.find(id);
  return it == producers_.end() ? nullptr : &it->second;
}

const Consumer* Node::consumer(const std::string& id) const {
  auto it = consumers_.find(id);
  return it == consumers_.end() ? nullptr : &it->second;
}

TransportEntry& Node::entry_or_throw(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) throw_not_found("transport", id);
  return it->second;
}

Producer& Node::producer_or_throw(const std::string& id) {
  auto it = producers_.find(id);
  if (it == producers_.end()) throw_not_found("producer", id);
  return it->second;
}

Consumer& Node::consumer_or_throw(const std::string& id) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) throw_not_found("consumer", id);
  return it->second;
}

void Node::check_new_id(const std::string& what, const std::string& id) const {
  if (id.empty() || id.size() > kMaxIdLength) {
    throw CpError(CpError::Code::kInvalidArgument,
                  what + "_id: must be 1.." + std::to_string(kMaxIdLength) + " characters");
  }
  const bool exists =
      (what == "router" && routers_.count(id)) || (what == "transport" && entries_.count(id)) ||
      (what == "producer" && producers_.count(id)) || (what == "consumer" && consumers_.count(id));
  if (exists) throw CpError(CpError::Code::kAlreadyExists, what + " '" + id + "' already exists");
}

size_t Node::worker_count() const {
  const fanout::ipc::HelloReply* h = link_.hello_reply();
  return h && h->lcores() ? h->lcores()->size() : 0;
}

std::vector<uint32_t> Node::worker_loads() const {
  std::vector<uint32_t> load(worker_count(), 0);
  for (const auto& [id, t] : transports_) {
    if (t->created().worker < load.size()) ++load[t->created().worker];
  }
  for (const auto& [id, t] : plain_transports_) {
    if (t->created().worker < load.size()) ++load[t->created().worker];
  }
  return load;
}

std::optional<uint16_t> Node::worker_of(const TransportEntry& entry) const {
  if (entry.plain) {
    auto it = plain_transports_.find(entry.dataplane_id);
    if (it != plain_transports_.end()) return it->second->created().worker;
  } else {
    auto it = transports_.find(entry.dataplane_id);
    if (it != transports_.end()) return it->second->created().worker;
  }
  return std::nullopt;
}

std::optional<uint16_t> Node::place_in(const Router& router) const {
  std::vector<uint32_t> node_load = worker_loads();
  std::vector<uint32_t> router_load(node_load.size(), 0);
  for (const std::string& tid : router.transports) {
    std::optional<uint16_t> w = worker_of(entries_.at(tid));
    if (w && *w < router_load.size()) ++router_load[*w];
  }
  return place_transport(node_load, router_load, options_.max_transports_per_worker);
}

// ---------------------------------------------------------------------------------------------
// Creation

const Router& Node::create_router(
    const std::string& id, const std::optional<std::vector<RtpCodecCapability>>& media_codecs) {
  touch(JournalKind::kRouter, id);
  check_new_id("router", id);
  Router r;
  r.id = id;
  r.rtp_capabilities = generate_router_rtp_capabilities(
      media_codecs ? *media_codecs : supported_rtp_capabilities().codecs);
  r.media_codecs = media_codecs;
  return routers_.emplace(id, std::move(r)).first->second;
}

uint16_t Node::allocate_own_port(uint16_t attempt) {
  const fanout::ipc::HelloReply* h = link_.hello_reply();
  const fanout::ipc::PortInfo* port = nullptr;
  if (h && h->ports()) {
    for (const fanout::ipc::PortInfo* p : *h->ports()) {
      if (p->id() == options_.port) port = p;
    }
  }
  if (port == nullptr || port->udp_port_min() == 0 || port->udp_port_max() < port->udp_port_min())
    throw CpError(CpError::Code::kUnsupported, "own_port: the data plane's port " +
                                                   std::to_string(options_.port) +
                                                   " has no range of per-transport UDP ports");
  const uint32_t min = port->udp_port_min(), max = port->udp_port_max();
  // Skips ports this node holds, and `attempt` more that another client of the data plane holds.
  uint16_t skipped = 0;
  for (uint32_t p = min; p <= max; ++p) {
    if (own_ports_in_use_.count(static_cast<uint16_t>(p))) continue;
    if (skipped++ < attempt) continue;
    return static_cast<uint16_t>(p);
  }
  throw CpError(CpError::Code::kUnsupported, "own_port: every UDP port of " + std::to_string(min) +
                                                 ".." + std::to_string(max) + " is in use");
}

void Node::watch_transport(const std::string& id, WebRtcTransport& transport) {
  transport.set_state_callback([this, id](WebRtcTransport& t) {
    // The journal says whether DTLS ended, so that a restart does not handshake again.
    if (t.dtls_state() == DtlsState::kFailed || t.dtls_state() == DtlsState::kClosed)
      touch(JournalKind::kTransport, id);
    if (observer_) observer_->on_transport_state(id, t);
  });
}

const TransportEntry& Node::create_webrtc_transport(const std::string& router_id,
                                                    const std::string& transport_id, bool own_port,
                                                    boost::json::value app_data) {
  touch(JournalKind::kTransport, transport_id);
  auto r = routers_.find(router_id);
  if (r == routers_.end()) throw_not_found("router", router_id);
  check_new_id("transport", transport_id);

  WebRtcTransportOptions options;
  options.worker = place_in(r->second);
  options.port = options_.port;

  WebRtcTransport* created = nullptr;
  // A port of its own can be taken by another client of the data plane (fanoutctl, a previous
  // epoch): the data plane says AlreadyExists and the next free one is tried.
  constexpr uint16_t kOwnPortAttempts = 16;
  for (uint16_t attempt = 0; created == nullptr; ++attempt) {
    options.local_port = own_port ? allocate_own_port(attempt) : 0;
    try {
      created = &create_webrtc_transport(0, options);
    } catch (const std::runtime_error& e) {
      const bool port_taken =
          own_port && std::string(e.what()).find("AlreadyExists") != std::string::npos;
      if (!port_taken || attempt + 1 >= kOwnPortAttempts)
        throw CpError(CpError::Code::kDataplane, e.what());
    }
  }
  TransportEntry entry;
  entry.id = transport_id;
  entry.router_id = router_id;
  entry.dataplane_id = created->id();
  entry.own_port = options.local_port;
  entry.app_data = std::move(app_data);
  if (entry.own_port) own_ports_in_use_.insert(entry.own_port);
  watch_transport(transport_id, *created);
  r->second.transports.insert(transport_id);
  return entries_.emplace(transport_id, std::move(entry)).first->second;
}

const TransportEntry& Node::create_plain_transport(const std::string& router_id,
                                                   const std::string& transport_id, bool comedia,
                                                   std::optional<SrtpProfile> srtp,
                                                   boost::json::value app_data) {
  touch(JournalKind::kTransport, transport_id);
  auto r = routers_.find(router_id);
  if (r == routers_.end()) throw_not_found("router", router_id);
  check_new_id("transport", transport_id);
  PlainTransportOptions options;
  options.worker = place_in(r->second);
  options.port = options_.port;
  options.comedia = comedia;
  options.srtp = srtp;
  std::unique_ptr<PlainTransport> created;
  // As for WebRTC transports with a port of their own: another client may hold the port.
  constexpr uint16_t kOwnPortAttempts = 16;
  for (uint16_t attempt = 0; !created; ++attempt) {
    options.local_port = allocate_own_port(attempt);
    try {
      created = std::make_unique<PlainTransport>(link_, next_transport_id(), options);
    } catch (const std::runtime_error& e) {
      const bool port_taken = std::string(e.what()).find("AlreadyExists") != std::string::npos;
      if (!port_taken || attempt + 1 >= kOwnPortAttempts)
        throw CpError(CpError::Code::kDataplane, e.what());
    }
  }
  TransportEntry entry;
  entry.id = transport_id;
  entry.router_id = router_id;
  entry.dataplane_id = created->id();
  entry.plain = true;
  entry.own_port = options.local_port;
  entry.app_data = std::move(app_data);
  own_ports_in_use_.insert(entry.own_port);
  plain_transports_.emplace(created->id(), std::move(created));
  r->second.transports.insert(transport_id);
  return entries_.emplace(transport_id, std::move(entry)).first->second;
}

const PlainTransport& Node::connect_plain_transport(
    const std::string& transport_id, const std::optional<UdpEndpoint>& remote,
    const std::optional<SrtpParameters>& remote_srtp) {
  touch(JournalKind::kTransport, transport_id);
  TransportEntry& e = entry_or_throw(transport_id);
  PlainTransport* t = plain_transport(transport_id);
  if (t == nullptr) {
    throw CpError(CpError::Code::kInvalidArgument,
                  "transport '" + transport_id +
                      "' is a WebRTC transport: ConnectWebRtcTransport connects it");
  }
  const PlainTransport::ConnectPlan plan = t->plan_connect(remote, remote_srtp);
  if (Status s = t->connect(plan); !s.ok()) throw_dataplane(s);
  // Its resumed consumers start now: their receivers decode nothing before a keyframe.
  for (const std::string& cid : e.consumers) {
    const Consumer& c = consumers_.at(cid);
    const Producer& p = producers_.at(c.producer_id);
    if (!c.paused && !p.paused) request_key_frame_for(p);
  }
  return *t;
}

const IceParameters& Node::restart_ice(const std::string& transport_id) {
  touch(JournalKind::kTransport, transport_id);
  TransportEntry& e = entry_or_throw(transport_id);
  if (e.plain) {
    throw CpError(CpError::Code::kInvalidArgument,
                  "transport '" + transport_id + "' is a plain transport: it has no ICE");
  }
  WebRtcTransport* t = transport(e.dataplane_id);
  if (t == nullptr) throw_not_found("transport", transport_id);
  if (Status s = t->restart_ice(); !s.ok()) throw_dataplane(s);
  return t->ice_parameters();
}

void Node::connect_webrtc_transport(const std::string& transport_id, DtlsRole remote_role,
                                    const Fingerprint& remote_fingerprint) {
  touch(JournalKind::kTransport, transport_id);
  TransportEntry& e = entry_or_throw(transport_id);
  if (e.plain) {
    throw CpError(
        CpError::Code::kInvalidArgument,
        "transport '" + transport_id + "' is a plain transport: ConnectPlainTransport connects it");
  }
  WebRtcTransport* t = transport(e.dataplane_id);
  if (t == nullptr) throw_not_found("transport", transport_id);
  try {
    t->connect(remote_role, remote_fingerprint);
  } catch (const std::invalid_argument& ex) {
    throw CpError(CpError::Code::kInvalidArgument, ex.what());
  }
}

const Producer& Node::produce(const std::string& transport_id, const std::string& producer_id,
                              MediaKind kind, const RtpParameters& rtp_parameters, bool paused,
                              boost::json::value app_data) {
  touch(JournalKind::kProducer, producer_id);
  TransportEntry& e = entry_or_throw(transport_id);
  check_new_id("producer", producer_id);
  const Router& r = routers_.at(e.router_id);
  Producer p;
  p.id = producer_id;
  p.kind = kind;
  p.rtp_parameters = rtp_parameters;
  p.rtp_mapping = get_producer_rtp_parameters_mapping(kind, rtp_parameters, r.rtp_capabilities);
  p.consumable_rtp_parameters =
      get_consumable_rtp_parameters(kind, rtp_parameters, r.rtp_capabilities, p.rtp_mapping);
  DataplaneProducer dp = dataplane_producer(kind, rtp_parameters);
  p.paused = paused;
  p.transport_id = transport_id;
  p.router_id = e.router_id;
  p.app_data = std::move(app_data);
  while (next_producer_id_ == 0) ++next_producer_id_;
  p.dataplane_id = next_producer_id_++;
  if (Status s = link_.create_producer(p.dataplane_id, e.dataplane_id, dp, paused); !s.ok())
    throw_dataplane(s);
  e.producers.insert(producer_id);
  return producers_.emplace(producer_id, std::move(p)).first->second;
}

const Consumer& Node::consume(const std::string& transport_id, const std::string& consumer_id,
                              const std::string& producer_id,
                              const RtpCapabilities& rtp_capabilities, bool paused) {
  touch(JournalKind::kConsumer, consumer_id);
  touch(JournalKind::kTransport, transport_id);  // its next consumer mid
  TransportEntry& e = entry_or_throw(transport_id);
  Producer& p = producer_or_throw(producer_id);
  check_new_id("consumer", consumer_id);
  if (p.router_id != e.router_id) {
    throw CpError(CpError::Code::kInvalidArgument, "producer '" + producer_id + "' is in router '" +
                                                       p.router_id + "', the transport in '" +
                                                       e.router_id + "'");
  }
  if (p.transport_id == transport_id) {
    throw CpError(CpError::Code::kInvalidArgument, "producer '" + producer_id +
                                                       "' is on transport '" + transport_id +
                                                       "' itself: consume it on another transport");
  }
  if (std::string why = consume_refusal(p.consumable_rtp_parameters, rtp_capabilities);
      !why.empty()) {
    throw_unsupported(why);
  }
  Consumer c;
  c.id = consumer_id;
  c.producer_id = producer_id;
  c.transport_id = transport_id;
  c.kind = p.kind;
  c.rtp_parameters = get_consumer_rtp_parameters(p.consumable_rtp_parameters, rtp_capabilities);
  c.rtp_parameters.mid = std::to_string(e.next_consumer_mid);
  c.paused = paused;
  c.producer_paused = p.paused;
  DataplaneConsumer dc = dataplane_consumer(p.rtp_parameters, p.rtp_mapping, c.rtp_parameters);
  while (next_consumer_id_ == 0) ++next_consumer_id_;
  c.dataplane_id = next_consumer_id_++;
  if (Status s = link_.create_consumer(c.dataplane_id, p.dataplane_id, e.dataplane_id, dc, paused);
      !s.ok())
    throw_dataplane(s);
  ++e.next_consumer_mid;
  e.consumers.insert(consumer_id);
  p.consumers.insert(consumer_id);
  const Consumer& out = consumers_.emplace(consumer_id, std::move(c)).first->second;
  // The consumer's browser can decode nothing before a keyframe.
  if (!paused && !p.paused) request_key_frame_for(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pause and keyframes

void Node::set_producer_paused(const std::string& producer_id, bool paused) {
  touch(JournalKind::kProducer, producer_id);
  Producer& p = producer_or_throw(producer_id);
  if (p.paused == paused) return;
  if (Status s = link_.set_paused(PauseTarget::kProducer, p.dataplane_id, paused); !s.ok())
    throw_dataplane(s);
  p.paused = paused;
  bool any_resumed_consumer = false;
  for (const std::string& cid : p.consumers) {
    Consumer& c = consumers_.at(cid);
    c.producer_paused = paused;
    any_resumed_consumer = any_resumed_consumer || !c.paused;
  }
  if (observer_) observer_->on_producer_paused_changed(producer_id, paused);
  if (!paused && any_resumed_consumer) request_key_frame_for(p);
}

void Node::set_consumer_paused(const std::string& consumer_id, bool paused) {
  touch(JournalKind::kConsumer, consumer_id);
  Consumer& c = consumer_or_throw(consumer_id);
  if (c.paused == paused) return;
  if (Status s = link_.set_paused(PauseTarget::kConsumer, c.dataplane_id, paused); !s.ok())
    throw_dataplane(s);
  c.paused = paused;
  const Producer& p = producers_.at(c.producer_id);
  if (!paused && !p.paused) request_key_frame_for(p);
}

void Node::request_key_frame(const std::string& consumer_id) {
  const Consumer& c = consumer_or_throw(consumer_id);
  request_key_frame_for(producers_.at(c.producer_id));
}

void Node::request_key_frame_for(const Producer& producer) {
  // Audio has no keyframes.
  if (producer.kind != MediaKind::kVideo) return;
  if (!key_frames_.request(producer.dataplane_id, Clock::now())) return;
  ++key_frame_requests_;
  if (!link_.request_key_frame(producer.dataplane_id).ok()) ++key_frame_errors_;
}

// ---------------------------------------------------------------------------------------------
// Closing

void Node::close_router(const std::string& id) {
  touch(JournalKind::kRouter, id);
  auto it = routers_.find(id);
  if (it == routers_.end()) throw_not_found("router", id);
  for (const std::string& tid :
       std::vector<std::string>(it->second.transports.begin(), it->second.transports.end())) {
    close_transport_with(tid, "router closed");
  }
  routers_.erase(id);
}

void Node::close_transport(const std::string& id) {
  entry_or_throw(id);
  close_transport_with(id, "transport closed");
}

void Node::close_producer(const std::string& id) {
  producer_or_throw(id);
  close_producer_with(id, "");
}

void Node::close_consumer(const std::string& id) {
  consumer_or_throw(id);
  close_consumer_with(id, "", true);
}

void Node::close_transport_with(const std::string& id, const std::string& reason) {
  touch(JournalKind::kTransport, id);
  TransportEntry& e = entries_.at(id);
  // The data plane deletes the transport's consumers with it (DeleteTransport, after the close
  // linger); producers go now so that consumers elsewhere stop at once.
  for (const std::string& cid : std::vector<std::string>(e.consumers.begin(), e.consumers.end()))
    close_consumer_with(cid, reason, false);
  for (const std::string& pid : std::vector<std::string>(e.producers.begin(), e.producers.end()))
    close_producer_with(pid, reason);
  if (e.plain) {
    // No DTLS to close first: deleted in the data plane now.
    plain_transports_.erase(e.dataplane_id);
  } else {
    close_transport(e.dataplane_id);
  }
  if (e.own_port) own_ports_in_use_.erase(e.own_port);
  if (auto r = routers_.find(e.router_id); r != routers_.end()) r->second.transports.erase(id);
  entries_.erase(id);
}

void Node::close_producer_with(const std::string& id, const std::string& reason) {
  touch(JournalKind::kProducer, id);
  Producer& p = producers_.at(id);
  // DeleteProducer deletes its consumers in the data plane too.
  for (const std::string& cid : std::vector<std::string>(p.consumers.begin(), p.consumers.end()))
    close_consumer_with(cid, "producer closed", false);
  // A failure leaves nothing to undo: the model forgets the producer either way, and the data
  // plane's copy goes with its transport at the latest.
  (void)link_.delete_producer(p.dataplane_id);
  key_frames_.forget(p.dataplane_id);
  if (auto e = entries_.find(p.transport_id); e != entries_.end()) e->second.producers.erase(id);
  Producer closed = std::move(p);
  producers_.erase(id);
  if (!reason.empty() && observer_) observer_->on_producer_closed(closed.id, reason);
}

void Node::close_consumer_with(const std::string& id, const std::string& reason,
                               bool in_dataplane) {
  touch(JournalKind::kConsumer, id);
  Consumer& c = consumers_.at(id);
  if (in_dataplane) (void)link_.delete_consumer(c.dataplane_id);
  if (auto e = entries_.find(c.transport_id); e != entries_.end()) e->second.consumers.erase(id);
  if (auto p = producers_.find(c.producer_id); p != producers_.end()) p->second.consumers.erase(id);
  consumers_.erase(id);
  if (!reason.empty() && observer_) observer_->on_consumer_closed(id, reason);
}

// ---------------------------------------------------------------------------------------------
// The loop

Status Node::run_once(std::chrono::milliseconds timeout) {
  if (!link_.connected()) return Status::failure("not connected to the data plane");
  auto now = Clock::now();
  auto deadline = now + timeout;
  for (auto& [id, t] : transports_) {
    if (auto next = t->next_timeout(now)) deadline = std::min(deadline, *next);
  }
  for (const Closing& c : closing_) deadline = std::min(deadline, c.delete_at);
  if (auto next = key_frames_.next_due()) deadline = std::min(deadline, *next);
  const bool scoring = options_.score_interval.count() > 0;
  if (scoring) {
    if (next_scores_at_ == Clock::time_point{}) next_scores_at_ = now + options_.score_interval;
    deadline = std::min(deadline, next_scores_at_);
  }
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
  if (scoring && now >= next_scores_at_) {
    update_scores();
    next_scores_at_ = now + options_.score_interval;
  }
  for (uint32_t producer : key_frames_.due(now)) {
    ++key_frame_requests_;
    if (!link_.request_key_frame(producer).ok()) ++key_frame_errors_;
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
  // For a plain transport with comedia: the data plane latched the first packet's source.
  if (auto p = plain_transports_.find(transport); p != plain_transports_.end()) {
    p->second->on_tuple_selected(tuple);
    return;
  }
  if (WebRtcTransport* t = find_for_event(transport)) t->on_ice_selected_tuple_changed(tuple);
}

void Node::on_ice_consent_expired(uint32_t transport) {
  if (WebRtcTransport* t = find_for_event(transport)) t->on_ice_consent_expired();
}

}  // namespace fanout::cp

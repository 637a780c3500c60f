#include "signaling/app/room_handler.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>

#include "signaling/app/errors.hpp"
#include "signaling/app/fields.hpp"
#include "signaling/app/ids.hpp"
#include "signaling/auth/reconnect_token.hpp"
#include "signaling/server/log.hpp"
#include "signaling/server/metrics.hpp"

namespace fanout::sig {

namespace json = boost::json;
using cpapi::Body;

namespace {

constexpr int kProtocolVersion = 1;
constexpr std::size_t kMaxTokenField = kMaxTokenBytes;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string str(const flatbuffers::String* s) {
  return s == nullptr ? std::string() : s->str();
}

json::value permissions_json(const Permissions& p) {
  return json::object{{"publish", p.publish}, {"subscribe", p.subscribe}};
}

}  // namespace

RoomHandler::RoomHandler(RoomHandlerOptions options)
    : options_(std::move(options)),
      registry_(options_.limits, *this),
      handlers_{
          {"getRouterRtpCapabilities", &RoomHandler::get_router_rtp_capabilities},
          {"createWebRtcTransport", &RoomHandler::create_webrtc_transport},
          {"connectWebRtcTransport", &RoomHandler::connect_webrtc_transport},
          {"restartIce", &RoomHandler::restart_ice},
          {"produce", &RoomHandler::produce},
          {"pauseProducer", &RoomHandler::pause_producer},
          {"resumeProducer", &RoomHandler::resume_producer},
          {"closeProducer", &RoomHandler::close_producer},
          {"consume", &RoomHandler::consume},
          {"pauseConsumer", &RoomHandler::pause_consumer},
          {"resumeConsumer", &RoomHandler::resume_consumer},
          {"closeConsumer", &RoomHandler::close_consumer},
          {"getStats", &RoomHandler::get_stats},
          {"leave", &RoomHandler::leave},
      } {
  if (!options_.secret.empty()) secret_.emplace(options_.secret);  // throws when too short
  cp_ = std::make_unique<CpClient>(options_.controlplane,
                                   [this](const cpapi::Envelope& e) { on_cp_event(e); });
}

RoomHandler::~RoomHandler() {
  stop();
}

void RoomHandler::start() {
  cp_->start();
  sweep_timer_ = std::make_unique<boost::asio::steady_timer>(cp_->executor());
  boost::asio::post(cp_->executor(), [this] { sweep(); });
}

void RoomHandler::stop() {
  if (stopping_.exchange(true)) return;
  if (sweep_timer_) boost::asio::post(cp_->executor(), [this] { sweep_timer_->cancel(); });
  cp_->stop();
}

void RoomHandler::on_server_start(Metrics& metrics) {
  metrics.set_extra([this] { return render_metrics(); });
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void RoomHandler::on_request(const std::shared_ptr<Session>& session, std::string_view method,
                             json::object data, Responder respond) {
  if (method == "join") return join(session, data, respond);
  const auto it = handlers_.find(method);
  if (it == handlers_.end()) {
    return BuiltinHandler::on_request(session, method, std::move(data), std::move(respond));
  }
  const auto member = member_of(session->id());
  if (!member) {
    return respond(err("not_joined", "join a room first"));
  }
  (this->*(it->second))(session, *member, data, respond);
}

std::optional<RoomHandler::Member> RoomHandler::member_of(std::uint64_t session_id) {
  std::lock_guard lock(mutex_);
  const auto it = members_.find(session_id);
  if (it == members_.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------------
// join, resume, leave, disconnect

void RoomHandler::join(const std::shared_ptr<Session>& session, const json::object& data,
                       Responder& respond) {
  FieldReader f(data);
  const std::string room_id = f.string("roomId", kMaxIdBytes);
  const auto token = f.opt_string("token", kMaxTokenField);
  const auto display_name = f.opt_string("displayName", kMaxDisplayNameBytes);
  const auto version = f.opt_int("protocolVersion", 0, 1000000);
  const auto peer_id = f.opt_string("peerId", kMaxIdBytes);
  const auto reconnect = f.opt_string("reconnectToken", 256);
  if (f.ok() && peer_id.has_value() != reconnect.has_value()) {
    f.fail(peer_id ? "reconnectToken" : "peerId", "is missing (resume takes both)");
  }
  if (!f.ok()) return respond(f.error());
  if (version && *version != kProtocolVersion) {
    return respond(err("unsupported_version",
                       "this server speaks protocol version " + std::to_string(kProtocolVersion)));
  }
  if (member_of(session->id())) return respond(err("already_joined", "already in a room"));
  if (peer_id) return resume(session, room_id, *peer_id, *reconnect, respond);

  Claims claims;
  if (token) {
    if (!secret_) {
      return respond(err("unauthorized", "this server accepts no tokens (auth.secret is empty)"));
    }
    auto verified = verify(*token, *secret_, std::chrono::system_clock::now());
    if (!verified) {
      return respond(err("unauthorized", std::string(to_string(verified.error().code)) + ": " +
                                             verified.error().reason));
    }
    claims = std::move(verified).value();
    if (claims.room != room_id) {
      return respond(err("unauthorized", "wrong_room: the token is for another room"));
    }
  } else if (options_.open) {
    claims.room = room_id;
    claims.sub = "guest-" + random_base64url(6);
    claims.perms = Permissions{.publish = true, .subscribe = true};
  } else {
    return respond(err("unauthorized", "missing: a join token is required"));
  }

  std::shared_ptr<Room> room = registry_.find(room_id);
  if (!room) {
    auto created = registry_.create_room(room_id, uuid_v4());
    room = created ? created.value() : registry_.find(room_id);  // lost a race: theirs will do
    if (!room) return respond(from_room(created.error()));
  }
  auto joined = room->join(claims, display_name.value_or(""));
  if (!joined) return respond(from_room(joined.error()));
  const JoinResult& r = joined.value();
  bind(session, Member{room_id, r.peer.id});
  respond(join_reply(r.peer, r.reconnect_token, r.room, /*resumed=*/false));
  log_info(session->remote() + ": peer " + r.peer.id + " (" + claims.sub + ") joined room " +
           room_id);
  // The router is made now so that getRouterRtpCapabilities is quick; a control plane that is
  // down is not the joiner's problem yet (the methods that need it say `unavailable`).
  with_router(room, [](RouterResult) {});
}

void RoomHandler::resume(const std::shared_ptr<Session>& session, const std::string& room_id,
                         const std::string& peer_id, const std::string& token, Responder& respond) {
  auto resumed = registry_.resume(room_id, peer_id, token, std::chrono::steady_clock::now());
  if (!resumed) return respond(from_room(resumed.error()));
  const auto room = registry_.find(room_id);
  const auto info = room ? room->peer(peer_id) : std::nullopt;
  if (!info) return respond(err("bad_reconnect_token", "cannot resume"));
  const PeerKey key{room_id, peer_id};
  std::shared_ptr<Session> replaced;
  {
    std::lock_guard lock(mutex_);
    // A half-open old connection (the client saw it drop, we did not): it no longer speaks for
    // the peer, and its close must not start a grace period.
    if (auto it = bindings_.find(key); it != bindings_.end()) {
      replaced = it->second.session.lock();
      members_.erase(it->second.session_id);
    }
  }
  if (replaced && replaced.get() != session.get()) replaced->close("replaced by a new connection");
  bind(session, Member{room_id, peer_id});
  respond(join_reply(*info, resumed.value().reconnect_token, resumed.value().room, true));
  tell_others(room_id, peer_id, "peerReconnected", json::object{{"peerId", peer_id}});
  log_info(session->remote() + ": peer " + peer_id + " resumed in room " + room_id);
}

void RoomHandler::leave(const std::shared_ptr<Session>& session, const Member& m,
                        const json::object& /*data*/, Responder& respond) {
  {
    std::lock_guard lock(mutex_);
    members_.erase(session->id());
    bindings_.erase(PeerKey{m.room_id, m.peer_id});
  }
  if (const auto room = registry_.find(m.room_id)) {
    if (auto closed = room->leave(m.peer_id)) release(closed.value());
  }
  close_room_if_empty(m.room_id);
  respond(json::object{});
}

void RoomHandler::on_close(Session& session) {
  Member m;
  {
    std::lock_guard lock(mutex_);
    const auto it = members_.find(session.id());
    if (it == members_.end()) return;
    m = std::move(it->second);
    members_.erase(it);
    const auto b = bindings_.find(PeerKey{m.room_id, m.peer_id});
    // Resumed elsewhere already: that connection speaks for the peer now.
    if (b == bindings_.end() || b->second.session_id != session.id()) return;
    bindings_.erase(b);
  }
  const auto room = registry_.find(m.room_id);
  if (!room) return;
  if (!room->disconnect(m.peer_id, std::chrono::steady_clock::now())) return;
  tell_others(m.room_id, m.peer_id, "peerDisconnected",
              json::object{{"peerId", m.peer_id}, {"graceSeconds", options_.limits.grace.count()}});
  log_info(session.remote() + ": peer " + m.peer_id + " of room " + m.room_id +
           " disconnected; media kept for " + std::to_string(options_.limits.grace.count()) + " s");
}

// ---------------------------------------------------------------------------------------------
// Sessions and notifications

void RoomHandler::bind(const std::shared_ptr<Session>& session, const Member& member) {
  const PeerKey key{member.room_id, member.peer_id};
  Stash stash;
  {
    std::lock_guard lock(mutex_);
    members_[session->id()] = member;
    bindings_[key] = Binding{session->id(), session};
    if (auto it = stashes_.find(key); it != stashes_.end()) {
      stash = std::move(it->second);
      stashes_.erase(it);
    }
  }
  for (auto& [method, data] : stash.events) session->notify(method, std::move(data));
}

void RoomHandler::deliver(const std::string& room_id, const std::string& peer_id,
                          std::string_view method, json::value data, bool stash) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    const PeerKey key{room_id, peer_id};
    if (auto it = bindings_.find(key); it != bindings_.end()) session = it->second.session.lock();
    if (!session) {
      if (!stash) return;
      // Joined (or resumed) but not bound yet; bind() hands these over. Bounded: the sweep
      // drops stashes that nobody claimed.
      Stash& s = stashes_[key];
      if (s.events.empty()) s.since = std::chrono::steady_clock::now();
      if (s.events.size() < 256) s.events.emplace_back(std::string(method), std::move(data));
      return;
    }
  }
  session->notify(method, std::move(data));
}

void RoomHandler::tell_others(const std::string& room_id, const std::string& except_peer_id,
                              std::string_view method, const json::value& data) {
  const auto room = registry_.find(room_id);
  if (!room) return;
  for (const PeerInfo& p : room->snapshot().peers) {
    if (p.id != except_peer_id && p.state == PeerState::kConnected) {
      deliver(room_id, p.id, method, data);
    }
  }
}

json::value RoomHandler::producer_json(const ProducerInfo& producer) {
  json::value app_data = json::object{};
  {
    std::lock_guard lock(mutex_);
    if (auto it = producers_.find(producer.id); it != producers_.end()) {
      app_data = it->second.app_data;
    }
  }
  return json::object{{"producerId", producer.id},
                      {"peerId", producer.peer_id},
                      {"kind", to_string(producer.kind)},
                      {"paused", producer.paused},
                      {"appData", std::move(app_data)}};
}

json::value RoomHandler::join_reply(const PeerInfo& peer, const std::string& reconnect_token,
                                    const RoomSnapshot& room, bool resumed) {
  json::array peers;
  for (const PeerInfo& p : room.peers) {
    peers.push_back(json::object{{"peerId", p.id},
                                 {"displayName", p.display_name},
                                 {"connected", p.state == PeerState::kConnected}});
  }
  json::array producers;
  for (const ProducerInfo& p : room.producers) producers.push_back(producer_json(p));
  json::object out{{"protocolVersion", kProtocolVersion},
                   {"peerId", peer.id},
                   {"reconnectToken", reconnect_token},
                   {"displayName", peer.display_name},
                   {"permissions", permissions_json(peer.perms)},
                   {"peers", std::move(peers)},
                   {"producers", std::move(producers)}};
  if (resumed) out["resumed"] = true;
  return out;
}

void RoomHandler::on_room_event(std::string_view room_id_view, std::string_view to_view,
                                const RoomEvent& event) {
  const std::string room_id(room_id_view);
  const std::string to(to_view);
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, PeerJoinedEvent>) {
          deliver(room_id, to, "peerJoined",
                  json::object{{"peerId", e.peer.id}, {"displayName", e.peer.display_name}});
        } else if constexpr (std::is_same_v<E, PeerLeftEvent>) {
          deliver(room_id, to, "peerLeft",
                  json::object{{"peerId", e.peer_id}, {"reason", to_string(e.reason)}});
        } else if constexpr (std::is_same_v<E, NewProducerEvent>) {
          deliver(room_id, to, "newProducer", producer_json(e.producer));
        } else if constexpr (std::is_same_v<E, ProducerClosedEvent>) {
          deliver(room_id, to, "producerClosed",
                  json::object{{"producerId", e.producer_id}, {"peerId", e.peer_id}});
        } else if constexpr (std::is_same_v<E, ProducerPausedEvent>) {
          deliver(room_id, to, "producerPaused",
                  json::object{{"producerId", e.producer_id}, {"peerId", e.peer_id}});
        } else if constexpr (std::is_same_v<E, ProducerResumedEvent>) {
          deliver(room_id, to, "producerResumed",
                  json::object{{"producerId", e.producer_id}, {"peerId", e.peer_id}});
        } else if constexpr (std::is_same_v<E, ConsumerClosedEvent>) {
          deliver(room_id, to, "consumerClosed",
                  json::object{{"consumerId", e.consumer_id},
                               {"producerId", e.producer_id},
                               {"reason", "producer closed"}});
        } else if constexpr (std::is_same_v<E, RoomClosedEvent>) {
          deliver(room_id, to, "peerLeft",
                  json::object{{"peerId", to}, {"reason", to_string(LeaveReason::kRoomClosed)}});
          // The room is gone for this session: it may join again.
          std::lock_guard lock(mutex_);
          const PeerKey key{room_id, to};
          if (auto it = bindings_.find(key); it != bindings_.end()) {
            members_.erase(it->second.session_id);
            bindings_.erase(it);
          }
        }
      },
      event);
}

// ---------------------------------------------------------------------------------------------
// The control plane

void RoomHandler::cp_call(CpBuild build, CpCallback done) {
  cp_->call(std::move(build), [this, done = std::move(done)](CpResult r) {
    if (r.ok()) {
      cp_ok_.fetch_add(1, std::memory_order_relaxed);
    } else if (r.error().unavailable) {
      cp_unavailable_.fetch_add(1, std::memory_order_relaxed);
    } else {
      cp_errors_.fetch_add(1, std::memory_order_relaxed);
    }
    done(std::move(r));
  });
}

void RoomHandler::with_router(const std::shared_ptr<Room>& room,
                              std::function<void(RouterResult)> done) {
  const std::string room_id = room->id();
  const std::string router_id = room->router_id();
  std::optional<std::string> ready;
  {
    std::lock_guard lock(mutex_);
    RouterEntry& entry = routers_[room_id];
    if (entry.router_id != router_id) entry = RouterEntry{.router_id = router_id};
    if (entry.state == RouterEntry::State::kReady) {
      ready = entry.rtp_capabilities_json;
    } else {
      entry.waiters.push_back(std::move(done));
      if (entry.state == RouterEntry::State::kPending) return;
      entry.state = RouterEntry::State::kPending;
    }
  }
  if (ready) return done(std::move(*ready));
  cp_call(
      [router_id](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::CreateRouter,
                         cpapi::CreateCreateRouterDirect(fbb, router_id.c_str(), "").Union()};
      },
      [this, room_id, router_id](CpResult r) {
        std::vector<std::function<void(RouterResult)>> waiters;
        std::optional<RouterResult> result;
        bool orphan = false;
        {
          std::lock_guard lock(mutex_);
          const auto it = routers_.find(room_id);
          orphan = it == routers_.end() || it->second.router_id != router_id;
          if (!r.ok()) {
            result.emplace(r.error());
          } else if (const auto* created = r.value().envelope().body_as_RouterCreated();
                     created == nullptr || created->rtp_capabilities_json() == nullptr) {
            result.emplace(CpError{.code = cpapi::ErrorCode::Internal,
                                   .reason = "CreateRouter answered without capabilities"});
          } else {
            result.emplace(created->rtp_capabilities_json()->str());
          }
          if (!orphan) {
            RouterEntry& e = it->second;
            waiters = std::move(e.waiters);
            e.waiters.clear();
            e.state = result->ok() ? RouterEntry::State::kReady : RouterEntry::State::kNone;
            if (result->ok()) e.rtp_capabilities_json = result->value();
          }
        }
        // The room closed while its router was being made.
        if (orphan && r.ok()) close_in_cp(static_cast<int>(cpapi::Target::Router), router_id);
        for (auto& w : waiters) w(*result);
      });
}

void RoomHandler::close_in_cp(int target, std::string id) {
  const auto t = static_cast<cpapi::Target>(target);
  cp_call(
      [t, id](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::Close, cpapi::CreateCloseDirect(fbb, t, id.c_str()).Union()};
      },
      [t, id](CpResult r) {
        // Already gone is fine: the control plane closes children with their parent.
        if (!r.ok() && !r.error().unavailable && r.error().code != cpapi::ErrorCode::NotFound) {
          log_warn(std::string("control plane: closing ") + cpapi::EnumNameTarget(t) + " " + id +
                   ": " + r.error().reason);
        }
      });
}

void RoomHandler::release(const ClosedResources& closed) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& id : closed.consumer_ids) consumers_.erase(id);
    for (const auto& id : closed.producer_ids) producers_.erase(id);
    for (const auto& id : closed.transport_ids) transports_.erase(id);
  }
  // Children first, so that nothing is left behind if the control plane does not cascade.
  for (const auto& id : closed.consumer_ids) {
    close_in_cp(static_cast<int>(cpapi::Target::Consumer), id);
  }
  for (const auto& id : closed.producer_ids) {
    close_in_cp(static_cast<int>(cpapi::Target::Producer), id);
  }
  for (const auto& id : closed.transport_ids) {
    close_in_cp(static_cast<int>(cpapi::Target::Transport), id);
  }
}

void RoomHandler::release_room(const ClosedRoom& closed) {
  for (const auto& peer : closed.peers) release(peer);
  bool had_router = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = routers_.find(closed.room_id); it != routers_.end()) {
      had_router = it->second.state == RouterEntry::State::kReady;
      routers_.erase(it);
    }
    for (auto it = stashes_.begin(); it != stashes_.end();) {
      it = it->first.first == closed.room_id ? stashes_.erase(it) : std::next(it);
    }
  }
  if (had_router) close_in_cp(static_cast<int>(cpapi::Target::Router), closed.router_id);
  log_info("room " + closed.room_id + " closed");
}

void RoomHandler::close_room_if_empty(const std::string& room_id) {
  if (auto closed = registry_.close_room_if_empty(room_id)) release_room(*closed);
}

bool RoomHandler::owns_transport(const Member& m, const std::string& id, bool* send) {
  std::lock_guard lock(mutex_);
  const auto it = transports_.find(id);
  if (it == transports_.end() || it->second.room_id != m.room_id ||
      it->second.peer_id != m.peer_id) {
    return false;
  }
  if (send != nullptr) *send = it->second.send;
  return true;
}

bool RoomHandler::owns_producer(const Member& m, const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = producers_.find(id);
  return it != producers_.end() && it->second.room_id == m.room_id &&
         it->second.peer_id == m.peer_id;
}

bool RoomHandler::owns_consumer(const Member& m, const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = consumers_.find(id);
  return it != consumers_.end() && it->second.room_id == m.room_id &&
         it->second.peer_id == m.peer_id;
}

void RoomHandler::on_cp_event(const cpapi::Envelope& envelope) {
  if (const auto* e = envelope.body_as_TransportStateChanged()) {
    const std::string id = str(e->transport_id());
    std::optional<TransportEntry> t;
    {
      std::lock_guard lock(mutex_);
      if (auto it = transports_.find(id); it != transports_.end()) t = it->second;
    }
    if (!t) return;
    // Closed by the control plane itself (lost with a restarted data plane): the room forgets it
    // as if the peer had closed it (its slot, producers and consumers), and the peer, told below,
    // can make another.
    if (e->ice_state() == cpapi::IceState::Closed) {
      if (const auto room = registry_.find(t->room_id)) {
        if (auto closed = room->close_transport(t->peer_id, id)) release(closed.value());
      }
    }
    json::object data{{"transportId", id},
                      {"iceState", lower(cpapi::EnumNameIceState(e->ice_state()))},
                      {"dtlsState", lower(cpapi::EnumNameDtlsState(e->dtls_state()))}};
    if (e->reason() != nullptr && e->reason()->size() > 0) data["reason"] = e->reason()->str();
    deliver(t->room_id, t->peer_id, "transportStateChanged", std::move(data));
  } else if (const auto* e = envelope.body_as_ConsumerClosed()) {
    const std::string id = str(e->consumer_id());
    std::optional<ConsumerEntry> c;
    {
      std::lock_guard lock(mutex_);
      if (auto it = consumers_.find(id); it != consumers_.end()) {
        c = std::move(it->second);
        consumers_.erase(it);
      }
    }
    if (!c) return;
    if (const auto room = registry_.find(c->room_id)) (void)room->close_consumer(c->peer_id, id);
    deliver(c->room_id, c->peer_id, "consumerClosed",
            json::object{
                {"consumerId", id}, {"producerId", c->producer_id}, {"reason", str(e->reason())}});
  } else if (const auto* e = envelope.body_as_ProducerClosed()) {
    const std::string id = str(e->producer_id());
    std::optional<ProducerEntry> p;
    {
      std::lock_guard lock(mutex_);
      if (auto it = producers_.find(id); it != producers_.end()) p = it->second;
    }
    if (!p) return;
    const auto room = registry_.find(p->room_id);
    if (!room) return;
    // The room tells the other peers and the consumers' owners; the owner hears it here.
    if (auto closed = room->close_producer(p->peer_id, id)) release(closed.value());
    deliver(p->room_id, p->peer_id, "producerClosed",
            json::object{{"producerId", id}, {"peerId", p->peer_id}});
  } else if (const auto* e = envelope.body_as_ProducerPausedChanged()) {
    const std::string id = str(e->producer_id());
    std::optional<ProducerEntry> p;
    {
      std::lock_guard lock(mutex_);
      if (auto it = producers_.find(id); it != producers_.end()) p = it->second;
    }
    if (!p) return;
    if (const auto room = registry_.find(p->room_id)) {
      (void)room->set_producer_paused(p->peer_id, id, e->paused());
    }
  } else if (const auto* e = envelope.body_as_ProducerScore()) {
    // To the producing peer only, as mediasoup-demo does. Not stashed for a peer without a
    // session: the next score (a second later at most) replaces it, and up to one a second per
    // producer and consumer would crowd out the events that matter in the bounded stash.
    const std::string id = str(e->producer_id());
    std::optional<PeerKey> owner;
    {
      std::lock_guard lock(mutex_);
      if (auto it = producers_.find(id); it != producers_.end()) {
        owner = PeerKey{it->second.room_id, it->second.peer_id};
      }
    }
    if (!owner) return;  // closed meanwhile, or never ours: nothing to tell
    json::array scores;
    if (e->scores() != nullptr) {
      for (const auto* s : *e->scores()) {
        json::object score{{"encodingIdx", s->encoding_idx()}, {"ssrc", s->ssrc()}};
        if (s->rid() != nullptr && s->rid()->size() > 0) score["rid"] = s->rid()->str();
        score["score"] = s->score();
        scores.push_back(std::move(score));
      }
    }
    deliver(owner->first, owner->second, "producerScore",
            json::object{{"producerId", id}, {"score", std::move(scores)}}, /*stash=*/false);
  } else if (const auto* e = envelope.body_as_ConsumerScore()) {
    // To the consuming peer only; not stashed, as above.
    const std::string id = str(e->consumer_id());
    std::optional<PeerKey> owner;
    {
      std::lock_guard lock(mutex_);
      if (auto it = consumers_.find(id); it != consumers_.end()) {
        owner = PeerKey{it->second.room_id, it->second.peer_id};
      }
    }
    if (!owner) return;
    json::array producer_scores;
    if (e->producer_scores() != nullptr) {
      for (const std::uint8_t s : *e->producer_scores()) producer_scores.push_back(s);
    }
    deliver(owner->first, owner->second, "consumerScore",
            json::object{{"consumerId", id},
                         {"score", json::object{{"score", e->score()},
                                                {"producerScore", e->producer_score()},
                                                {"producerScores", std::move(producer_scores)}}}},
            /*stash=*/false);
  }
}

// ---------------------------------------------------------------------------------------------
// Grace period sweep and metrics

void RoomHandler::sweep() {
  if (stopping_) return;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> rooms;
  for (const auto& closed : registry_.expire(now)) {
    log_info("peer " + closed.peer_id + " of room " + closed.room_id +
             ": grace period over; its media is closed");
    release(closed);
    rooms.push_back(closed.room_id);
  }
  for (const auto& r : rooms) close_room_if_empty(r);
  {
    std::lock_guard lock(mutex_);
    for (auto it = stashes_.begin(); it != stashes_.end();) {
      it = now - it->second.since > std::chrono::seconds(10) ? stashes_.erase(it) : std::next(it);
    }
  }
  sweep_timer_->expires_after(options_.sweep_interval);
  sweep_timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) sweep();
  });
}

std::string RoomHandler::render_metrics() {
  std::string out;
  std::size_t peers = 0;
  const auto rooms = registry_.rooms();
  for (const auto& r : rooms) peers += r->peer_count();
  Metrics::append(out, "fanout_sig_rooms", "Open rooms.", "gauge",
                  static_cast<double>(rooms.size()));
  Metrics::append(out, "fanout_sig_peers", "Peers in rooms, including those in their grace period.",
                  "gauge", static_cast<double>(peers));
  Metrics::append(out, "fanout_sig_controlplane_connected",
                  "1 when the control plane link is up (Hello answered).", "gauge",
                  cp_->ready() ? 1 : 0);
  out +=
      "# HELP fanout_sig_controlplane_requests_total Control plane requests by result.\n"
      "# TYPE fanout_sig_controlplane_requests_total counter\n";
  out += "fanout_sig_controlplane_requests_total{result=\"ok\"} " + std::to_string(cp_ok_) + '\n';
  out += "fanout_sig_controlplane_requests_total{result=\"error\"} " + std::to_string(cp_errors_) +
         '\n';
  out += "fanout_sig_controlplane_requests_total{result=\"unavailable\"} " +
         std::to_string(cp_unavailable_) + '\n';
  return out;
}

}  // namespace fanout::sig

#include "signaling/rooms/room.hpp"

#include <utility>

namespace fanout::sig {
namespace {

RoomError fail(RoomErrorCode code, std::string reason) {
  return RoomError{code, std::move(reason)};
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdBytes;
}

}  // namespace

std::string_view to_string(MediaKind kind) {
  return kind == MediaKind::kAudio ? "audio" : "video";
}

std::string_view to_string(PeerState state) {
  switch (state) {
    case PeerState::kConnected:
      return "connected";
    case PeerState::kInGrace:
      return "disconnected";
    case PeerState::kGone:
      return "gone";
  }
  return "unknown";
}

std::string_view to_string(LeaveReason reason) {
  switch (reason) {
    case LeaveReason::kLeft:
      return "left";
    case LeaveReason::kGraceExpired:
      return "grace_expired";  // PROTOCOL.md peerLeft.reason
    case LeaveReason::kRoomClosed:
      return "room_closed";
  }
  return "unknown";
}

Room::Room(std::string id, std::string router_id, const RoomLimits& limits, RoomObserver& observer)
    : id_(std::move(id)), router_id_(std::move(router_id)), limits_(limits), observer_(observer) {}

Result<JoinResult, RoomError> Room::join(const Claims& claims, std::string_view display_name) {
  if (claims.room != id_) {
    return fail(RoomErrorCode::kWrongRoom, "the token is for another room");
  }
  std::string name = claims.name ? *claims.name : std::string(display_name);
  if (name.empty()) name = claims.sub;
  if (name.size() > kMaxDisplayNameBytes) {
    return fail(RoomErrorCode::kInvalidArgument, "display name longer than 128 bytes");
  }

  std::lock_guard lock(mutex_);
  if (closed_) return fail(RoomErrorCode::kRoomClosed, "room closed");
  if (peers_.size() >= limits_.max_peers_per_room) {
    return fail(RoomErrorCode::kRoomFull,
                "room is full (" + std::to_string(limits_.max_peers_per_room) + " peers)");
  }
  // 72 random bits: unguessable, so a peer id alone never lets anyone act as that peer.
  std::string peer_id;
  do {
    peer_id = random_base64url(9);
  } while (peers_.contains(peer_id));

  PeerRecord record;
  record.info = PeerInfo{.id = peer_id,
                         .user_id = claims.sub,
                         .display_name = std::move(name),
                         .perms = claims.perms,
                         .state = PeerState::kConnected};
  // Usable only once the peer is disconnected: disconnect() sets the real deadline.
  record.token = ReconnectToken::issue(peer_id, SteadyTime::max());

  JoinResult result{.peer = record.info,
                    .reconnect_token = record.token.value(),
                    .room = snapshot_locked(peer_id)};
  const auto [it, inserted] = peers_.emplace(peer_id, std::move(record));
  (void)inserted;
  notify_others(peer_id, PeerJoinedEvent{it->second.info});
  return result;
}

Result<ClosedResources, RoomError> Room::leave(std::string_view peer_id) {
  std::lock_guard lock(mutex_);
  if (closed_) return fail(RoomErrorCode::kRoomClosed, "room closed");
  const auto it = peers_.find(peer_id);
  if (it == peers_.end()) return fail(RoomErrorCode::kPeerNotFound, "no such peer");
  return remove_peer_locked(it, LeaveReason::kLeft);
}

Result<SteadyTime, RoomError> Room::disconnect(std::string_view peer_id, SteadyTime now) {
  std::lock_guard lock(mutex_);
  if (closed_) return fail(RoomErrorCode::kRoomClosed, "room closed");
  const auto it = peers_.find(peer_id);
  if (it == peers_.end()) return fail(RoomErrorCode::kPeerNotFound, "no such peer");
  PeerRecord& peer = it->second;
  // A second disconnect (two sessions racing) must not extend the grace period.
  if (peer.info.state == PeerState::kInGrace) return peer.info.grace_deadline;
  peer.info.state = PeerState::kInGrace;
  peer.info.grace_deadline = now + limits_.grace;
  peer.token.set_expires_at(peer.info.grace_deadline);
  return peer.info.grace_deadline;
}

Result<ResumeResult, RoomError> Room::resume(std::string_view peer_id, std::string_view token,
                                             SteadyTime now) {
  std::lock_guard lock(mutex_);
  if (closed_) return fail(RoomErrorCode::kRoomClosed, "room closed");
  const auto it = peers_.find(peer_id);
  // The same answer for an unknown peer and a bad token: no oracle for peer ids.
  if (it == peers_.end()) return fail(RoomErrorCode::kBadReconnectToken, "cannot resume");
  PeerRecord& peer = it->second;
  if (!peer.token.accepts(token, peer_id, now)) {
    return fail(RoomErrorCode::kBadReconnectToken, "cannot resume");
  }
  ResumeResult result;
  result.replaced_connection = peer.info.state == PeerState::kConnected;
  peer.info.state = PeerState::kConnected;
  peer.info.grace_deadline = {};
  peer.token = ReconnectToken::issue(peer.info.id, SteadyTime::max());
  result.reconnect_token = peer.token.value();
  result.room = snapshot_locked(peer_id);
  return result;
}

std::vector<ClosedResources> Room::expire(SteadyTime now) {
  std::vector<ClosedResources> out;
  std::lock_guard lock(mutex_);
  if (closed_) return out;
  for (auto it = peers_.begin(); it != peers_.end();) {
    const auto next = std::next(it);
    if (it->second.info.state == PeerState::kInGrace && now >= it->second.info.grace_deadline) {
      out.push_back(remove_peer_locked(it, LeaveReason::kGraceExpired));
    }
    it = next;
  }
  return out;
}

Result<void, RoomError> Room::add_transport(std::string_view peer_id, std::string transport_id) {
  if (!valid_id(transport_id)) return fail(RoomErrorCode::kInvalidArgument, "bad transport id");
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  if (peer.value()->transports.size() >= limits_.max_transports_per_peer) {
    return fail(
        RoomErrorCode::kTooManyTransports,
        "at most " + std::to_string(limits_.max_transports_per_peer) + " transports per peer");
  }
  if (transports_.contains(transport_id)) {
    return fail(RoomErrorCode::kDuplicateId, "transport id already in use");
  }
  peer.value()->transports.insert(transport_id);
  transports_.emplace(std::move(transport_id), std::string(peer_id));
  return {};
}

Result<ClosedResources, RoomError> Room::close_transport(std::string_view peer_id,
                                                         std::string_view transport_id) {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  PeerRecord& record = *peer.value();
  const auto t = record.transports.find(transport_id);
  if (t == record.transports.end()) {
    return fail(RoomErrorCode::kTransportNotFound, "no such transport of this peer");
  }
  ClosedResources closed{.room_id = id_, .peer_id = record.info.id};
  std::vector<std::string> producers;
  for (const auto& p : record.producers) {
    if (producers_.at(p).info.transport_id == transport_id) producers.push_back(p);
  }
  for (const auto& p : producers) close_producer_locked(p, closed);
  std::vector<std::string> consumers;
  for (const auto& c : record.consumers) {
    if (consumers_.at(c).transport_id == transport_id) consumers.push_back(c);
  }
  for (const auto& c : consumers) close_consumer_locked(c, /*tell_owner=*/false, closed);
  closed.transport_ids.push_back(*t);
  transports_.erase(*t);
  record.transports.erase(t);
  return closed;
}

Result<void, RoomError> Room::check_produce(std::string_view peer_id,
                                            std::string_view transport_id) const {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  return check_produce_locked(*peer.value(), transport_id);
}

Result<void, RoomError> Room::add_producer(std::string_view peer_id, ProducerInfo producer) {
  if (!valid_id(producer.id)) return fail(RoomErrorCode::kInvalidArgument, "bad producer id");
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  PeerRecord& record = *peer.value();
  if (auto ok = check_produce_locked(record, producer.transport_id); !ok) return ok.error();
  if (producers_.contains(producer.id)) {
    return fail(RoomErrorCode::kDuplicateId, "producer id already in use");
  }
  producer.peer_id = record.info.id;
  record.producers.insert(producer.id);
  const auto [it, inserted] = producers_.emplace(producer.id, ProducerRecord{.info = producer});
  (void)inserted;
  notify_others(peer_id, NewProducerEvent{it->second.info});
  return {};
}

Result<ClosedResources, RoomError> Room::close_producer(std::string_view peer_id,
                                                        std::string_view producer_id) {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  if (!peer.value()->producers.contains(producer_id)) {
    return fail(RoomErrorCode::kProducerNotFound, "no such producer of this peer");
  }
  ClosedResources closed{.room_id = id_, .peer_id = std::string(peer_id)};
  close_producer_locked(producer_id, closed);
  return closed;
}

Result<void, RoomError> Room::set_producer_paused(std::string_view peer_id,
                                                  std::string_view producer_id, bool paused) {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  if (!peer.value()->producers.contains(producer_id)) {
    return fail(RoomErrorCode::kProducerNotFound, "no such producer of this peer");
  }
  ProducerInfo& info = producers_.find(producer_id)->second.info;
  if (info.paused == paused) return {};  // idempotent, and nobody is told twice
  info.paused = paused;
  if (paused) {
    notify_others(peer_id, ProducerPausedEvent{info.id, info.peer_id});
  } else {
    notify_others(peer_id, ProducerResumedEvent{info.id, info.peer_id});
  }
  return {};
}

Result<void, RoomError> Room::check_consume(std::string_view peer_id, std::string_view producer_id,
                                            std::string_view transport_id) const {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  return check_consume_locked(*peer.value(), producer_id, transport_id);
}

Result<void, RoomError> Room::add_consumer(std::string_view peer_id, std::string consumer_id,
                                           std::string_view producer_id, std::string transport_id) {
  if (!valid_id(consumer_id)) return fail(RoomErrorCode::kInvalidArgument, "bad consumer id");
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  PeerRecord& record = *peer.value();
  if (auto ok = check_consume_locked(record, producer_id, transport_id); !ok) return ok.error();
  if (consumers_.contains(consumer_id)) {
    return fail(RoomErrorCode::kDuplicateId, "consumer id already in use");
  }
  producers_.find(producer_id)->second.consumers.insert(consumer_id);
  record.consumers.insert(consumer_id);
  consumers_.emplace(std::move(consumer_id),
                     ConsumerRecord{.peer_id = record.info.id,
                                    .producer_id = std::string(producer_id),
                                    .transport_id = std::move(transport_id)});
  return {};
}

Result<void, RoomError> Room::close_consumer(std::string_view peer_id,
                                             std::string_view consumer_id) {
  std::lock_guard lock(mutex_);
  auto peer = connected_peer(peer_id);
  if (!peer) return peer.error();
  if (!peer.value()->consumers.contains(consumer_id)) {
    return fail(RoomErrorCode::kConsumerNotFound, "no such consumer of this peer");
  }
  ClosedResources ignored;
  close_consumer_locked(consumer_id, /*tell_owner=*/false, ignored);
  return {};
}

std::vector<ClosedResources> Room::close() {
  std::vector<ClosedResources> out;
  std::lock_guard lock(mutex_);
  if (closed_) return out;
  closed_ = true;
  for (const auto& [id, peer] : peers_) notify_peer(peer, RoomClosedEvent{});
  // Everyone goes at once: nobody needs to hear about the others' producers closing.
  for (auto& [id, peer] : peers_) {
    ClosedResources closed{.room_id = id_, .peer_id = id};
    closed.transport_ids.assign(peer.transports.begin(), peer.transports.end());
    closed.producer_ids.assign(peer.producers.begin(), peer.producers.end());
    closed.consumer_ids.assign(peer.consumers.begin(), peer.consumers.end());
    out.push_back(std::move(closed));
  }
  peers_.clear();
  transports_.clear();
  producers_.clear();
  consumers_.clear();
  return out;
}

std::optional<PeerInfo> Room::peer(std::string_view peer_id) const {
  std::lock_guard lock(mutex_);
  const auto it = peers_.find(peer_id);
  if (it == peers_.end()) return std::nullopt;
  return it->second.info;
}

RoomSnapshot Room::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_locked({});
}

size_t Room::peer_count() const {
  std::lock_guard lock(mutex_);
  return peers_.size();
}

bool Room::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

Result<Room::PeerRecord*, RoomError> Room::connected_peer(std::string_view peer_id) {
  if (closed_) return fail(RoomErrorCode::kRoomClosed, "room closed");
  const auto it = peers_.find(peer_id);
  if (it == peers_.end()) return fail(RoomErrorCode::kPeerNotFound, "no such peer");
  // A request queued by a session that has since dropped must not act for the peer.
  if (it->second.info.state != PeerState::kConnected) {
    return fail(RoomErrorCode::kPeerNotConnected, "peer is not connected");
  }
  return &it->second;
}

Result<const Room::PeerRecord*, RoomError> Room::connected_peer(std::string_view peer_id) const {
  auto r = const_cast<Room*>(this)->connected_peer(peer_id);
  if (!r) return r.error();
  return static_cast<const PeerRecord*>(r.value());
}

Result<void, RoomError> Room::check_produce_locked(const PeerRecord& peer,
                                                   std::string_view transport_id) const {
  if (!peer.info.perms.publish) {
    return fail(RoomErrorCode::kPermissionDenied, "the token does not grant publish");
  }
  if (!peer.transports.contains(transport_id)) {
    return fail(RoomErrorCode::kTransportNotFound, "no such transport of this peer");
  }
  if (peer.producers.size() >= limits_.max_producers_per_peer) {
    return fail(
        RoomErrorCode::kTooManyProducers,
        "at most " + std::to_string(limits_.max_producers_per_peer) + " producers per peer");
  }
  return {};
}

Result<void, RoomError> Room::check_consume_locked(const PeerRecord& peer,
                                                   std::string_view producer_id,
                                                   std::string_view transport_id) const {
  if (!peer.info.perms.subscribe) {
    return fail(RoomErrorCode::kPermissionDenied, "the token does not grant subscribe");
  }
  if (!peer.transports.contains(transport_id)) {
    return fail(RoomErrorCode::kTransportNotFound, "no such transport of this peer");
  }
  if (!producers_.contains(producer_id)) {
    return fail(RoomErrorCode::kProducerNotFound, "no such producer in this room");
  }
  if (peer.consumers.size() >= limits_.max_consumers_per_peer) {
    return fail(
        RoomErrorCode::kTooManyConsumers,
        "at most " + std::to_string(limits_.max_consumers_per_peer) + " consumers per peer");
  }
  return {};
}

void Room::notify_peer(const PeerRecord& peer, const RoomEvent& event) {
  if (peer.info.state == PeerState::kConnected) observer_.on_room_event(id_, peer.info.id, event);
}

void Room::notify_others(std::string_view except_peer_id, const RoomEvent& event) {
  for (const auto& [id, peer] : peers_) {
    if (id != except_peer_id) notify_peer(peer, event);
  }
}

void Room::close_producer_locked(std::string_view producer_id, ClosedResources& closed) {
  const auto it = producers_.find(producer_id);
  if (it == producers_.end()) return;
  const std::set<std::string, std::less<>> consumers = it->second.consumers;
  for (const auto& c : consumers) close_consumer_locked(c, /*tell_owner=*/true, closed);
  const ProducerInfo info = std::move(it->second.info);
  producers_.erase(it);
  if (const auto owner = peers_.find(info.peer_id); owner != peers_.end()) {
    owner->second.producers.erase(info.id);
  }
  notify_others(info.peer_id, ProducerClosedEvent{info.id, info.peer_id});
  closed.producer_ids.push_back(info.id);
}

void Room::close_consumer_locked(std::string_view consumer_id, bool tell_owner,
                                 ClosedResources& closed) {
  const auto it = consumers_.find(consumer_id);
  if (it == consumers_.end()) return;
  const ConsumerRecord record = std::move(it->second);
  const std::string id = it->first;
  consumers_.erase(it);
  if (const auto p = producers_.find(record.producer_id); p != producers_.end()) {
    p->second.consumers.erase(id);
  }
  if (const auto owner = peers_.find(record.peer_id); owner != peers_.end()) {
    owner->second.consumers.erase(id);
    if (tell_owner) notify_peer(owner->second, ConsumerClosedEvent{id, record.producer_id});
  }
  closed.consumer_ids.push_back(id);
}

ClosedResources Room::remove_peer_locked(PeerMap::iterator it, LeaveReason reason) {
  PeerRecord& peer = it->second;
  ClosedResources closed{.room_id = id_, .peer_id = peer.info.id};
  const std::vector<std::string> producers(peer.producers.begin(), peer.producers.end());
  for (const auto& p : producers) close_producer_locked(p, closed);
  const std::vector<std::string> consumers(peer.consumers.begin(), peer.consumers.end());
  for (const auto& c : consumers) close_consumer_locked(c, /*tell_owner=*/false, closed);
  for (const auto& t : peer.transports) {
    transports_.erase(t);
    closed.transport_ids.push_back(t);
  }
  const std::string peer_id = peer.info.id;
  peers_.erase(it);
  notify_others(peer_id, PeerLeftEvent{peer_id, reason});
  return closed;
}

RoomSnapshot Room::snapshot_locked(std::string_view except_peer_id) const {
  RoomSnapshot s{.room_id = id_, .router_id = router_id_};
  for (const auto& [id, peer] : peers_) {
    if (id != except_peer_id) s.peers.push_back(peer.info);
  }
  for (const auto& [id, producer] : producers_) {
    if (producer.info.peer_id != except_peer_id) s.producers.push_back(producer.info);
  }
  return s;
}

}  // namespace fanout::sig

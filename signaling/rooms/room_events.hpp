// What the other peers of a room are told, and the interface that carries it to their sessions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "signaling/auth/jwt.hpp"
#include "signaling/auth/reconnect_token.hpp"

namespace fanout::sig {

enum class MediaKind { kAudio, kVideo };
std::string_view to_string(MediaKind kind);

enum class PeerState {
  kConnected,
  kInGrace,  // WebSocket dropped; media kept until the grace deadline
  kGone,
};
std::string_view to_string(PeerState state);

struct PeerInfo {
  std::string id;       // server-chosen, unique in the room
  std::string user_id;  // the token's "sub"; one user may join twice (two tabs)
  std::string display_name;
  Permissions perms;
  PeerState state = PeerState::kConnected;
  SteadyTime grace_deadline{};  // meaningful in kInGrace only
};

struct ProducerInfo {
  std::string id;
  std::string peer_id;
  std::string transport_id;
  MediaKind kind = MediaKind::kAudio;
  bool paused = false;
};

enum class LeaveReason { kLeft, kGraceExpired, kRoomClosed };
std::string_view to_string(LeaveReason reason);

struct PeerJoinedEvent {
  PeerInfo peer;
};
struct PeerLeftEvent {
  std::string peer_id;
  LeaveReason reason = LeaveReason::kLeft;
};
struct NewProducerEvent {
  ProducerInfo producer;
};
struct ProducerClosedEvent {
  std::string producer_id;
  std::string peer_id;
};
struct ProducerPausedEvent {
  std::string producer_id;
  std::string peer_id;
};
struct ProducerResumedEvent {
  std::string producer_id;
  std::string peer_id;
};
// Sent to a consumer's owner when the model closed it (its producer closed or left).
struct ConsumerClosedEvent {
  std::string consumer_id;
  std::string producer_id;
};
struct RoomClosedEvent {};

using RoomEvent =
    std::variant<PeerJoinedEvent, PeerLeftEvent, NewProducerEvent, ProducerClosedEvent,
                 ProducerPausedEvent, ProducerResumedEvent, ConsumerClosedEvent, RoomClosedEvent>;

// Receives one call per (recipient peer, event). Only connected peers receive events: a peer in
// its grace period gets a room snapshot when it resumes instead.
//
// Called with the room's lock held, so that every peer sees a room's events in the order they
// happened: an implementation must not block and must not call back into the room or registry
// (post the event to the recipient session's strand and return).
class RoomObserver {
 public:
  virtual ~RoomObserver() = default;
  virtual void on_room_event(std::string_view room_id, std::string_view to_peer_id,
                             const RoomEvent& event) = 0;
};

}  // namespace fanout::sig

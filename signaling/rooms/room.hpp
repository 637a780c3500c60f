// One room: its peers, their transports, producers and consumers, as the signaling server tracks
// them (the media objects themselves live in the control plane, under the same ids). Every method
// is thread-safe: one mutex per room, so I/O threads serving different rooms never contend.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/auth/jwt.hpp"
#include "signaling/auth/reconnect_token.hpp"
#include "signaling/auth/result.hpp"
#include "signaling/rooms/room_error.hpp"
#include "signaling/rooms/room_events.hpp"

namespace fanout::sig {

struct RoomLimits {
  size_t max_rooms = 1000;
  size_t max_peers_per_room = 100;  // peers in their grace period count: they hold media
  size_t max_transports_per_peer = 4;
  size_t max_producers_per_peer = 4;  // microphone, camera, screen, screen audio
  size_t max_consumers_per_peer = 400;
  std::chrono::seconds grace{30};
};

inline constexpr size_t kMaxIdBytes = 128;
inline constexpr size_t kMaxDisplayNameBytes = 128;

// What the room saw, as a joining or resuming peer needs it: the other peers and their producers.
struct RoomSnapshot {
  std::string room_id;
  std::string router_id;
  std::vector<PeerInfo> peers;
  std::vector<ProducerInfo> producers;
};

struct JoinResult {
  PeerInfo peer;
  std::string reconnect_token;
  RoomSnapshot room;
};

struct ResumeResult {
  std::string reconnect_token;       // a new one: each token is good for one resume
  bool replaced_connection = false;  // the peer was still connected (half-open socket)
  RoomSnapshot room;
};

// What the caller must close in the control plane. Consumer ids include other peers' consumers
// of the closed producers (the control plane closes those with their producer; closing them again
// must be harmless).
struct ClosedResources {
  std::string room_id;
  std::string peer_id;
  std::vector<std::string> transport_ids;
  std::vector<std::string> producer_ids;
  std::vector<std::string> consumer_ids;
};

class Room {
 public:
  // `observer` must outlive the room.
  Room(std::string id, std::string router_id, const RoomLimits& limits, RoomObserver& observer);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const std::string& id() const { return id_; }
  const std::string& router_id() const { return router_id_; }

  // Admits the bearer of `claims` (already verified) under a new peer id. The token must name
  // this room. A display name in the token wins over the one the client asked for.
  Result<JoinResult, RoomError> join(const Claims& claims, std::string_view display_name);
  // The peer leaves for good: everything it owned is closed and the others are told.
  Result<ClosedResources, RoomError> leave(std::string_view peer_id);
  // The peer's WebSocket dropped: its media stays until now + grace. Returns that deadline.
  Result<SteadyTime, RoomError> disconnect(std::string_view peer_id, SteadyTime now);
  // Takes the peer back with its reconnect token, before the deadline.
  Result<ResumeResult, RoomError> resume(std::string_view peer_id, std::string_view token,
                                         SteadyTime now);
  // Peers past their grace deadline are removed; the others are told.
  std::vector<ClosedResources> expire(SteadyTime now);

  Result<void, RoomError> add_transport(std::string_view peer_id, std::string transport_id);
  Result<ClosedResources, RoomError> close_transport(std::string_view peer_id,
                                                     std::string_view transport_id);

  // Checks produce before the caller asks the control plane, so a refused request costs nothing.
  Result<void, RoomError> check_produce(std::string_view peer_id,
                                        std::string_view transport_id) const;
  Result<void, RoomError> add_producer(std::string_view peer_id, ProducerInfo producer);
  Result<ClosedResources, RoomError> close_producer(std::string_view peer_id,
                                                    std::string_view producer_id);
  Result<void, RoomError> set_producer_paused(std::string_view peer_id,
                                              std::string_view producer_id, bool paused);

  Result<void, RoomError> check_consume(std::string_view peer_id, std::string_view producer_id,
                                        std::string_view transport_id) const;
  Result<void, RoomError> add_consumer(std::string_view peer_id, std::string consumer_id,
                                       std::string_view producer_id, std::string transport_id);
  Result<void, RoomError> close_consumer(std::string_view peer_id, std::string_view consumer_id);

  // Closes every peer (told with RoomClosedEvent); later calls fail with kRoomClosed.
  std::vector<ClosedResources> close();

  std::optional<PeerInfo> peer(std::string_view peer_id) const;
  RoomSnapshot snapshot() const;
  size_t peer_count() const;
  bool closed() const;

 private:
  struct PeerRecord {
    PeerInfo info;
    ReconnectToken token;
    std::set<std::string, std::less<>> transports;
    std::set<std::string, std::less<>> producers;
    std::set<std::string, std::less<>> consumers;
  };
  struct ProducerRecord {
    ProducerInfo info;
    std::set<std::string, std::less<>> consumers;
  };
  struct ConsumerRecord {
    std::string peer_id;
    std::string producer_id;
    std::string transport_id;
  };
  using PeerMap = std::map<std::string, PeerRecord, std::less<>>;

  Result<PeerRecord*, RoomError> connected_peer(std::string_view peer_id);
  Result<const PeerRecord*, RoomError> connected_peer(std::string_view peer_id) const;
  Result<void, RoomError> check_produce_locked(const PeerRecord& peer,
                                               std::string_view transport_id) const;
  Result<void, RoomError> check_consume_locked(const PeerRecord& peer, std::string_view producer_id,
                                               std::string_view transport_id) const;
  void notify_others(std::string_view except_peer_id, const RoomEvent& event);
  void notify_peer(const PeerRecord& peer, const RoomEvent& event);
  void close_producer_locked(std::string_view producer_id, ClosedResources& closed);
  void close_consumer_locked(std::string_view consumer_id, bool tell_owner,
                             ClosedResources& closed);
  ClosedResources remove_peer_locked(PeerMap::iterator it, LeaveReason reason);
  RoomSnapshot snapshot_locked(std::string_view except_peer_id) const;

  const std::string id_;
  const std::string router_id_;
  const RoomLimits limits_;
  RoomObserver& observer_;

  mutable std::mutex mutex_;
  bool closed_ = false;
  PeerMap peers_;
  std::map<std::string, std::string, std::less<>> transports_;  // id -> owner peer id
  std::map<std::string, ProducerRecord, std::less<>> producers_;
  std::map<std::string, ConsumerRecord, std::less<>> consumers_;
};

}  // namespace fanout::sig

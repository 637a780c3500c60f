// All rooms of this signaling instance: create, find, close, and the grace-period sweep.
// Thread-safe. The registry's mutex guards only the map; room operations take the room's own
// mutex, and the registry lock is never held while a room lock is taken.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/auth/jwt.hpp"
#include "signaling/auth/reconnect_token.hpp"
#include "signaling/auth/result.hpp"
#include "signaling/rooms/room.hpp"
#include "signaling/rooms/room_error.hpp"
#include "signaling/rooms/room_events.hpp"

namespace fanout::sig {

struct ClosedRoom {
  std::string room_id;
  std::string router_id;  // for the caller to close the router in the control plane
  std::vector<ClosedResources> peers;
};

class RoomRegistry {
 public:
  // `observer` must outlive the registry and every Room it handed out.
  RoomRegistry(RoomLimits limits, RoomObserver& observer);
  RoomRegistry(const RoomRegistry&) = delete;
  RoomRegistry& operator=(const RoomRegistry&) = delete;

  const RoomLimits& limits() const { return limits_; }

  // The caller has created the router in the control plane; if this fails (room exists, too many
  // rooms) it closes that router again.
  Result<std::shared_ptr<Room>, RoomError> create_room(std::string room_id, std::string router_id);
  std::shared_ptr<Room> find(std::string_view room_id) const;
  Result<ClosedRoom, RoomError> close_room(std::string_view room_id);
  // Closes the room only if no peer is left in it (the last one left or expired).
  std::optional<ClosedRoom> close_room_if_empty(std::string_view room_id);

  // Joins `room_id` with a verified token, which must name that room.
  Result<JoinResult, RoomError> join(std::string_view room_id, const Claims& claims,
                                     std::string_view display_name);
  Result<ResumeResult, RoomError> resume(std::string_view room_id, std::string_view peer_id,
                                         std::string_view reconnect_token, SteadyTime now);

  // Removes every peer whose grace period ended; call it periodically (about once a second).
  std::vector<ClosedResources> expire(SteadyTime now);

  size_t room_count() const;
  // Every open room, for listings (the REST API) and sweeps.
  std::vector<std::shared_ptr<Room>> rooms() const;

 private:
  const RoomLimits limits_;
  RoomObserver& observer_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Room>, std::less<>> rooms_;
};

}  // namespace fanout::sig

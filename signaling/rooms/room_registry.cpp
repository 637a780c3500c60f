#include "signaling/rooms/room_registry.hpp"

#include <utility>

namespace fanout::sig {
namespace {

RoomError fail(RoomErrorCode code, std::string reason) {
  return RoomError{code, std::move(reason)};
}

}  // namespace

RoomRegistry::RoomRegistry(RoomLimits limits, RoomObserver& observer)
    : limits_(limits), observer_(observer) {}

Result<std::shared_ptr<Room>, RoomError> RoomRegistry::create_room(std::string room_id,
                                                                   std::string router_id) {
  if (room_id.empty() || room_id.size() > kMaxIdBytes) {
    return fail(RoomErrorCode::kInvalidArgument, "room id must be 1 to 128 bytes");
  }
  std::lock_guard lock(mutex_);
  if (rooms_.contains(room_id)) return fail(RoomErrorCode::kRoomExists, "room already exists");
  if (rooms_.size() >= limits_.max_rooms) {
    return fail(RoomErrorCode::kTooManyRooms,
                "at most " + std::to_string(limits_.max_rooms) + " rooms");
  }
  auto room = std::make_shared<Room>(room_id, std::move(router_id), limits_, observer_);
  rooms_.emplace(std::move(room_id), room);
  return room;
}

std::shared_ptr<Room> RoomRegistry::find(std::string_view room_id) const {
  std::lock_guard lock(mutex_);
  const auto it = rooms_.find(room_id);
  return it == rooms_.end() ? nullptr : it->second;
}

Result<ClosedRoom, RoomError> RoomRegistry::close_room(std::string_view room_id) {
  std::shared_ptr<Room> room;
  {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return fail(RoomErrorCode::kRoomNotFound, "no such room");
    room = std::move(it->second);
    rooms_.erase(it);
  }
  return ClosedRoom{.room_id = room->id(), .router_id = room->router_id(), .peers = room->close()};
}

std::optional<ClosedRoom> RoomRegistry::close_room_if_empty(std::string_view room_id) {
  std::shared_ptr<Room> room;
  {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(room_id);
    if (it == rooms_.end()) return std::nullopt;
    // A join may land between this check and close(); it then gets RoomClosedEvent and the
    // client joins again (the room is created anew).
    if (it->second->peer_count() != 0) return std::nullopt;
    room = std::move(it->second);
    rooms_.erase(it);
  }
  return ClosedRoom{.room_id = room->id(), .router_id = room->router_id(), .peers = room->close()};
}

Result<JoinResult, RoomError> RoomRegistry::join(std::string_view room_id, const Claims& claims,
                                                 std::string_view display_name) {
  if (claims.room != room_id) {
    return fail(RoomErrorCode::kWrongRoom, "the token is for another room");
  }
  const auto room = find(room_id);
  if (!room) return fail(RoomErrorCode::kRoomNotFound, "no such room");
  return room->join(claims, display_name);
}

Result<ResumeResult, RoomError> RoomRegistry::resume(std::string_view room_id,
                                                     std::string_view peer_id,
                                                     std::string_view reconnect_token,
                                                     SteadyTime now) {
  const auto room = find(room_id);
  if (!room) return fail(RoomErrorCode::kBadReconnectToken, "cannot resume");
  return room->resume(peer_id, reconnect_token, now);
}

std::vector<ClosedResources> RoomRegistry::expire(SteadyTime now) {
  std::vector<ClosedResources> out;
  for (const auto& room : rooms()) {
    auto expired = room->expire(now);
    for (auto& e : expired) out.push_back(std::move(e));
  }
  return out;
}

size_t RoomRegistry::room_count() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

std::vector<std::shared_ptr<Room>> RoomRegistry::rooms() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Room>> out;
  out.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) out.push_back(room);
  return out;
}

}  // namespace fanout::sig

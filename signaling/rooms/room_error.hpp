// Why a room operation was refused: a stable code for the protocol and a reason for humans.
#pragma once

#include <string>
#include <string_view>

namespace fanout::sig {

#define FANOUT_SIG_ROOM_ERRORS(X)              \
  X(kInvalidArgument, "invalid_argument")      \
  X(kRoomNotFound, "room_not_found")           \
  X(kRoomExists, "room_exists")                \
  X(kRoomClosed, "room_closed")                \
  X(kTooManyRooms, "too_many_rooms")           \
  X(kRoomFull, "room_full")                    \
  X(kWrongRoom, "wrong_room")                  \
  X(kPermissionDenied, "permission_denied")    \
  X(kPeerNotFound, "peer_not_found")           \
  X(kPeerNotConnected, "peer_not_connected")   \
  X(kBadReconnectToken, "bad_reconnect_token") \
  X(kTooManyTransports, "too_many_transports") \
  X(kTooManyProducers, "too_many_producers")   \
  X(kTooManyConsumers, "too_many_consumers")   \
  X(kTransportNotFound, "transport_not_found") \
  X(kProducerNotFound, "producer_not_found")   \
  X(kConsumerNotFound, "consumer_not_found")   \
  X(kDuplicateId, "duplicate_id")

enum class RoomErrorCode {
#define X(name, text) name,
  FANOUT_SIG_ROOM_ERRORS(X)
#undef X
};

std::string_view to_string(RoomErrorCode code);

struct RoomError {
  RoomErrorCode code = RoomErrorCode::kInvalidArgument;
  std::string reason;
};

}  // namespace fanout::sig

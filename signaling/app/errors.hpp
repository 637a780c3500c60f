// How room model and control plane refusals become the protocol's error codes (PROTOCOL.md).
#pragma once

#include <string>
#include <string_view>

#include "signaling/cpclient/cp_client.hpp"
#include "signaling/rooms/room_error.hpp"
#include "signaling/server/protocol.hpp"

namespace fanout::sig {

inline RequestError err(std::string_view code, std::string reason) {
  return RequestError{std::string(code), std::move(reason)};
}

inline RequestError from_room(const RoomError& e) {
  switch (e.code) {
    case RoomErrorCode::kInvalidArgument:
      return err("invalid_request", e.reason);
    case RoomErrorCode::kWrongRoom:
      return err("unauthorized", "wrong_room: " + e.reason);
    case RoomErrorCode::kPeerNotFound:
    case RoomErrorCode::kPeerNotConnected:
      return err("not_joined", e.reason);
    case RoomErrorCode::kRoomNotFound:
    case RoomErrorCode::kRoomClosed:
      return err("room_closed", e.reason);
    case RoomErrorCode::kRoomExists:
    case RoomErrorCode::kDuplicateId:
      return err("internal_error", e.reason);
    default:
      return err(to_string(e.code), e.reason);
  }
}

// `not_found` and `exhausted` depend on what was asked (a transport, a producer...).
inline RequestError from_cp(const CpError& e, std::string_view not_found,
                            std::string_view exhausted = "unavailable") {
  if (e.unavailable) return err("unavailable", e.reason);
  switch (e.code) {
    case cpapi::ErrorCode::NotReady:
      return err("unavailable", "control plane not ready: " + e.reason);
    case cpapi::ErrorCode::NotFound:
      return err(not_found, "control plane: " + e.reason);
    case cpapi::ErrorCode::InvalidArgument:
      return err("invalid_argument", e.reason);
    case cpapi::ErrorCode::Unsupported:
      return err("unsupported", e.reason);
    case cpapi::ErrorCode::ResourceExhausted:
      return err(exhausted, "control plane: " + e.reason);
    default:
      return err("internal_error", std::string("control plane ") +
                                       cpapi::EnumNameErrorCode(e.code) + ": " + e.reason);
  }
}

}  // namespace fanout::sig

#include "signaling/rooms/room_error.hpp"

namespace fanout::sig {

std::string_view to_string(RoomErrorCode code) {
  switch (code) {
#define X(name, text)       \
  case RoomErrorCode::name: \
    return text;
    FANOUT_SIG_ROOM_ERRORS(X)
#undef X
  }
  return "unknown";
}

}  // namespace fanout::sig

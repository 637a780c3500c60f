// JSON text of an envelope, for fanoutctl --json and logs. Slow path (allocates).
#pragma once

#include <string>

#include "schemas/dataplane_generated.h"

namespace fanout::dp::ipc {

// Field names as in schemas/dataplane.fbs; enums and union types as their names; ubyte vectors as
// arrays of numbers. `envelope` must come from decode_frame (verified).
std::string envelope_to_json(const fanout::ipc::Envelope& envelope, bool pretty = false);

}  // namespace fanout::dp::ipc

#include "dataplane/ipc/json.hpp"

#include <flatbuffers/minireflect.h>

namespace fanout::dp::ipc {

std::string envelope_to_json(const fanout::ipc::Envelope& envelope, bool pretty) {
  // Mini-reflection reads a union's type from the field before its value: safe because
  // decode_frame rejects a union value without its type.
  flatbuffers::ToStringVisitor visitor(pretty ? "\n" : " ", /*quotes=*/true, pretty ? "  " : "");
  flatbuffers::IterateObject(reinterpret_cast<const uint8_t*>(&envelope),
                             fanout::ipc::EnvelopeTypeTable(), &visitor);
  return visitor.s;
}

}  // namespace fanout::dp::ipc

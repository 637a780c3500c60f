// Arbitrary bytes as a received IPC datagram: decode_frame must reject or verify, and a verified
// envelope must be safe to read completely (every field, every union member, nested batches).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dataplane/ipc/frame.hpp"
#include "dataplane/ipc/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fi = fanout::ipc;
  using namespace fanout::dp::ipc;
  // recv buffers are heap allocated and so aligned; copy to give the verifier the same.
  std::vector<uint8_t> datagram(data, data + size);
  Decoded decoded = decode_frame(datagram, {.max_frame = 64 * 1024});
  if (decoded.status != FrameStatus::kOk) {
    if (decoded.envelope != nullptr) __builtin_trap();
    return 0;
  }
  const fi::Envelope& envelope = *decoded.envelope;
  // Every field: the JSON writer walks each table, vector, string and union (fanoutctl --json).
  std::string text = envelope_to_json(envelope, true);
  if (text.empty()) __builtin_trap();
  // And through the object API, as the control plane reads replies.
  std::unique_ptr<fi::EnvelopeT> unpacked(envelope.UnPack());
  // Re-encoding what was read must verify again.
  flatbuffers::FlatBufferBuilder fbb;
  fi::FinishSizePrefixedEnvelopeBuffer(fbb, fi::Envelope::Pack(fbb, unpacked.get()));
  std::vector<uint8_t> again(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  if (decode_frame(again, {.max_depth = 1024}).status != FrameStatus::kOk) __builtin_trap();
  (void)is_request(envelope.body_type());
  return 0;
}

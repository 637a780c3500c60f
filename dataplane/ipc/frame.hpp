// One IPC frame = one SOCK_SEQPACKET datagram = one size-prefixed FlatBuffer whose root is a
// fanout::ipc::Envelope (schemas/dataplane.fbs). Decoding checks the prefix and the size limit and
// runs the FlatBuffers verifier before anything reads a field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "schemas/dataplane_generated.h"

namespace fanout::dp::ipc {

inline constexpr size_t kDefaultMaxFrame = 1u << 20;  // bytes, prefix included
inline constexpr size_t kSizePrefix = sizeof(flatbuffers::uoffset_t);

enum class FrameStatus : uint8_t {
  kOk,
  kTruncated,     // shorter than a size prefix and an empty root
  kBadPrefix,     // prefix != datagram length - 4
  kTooLarge,      // over DecodeLimits::max_frame
  kVerifyFailed,  // the verifier rejected it, wrong file identifier, or a union type without
                  // its value (or the reverse)
};

struct DecodeLimits {
  size_t max_frame = kDefaultMaxFrame;
  // Verifier limits: nesting (Batch -> Request -> body -> ...) and objects per frame.
  uint32_t max_depth = 32;
  uint32_t max_tables = 100000;
};

struct Decoded {
  FrameStatus status = FrameStatus::kTruncated;
  const fanout::ipc::Envelope* envelope = nullptr;  // set only when status == kOk
};

// The datagram must stay alive and unmodified while the envelope is used. It must be 8-byte
// aligned (FlatBuffers aligns 64-bit fields; heap and recv buffers are), else the verifier fails.
// No allocation.
Decoded decode_frame(std::span<const uint8_t> datagram, const DecodeLimits& limits = {});

std::string_view frame_status_name(FrameStatus status);

// The Error code a peer gets for a frame that failed to decode.
fanout::ipc::ErrorCode frame_error_code(FrameStatus status);

// Body kinds, so a server refuses replies/events sent as requests.
bool is_request(fanout::ipc::Body body);
bool is_reply(fanout::ipc::Body body);
bool is_event(fanout::ipc::Body body);

// Finishes `fbb` as a frame; the span points into `fbb` and is valid until it is cleared.
std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         uint64_t epoch, fanout::ipc::Body type,
                                         flatbuffers::Offset<void> body);

template <typename T>
std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         uint64_t epoch, flatbuffers::Offset<T> body) {
  static_assert(fanout::ipc::BodyTraits<T>::enum_value != fanout::ipc::Body::NONE,
                "T is not a member of union Body");
  return finish_envelope(fbb, id, epoch, fanout::ipc::BodyTraits<T>::enum_value, body.Union());
}

// Reply helpers; they clear `fbb` first.
std::span<const uint8_t> make_error(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                    fanout::ipc::ErrorCode code, std::string_view reason,
                                    uint64_t epoch = 0);
std::span<const uint8_t> make_ok(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                 uint64_t epoch = 0);

}  // namespace fanout::dp::ipc

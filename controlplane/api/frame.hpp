// One API frame = one size-prefixed FlatBuffer whose root is a fanout::cpapi::Envelope
// (schemas/controlplane.fbs, file identifier "FCP1"). On the Unix socket a frame is one
// SOCK_SEQPACKET datagram; on TCP the frame's own 4-byte little-endian size prefix is the framing.
// Decoding checks the prefix and the size cap and runs the verifier before any field is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "schemas/controlplane_generated.h"

namespace fanout::cp::api {

inline constexpr size_t kDefaultMaxFrame = 1u << 20;  // bytes, prefix included
inline constexpr size_t kSizePrefix = sizeof(flatbuffers::uoffset_t);

enum class FrameStatus : uint8_t {
  kOk,
  kTruncated,     // shorter than a size prefix and an empty root
  kBadPrefix,     // prefix != frame length - 4
  kTooLarge,      // over the size cap
  kVerifyFailed,  // the verifier rejected it, the file identifier is not FCP1, or a union type
                  // came without its value (or the reverse)
};

struct Decoded {
  FrameStatus status = FrameStatus::kTruncated;
  const fanout::cpapi::Envelope* envelope = nullptr;  // set only when status == kOk
};

// `frame` must be 8-byte aligned (the verifier checks alignment) and stay alive while the
// envelope is used. No allocation.
Decoded decode_frame(std::span<const uint8_t> frame, size_t max_frame = kDefaultMaxFrame);

std::string_view frame_status_name(FrameStatus status);
// The Error code a peer gets for a frame that failed to decode.
fanout::cpapi::ErrorCode frame_error_code(FrameStatus status);

// The bodies a client may send (Hello included). Replies and events are not requests.
bool is_request(fanout::cpapi::Body body);

// Finishes `fbb` as a frame; the span points into `fbb` and is valid until it is cleared.
std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         fanout::cpapi::Body type, flatbuffers::Offset<void> body);

template <typename T>
std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         flatbuffers::Offset<T> body) {
  static_assert(fanout::cpapi::BodyTraits<T>::enum_value != fanout::cpapi::Body::NONE,
                "T is not a member of union Body");
  return finish_envelope(fbb, id, fanout::cpapi::BodyTraits<T>::enum_value, body.Union());
}

// Clears `fbb` first.
std::span<const uint8_t> make_error(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                    fanout::cpapi::ErrorCode code, std::string_view reason);

}  // namespace fanout::cp::api

#include "controlplane/api/frame.hpp"

namespace fanout::cp::api {

using fanout::cpapi::Body;
using fanout::cpapi::ErrorCode;

Decoded decode_frame(std::span<const uint8_t> frame, size_t max_frame) {
  // Prefix + root offset + file identifier is the smallest buffer the verifier can accept.
  constexpr size_t kMinFrame = kSizePrefix + sizeof(flatbuffers::uoffset_t) + 4;
  if (frame.size() > max_frame) return {FrameStatus::kTooLarge, nullptr};
  if (frame.size() < kMinFrame) return {FrameStatus::kTruncated, nullptr};
  const uint32_t prefix = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(frame.data());
  if (prefix != frame.size() - kSizePrefix) return {FrameStatus::kBadPrefix, nullptr};
  // Depth: Envelope -> body -> strings; 16 is generous. Tables per frame: bodies have a handful.
  flatbuffers::Verifier verifier(frame.data(), frame.size(), 16, 10000);
  if (!fanout::cpapi::VerifySizePrefixedEnvelopeBuffer(verifier)) {
    return {FrameStatus::kVerifyFailed, nullptr};
  }
  const auto* envelope = fanout::cpapi::GetSizePrefixedEnvelope(frame.data());
  // The verifier accepts a union type without its value and the reverse; the object API and the
  // handlers would dereference the missing half. A type newer than this schema passes through
  // (the handler answers UnknownMethod).
  const Body type = envelope->body_type();
  const bool consistent = type == Body::NONE ? envelope->body() == nullptr
                                             : (type > Body::MAX || envelope->body() != nullptr);
  if (!consistent) return {FrameStatus::kVerifyFailed, nullptr};
  return {FrameStatus::kOk, envelope};
}

std::string_view frame_status_name(FrameStatus status) {
  switch (status) {
    case FrameStatus::kOk:
      return "ok";
    case FrameStatus::kTruncated:
      return "truncated frame";
    case FrameStatus::kBadPrefix:
      return "size prefix does not match the frame length";
    case FrameStatus::kTooLarge:
      return "frame larger than the maximum";
    case FrameStatus::kVerifyFailed:
      return "not an FCP1 Envelope (the FlatBuffers verifier rejected the frame)";
  }
  return "unknown";
}

ErrorCode frame_error_code(FrameStatus status) {
  return status == FrameStatus::kTooLarge ? ErrorCode::TooLarge : ErrorCode::BadMessage;
}

bool is_request(Body body) {
  switch (body) {
    case Body::Hello:
    case Body::CreateRouter:
    case Body::CreateWebRtcTransport:
    case Body::ConnectWebRtcTransport:
    case Body::RestartIce:
    case Body::Produce:
    case Body::Consume:
    case Body::SetPaused:
    case Body::RequestKeyFrame:
    case Body::Close:
    case Body::GetStats:
    case Body::Dump:
      return true;
    default:
      return false;
  }
}

std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         Body type, flatbuffers::Offset<void> body) {
  auto envelope = fanout::cpapi::CreateEnvelope(fbb, id, type, body);
  fanout::cpapi::FinishSizePrefixedEnvelopeBuffer(fbb, envelope);
  return {fbb.GetBufferPointer(), fbb.GetSize()};
}

std::span<const uint8_t> make_error(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                    ErrorCode code, std::string_view reason) {
  fbb.Clear();
  auto text = fbb.CreateString(reason.data(), reason.size());
  return finish_envelope(fbb, id, fanout::cpapi::CreateError(fbb, code, text));
}

}  // namespace fanout::cp::api

#include "dataplane/ipc/frame.hpp"

namespace fanout::dp::ipc {

using fanout::ipc::Body;
using fanout::ipc::ErrorCode;

namespace {

// A union's type and value must come together. The verifier accepts either alone, and the
// generated object API (Pack) and mini-reflection dereference a missing one, so such a frame is
// malformed. A type newer than this schema is left alone (the server answers UnknownMethod).
// Batches nest unions; the verifier's depth limit has already bounded the recursion.
bool union_consistent(Body type, const void* value) {
  if (type == Body::NONE) return value == nullptr;
  if (type > Body::MAX) return true;
  if (value == nullptr) return false;
  if (type == Body::Batch) {
    const auto* requests = static_cast<const fanout::ipc::Batch*>(value)->requests();
    if (requests == nullptr) return true;
    for (const auto* request : *requests) {
      if (request == nullptr || !union_consistent(request->body_type(), request->body())) {
        return false;
      }
    }
  } else if (type == Body::BatchReply) {
    const auto* replies = static_cast<const fanout::ipc::BatchReply*>(value)->replies();
    if (replies == nullptr) return true;
    for (const auto* reply : *replies) {
      if (reply == nullptr || !union_consistent(reply->body_type(), reply->body())) return false;
    }
  }
  return true;
}

}  // namespace

Decoded decode_frame(std::span<const uint8_t> datagram, const DecodeLimits& limits) {
  // Prefix + root offset + file identifier is the smallest buffer the verifier can accept.
  constexpr size_t kMinFrame = kSizePrefix + sizeof(flatbuffers::uoffset_t) + 4;
  if (datagram.size() > limits.max_frame) return {FrameStatus::kTooLarge, nullptr};
  if (datagram.size() < kMinFrame) return {FrameStatus::kTruncated, nullptr};
  const uint32_t prefix = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(datagram.data());
  if (prefix != datagram.size() - kSizePrefix) return {FrameStatus::kBadPrefix, nullptr};
  flatbuffers::Verifier verifier(datagram.data(), datagram.size(), limits.max_depth,
                                 limits.max_tables);
  if (!fanout::ipc::VerifySizePrefixedEnvelopeBuffer(verifier)) {
    return {FrameStatus::kVerifyFailed, nullptr};
  }
  const auto* envelope = fanout::ipc::GetSizePrefixedEnvelope(datagram.data());
  if (!union_consistent(envelope->body_type(), envelope->body())) {
    return {FrameStatus::kVerifyFailed, nullptr};
  }
  return {FrameStatus::kOk, envelope};
}

std::string_view frame_status_name(FrameStatus status) {
  switch (status) {
    case FrameStatus::kOk:
      return "ok";
    case FrameStatus::kTruncated:
      return "truncated frame";
    case FrameStatus::kBadPrefix:
      return "size prefix does not match the datagram length";
    case FrameStatus::kTooLarge:
      return "frame larger than the maximum";
    case FrameStatus::kVerifyFailed:
      return "FlatBuffers verifier rejected the frame";
  }
  return "unknown";
}

ErrorCode frame_error_code(FrameStatus status) {
  return status == FrameStatus::kTooLarge ? ErrorCode::TooLarge : ErrorCode::BadMessage;
}

bool is_request(Body body) {
  switch (body) {
    case Body::Hello:
    case Body::CreateTransport:
    case Body::SetSrtpKeys:
    case Body::DeleteTransport:
    case Body::CreateProducer:
    case Body::DeleteProducer:
    case Body::SetPaused:
    case Body::CreateConsumer:
    case Body::DeleteConsumer:
    case Body::RequestKeyFrame:
    case Body::SendDtls:
    case Body::Flush:
    case Body::Dump:
    case Body::GetCounters:
    case Body::ListTransports:
    case Body::ListProducers:
    case Body::ListConsumers:
    case Body::Batch:
    case Body::SetIceParameters:
    case Body::SetPlainRemote:
      return true;
    default:
      return false;
  }
}

bool is_reply(Body body) {
  switch (body) {
    case Body::Ok:
    case Body::Error:
    case Body::HelloReply:
    case Body::TransportCreated:
    case Body::DumpReply:
    case Body::Counters:
    case Body::TransportList:
    case Body::ProducerList:
    case Body::ConsumerList:
    case Body::BatchReply:
      return true;
    default:
      return false;
  }
}

bool is_event(Body body) {
  switch (body) {
    case Body::IceSelectedTupleChanged:
    case Body::DtlsReceived:
    case Body::IceConsentExpired:
    case Body::KeyFrameRequested:
      return true;
    default:
      return false;
  }
}

std::span<const uint8_t> finish_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                         uint64_t epoch, Body type,
                                         flatbuffers::Offset<void> body) {
  auto envelope = fanout::ipc::CreateEnvelope(fbb, id, epoch, type, body);
  fanout::ipc::FinishSizePrefixedEnvelopeBuffer(fbb, envelope);
  return {fbb.GetBufferPointer(), fbb.GetSize()};
}

std::span<const uint8_t> make_error(flatbuffers::FlatBufferBuilder& fbb, uint64_t id,
                                    ErrorCode code, std::string_view reason, uint64_t epoch) {
  fbb.Clear();
  auto text = fbb.CreateString(reason.data(), reason.size());
  return finish_envelope(fbb, id, epoch, fanout::ipc::CreateError(fbb, code, text));
}

std::span<const uint8_t> make_ok(flatbuffers::FlatBufferBuilder& fbb, uint64_t id, uint64_t epoch) {
  fbb.Clear();
  return finish_envelope(fbb, id, epoch, fanout::ipc::CreateOk(fbb));
}

}  // namespace fanout::dp::ipc

#include "dataplane/ipc/frame.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tests/dataplane/ipc/samples.hpp"

namespace fanout::dp::ipc {
namespace {

namespace fi = fanout::ipc;

constexpr auto kFirstBody = static_cast<int>(fi::Body::MIN) + 1;
constexpr auto kLastBody = static_cast<int>(fi::Body::MAX);

std::vector<uint8_t> frame_of(fi::Body type, uint64_t id = 7, uint64_t epoch = 42) {
  flatbuffers::FlatBufferBuilder fbb;
  test::pack_envelope(fbb, id, epoch, test::sample_body(type));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

// Every union member survives encode -> prefix check -> verifier -> decode unchanged.
TEST(IpcFrame, RoundTripsEveryBodyKind) {
  for (int i = kFirstBody; i <= kLastBody; ++i) {
    const auto type = static_cast<fi::Body>(i);
    SCOPED_TRACE(fi::EnumNameBody(type));
    auto body = test::sample_body(type);
    ASSERT_EQ(body.type, type) << "samples.hpp lacks this member";
    auto frame = frame_of(type, 1000 + i, 42);
    Decoded decoded = decode_frame(frame);
    ASSERT_EQ(decoded.status, FrameStatus::kOk);
    ASSERT_NE(decoded.envelope, nullptr);
    EXPECT_EQ(decoded.envelope->id(), static_cast<uint64_t>(1000 + i));
    EXPECT_EQ(decoded.envelope->epoch(), 42u);
    EXPECT_EQ(decoded.envelope->body_type(), type);
    auto unpacked = std::unique_ptr<fi::EnvelopeT>(decoded.envelope->UnPack());
    EXPECT_TRUE(unpacked->body == body);
  }
}

TEST(IpcFrame, EveryBodyIsExactlyOneOfRequestReplyEvent) {
  for (int i = kFirstBody; i <= kLastBody; ++i) {
    const auto type = static_cast<fi::Body>(i);
    SCOPED_TRACE(fi::EnumNameBody(type));
    EXPECT_EQ(int(is_request(type)) + int(is_reply(type)) + int(is_event(type)), 1);
  }
  EXPECT_FALSE(is_request(fi::Body::NONE));
  EXPECT_TRUE(is_request(fi::Body::Batch));
  EXPECT_TRUE(is_reply(fi::Body::Error));
  EXPECT_TRUE(is_event(fi::Body::DtlsReceived));
}

TEST(IpcFrame, FieldsReadInPlace) {
  auto frame = frame_of(fi::Body::SetSrtpKeys);
  Decoded decoded = decode_frame(frame);
  ASSERT_EQ(decoded.status, FrameStatus::kOk);
  const auto* keys = decoded.envelope->body_as_SetSrtpKeys();
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->transport(), 10u);
  EXPECT_EQ(keys->direction(), fi::Direction::Outbound);
  ASSERT_EQ(keys->master_key()->size(), 16u);
  EXPECT_EQ(keys->master_key()->Get(0), 0xE1);
  // Zero copy: the key bytes point into the datagram.
  EXPECT_GE(keys->master_key()->data(), frame.data());
  EXPECT_LT(keys->master_key()->data(), frame.data() + frame.size());
}

TEST(IpcFrame, MakeErrorAndOk) {
  flatbuffers::FlatBufferBuilder fbb;
  auto error = make_error(fbb, 9, fi::ErrorCode::NotFound, "no transport 3", 5);
  std::vector<uint8_t> copy(error.begin(), error.end());
  Decoded decoded = decode_frame(copy);
  ASSERT_EQ(decoded.status, FrameStatus::kOk);
  EXPECT_EQ(decoded.envelope->id(), 9u);
  EXPECT_EQ(decoded.envelope->epoch(), 5u);
  ASSERT_NE(decoded.envelope->body_as_Error(), nullptr);
  EXPECT_EQ(decoded.envelope->body_as_Error()->code(), fi::ErrorCode::NotFound);
  EXPECT_EQ(decoded.envelope->body_as_Error()->reason()->str(), "no transport 3");

  auto ok = make_ok(fbb, 10);
  copy.assign(ok.begin(), ok.end());
  decoded = decode_frame(copy);
  ASSERT_EQ(decoded.status, FrameStatus::kOk);
  EXPECT_EQ(decoded.envelope->id(), 10u);
  EXPECT_EQ(decoded.envelope->body_type(), fi::Body::Ok);
}

TEST(IpcFrame, RejectsEveryTruncation) {
  auto frame = frame_of(fi::Body::DumpReply);
  for (size_t len = 0; len < frame.size(); ++len) {
    std::vector<uint8_t> cut(frame.begin(), frame.begin() + len);
    Decoded decoded = decode_frame(cut);
    EXPECT_NE(decoded.status, FrameStatus::kOk) << "length " << len;
    EXPECT_EQ(decoded.envelope, nullptr);
  }
}

TEST(IpcFrame, TruncatedWithFixedPrefixFailsVerification) {
  auto frame = frame_of(fi::Body::DumpReply);
  for (size_t len = 12; len < frame.size(); len += 3) {
    std::vector<uint8_t> cut(frame.begin(), frame.begin() + len);
    flatbuffers::WriteScalar<uint32_t>(cut.data(), static_cast<uint32_t>(len - 4));
    EXPECT_EQ(decode_frame(cut).status, FrameStatus::kVerifyFailed) << "length " << len;
  }
}

TEST(IpcFrame, RejectsWrongPrefix) {
  auto frame = frame_of(fi::Body::Hello);
  for (int64_t delta : {-5, -1, 1, 4, 1 << 20}) {
    auto bad = frame;
    flatbuffers::WriteScalar<uint32_t>(bad.data(),
                                       static_cast<uint32_t>(int64_t(bad.size()) - 4 + delta));
    EXPECT_EQ(decode_frame(bad).status, FrameStatus::kBadPrefix) << delta;
  }
  EXPECT_EQ(frame_error_code(FrameStatus::kBadPrefix), fi::ErrorCode::BadMessage);
}

TEST(IpcFrame, RejectsOversized) {
  auto frame = frame_of(fi::Body::DumpReply);
  EXPECT_EQ(decode_frame(frame, {.max_frame = frame.size() - 1}).status, FrameStatus::kTooLarge);
  EXPECT_EQ(decode_frame(frame, {.max_frame = frame.size()}).status, FrameStatus::kOk);
  std::vector<uint8_t> huge(kDefaultMaxFrame + 1, 0);
  EXPECT_EQ(decode_frame(huge).status, FrameStatus::kTooLarge);
  EXPECT_EQ(frame_error_code(FrameStatus::kTooLarge), fi::ErrorCode::TooLarge);
}

TEST(IpcFrame, RejectsWrongFileIdentifier) {
  auto frame = frame_of(fi::Body::Ok);
  std::memcpy(frame.data() + 8, "XXXX", 4);  // prefix, root offset, identifier
  EXPECT_EQ(decode_frame(frame).status, FrameStatus::kVerifyFailed);
}

// A flipped bit either still verifies (then every field is readable) or is rejected: never a
// crash. Runs under ASan/UBSan in the fuzz build's copy of this walk (tests/fuzz/ipc).
TEST(IpcFrame, BitFlipsNeverCrash) {
  for (int i = kFirstBody; i <= kLastBody; ++i) {
    auto frame = frame_of(static_cast<fi::Body>(i));
    size_t rejected = 0;
    for (size_t bit = 0; bit < frame.size() * 8; ++bit) {
      auto bad = frame;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      Decoded decoded = decode_frame(bad);
      if (decoded.status != FrameStatus::kOk) {
        ++rejected;
        EXPECT_EQ(decoded.envelope, nullptr);
        continue;
      }
      std::unique_ptr<fi::EnvelopeT> unpacked(decoded.envelope->UnPack());
      EXPECT_NE(unpacked, nullptr);
    }
    EXPECT_GT(rejected, 0u);
  }
}

TEST(IpcFrame, RandomBytesAreRejected) {
  std::mt19937 rng(1234);
  size_t accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::vector<uint8_t> junk(4 + rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (n % 2 == 0) {  // half with a correct prefix, to reach the verifier
      flatbuffers::WriteScalar<uint32_t>(junk.data(), static_cast<uint32_t>(junk.size() - 4));
    }
    Decoded decoded = decode_frame(junk);
    if (decoded.status == FrameStatus::kOk) ++accepted;
  }
  // Random bytes essentially never carry the "FDP1" identifier and a valid root.
  EXPECT_EQ(accepted, 0u);
}

// The verifier accepts a union type without its value and the reverse; the object API and
// mini-reflection would dereference the missing half, so decode_frame rejects both, nested too.
TEST(IpcFrame, RejectsUnionTypeWithoutValueAndTheReverse) {
  auto finish = [](flatbuffers::FlatBufferBuilder& fbb, flatbuffers::Offset<fi::Envelope> root) {
    fi::FinishSizePrefixedEnvelopeBuffer(fbb, root);
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  };
  {
    flatbuffers::FlatBufferBuilder fbb;
    fi::EnvelopeBuilder b(fbb);
    b.add_body_type(fi::Body::DeleteProducer);
    auto frame = finish(fbb, b.Finish());
    EXPECT_EQ(decode_frame(frame).status, FrameStatus::kVerifyFailed);
  }
  {
    flatbuffers::FlatBufferBuilder fbb;
    auto body = fi::CreateDeleteProducer(fbb, 3).Union();
    fi::EnvelopeBuilder b(fbb);
    b.add_body(body);
    auto frame = finish(fbb, b.Finish());
    EXPECT_EQ(decode_frame(frame).status, FrameStatus::kVerifyFailed);
  }
  {
    flatbuffers::FlatBufferBuilder fbb;
    fi::RequestBuilder rb(fbb);
    rb.add_body_type(fi::Body::Dump);
    auto request = rb.Finish();
    auto batch = fi::CreateBatch(fbb, fbb.CreateVector(&request, 1));
    auto frame = finish(fbb, fi::CreateEnvelope(fbb, 1, 0, fi::Body::Batch, batch.Union()));
    EXPECT_EQ(decode_frame(frame).status, FrameStatus::kVerifyFailed);
  }
  {
    flatbuffers::FlatBufferBuilder fbb;
    auto frame = finish(fbb, fi::CreateEnvelope(fbb, 1, 0));  // no body at all: readable
    EXPECT_EQ(decode_frame(frame).status, FrameStatus::kOk);
  }
}

TEST(IpcFrame, DepthLimitRejectsDeepNesting) {
  // Batch -> Request -> Batch -> ... deeper than the verifier's depth limit.
  fi::BodyUnion body = test::sample_body(fi::Body::Ok);
  for (int level = 0; level < 40; ++level) {
    fi::BatchT batch;
    auto request = std::make_unique<fi::RequestT>();
    request->body = body;
    batch.requests.push_back(std::move(request));
    body = fi::BodyUnion();
    body.Set(std::move(batch));
  }
  flatbuffers::FlatBufferBuilder fbb;
  test::pack_envelope(fbb, 1, 0, body);
  std::vector<uint8_t> frame(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  EXPECT_EQ(decode_frame(frame).status, FrameStatus::kVerifyFailed);
  EXPECT_EQ(decode_frame(frame, {.max_depth = 256}).status, FrameStatus::kOk);
}

}  // namespace
}  // namespace fanout::dp::ipc

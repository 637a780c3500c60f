#include "controlplane/rtp/supported_capabilities.hpp"

namespace fanout::cp {

namespace {

std::vector<RtcpFeedback> video_feedback() {
  return {{"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}, {"transport-cc", ""}};
}

RtpCodecCapability video(const char* mime, CodecParameters params = {}) {
  return {MediaKind::kVideo, mime, std::nullopt, 90000, std::nullopt, std::move(params),
          video_feedback()};
}

CodecParameters h264(const char* profile_level_id) {
  return {{"level-asymmetry-allowed", int64_t{1}},
          {"packetization-mode", int64_t{1}},
          {"profile-level-id", std::string(profile_level_id)}};
}

RtpCapabilities build() {
  RtpCapabilities caps;
  caps.codecs = {
      {MediaKind::kAudio,
       "audio/opus",
       std::nullopt,
       48000,
       2,
       {{"useinbandfec", int64_t{1}}},
       {{"nack", ""}, {"transport-cc", ""}}},
      video("video/VP8"),
      video("video/VP9", {{"profile-id", int64_t{0}}}),
      video("video/H264", h264("42e01f")),
      video("video/H264", h264("4d001f")),
      video("video/AV1"),
  };
  using D = HeaderExtensionDirection;
  const auto a = MediaKind::kAudio;
  const auto v = MediaKind::kVideo;
  caps.header_extensions = {
      {a, kUriMid, 1, false, D::kSendRecv},
      {v, kUriMid, 1, false, D::kSendRecv},
      {v, kUriRid, 2, false, D::kRecvOnly},
      {v, kUriRepairedRid, 3, false, D::kRecvOnly},
      {a, kUriAbsSendTime, 4, false, D::kSendRecv},
      {v, kUriAbsSendTime, 4, false, D::kSendRecv},
      // As mediasoup: audio uses transport-cc only when receiving.
      {a, kUriTransportWideCc, 5, false, D::kRecvOnly},
      {v, kUriTransportWideCc, 5, false, D::kSendRecv},
      {a, kUriAudioLevel, 10, false, D::kSendRecv},
      {v, kUriVideoOrientation, 11, false, D::kSendRecv},
  };
  return caps;
}

}  // namespace

const RtpCapabilities& supported_rtp_capabilities() {
  static const RtpCapabilities caps = build();
  return caps;
}

}  // namespace fanout::cp

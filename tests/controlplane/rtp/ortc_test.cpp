#include "controlplane/rtp/ortc.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

#include "controlplane/rtp/supported_capabilities.hpp"
#include "tests/controlplane/rtp/helpers.hpp"

namespace fanout::cp {
namespace {

using test::chrome_caps;
using test::counter;
using test::media_codecs_from;
using test::params_from;
using test::router_caps;

template <typename F>
std::string error_of(F&& f, RtpError::Kind kind) {
  try {
    f();
  } catch (const RtpError& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  return "no error";
}

const RtpCodecCapability* find_pt(const RtpCapabilities& caps, uint8_t pt) {
  for (const auto& c : caps.codecs)
    if (c.preferred_payload_type == pt) return &c;
  return nullptr;
}

TEST(SupportedCapabilities, IssueCodecsAndExtensions) {
  const RtpCapabilities& s = supported_rtp_capabilities();
  ASSERT_EQ(s.codecs.size(), 6u);
  EXPECT_EQ(s.codecs[0].mime_type, "audio/opus");
  EXPECT_EQ(s.codecs[0].channels, 2);
  EXPECT_EQ(parameter_int(s.codecs[0].parameters, "useinbandfec"), 1);
  EXPECT_EQ(parameter_int(s.codecs[2].parameters, "profile-id"), 0);
  EXPECT_EQ(parameter_string(s.codecs[3].parameters, "profile-level-id"), "42e01f");
  EXPECT_EQ(parameter_string(s.codecs[4].parameters, "profile-level-id"), "4d001f");
  EXPECT_EQ(s.codecs[5].mime_type, "video/AV1");
  const std::vector<RtcpFeedback> video_fb = {
      {"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}, {"transport-cc", ""}};
  for (size_t i = 1; i < s.codecs.size(); ++i) EXPECT_EQ(s.codecs[i].rtcp_feedback, video_fb);
  auto ext = [&s](MediaKind k, const char* uri) -> const RtpHeaderExtensionCapability* {
    for (const auto& e : s.header_extensions)
      if (e.kind == k && e.uri == uri) return &e;
    return nullptr;
  };
  ASSERT_TRUE(ext(MediaKind::kVideo, kUriRid));
  EXPECT_EQ(ext(MediaKind::kVideo, kUriRid)->preferred_id, 2);
  EXPECT_EQ(ext(MediaKind::kVideo, kUriRid)->direction, HeaderExtensionDirection::kRecvOnly);
  EXPECT_EQ(ext(MediaKind::kVideo, kUriRepairedRid)->preferred_id, 3);
  EXPECT_EQ(ext(MediaKind::kAudio, kUriTransportWideCc)->direction,
            HeaderExtensionDirection::kRecvOnly);
  EXPECT_EQ(ext(MediaKind::kVideo, kUriTransportWideCc)->preferred_id, 5);
  EXPECT_EQ(ext(MediaKind::kAudio, kUriAudioLevel)->preferred_id, 10);
  EXPECT_EQ(ext(MediaKind::kVideo, kUriVideoOrientation)->preferred_id, 11);
  EXPECT_EQ(ext(MediaKind::kAudio, kUriAbsSendTime)->preferred_id, 4);
  EXPECT_FALSE(ext(MediaKind::kAudio, kUriRid));
}

TEST(RouterCapabilities, PreferredPayloadTypesAndRtx) {
  RtpCapabilities caps = router_caps();
  // opus; VP8 + rtx; VP9 + rtx; H264 CB + rtx; H264 main + rtx; AV1 + rtx.
  ASSERT_EQ(caps.codecs.size(), 11u);
  EXPECT_EQ(caps.codecs[0].preferred_payload_type, 111);
  EXPECT_EQ(caps.codecs[1].preferred_payload_type, 96);
  EXPECT_EQ(caps.codecs[2].mime_type, "video/rtx");
  EXPECT_EQ(caps.codecs[2].preferred_payload_type, 97);
  EXPECT_EQ(parameter_int(caps.codecs[2].parameters, "apt"), 96);
  EXPECT_EQ(caps.codecs[3].preferred_payload_type, 98);
  EXPECT_EQ(caps.codecs[4].preferred_payload_type, 99);
  EXPECT_EQ(caps.codecs[5].preferred_payload_type, 106);
  EXPECT_EQ(caps.codecs[6].preferred_payload_type, 100);  // 96-99 are taken
  EXPECT_EQ(parameter_int(caps.codecs[6].parameters, "apt"), 106);
  EXPECT_EQ(caps.codecs[7].preferred_payload_type, 127);
  EXPECT_EQ(caps.codecs[9].preferred_payload_type, 45);
  EXPECT_EQ(parameter_int(caps.codecs[10].parameters, "apt"), 45);
  std::set<uint8_t> pts;
  for (const auto& c : caps.codecs) EXPECT_TRUE(pts.insert(*c.preferred_payload_type).second);
  // The router's feedback and its fmtp merged with the configured ones.
  EXPECT_EQ(caps.codecs[1].rtcp_feedback.size(), 5u);
  EXPECT_TRUE(caps.codecs[2].rtcp_feedback.empty());
  EXPECT_EQ(parameter_int(caps.codecs[0].parameters, "useinbandfec"), 1);
  EXPECT_EQ(parameter_string(caps.codecs[7].parameters, "profile-level-id"), "4d001f");
  EXPECT_EQ(caps.header_extensions, supported_rtp_capabilities().header_extensions);
}

TEST(RouterCapabilities, DynamicPayloadTypesWhenNoneOrTaken) {
  auto caps = generate_router_rtp_capabilities(media_codecs_from(R"([
    {"kind": "video", "mimeType": "video/VP8", "clockRate": 90000},
    {"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2},
    {"kind": "video", "mimeType": "video/VP9", "clockRate": 90000, "preferredPayloadType": 96},
    {"kind": "video", "mimeType": "video/AV1", "clockRate": 90000, "preferredPayloadType": 100}
  ])"));
  ASSERT_EQ(caps.codecs.size(), 7u);
  EXPECT_EQ(caps.codecs[0].preferred_payload_type, 96);
  EXPECT_EQ(caps.codecs[1].preferred_payload_type, 97);  // VP8's rtx
  EXPECT_EQ(caps.codecs[2].preferred_payload_type, 98);  // opus
  // VP9 preferred 96, which is taken: the next dynamic one.
  EXPECT_EQ(caps.codecs[3].preferred_payload_type, 99);
  EXPECT_EQ(caps.codecs[4].preferred_payload_type, 100);  // VP9's rtx takes 100 first...
  EXPECT_EQ(caps.codecs[5].preferred_payload_type, 101);  // ...so AV1 gets a dynamic one
  EXPECT_EQ(caps.codecs[6].preferred_payload_type, 102);
}

TEST(RouterCapabilities, RunsOutOfDynamicPayloadTypes) {
  std::string many = "[";
  for (int i = 0; i < 17; ++i)
    many += std::string(i ? "," : "") +
            R"({"kind": "video", "mimeType": "video/VP8", "clockRate": 90000})";
  many += "]";
  EXPECT_EQ(error_of([&] { generate_router_rtp_capabilities(media_codecs_from(many)); },
                     RtpError::Kind::kUnsupported),
            "no free dynamic payload type (96-127) left for video/VP8");
}

TEST(RouterCapabilities, RefusesUnsupportedCodecs) {
  auto gen = [](std::string_view json) {
    return error_of([&] { generate_router_rtp_capabilities(media_codecs_from(json)); },
                    RtpError::Kind::kUnsupported);
  };
  EXPECT_EQ(gen(R"([{"kind": "video", "mimeType": "video/H265", "clockRate": 90000}])"),
            "mediaCodecs[0]: media codec video/H265 is not supported by this router");
  EXPECT_EQ(gen(R"([{"kind": "audio", "mimeType": "audio/opus", "clockRate": 48000}])"),
            "mediaCodecs[0]: media codec audio/opus is not supported by this router: "
            "1 channels instead of 2");
  EXPECT_EQ(gen(R"([{"kind": "video", "mimeType": "video/VP9", "clockRate": 90000,
                      "parameters": {"profile-id": 2}}])"),
            "mediaCodecs[0]: media codec video/VP9 (profile-id 2) is not supported by this "
            "router: profile-id 2 instead of 0");
  EXPECT_EQ(gen(R"([{"kind": "video", "mimeType": "video/H264", "clockRate": 90000,
                      "parameters": {"profile-level-id": "42e01f"}}])"),
            "mediaCodecs[0]: media codec video/H264 (profile-level-id 42e01f, packetization-mode "
            "0) is not supported by this router: packetization-mode 0 instead of 1");
  EXPECT_EQ(gen(R"([{"kind": "video", "mimeType": "video/H264", "clockRate": 90000,
                      "parameters": {"profile-level-id": "64001f", "packetization-mode": 1}}])"),
            "mediaCodecs[0]: media codec video/H264 (profile-level-id 64001f, packetization-mode "
            "1) is not supported by this router: different H264 profile");
  EXPECT_EQ(gen(R"([{"kind": "video", "mimeType": "video/VP8", "clockRate": 48000}])"),
            "mediaCodecs[0]: media codec video/VP8 is not supported by this router: "
            "clock rate 48000 instead of 90000");
  EXPECT_EQ(error_of(
                [] {
                  generate_router_rtp_capabilities(media_codecs_from(
                      R"([{"kind": "video", "mimeType": "video/rtx", "clockRate": 90000}])"));
                },
                RtpError::Kind::kInvalid),
            "mediaCodecs[0].mimeType: RTX is added by the router, do not configure it");
  EXPECT_EQ(error_of(
                [] {
                  generate_router_rtp_capabilities(media_codecs_from(
                      R"([{"kind": "video", "mimeType": "video/VP8", "clockRate": 90000,
                           "preferredPayloadType": 72}])"));
                },
                RtpError::Kind::kInvalid),
            "mediaCodecs[0].preferredPayloadType: 72 collides with RTCP packet types (RFC 5761)");
}

TEST(RouterCapabilities, H264LevelMayDiffer) {
  // Same profile (constrained baseline) at level 5.2: accepted, the configured level kept.
  auto caps = generate_router_rtp_capabilities(media_codecs_from(
      R"([{"kind": "video", "mimeType": "video/H264", "clockRate": 90000,
           "parameters": {"profile-level-id": "42e034", "packetization-mode": 1}}])"));
  ASSERT_EQ(caps.codecs.size(), 2u);
  EXPECT_EQ(parameter_string(caps.codecs[0].parameters, "profile-level-id"), "42e034");
  EXPECT_EQ(parameter_int(caps.codecs[0].parameters, "level-asymmetry-allowed"), 1);
}

TEST(ProducerMapping, Vp8WithRtx) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps, counter(5));
  ASSERT_EQ(m.codecs.size(), 2u);
  EXPECT_EQ(m.codecs[0], (RtpMapping::Codec{96, 96}));
  EXPECT_EQ(m.codecs[1], (RtpMapping::Codec{97, 97}));
  ASSERT_EQ(m.encodings.size(), 1u);
  EXPECT_EQ(m.encodings[0].ssrc, 1738264751u);
  EXPECT_EQ(m.encodings[0].mapped_ssrc, 100000005u);
}

TEST(ProducerMapping, MapsOntoRouterPayloadTypes) {
  // A producer whose payload types differ from the router's: H264 CB at 102 with RTX 103 maps to
  // the router's 106 and its RTX 100.
  RtpParameters p = params_from(R"({
    "codecs": [
      {"mimeType": "video/H264", "payloadType": 102, "clockRate": 90000,
       "parameters": {"packetization-mode": 1, "profile-level-id": "42e01f",
                      "level-asymmetry-allowed": 1}},
      {"mimeType": "video/rtx", "payloadType": 103, "clockRate": 90000, "parameters": {"apt": 102}}
    ],
    "encodings": [{"ssrc": 11, "rtx": {"ssrc": 12}}, {"ssrc": 21, "rtx": {"ssrc": 22}}],
    "rtcp": {"cname": "c"}})");
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, router_caps(),
                                                     counter(900000000u + 7));
  ASSERT_EQ(m.codecs.size(), 2u);
  EXPECT_EQ(m.codecs[0], (RtpMapping::Codec{102, 106}));
  EXPECT_EQ(m.codecs[1], (RtpMapping::Codec{103, 100}));
  ASSERT_EQ(m.encodings.size(), 2u);
  EXPECT_EQ(m.encodings[0].mapped_ssrc, 100000007u);
  EXPECT_EQ(m.encodings[1].mapped_ssrc, 100000008u);
}

TEST(ProducerMapping, RefusesCodecsTheRouterLacks) {
  RtpCapabilities caps = router_caps();
  RtpParameters h265 = params_from(R"({
    "codecs": [{"mimeType": "video/H265", "payloadType": 49, "clockRate": 90000}],
    "encodings": [{"ssrc": 1}]})");
  EXPECT_EQ(error_of([&] { get_producer_rtp_parameters_mapping(MediaKind::kVideo, h265, caps); },
                     RtpError::Kind::kUnsupported),
            "codec video/H265 is not supported by this router");
  RtpParameters baseline = params_from(R"({
    "codecs": [{"mimeType": "video/H264", "payloadType": 102, "clockRate": 90000,
                "parameters": {"packetization-mode": 1, "profile-level-id": "42001f"}}],
    "encodings": [{"ssrc": 1}]})");
  EXPECT_EQ(
      error_of([&] { get_producer_rtp_parameters_mapping(MediaKind::kVideo, baseline, caps); },
               RtpError::Kind::kUnsupported),
      "codec video/H264 (profile-level-id 42001f, packetization-mode 1) is not supported by this "
      "router: different H264 profile");
  // A router configured without VP9 refuses it even though Fanout supports it.
  RtpCapabilities vp8_only = generate_router_rtp_capabilities(
      media_codecs_from(R"([{"kind": "video", "mimeType": "video/VP8", "clockRate": 90000}])"));
  RtpParameters vp9 = params_from(R"({
    "codecs": [{"mimeType": "video/VP9", "payloadType": 98, "clockRate": 90000,
                "parameters": {"profile-id": 0}}],
    "encodings": [{"ssrc": 1}]})");
  EXPECT_EQ(error_of([&] { get_producer_rtp_parameters_mapping(MediaKind::kVideo, vp9, vp8_only); },
                     RtpError::Kind::kUnsupported),
            "codec video/VP9 (profile-id 0) is not supported by this router");
}

TEST(ProducerValidation, RejectsBadParameters) {
  auto err = [](MediaKind kind, std::string_view json) {
    return error_of([&] { validate_producer_rtp_parameters(kind, params_from(json)); },
                    RtpError::Kind::kInvalid);
  };
  const auto v = MediaKind::kVideo;
  EXPECT_EQ(err(v, R"({"codecs": [], "encodings": [{"ssrc": 1}]})"), "rtpParameters.codecs: empty");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96,
      "clockRate": 90000}], "encodings": [{"dtx": false}]})"),
            "rtpParameters.encodings[0]: needs an ssrc or a rid");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000},
      {"mimeType": "video/VP9", "payloadType": 96, "clockRate": 90000}],
      "encodings": [{"ssrc": 1}]})"),
            "rtpParameters.codecs[1].payloadType: 96 is already used by codecs[0]");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000},
      {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000, "parameters": {"apt": 98}}],
      "encodings": [{"ssrc": 1}]})"),
            "rtpParameters.codecs[1].parameters.apt: 98 is not the payload type of a media codec");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000},
      {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000}],
      "encodings": [{"ssrc": 1}]})"),
            "rtpParameters.codecs[1].parameters.apt: missing or not an integer");
  EXPECT_EQ(err(MediaKind::kAudio, test::kChromeVp8Producer),
            "rtpParameters.codecs[0].mimeType: 'video/VP8' is not an audio codec");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}],
      "encodings": [{"ssrc": 1, "rtx": {"ssrc": 1}}]})"),
            "rtpParameters.encodings[0].rtx.ssrc: 1 is used twice");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}],
      "encodings": [{"rid": "r0"}, {"rid": "r0"}]})"),
            "rtpParameters.encodings[1].rid: 'r0' is used twice");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}],
      "encodings": [{"ssrc": 1, "codecPayloadType": 97}]})"),
            "rtpParameters.encodings[0].codecPayloadType: 97 is not the payload type of a media "
            "codec");
  EXPECT_EQ(err(v, R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000}],
      "headerExtensions": [{"uri": "a", "id": 3}, {"uri": "b", "id": 3}],
      "encodings": [{"ssrc": 1}]})"),
            "rtpParameters.headerExtensions[1].id: 3 is already used by headerExtensions[0]");
}

TEST(Consumable, UsesRouterPayloadTypesAndMappedSsrcs) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeSimulcastProducer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps, counter(0));
  RtpParameters c = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  ASSERT_EQ(c.codecs.size(), 2u);
  EXPECT_EQ(c.codecs[0].payload_type, 96);
  EXPECT_EQ(c.codecs[0].rtcp_feedback, find_pt(caps, 96)->rtcp_feedback);
  EXPECT_EQ(c.codecs[1].mime_type, "video/rtx");
  EXPECT_EQ(parameter_int(c.codecs[1].parameters, "apt"), 96);
  ASSERT_EQ(c.encodings.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(c.encodings[i].ssrc, 100000000u + i);
    EXPECT_FALSE(c.encodings[i].rid);
    EXPECT_FALSE(c.encodings[i].rtx);
  }
  EXPECT_EQ(c.encodings[2].max_bitrate, 900000u);
  // Video extensions the router sends: not rid / repaired-rid (recvonly), no audio ones.
  std::vector<std::string> uris;
  for (const auto& e : c.header_extensions) uris.push_back(e.uri);
  EXPECT_EQ(uris, (std::vector<std::string>{kUriMid, kUriAbsSendTime, kUriTransportWideCc,
                                            kUriVideoOrientation}));
  EXPECT_EQ(c.rtcp.cname, "mOfw0uDcSuQHvWfb");
  EXPECT_EQ(c.rtcp.reduced_size, true);
  EXPECT_EQ(c.rtcp.mux, true);
}

TEST(Consumer, Vp8ForChrome) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  EXPECT_TRUE(can_consume(consumable, chrome_caps()));
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(4242));
  ASSERT_EQ(c.codecs.size(), 2u);
  EXPECT_EQ(c.codecs[0].mime_type, "video/VP8");
  EXPECT_EQ(c.codecs[0].payload_type, 96);
  EXPECT_EQ(c.codecs[1].payload_type, 97);
  // The data plane forwards the producer's header extensions unchanged: a consumer negotiates
  // neither MID nor transport-cc (their values are the producer's), so REMB is the estimator.
  std::vector<std::string> uris;
  for (const auto& e : c.header_extensions) uris.push_back(e.uri);
  EXPECT_EQ(uris, (std::vector<std::string>{kUriAbsSendTime, kUriVideoOrientation}));
  EXPECT_EQ(c.codecs[0].rtcp_feedback,
            (std::vector<RtcpFeedback>{
                {"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}}));
  ASSERT_EQ(c.encodings.size(), 1u);
  EXPECT_EQ(c.encodings[0].ssrc, 4242u);
  ASSERT_TRUE(c.encodings[0].rtx);
  EXPECT_EQ(c.encodings[0].rtx->ssrc, 4243u);
  EXPECT_EQ(c.encodings[0].scalability_mode, "L1T3");
  EXPECT_EQ(c.rtcp.cname, "X9u8aUyFuI0tDLo8");
  EXPECT_EQ(c.rtcp.reduced_size, true);
  EXPECT_FALSE(c.mid);
}

TEST(Consumer, RandomSsrcsDifferAndAreNonZero) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  std::set<uint32_t> ssrcs;
  for (int i = 0; i < 50; ++i) {
    RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps());
    ASSERT_TRUE(c.encodings[0].ssrc);
    EXPECT_NE(*c.encodings[0].ssrc, 0u);
    EXPECT_EQ(c.encodings[0].rtx->ssrc, *c.encodings[0].ssrc + 1);
    ssrcs.insert(*c.encodings[0].ssrc);
  }
  EXPECT_GE(ssrcs.size(), 49u);
  // Zero and 0xffffffff (whose RTX would wrap to 0) are skipped.
  std::vector<uint32_t> seq = {0, 0xffffffffu, 77};
  size_t i = 0;
  RtpParameters c =
      get_consumer_rtp_parameters(consumable, chrome_caps(), false, [&] { return seq[i++]; });
  EXPECT_EQ(c.encodings[0].ssrc, 77u);
}

TEST(Consumer, SimulcastBecomesOneStream) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeSimulcastProducer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(10));
  ASSERT_EQ(c.encodings.size(), 1u);
  EXPECT_EQ(c.encodings[0].ssrc, 10u);
  EXPECT_EQ(c.encodings[0].max_bitrate, 900000u);
}

TEST(Consumer, NoRtxWhenTheRemoteHasNone) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpCapabilities remote = chrome_caps();
  std::erase_if(remote.codecs, [](const auto& c) { return is_rtx(c.mime_type); });
  RtpParameters c = get_consumer_rtp_parameters(consumable, remote, false, counter(9));
  ASSERT_EQ(c.codecs.size(), 1u);
  EXPECT_FALSE(c.encodings[0].rtx);
}

TEST(Consumer, HeaderExtensionsFilteredByUriAndId) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpCapabilities remote = chrome_caps();
  // No video-orientation; abs-send-time under another id; toffset (not the router's) ignored.
  std::erase_if(remote.header_extensions,
                [](const auto& e) { return e.uri == kUriVideoOrientation; });
  RtpParameters c = get_consumer_rtp_parameters(consumable, remote, false, counter(9));
  std::vector<std::pair<std::string, int>> exts;
  for (const auto& e : c.header_extensions) exts.emplace_back(e.uri, e.id);
  EXPECT_EQ(exts, (std::vector<std::pair<std::string, int>>{{kUriAbsSendTime, 4}}));
  // With abs-send-time, REMB is the estimator.
  EXPECT_EQ(c.codecs[0].rtcp_feedback,
            (std::vector<RtcpFeedback>{
                {"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}}));
  for (auto& e : remote.header_extensions)
    if (e.uri == kUriAbsSendTime) e.preferred_id = 9;
  c = get_consumer_rtp_parameters(consumable, remote, false, counter(9));
  EXPECT_TRUE(c.header_extensions.empty());
  // No estimator at all: neither REMB nor transport-cc feedback.
  EXPECT_EQ(c.codecs[0].rtcp_feedback,
            (std::vector<RtcpFeedback>{{"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}}));
}

TEST(Consumer, NeverNegotiatesMidOrTransportCc) {
  // Even when the remote supports them with the router's ids (every mediasoup-client Device
  // does): the data plane forwards the producer's values of both, which are not the consumer's.
  RtpCapabilities caps = router_caps();
  for (auto producer : {test::kChromeVp8Producer, test::kChromeSimulcastProducer}) {
    RtpParameters p = params_from(producer);
    RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
    RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
    for (bool pipe : {false, true}) {
      RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), pipe, counter(3));
      for (const auto& e : c.header_extensions) {
        EXPECT_NE(e.uri, kUriMid) << "pipe " << pipe;
        EXPECT_NE(e.uri, kUriTransportWideCc) << "pipe " << pipe;
      }
      for (const auto& codec : c.codecs)
        for (const auto& fb : codec.rtcp_feedback) EXPECT_NE(fb.type, "transport-cc");
    }
  }
}

TEST(Consumer, OpusForChrome) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeOpusProducer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kAudio, p, caps, counter(1));
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kAudio, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(500));
  ASSERT_EQ(c.codecs.size(), 1u);
  EXPECT_EQ(c.codecs[0].payload_type, 111);
  EXPECT_EQ(c.codecs[0].channels, 2);
  // The producer's fmtp travels to the consumer.
  EXPECT_EQ(parameter_int(c.codecs[0].parameters, "minptime"), 10);
  // Chrome lists no nack for Opus; the audio transport-cc extension is recvonly for the router,
  // so transport-cc feedback goes too.
  EXPECT_TRUE(c.codecs[0].rtcp_feedback.empty());
  std::vector<std::string> uris;
  for (const auto& e : c.header_extensions) uris.push_back(e.uri);
  EXPECT_EQ(uris, (std::vector<std::string>{kUriAbsSendTime, kUriAudioLevel}));
  EXPECT_FALSE(c.encodings[0].rtx);
  EXPECT_EQ(c.encodings[0].dtx, false);
}

TEST(Consumer, RefusedWhenTheEndpointLacksTheCodec) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(R"({
    "codecs": [{"mimeType": "video/H264", "payloadType": 127, "clockRate": 90000,
                "parameters": {"packetization-mode": 1, "profile-level-id": "4d001f"}}],
    "encodings": [{"ssrc": 5}], "rtcp": {"cname": "x"}})");
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  EXPECT_TRUE(can_consume(consumable, chrome_caps()));
  // A Safari-like endpoint with constrained-baseline H264 and VP8 only.
  RtpCapabilities remote = parse_rtp_capabilities(parse_json_text(R"({"codecs": [
    {"kind": "video", "mimeType": "video/VP8", "preferredPayloadType": 96, "clockRate": 90000},
    {"kind": "video", "mimeType": "video/H264", "preferredPayloadType": 106, "clockRate": 90000,
     "parameters": {"packetization-mode": 1, "profile-level-id": "42e01f"}}]})",
                                                                  "rtpCapabilities"));
  EXPECT_FALSE(can_consume(consumable, remote));
  EXPECT_EQ(consume_refusal(consumable, remote),
            "the endpoint cannot receive video/H264 (profile-level-id 4d001f, packetization-mode "
            "1): different H264 profile");
  EXPECT_EQ(error_of([&] { get_consumer_rtp_parameters(consumable, remote); },
                     RtpError::Kind::kUnsupported),
            consume_refusal(consumable, remote));
  RtpCapabilities audio_only;
  audio_only.codecs.push_back(chrome_caps().codecs[0]);
  EXPECT_EQ(consume_refusal(consumable, audio_only),
            "the endpoint cannot receive video/H264 (profile-level-id 4d001f, packetization-mode "
            "1)");
}

TEST(Consumer, PipeKeepsEncodingsWithoutRtx) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeSimulcastProducer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps, counter(0));
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, caps, true);
  ASSERT_EQ(c.codecs.size(), 1u);
  EXPECT_EQ(c.encodings, consumable.encodings);
  EXPECT_EQ(std::count(c.codecs[0].rtcp_feedback.begin(), c.codecs[0].rtcp_feedback.end(),
                       RtcpFeedback{"nack", ""}),
            0);
}

}  // namespace
}  // namespace fanout::cp

namespace fanout::cp {
namespace {

// What mediasoup-client's Device.load() receives: every member it reads, with its JSON type.
TEST(RouterCapabilities, JsonShapeForDeviceLoad) {
  const std::string text = boost::json::serialize(to_json(test::router_caps()));
  const boost::json::value j = boost::json::parse(text);
  const auto& codecs = j.at("codecs").as_array();
  ASSERT_EQ(codecs.size(), 11u);
  EXPECT_EQ(boost::json::serialize(codecs[0]),
            R"({"kind":"audio","mimeType":"audio/opus","preferredPayloadType":111,)"
            R"("clockRate":48000,"channels":2,"parameters":{"useinbandfec":1},)"
            R"("rtcpFeedback":[{"type":"nack","parameter":""},)"
            R"({"type":"transport-cc","parameter":""}]})");
  EXPECT_EQ(boost::json::serialize(codecs[2]),
            R"({"kind":"video","mimeType":"video/rtx","preferredPayloadType":97,)"
            R"("clockRate":90000,"parameters":{"apt":96},"rtcpFeedback":[]})");
  EXPECT_EQ(boost::json::serialize(codecs[5].at("parameters")),
            R"({"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f"})");
  const auto& exts = j.at("headerExtensions").as_array();
  ASSERT_EQ(exts.size(), 10u);
  EXPECT_EQ(boost::json::serialize(exts[2]),
            R"({"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",)"
            R"("preferredId":2,"preferredEncrypt":false,"direction":"recvonly"})");
  // And it parses back to the same capabilities.
  EXPECT_EQ(parse_rtp_capabilities(j), test::router_caps());
}

}  // namespace
}  // namespace fanout::cp

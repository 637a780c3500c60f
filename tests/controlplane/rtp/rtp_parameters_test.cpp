#include "controlplane/rtp/rtp_parameters.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/controlplane/rtp/helpers.hpp"

namespace fanout::cp {
namespace {

using test::params_from;

std::string error_of(std::string_view text) {
  try {
    params_from(text);
  } catch (const RtpError& e) {
    EXPECT_EQ(e.kind(), RtpError::Kind::kInvalid);
    return e.what();
  }
  return "no error";
}

TEST(RtpParametersJson, ParsesChromeVp8Producer) {
  RtpParameters p = params_from(test::kChromeVp8Producer);
  EXPECT_EQ(p.mid, "0");
  ASSERT_EQ(p.codecs.size(), 2u);
  EXPECT_EQ(p.codecs[0].mime_type, "video/VP8");
  EXPECT_EQ(p.codecs[0].payload_type, 96);
  EXPECT_EQ(p.codecs[0].rtcp_feedback.size(), 5u);
  EXPECT_EQ(p.codecs[0].rtcp_feedback[2], (RtcpFeedback{"ccm", "fir"}));
  EXPECT_EQ(parameter_int(p.codecs[1].parameters, "apt"), 96);
  ASSERT_EQ(p.encodings.size(), 1u);
  EXPECT_EQ(p.encodings[0].ssrc, 1738264751u);
  ASSERT_TRUE(p.encodings[0].rtx);
  EXPECT_EQ(p.encodings[0].rtx->ssrc, 3090573512u);
  EXPECT_EQ(p.encodings[0].scalability_mode, "L1T3");
  EXPECT_EQ(p.encodings[0].dtx, false);
  EXPECT_EQ(p.rtcp.cname, "X9u8aUyFuI0tDLo8");
  EXPECT_EQ(p.rtcp.reduced_size, true);
  EXPECT_FALSE(p.rtcp.mux);
  EXPECT_EQ(p.header_extensions.size(), 4u);
  EXPECT_EQ(p.header_extensions[3].id, 13);
}

TEST(RtpParametersJson, ParsesSimulcastRids) {
  RtpParameters p = params_from(test::kChromeSimulcastProducer);
  ASSERT_EQ(p.encodings.size(), 3u);
  EXPECT_FALSE(p.encodings[0].ssrc);
  EXPECT_EQ(p.encodings[2].rid, "r2");
  EXPECT_EQ(p.encodings[1].max_bitrate, 300000u);
  EXPECT_EQ(p.encodings[0].scale_resolution_down_by, 4.0);
}

TEST(RtpParametersJson, RoundTripParameters) {
  for (auto text :
       {test::kChromeVp8Producer, test::kChromeSimulcastProducer, test::kChromeOpusProducer}) {
    RtpParameters p = params_from(text);
    boost::json::value j = to_json(p);
    RtpParameters again = parse_rtp_parameters(j);
    EXPECT_EQ(again, p);
    // Serialising the struct again gives the same JSON, member for member.
    EXPECT_EQ(boost::json::serialize(to_json(again)), boost::json::serialize(j));
  }
}

TEST(RtpParametersJson, RoundTripCapabilities) {
  RtpCapabilities caps = test::chrome_caps();
  EXPECT_EQ(caps.codecs.size(), 19u);
  EXPECT_EQ(caps.header_extensions.size(), 8u);
  RtpCapabilities again = parse_rtp_capabilities(to_json(caps));
  EXPECT_EQ(again, caps);
  // String and number parameters keep their types.
  const auto& h264 = caps.codecs[7];
  EXPECT_EQ(parameter_string(h264.parameters, "profile-level-id"), "42001f");
  EXPECT_EQ(parameter_int(h264.parameters, "packetization-mode"), 1);
  const auto j = to_json(caps);
  EXPECT_TRUE(j.at("codecs").at(7).at("parameters").at("profile-level-id").is_string());
  EXPECT_TRUE(j.at("codecs").at(7).at("parameters").at("packetization-mode").is_int64());
}

TEST(RtpParametersJson, ErrorsNameThePath) {
  EXPECT_EQ(error_of(R"({"codecs": [
      {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000},
      {"mimeType": "video/VP8", "payloadType": 96, "clockRate": "90000"}]})"),
            "rtpParameters.codecs[1].clockRate: expected a number");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "video/VP8", "clockRate": 90000}]})"),
            "rtpParameters.codecs[0].payloadType: missing");
  EXPECT_EQ(error_of(R"({})"), "rtpParameters.codecs: missing");
  EXPECT_EQ(error_of(R"({"codecs": {}})"), "rtpParameters.codecs: expected an array");
  EXPECT_EQ(error_of(R"([])"), "rtpParameters: expected an object");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 128,
      "clockRate": 90000}]})"),
            "rtpParameters.codecs[0].payloadType: 128 is out of range [0, 127]");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96.5,
      "clockRate": 90000}]})"),
            "rtpParameters.codecs[0].payloadType: expected an integer");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "VP8", "payloadType": 96,
      "clockRate": 90000}]})"),
            "rtpParameters.codecs[0].mimeType: 'VP8' is not audio/* or video/*");
  EXPECT_EQ(error_of(R"({"codecs": [], "encodings": [{"ssrc": 1, "rtx": {"ssrc": "2"}}]})"),
            "rtpParameters.encodings[0].rtx.ssrc: expected a number");
  EXPECT_EQ(error_of(R"({"codecs": [], "encodings": [{"ssrc": 4294967296}]})"),
            "rtpParameters.encodings[0].ssrc: 4294967296 is out of range [0, 4294967295]");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96,
      "clockRate": 90000, "parameters": {"x": [1]}}]})"),
            "rtpParameters.codecs[0].parameters.x: expected a string or a number");
  EXPECT_EQ(error_of(R"({"codecs": [{"mimeType": "video/VP8", "payloadType": 96,
      "clockRate": 90000, "rtcpFeedback": [{"parameter": "pli"}]}]})"),
            "rtpParameters.codecs[0].rtcpFeedback[0].type: missing");
  EXPECT_EQ(error_of(R"({"codecs": [], "rtcp": {"reducedSize": 1}})"),
            "rtpParameters.rtcp.reducedSize: expected a boolean");
  EXPECT_EQ(error_of(R"({"codecs": [], "headerExtensions": [{"uri": "x", "id": 0}]})"),
            "rtpParameters.headerExtensions[0].id: 0 is out of range [1, 255]");
  EXPECT_EQ(error_of("{\"codecs\": ["), "rtpParameters: invalid JSON: incomplete JSON");
}

TEST(RtpParametersJson, CapabilityErrorsNameThePath) {
  auto err = [](std::string_view text) -> std::string {
    try {
      parse_rtp_capabilities(parse_json_text(text, "rtpCapabilities"));
    } catch (const RtpError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(err(R"({"codecs": [{"kind": "audio", "mimeType": "video/VP8", "clockRate": 90000}]})"),
            "rtpCapabilities.codecs[0].mimeType: 'video/VP8' does not match kind 'audio'");
  EXPECT_EQ(err(R"({"codecs": [{"kind": "data", "mimeType": "video/VP8", "clockRate": 90000}]})"),
            "rtpCapabilities.codecs[0].kind: expected 'audio' or 'video'");
  EXPECT_EQ(err(R"({"headerExtensions": [{"kind": "video", "uri": "urn:x", "preferredId": 3,
      "direction": "both"}]})"),
            "rtpCapabilities.headerExtensions[0].direction: unknown direction 'both'");
  EXPECT_EQ(err(R"({"headerExtensions": [{"kind": "video", "preferredId": 3}]})"),
            "rtpCapabilities.headerExtensions[0].uri: missing");
  // Optional members may be absent or null; unknown members are ignored.
  EXPECT_EQ(err(R"({"codecs": [{"kind": "video", "mimeType": "video/VP8", "clockRate": 90000,
      "preferredPayloadType": null, "x-new": true}]})"),
            "no error");
}

}  // namespace
}  // namespace fanout::cp

#include "controlplane/rtp/dataplane_params.hpp"

#include <gtest/gtest.h>

#include "tests/controlplane/rtp/helpers.hpp"

namespace fanout::cp {
namespace {

using test::chrome_caps;
using test::counter;
using test::params_from;
using test::router_caps;

TEST(DataplaneParams, Vp8ProducerAndConsumer) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  DataplaneProducer dp = dataplane_producer(MediaKind::kVideo, p);
  EXPECT_EQ(dp.kind, MediaKind::kVideo);
  ASSERT_EQ(dp.streams.size(), 1u);
  EXPECT_EQ(dp.streams[0], (DataplaneStream{1738264751u, 3090573512u, 96, 97, 90000, ""}));

  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(3000));
  DataplaneConsumer dc = dataplane_consumer(p, m, c);
  EXPECT_EQ(dc.ssrc, 3000u);
  EXPECT_EQ(dc.rtx_ssrc, 3001u);
  EXPECT_EQ(dc.clock_rate, 90000u);
  EXPECT_EQ(dc.payload_types, (std::vector<std::pair<uint8_t, uint8_t>>{{96, 96}, {97, 97}}));
}

TEST(DataplaneParams, ProducerPayloadTypesMapToRouterOnes) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(R"({
    "codecs": [
      {"mimeType": "video/H264", "payloadType": 102, "clockRate": 90000,
       "parameters": {"packetization-mode": 1, "profile-level-id": "42e01f"}},
      {"mimeType": "video/rtx", "payloadType": 103, "clockRate": 90000, "parameters": {"apt": 102}}
    ],
    "encodings": [{"ssrc": 11, "rtx": {"ssrc": 12}}], "rtcp": {"cname": "c"}})");
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kVideo, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(50));
  DataplaneConsumer dc = dataplane_consumer(p, m, c);
  EXPECT_EQ(dc.payload_types, (std::vector<std::pair<uint8_t, uint8_t>>{{102, 106}, {103, 100}}));
  EXPECT_EQ(dataplane_producer(MediaKind::kVideo, p).streams[0].rtx_payload_type, 103);
}

TEST(DataplaneParams, SimulcastStreamsByRid) {
  RtpParameters p = params_from(test::kChromeSimulcastProducer);
  DataplaneProducer dp = dataplane_producer(MediaKind::kVideo, p);
  ASSERT_EQ(dp.streams.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(dp.streams[i].ssrc, 0u);  // learnt from the rid by the data plane
    EXPECT_EQ(dp.streams[i].rid, "r" + std::to_string(i));
    EXPECT_EQ(dp.streams[i].payload_type, 96);
    EXPECT_EQ(dp.streams[i].rtx_payload_type, 97);
  }
}

TEST(DataplaneParams, OpusWithoutRtx) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeOpusProducer);
  DataplaneProducer dp = dataplane_producer(MediaKind::kAudio, p);
  ASSERT_EQ(dp.streams.size(), 1u);
  EXPECT_EQ(dp.streams[0], (DataplaneStream{2925374582u, 0, 111, 0, 48000, ""}));
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kAudio, p, caps);
  RtpParameters consumable = get_consumable_rtp_parameters(MediaKind::kAudio, p, caps, m);
  RtpParameters c = get_consumer_rtp_parameters(consumable, chrome_caps(), false, counter(8));
  DataplaneConsumer dc = dataplane_consumer(p, m, c);
  EXPECT_EQ(dc.clock_rate, 48000u);
  EXPECT_EQ(dc.rtx_ssrc, 0u);
  EXPECT_EQ(dc.payload_types, (std::vector<std::pair<uint8_t, uint8_t>>{{111, 111}}));
}

TEST(DataplaneParams, ConsumerOfAnotherCodecIsRefused) {
  RtpCapabilities caps = router_caps();
  RtpParameters p = params_from(test::kChromeVp8Producer);
  RtpMapping m = get_producer_rtp_parameters_mapping(MediaKind::kVideo, p, caps);
  RtpParameters c;
  c.codecs.push_back({"video/VP9", 98, 90000, std::nullopt, {}, {}});
  c.encodings.push_back({});
  c.encodings[0].ssrc = 1;
  try {
    dataplane_consumer(p, m, c);
    FAIL() << "no error";
  } catch (const RtpError& e) {
    EXPECT_STREQ(e.what(),
                 "consumer rtpParameters: codec video/VP9 (payload type 98) is not one the "
                 "producer sends");
  }
  c.encodings[0].ssrc.reset();
  EXPECT_THROW(dataplane_consumer(p, m, c), RtpError);
}

}  // namespace
}  // namespace fanout::cp

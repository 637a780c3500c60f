// Object lifecycle in the in-process data plane: pause and resume of consumers and producers,
// deletes that cascade and unroute, id and slot reuse, limits, Flush by epoch, and creates with bad
// arguments that must fail with the right code and leave nothing behind.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "dataplane/net/packet.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/dataplane/engine/harness.hpp"
#include "tests/dataplane/engine/media_fixture.hpp"

namespace fanout::dp::test {
namespace {

class LifecycleTest : public MediaTest {
 protected:
  size_t count_transports() { return h_->ctl().transports().size(); }
  size_t count_producers() { return h_->ctl().producers().size(); }
  size_t count_consumers() { return h_->ctl().consumers().size(); }
  ConsumerParams consumer(uint32_t id, uint32_t transport, uint32_t ssrc, uint32_t producer = 10) {
    ConsumerParams c;
    c.id = id, c.producer = producer, c.transport = transport, c.ssrc = ssrc;
    c.payload_types = {{96, 96}};
    return c;
  }
};

TEST_F(LifecycleTest, PausedConsumerGetsNothingThenContinuesWithoutGapAndAsksForAKeyframe) {
  for (int i = 0; i < 5; ++i) send_rtp(a_, 1, static_cast<uint16_t>(100 + i), 5000 + 3000 * i);
  auto got = collect();
  ASSERT_EQ(got[2].rtp.size(), 5u);
  const uint16_t last_seq = be16(got[2].rtp.back().data() + 2);
  const uint32_t last_ts = be32(got[2].rtp.back().data() + 4);

  ASSERT_TRUE(h_->ctl().set_consumer_paused(20, true).ok());
  h_->run();
  for (int i = 5; i < 15; ++i) send_rtp(a_, 2, static_cast<uint16_t>(100 + i), 5000 + 3000 * i);
  got = collect();
  EXPECT_EQ(got[2].rtp.size(), 0u) << "a paused consumer got media";
  EXPECT_EQ(got[3].rtp.size(), 10u) << "pausing B stopped C";
  EXPECT_EQ(got.count(1), 0u);

  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(h_->ctl().set_consumer_paused(20, false).ok());
  got = collect();
  ASSERT_EQ(got[1].rtcp.size(), 1u) << "no keyframe request to the producer on resume";
  expect_keyframe_request(got[1].rtcp[0], false);
  EXPECT_EQ(counters().keyframe_requests, 1u);

  for (int i = 15; i < 20; ++i) send_rtp(a_, 0, static_cast<uint16_t>(100 + i), 5000 + 3000 * i);
  got = collect();
  ASSERT_EQ(got[2].rtp.size(), 5u);
  uint32_t prev_ts = last_ts;
  for (int i = 0; i < 5; ++i) {
    const auto& p = got[2].rtp[i];
    EXPECT_EQ(be16(p.data() + 2), static_cast<uint16_t>(last_seq + 1 + i)) << "gap at " << i;
    const uint32_t ts = be32(p.data() + 4);
    EXPECT_GT(static_cast<int32_t>(ts - prev_ts), 0) << "timestamp not increasing at " << i;
    if (i > 0) {
      EXPECT_EQ(ts - prev_ts, 3000u);
    }
    prev_ts = ts;
    EXPECT_EQ(be32(p.data() + 8), kSsrcB);
  }
  EXPECT_EQ(got[3].rtp.size(), 5u);
}

TEST_F(LifecycleTest, PausedProducerPacketsAreCountedAsDrops) {
  ASSERT_TRUE(h_->ctl().set_producer_paused(10, true).ok());
  h_->run();
  ASSERT_EQ(count_producers(), 1u);
  EXPECT_TRUE(h_->ctl().producers()[0].params.paused);
  for (int i = 0; i < 5; ++i) send_rtp(a_, 1, static_cast<uint16_t>(i), 3000 * i);
  auto got = collect();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(drops(Drop::kProducerPaused), 5u);
  ASSERT_TRUE(h_->ctl().set_producer_paused(10, false).ok());
  h_->run();
  send_rtp(a_, 1, 5, 15000);
  got = collect();
  EXPECT_EQ(got[2].rtp.size(), 1u);
  EXPECT_EQ(got[3].rtp.size(), 1u);
  EXPECT_EQ(drops(Drop::kProducerPaused), 5u);
}

TEST_F(LifecycleTest, DeletingAConsumerStopsItsOutputAndFreesItsSsrc) {
  send_rtp(a_, 0, 1, 100);
  auto got = collect();
  ASSERT_EQ(got[2].rtp.size(), 1u);
  ASSERT_TRUE(h_->ctl().delete_consumer(20).ok());
  EXPECT_EQ(h_->ctl().delete_consumer(20).code, ErrorCode::kNotFound);
  h_->run();
  ASSERT_EQ(count_consumers(), 1u);
  EXPECT_EQ(h_->ctl().consumers()[0].params.id, 30u);
  send_rtp(a_, 0, 2, 3100);
  got = collect();
  EXPECT_EQ(got.count(2), 0u) << "a deleted consumer still sends";
  EXPECT_EQ(got[3].rtp.size(), 1u);
  // Its SSRC no longer names a consumer of transport 2: a PLI about it goes nowhere.
  send_rtcp(b_, 1, rtcp_pli(0xb0b0b0b0, kSsrcB));
  got = collect();
  EXPECT_EQ(got.count(1), 0u);
  EXPECT_EQ(drops(Drop::kRtcpUnhandled), 1u);

  // The SSRC can be given to a new consumer on the same transport, which then works.
  ASSERT_TRUE(h_->ctl().create_consumer(consumer(21, 2, kSsrcB)).ok());
  h_->run();
  b_.recv = std::make_unique<SrtpPeer>(1, key_material(5, 30), true);  // a new stream for libsrtp
  send_rtp(a_, 0, 3, 6100);
  got = collect();
  ASSERT_EQ(got[2].rtp.size(), 1u);
  EXPECT_EQ(be32(got[2].rtp[0].data() + 8), kSsrcB);
  send_rtcp(b_, 1, rtcp_pli(0xb0b0b0b0, kSsrcB));
  got = collect();
  ASSERT_EQ(got[1].rtcp.size(), 1u);
  expect_keyframe_request(got[1].rtcp[0], false);
}

TEST_F(LifecycleTest, DeletingAProducerClosesItsConsumers) {
  ASSERT_TRUE(h_->ctl().delete_producer(10).ok());
  h_->run();
  EXPECT_EQ(count_producers(), 0u);
  EXPECT_EQ(count_consumers(), 0u);
  EXPECT_EQ(count_transports(), 3u);
  EXPECT_TRUE(h_->ctl().idle());
  send_rtp(a_, 0, 1, 100);
  auto got = collect();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(drops(Drop::kUnknownSsrc), 1u);
  EXPECT_EQ(h_->ctl().set_consumer_paused(20, true).code, ErrorCode::kNotFound);
}

TEST_F(LifecycleTest, DeletingATransportClosesItsObjectsAndItsTuplesNoLongerRoute) {
  ASSERT_TRUE(h_->ctl().delete_transport(1).ok());
  h_->run();
  EXPECT_EQ(count_transports(), 2u);
  EXPECT_EQ(count_producers(), 0u);
  EXPECT_EQ(count_consumers(), 0u) << "consumers of its producer on other transports stay";
  send_rtp(a_, 1, 1, 100);
  auto got = collect();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(drops(Drop::kUnknownSource), 1u);
  // Its ufrag is gone too.
  h_->inject(0, udp_frame(a_.tuple, stun_request("uf1x:peer", kPwd, true, 9), our_mac()));
  got = collect();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(drops(Drop::kStunUnknownUsername), 1u);
}

TEST_F(LifecycleTest, DeletingAConsumersTransportLeavesTheOthersForwarding) {
  ASSERT_TRUE(h_->ctl().delete_transport(2).ok());
  h_->run();
  ASSERT_EQ(count_consumers(), 1u);
  EXPECT_EQ(h_->ctl().consumers()[0].params.id, 30u);
  send_rtp(a_, 2, 1, 100);
  auto got = collect();
  EXPECT_EQ(got.count(2), 0u);
  EXPECT_EQ(got[3].rtp.size(), 1u);
  send_rtp(b_, 1, 1, 100);  // from the deleted transport's tuple
  EXPECT_EQ(drops(Drop::kUnknownSource), 1u);
}

TEST_F(LifecycleTest, IdsUfragsAndSlotsCanBeReusedAfterDeletion) {
  ASSERT_TRUE(h_->ctl().delete_transport(1).ok());
  ASSERT_TRUE(h_->ctl().delete_transport(2).ok());
  h_->run();
  ASSERT_TRUE(h_->ctl().idle());
  add_browser(a_, 1, 2, 20, 1);  // same id and ufrag, another worker and tuple
  add_browser(b_, 2, 1, 21, 7);
  ProducerParams pp;
  pp.id = 10;
  pp.transport = 1;
  pp.streams.push_back(StreamParams{kProducerSsrc, 0, 96, 0, 90000, ""});
  ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
  ASSERT_TRUE(h_->ctl().create_consumer(consumer(20, 2, kSsrcB)).ok());
  ASSERT_TRUE(h_->ctl().create_consumer(consumer(30, 3, kSsrcC)).ok());
  h_->run();
  for (int i = 0; i < 3; ++i) send_rtp(a_, 0, static_cast<uint16_t>(i), 3000 * i);
  auto got = collect();
  EXPECT_EQ(got[2].rtp.size(), 3u);
  EXPECT_EQ(got[3].rtp.size(), 3u);
  EXPECT_EQ(got.count(1), 0u);
}

TEST_F(LifecycleTest, MaxConsumersIsEnforcedWithResourceExhausted) {
  const size_t max = h_->dp().engine().cfg.max_consumers;
  for (uint32_t id = 100; count_consumers() < max; ++id) {
    Status s = h_->ctl().create_consumer(consumer(id, 2 + id % 2, 10000 + id));
    ASSERT_TRUE(s.ok()) << s.reason;
    if (id % 32 == 0) h_->run();
  }
  h_->run();
  Status s = h_->ctl().create_consumer(consumer(99, 2, 9999));
  EXPECT_EQ(s.code, ErrorCode::kResourceExhausted);
  EXPECT_NE(s.reason.find("max_consumers"), std::string::npos) << s.reason;
  EXPECT_EQ(count_consumers(), max);
  // Nothing of the refused consumer is left: its id is free, and once a slot is, it fits.
  EXPECT_EQ(h_->ctl().delete_consumer(99).code, ErrorCode::kNotFound);
  ASSERT_TRUE(h_->ctl().delete_consumer(20).ok());
  h_->run();
  ASSERT_TRUE(h_->ctl().create_consumer(consumer(99, 2, 9999)).ok());
  h_->run();
  send_rtp(a_, 0, 1, 100);
  auto got = collect();
  EXPECT_EQ(got[2].rtp.size(), max / 2) << "consumers on transport 2";
  EXPECT_EQ(got[3].rtp.size(), max / 2) << "consumers on transport 3";
}

TEST_F(LifecycleTest, FlushKeepsOnlyTheGivenEpoch) {
  // Transports 1-3, producer 10 and consumers 20, 30 are epoch 0. Now a new control plane.
  h_->ctl().set_epoch(7);
  Browser d;
  add_browser(d, 4, 2, 13, 1);
  ProducerParams pp;
  pp.id = 40;
  pp.transport = 4;
  pp.streams.push_back(StreamParams{4444, 0, 96, 0, 90000, ""});
  ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
  h_->run();
  const size_t deleted = h_->ctl().flush(7);
  h_->run();
  EXPECT_GE(deleted, 6u);
  auto ts = h_->ctl().transports();
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].params.id, 4u);
  EXPECT_EQ(ts[0].epoch, 7u);
  auto ps = h_->ctl().producers();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].params.id, 40u);
  EXPECT_EQ(count_consumers(), 0u);
  EXPECT_TRUE(h_->ctl().idle());
  // A second flush with the same epoch has nothing left to delete.
  EXPECT_EQ(h_->ctl().flush(7), 0u);
  send_rtp(a_, 0, 1, 100);
  EXPECT_EQ(drops(Drop::kUnknownSource), 1u);
}

TEST_F(LifecycleTest, BadCreatesFailWithTheRightCodeAndLeaveNothingBehind) {
  auto expect_unchanged = [&](const char* what) {
    h_->run();
    EXPECT_EQ(count_transports(), 3u) << what;
    EXPECT_EQ(count_producers(), 1u) << what;
    EXPECT_EQ(count_consumers(), 2u) << what;
    EXPECT_TRUE(h_->ctl().idle()) << what;
  };
  auto transport = [&](uint32_t id, const std::string& ufrag) {
    TransportParams p;
    p.id = id;
    p.ice_ufrag = ufrag;
    p.ice_pwd = kPwd;
    TransportCreated out;
    return h_->ctl().create_transport(p, &out).code;
  };
  EXPECT_EQ(transport(0, "uf0x"), ErrorCode::kInvalidArgument);
  expect_unchanged("transport id 0");
  EXPECT_EQ(transport(9, "abc"), ErrorCode::kInvalidArgument);
  expect_unchanged("ufrag too short");
  EXPECT_EQ(transport(9, "uf1x"), ErrorCode::kInvalidArgument);
  expect_unchanged("duplicate ufrag");
  EXPECT_EQ(transport(1, "uf9x"), ErrorCode::kAlreadyExists);
  expect_unchanged("duplicate transport id");

  auto producer = [&](uint32_t id, uint32_t transport, uint8_t pt) {
    ProducerParams p;
    p.id = id;
    p.transport = transport;
    p.streams.push_back(StreamParams{5555, 0, pt, 0, 90000, ""});
    return h_->ctl().create_producer(p).code;
  };
  EXPECT_EQ(producer(0, 1, 96), ErrorCode::kInvalidArgument);
  expect_unchanged("producer id 0");
  EXPECT_EQ(producer(11, 99, 96), ErrorCode::kNotFound);
  expect_unchanged("producer on an unknown transport");
  EXPECT_EQ(producer(11, 1, 128), ErrorCode::kInvalidArgument);
  expect_unchanged("producer pt 128");
  EXPECT_EQ(producer(10, 1, 96), ErrorCode::kAlreadyExists);
  expect_unchanged("duplicate producer id");

  EXPECT_EQ(h_->ctl().create_consumer(consumer(0, 2, 6000)).code, ErrorCode::kInvalidArgument);
  expect_unchanged("consumer id 0");
  EXPECT_EQ(h_->ctl().create_consumer(consumer(21, 99, 6000)).code, ErrorCode::kNotFound);
  expect_unchanged("consumer on an unknown transport");
  EXPECT_EQ(h_->ctl().create_consumer(consumer(21, 2, 6000, 99)).code, ErrorCode::kNotFound);
  expect_unchanged("consumer of an unknown producer");
  EXPECT_EQ(h_->ctl().create_consumer(consumer(21, 1, 6000)).code, ErrorCode::kInvalidArgument);
  expect_unchanged("consumer on its producer's transport");
  ConsumerParams bad_pt = consumer(21, 2, 6000);
  bad_pt.payload_types = {{96, 128}};
  EXPECT_EQ(h_->ctl().create_consumer(bad_pt).code, ErrorCode::kInvalidArgument);
  expect_unchanged("consumer pt 128");
  EXPECT_EQ(h_->ctl().create_consumer(consumer(20, 3, 6000)).code, ErrorCode::kAlreadyExists);
  expect_unchanged("duplicate consumer id");

  // The refused ids are free, and the duplicate ufrag did not take transport 1's route.
  EXPECT_EQ(transport(9, "uf9x"), ErrorCode::kOk);
  EXPECT_EQ(producer(11, 1, 96), ErrorCode::kOk);
  EXPECT_EQ(h_->ctl().create_consumer(consumer(21, 2, 6000, 11)).code, ErrorCode::kOk);
  h_->run();
  h_->inject(1, udp_frame(a_.tuple, stun_request("uf1x:peer", kPwd, true, 7), our_mac()));
  h_->run();
  auto out = h_->take_tx();
  ASSERT_EQ(out.size(), 1u);
  net::PacketView v;
  ASSERT_FALSE(net::parse_frame(out[0].data(), out[0].size(), v).has_value());
  EXPECT_EQ(v.dst_port, a_.tuple.remote_port);
}

}  // namespace
}  // namespace fanout::dp::test

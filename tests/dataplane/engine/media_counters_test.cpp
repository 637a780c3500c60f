// The counters the control plane scores producers and consumers with (schema minor 2), through
// the in-process data plane with SRTP/SRTCP from libsrtp: a producer stream's received and
// expected packets (RFC 3550 A.3), and the receiver reports consumers' browsers send about them.
#include <gtest/gtest.h>

#include <vector>

#include "tests/dataplane/engine/media_fixture.hpp"

namespace fanout::dp::test {
namespace {

class MediaCountersTest : public MediaTest {
 protected:
  ProducerStreamInfo stream() {
    auto p = h_->ctl().producer(10);
    EXPECT_TRUE(p.has_value());
    if (!p || p->streams.size() != 1) {
      ADD_FAILURE() << "one stream expected";
      return {};
    }
    return p->streams[0];
  }
  ConsumerInfo consumer(uint32_t id) {
    auto c = h_->ctl().consumer(id);
    EXPECT_TRUE(c.has_value());
    return c.value_or(ConsumerInfo{});
  }
};

TEST_F(MediaCountersTest, ProducerStreamCountsAGapAndALatePacket) {
  EXPECT_EQ(stream().ssrc, kProducerSsrc);
  EXPECT_EQ(stream().packets, 0u);
  EXPECT_EQ(stream().expected, 0u);
  // 103..105 not sent, then 104 late. (A duplicate is SRTP's replay drop before this counts; the
  // plain transports of ipc_handler_test send one.)
  for (uint16_t seq : {100, 101, 102, 106, 104, 107}) {
    send_rtp(a_, static_cast<uint16_t>(seq % 3), seq, 3000u * seq);
  }
  collect();
  EXPECT_EQ(stream().packets, 6u);
  EXPECT_EQ(stream().expected, 8u);  // 100..107

  // A paused producer still receives: its loss still counts.
  ASSERT_TRUE(h_->ctl().set_producer_paused(10, true).ok());
  h_->run();
  send_rtp(a_, 0, 110, 3000u * 110);
  EXPECT_EQ(drops(Drop::kProducerPaused), 1u);
  EXPECT_EQ(stream().packets, 7u);
  EXPECT_EQ(stream().expected, 11u);
}

TEST_F(MediaCountersTest, ReceiverReportAboutAConsumerIsKeptOnIt) {
  send_rtcp(b_, 1, rtcp_rr(0xb0b0b0b0, kSsrcB, 64, 5, 100));
  ConsumerInfo c = consumer(20);
  EXPECT_EQ(c.reports, 1u);
  EXPECT_EQ(c.fraction_lost, 64);
  EXPECT_EQ(c.packets_lost, 5);
  EXPECT_EQ(c.jitter, 100u);
  EXPECT_EQ(drops(Drop::kRtcpUnhandled), 0u);

  // The latest one wins; a negative cumulative count (duplicates) keeps its sign.
  send_rtcp(b_, 0, rtcp_rr(0xb0b0b0b0, kSsrcB, 0, -3, 7));
  c = consumer(20);
  EXPECT_EQ(c.reports, 2u);
  EXPECT_EQ(c.fraction_lost, 0);
  EXPECT_EQ(c.packets_lost, -3);
  EXPECT_EQ(c.jitter, 7u);
  EXPECT_EQ(consumer(30).reports, 0u);
}

TEST_F(MediaCountersTest, ReceiverReportAboutAnotherSsrcChangesNothing) {
  // An unknown SSRC, and consumer C's SSRC from B's browser (not a consumer of B's transport).
  send_rtcp(b_, 1, rtcp_rr(0xb0b0b0b0, 9999, 64, 5, 100));
  EXPECT_EQ(drops(Drop::kRtcpUnhandled), 1u);
  send_rtcp(b_, 1, rtcp_rr(0xb0b0b0b0, kSsrcC, 64, 5, 100));
  EXPECT_EQ(drops(Drop::kRtcpUnhandled), 2u);
  EXPECT_EQ(counters().rtcp_received, 2u);
  for (uint32_t id : {20u, 30u}) {
    ConsumerInfo c = consumer(id);
    EXPECT_EQ(c.reports, 0u) << id;
    EXPECT_EQ(c.fraction_lost, 0) << id;
    EXPECT_EQ(c.packets_lost, 0) << id;
    EXPECT_EQ(c.jitter, 0u) << id;
  }
}

}  // namespace
}  // namespace fanout::dp::test

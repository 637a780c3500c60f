// Scores from the real data plane's counters (controlplane/core/node_scores.cpp), through the
// Service's events, with the PlainTransport fixture: a sender's sequence gaps score its producer,
// a recorder's receiver reports score its consumer.
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tests/controlplane/service/plain_transport_fixture.hpp"

namespace fanout::cp::test {
namespace {

// The latest ProducerScore / ConsumerScore event of an object since event `from`.
struct LatestScores {
  std::optional<std::vector<uint8_t>> producer;  // per encoding
  std::optional<std::tuple<uint8_t, uint8_t, std::vector<uint8_t>>> consumer;
};
LatestScores latest_scores(const std::vector<std::vector<uint8_t>>& events, size_t from,
                           const std::string& producer_id, const std::string& consumer_id) {
  LatestScores out;
  for (size_t i = from; i < events.size(); ++i) {
    const api::Envelope* e = api::GetSizePrefixedEnvelope(events[i].data());
    if (const auto* p = e->body_as_ProducerScore(); p && p->producer_id()->str() == producer_id) {
      std::vector<uint8_t> scores;
      for (const api::StreamScore* s : *p->scores()) {
        EXPECT_EQ(s->ssrc(), kSenderSsrc);
        scores.push_back(s->score());
      }
      out.producer = scores;
    }
    if (const auto* c = e->body_as_ConsumerScore(); c && c->consumer_id()->str() == consumer_id) {
      out.consumer = std::tuple{
          c->score(), c->producer_score(),
          std::vector<uint8_t>(c->producer_scores()->begin(), c->producer_scores()->end())};
    }
  }
  return out;
}

// Scores from the real data plane's counters: a producer's follows the loss of what its sender
// sends (sequence gaps), a consumer's the receiver reports of its endpoint; events only on change.
TEST_F(PlainTransportTest, ScoresFollowLossAndReceiverReports) {
  ASSERT_NE(create_router("room-s").envelope()->body_as_RouterCreated(), nullptr);
  Peer encoder, recorder;
  const uint16_t in_port = local_port(created_tuple(create_plain("room-s", "t-s-in", true, false)));
  ASSERT_NE(produce("t-s-in", "p-s", kOpusSender).envelope()->body_as_Produced(), nullptr);
  const uint16_t out_port =
      local_port(created_tuple(create_plain("room-s", "t-s-out", false, false)));
  ASSERT_NE(connect("t-s-out", kKernelAddress, recorder.port())
                .envelope()
                ->body_as_PlainTransportConnected(),
            nullptr);
  Reply c = consume("t-s-out", "c-s", "p-s");
  ASSERT_NE(c.envelope()->body_as_Consumed(), nullptr) << c.describe();
  const json::value params =
      json::parse(c.envelope()->body_as_Consumed()->rtp_parameters_json()->str());
  const auto consumer_ssrc =
      static_cast<uint32_t>(params.at("encodings").at(0).at("ssrc").to_number<int64_t>());

  uint16_t seq = 1000;
  // `step` 1: every packet; 2: every other one is lost on the way. Spread over each interval so
  // that no reading finds an interval without packets.
  auto send_for = [&](int intervals, int step) {
    for (int k = 0; k < intervals * 5; ++k) {
      for (int i = 0; i < 6; ++i, seq = static_cast<uint16_t>(seq + step))
        encoder.send_to(in_port, dp::test::rtp_packet(seq, seq * 960u, kSenderSsrc, 100, 60));
      run_for(kScoreInterval / 5);
    }
  };

  // No loss: 10, and the consumer (no report yet) follows its producer.
  size_t mark = sink_.events.size();
  send_for(3, 1);
  LatestScores s = latest_scores(sink_.events, mark, "p-s", "c-s");
  ASSERT_TRUE(s.producer) << "no ProducerScore event";
  EXPECT_EQ(*s.producer, std::vector<uint8_t>{10});
  ASSERT_TRUE(s.consumer) << "no ConsumerScore event";
  EXPECT_EQ(std::get<0>(*s.consumer), 10);
  EXPECT_EQ(std::get<1>(*s.consumer), 10);
  EXPECT_EQ(std::get<2>(*s.consumer), std::vector<uint8_t>{10});

  // Steady: no new events while nothing changes.
  mark = sink_.events.size();
  send_for(2, 1);
  s = latest_scores(sink_.events, mark, "p-s", "c-s");
  EXPECT_FALSE(s.producer) << "an event without a change";
  EXPECT_FALSE(s.consumer) << "an event without a change";

  // Half of what the sender sends is lost: the score falls to round(10 * 0.5^4) = 1 once the
  // window is full of it.
  mark = sink_.events.size();
  send_for(5, 2);
  s = latest_scores(sink_.events, mark, "p-s", "c-s");
  ASSERT_TRUE(s.producer);
  EXPECT_EQ(*s.producer, std::vector<uint8_t>{1});
  ASSERT_TRUE(s.consumer);
  EXPECT_EQ(std::get<1>(*s.consumer), 1) << "the consumer carries its producer's score";

  // The recorder reports 25 % lost (64/256) on what it receives: its own score is
  // round(10 * 0.75^4) = 3, whatever the producer's.
  mark = sink_.events.size();
  for (int k = 0; k < 5; ++k) {
    recorder.send_to(out_port, dp::test::rtcp_rr(0x5151, consumer_ssrc, 64, 10, 0));
    send_for(1, 1);
  }
  s = latest_scores(sink_.events, mark, "p-s", "c-s");
  ASSERT_TRUE(s.consumer) << "no ConsumerScore after receiver reports";
  EXPECT_EQ(std::get<0>(*s.consumer), 3);
  EXPECT_EQ(std::get<1>(*s.consumer), 10) << "the producer recovered meanwhile";
  const std::optional<ConsumerScore> kept = node_->consumer_score("c-s");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->score, 3);

  // Closed: forgotten.
  close(api::Target::Consumer, "c-s");
  run_for(kScoreInterval * 2);
  EXPECT_FALSE(node_->consumer_score("c-s"));
  close(api::Target::Router, "room-s");
}

}  // namespace
}  // namespace fanout::cp::test

// Scores (controlplane/core/scores.hpp) as pure arithmetic: the delivered-ratio mapping, a
// producer stream's score from its counter samples (loss, silence, pause, a counter reset) and a
// consumer's from its endpoint's receiver reports.
#include "controlplane/core/scores.hpp"

#include <gtest/gtest.h>

namespace fanout::cp {
namespace {

TEST(Scores, DeliveredRatioMapsToTenTimesItsFourthPower) {
  EXPECT_EQ(score_of_delivered(1.0), 10);
  EXPECT_EQ(score_of_delivered(0.99), 10);  // 9.6
  EXPECT_EQ(score_of_delivered(0.95), 8);   // 8.1
  EXPECT_EQ(score_of_delivered(0.9), 7);    // 6.6
  EXPECT_EQ(score_of_delivered(0.8), 4);    // 4.1
  EXPECT_EQ(score_of_delivered(0.5), 1);    // 0.6
  EXPECT_EQ(score_of_delivered(0.0), 0);
  EXPECT_EQ(score_of_delivered(1.5), 10) << "clamped";
  EXPECT_EQ(score_of_delivered(-1.0), 0) << "clamped";
}

TEST(Scores, AStreamIsScoredOnEachIntervalAndAveragedOverTheWindow) {
  StreamScore s;
  EXPECT_EQ(s.update({0, 0}, false), 0) << "nothing sent yet";
  EXPECT_EQ(s.update({0, 0}, false), 0);
  EXPECT_EQ(s.update({100, 100}, false), 10);
  EXPECT_EQ(s.update({200, 200}, false), 10);
  // One interval with half lost: (10 + 10 + 1) / 3 = 7.
  EXPECT_EQ(s.update({250, 300}, false), 7);
  // The window (4) forgets the good intervals after four bad ones.
  s.update({300, 400}, false);
  s.update({350, 500}, false);
  EXPECT_EQ(s.update({400, 600}, false), 1);
  // Silence without a pause: the sender stopped, nothing arrives: 0.
  for (int i = 0; i < 4; ++i) s.update({400, 600}, false);
  EXPECT_EQ(s.score(), 0);
}

TEST(Scores, APausedStreamKeepsItsScoreAndDuplicatesAreNotCredit) {
  StreamScore s;
  s.update({100, 100}, false);
  EXPECT_EQ(s.update({100, 100}, true), 10) << "paused: silence is not loss";
  EXPECT_EQ(s.update({100, 100}, true), 10);
  // More received than expected (duplicates): no better than everything.
  EXPECT_EQ(s.update({250, 200}, false), 10);
}

TEST(Scores, CountersThatGoBackwardsStartAgain) {
  StreamScore s;
  s.update({1000, 1000}, false);
  // A new data plane object (a restart): the sample is the whole history again.
  EXPECT_EQ(s.update({50, 100}, false), 6) << "(10 + 1) / 2, rounded: the new counters' own loss";
}

TEST(Scores, AConsumerFollowsItsProducerUntilItsEndpointReports) {
  ConsumerScoreKeeper k;
  EXPECT_EQ(k.update({0, 0}, 10), 10);
  EXPECT_EQ(k.update({0, 0}, 6), 6);
  // A report with 25 % lost (64/256): round(10 * 0.75^4) = 3, whatever the producer's.
  EXPECT_EQ(k.update({1, 64}, 10), 3);
  // No new report: unchanged.
  EXPECT_EQ(k.update({1, 0}, 10), 3);
  // Three clean reports: (3 + 10 + 10 + 10) / 4 = 8.
  k.update({2, 0}, 10);
  k.update({3, 0}, 10);
  EXPECT_EQ(k.update({4, 0}, 10), 8);
  EXPECT_EQ(k.update({5, 0}, 0), 10) << "its own loss only: the producer's is reported apart";
}

}  // namespace
}  // namespace fanout::cp

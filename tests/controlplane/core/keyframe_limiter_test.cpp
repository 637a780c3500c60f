#include "controlplane/core/keyframe_limiter.hpp"

#include <gtest/gtest.h>

namespace fanout::cp {
namespace {

using std::chrono::milliseconds;
using Clock = KeyFrameLimiter::Clock;

TEST(KeyFrameLimiter, FirstRequestGoesOutAtOnce) {
  KeyFrameLimiter l;
  const auto t0 = Clock::now();
  EXPECT_TRUE(l.request(7, t0));
  EXPECT_EQ(l.pending_count(), 0u);
  EXPECT_EQ(l.next_due(), std::nullopt);
  EXPECT_TRUE(l.due(t0 + milliseconds(10000)).empty());
}

TEST(KeyFrameLimiter, RequestsInsideTheIntervalFoldIntoOneAtItsEnd) {
  KeyFrameLimiter l(milliseconds(500));
  const auto t0 = Clock::now();
  ASSERT_TRUE(l.request(7, t0));
  EXPECT_FALSE(l.request(7, t0 + milliseconds(100)));
  EXPECT_FALSE(l.request(7, t0 + milliseconds(400)));
  EXPECT_EQ(l.pending_count(), 1u);
  EXPECT_EQ(l.next_due(), t0 + milliseconds(500));
  EXPECT_TRUE(l.due(t0 + milliseconds(499)).empty());
  EXPECT_EQ(l.due(t0 + milliseconds(500)), (std::vector<uint32_t>{7}));
  // Sent once: nothing left, and the next interval starts there.
  EXPECT_TRUE(l.due(t0 + milliseconds(2000)).empty());
  EXPECT_FALSE(l.request(7, t0 + milliseconds(900)));
  EXPECT_EQ(l.next_due(), t0 + milliseconds(1000));
}

TEST(KeyFrameLimiter, AtMostOnePerIntervalUnderAStorm) {
  KeyFrameLimiter l(milliseconds(500));
  const auto t0 = Clock::now();
  int sent = 0;
  // A request every 10 ms for 3 s, the loop calling due() as run_once would.
  for (int ms = 0; ms <= 3000; ms += 10) {
    const auto now = t0 + milliseconds(ms);
    sent += static_cast<int>(l.due(now).size());
    if (l.request(1, now)) ++sent;
  }
  EXPECT_EQ(sent, 7);  // t = 0, 500, ..., 3000
}

TEST(KeyFrameLimiter, ProducersAreIndependent) {
  KeyFrameLimiter l(milliseconds(500));
  const auto t0 = Clock::now();
  EXPECT_TRUE(l.request(1, t0));
  EXPECT_TRUE(l.request(2, t0 + milliseconds(1)));
  EXPECT_FALSE(l.request(1, t0 + milliseconds(2)));
  EXPECT_FALSE(l.request(2, t0 + milliseconds(3)));
  EXPECT_EQ(l.next_due(), t0 + milliseconds(500));
  EXPECT_EQ(l.due(t0 + milliseconds(500)), (std::vector<uint32_t>{1}));
  EXPECT_EQ(l.due(t0 + milliseconds(501)), (std::vector<uint32_t>{2}));
}

TEST(KeyFrameLimiter, AfterTheIntervalARequestGoesOutAtOnce) {
  KeyFrameLimiter l(milliseconds(500));
  const auto t0 = Clock::now();
  EXPECT_TRUE(l.request(3, t0));
  EXPECT_TRUE(l.request(3, t0 + milliseconds(500)));
  EXPECT_TRUE(l.request(3, t0 + milliseconds(1200)));
}

TEST(KeyFrameLimiter, ForgetDropsThePendingRequest) {
  KeyFrameLimiter l(milliseconds(500));
  const auto t0 = Clock::now();
  EXPECT_TRUE(l.request(3, t0));
  EXPECT_FALSE(l.request(3, t0 + milliseconds(10)));
  l.forget(3);
  EXPECT_EQ(l.pending_count(), 0u);
  EXPECT_TRUE(l.due(t0 + milliseconds(600)).empty());
  // A producer id reused later starts afresh.
  EXPECT_TRUE(l.request(3, t0 + milliseconds(20)));
}

}  // namespace
}  // namespace fanout::cp

#include "dataplane/srtp/replay_window.hpp"

#include <gtest/gtest.h>

namespace fanout::dp::srtp {
namespace {

TEST(ReplayWindow, FirstIndexIsSeen) {
  ReplayWindow w;
  w.reset_to_first();
  EXPECT_FALSE(w.check(0));
  EXPECT_TRUE(w.check(1));
  EXPECT_TRUE(w.check(-1));
  EXPECT_TRUE(w.check(-127));
  EXPECT_FALSE(w.check(-128));  // 128 behind the highest: outside the window
}

TEST(ReplayWindow, OutOfOrderInsideWindow) {
  ReplayWindow w;
  w.reset_to_first();
  // Highest moves to +10; old highest is now 10 behind.
  w.accept(10);
  EXPECT_FALSE(w.check(0));
  EXPECT_FALSE(w.check(-10));
  EXPECT_TRUE(w.check(-5));
  w.accept(-5);
  EXPECT_FALSE(w.check(-5));
  EXPECT_TRUE(w.check(-4));
}

TEST(ReplayWindow, ShiftAcrossWords) {
  ReplayWindow w;
  w.reset_to_first();
  w.accept(-70);  // bit in the high word
  EXPECT_FALSE(w.check(-70));
  w.accept(3);  // old bits move 3 further back
  EXPECT_FALSE(w.check(-3));
  EXPECT_FALSE(w.check(-73));
  EXPECT_TRUE(w.check(-72));
  w.accept(60);  // bit 3 -> 63, bit 73 -> 133 (gone)
  EXPECT_FALSE(w.check(-63));
  EXPECT_TRUE(w.check(-127));
  w.accept(64);  // exactly one word: bit 63 -> 127
  EXPECT_FALSE(w.check(-127));
  EXPECT_FALSE(w.check(-64));
  EXPECT_TRUE(w.check(-65));
  w.accept(100);  // bit 64 -> 164 (gone), 0 -> 100
  EXPECT_FALSE(w.check(-100));
  EXPECT_TRUE(w.check(-99));
  w.accept(128);  // everything falls out
  EXPECT_FALSE(w.check(0));
  for (int d = -1; d > -128; --d) EXPECT_TRUE(w.check(d)) << d;
}

TEST(ReplayWindow, EveryIndexOnce) {
  ReplayWindow w;
  w.reset_to_first();
  int64_t highest = 0;
  // Deliver 0..999 in blocks of 8 reversed; each is accepted once, a repeat is refused.
  for (int64_t base = 1; base < 1000; base += 8) {
    for (int64_t i = base + 7; i >= base; --i) {
      const int64_t delta = i - highest;
      ASSERT_TRUE(w.check(delta)) << i;
      w.accept(delta);
      if (delta > 0) highest = i;
      ASSERT_FALSE(w.check(i - highest)) << i;
    }
  }
}

}  // namespace
}  // namespace fanout::dp::srtp

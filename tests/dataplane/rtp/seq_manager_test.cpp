#include "dataplane/rtp/seq_manager.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fanout::dp::rtp {
namespace {

uint16_t map(SeqManager& m, uint16_t in) {
  uint16_t out = 0;
  EXPECT_TRUE(m.input(in, out)) << "input " << in;
  return out;
}

bool refused(SeqManager& m, uint16_t in) {
  uint16_t out = 0;
  return !m.input(in, out);
}

TEST(SerialArithmetic, Rfc1982) {
  EXPECT_TRUE(seq_newer(1, 0));
  EXPECT_TRUE(seq_newer(0, 65535));
  EXPECT_TRUE(seq_newer(0x7fff, 0));
  EXPECT_FALSE(seq_newer(0x8000, 0));  // undefined distance: neither is newer
  EXPECT_FALSE(seq_newer(0, 0x8000));
  EXPECT_FALSE(seq_newer(5, 5));
  EXPECT_FALSE(seq_newer(65535, 0));
  EXPECT_TRUE(ts_newer(0, 0xffffffff));
  EXPECT_FALSE(ts_newer(0xffffffff, 0));
}

TEST(SeqManager, StraightRunKeepsOffset) {
  SeqManager m(1000);
  EXPECT_EQ(map(m, 5000), 1000);
  for (uint16_t i = 1; i < 100; ++i) EXPECT_EQ(map(m, 5000 + i), 1000 + i);
  EXPECT_EQ(m.max_output(), 1099);
}

TEST(SeqManager, WrapsAroundBothSides) {
  SeqManager m(65530);
  EXPECT_EQ(map(m, 65533), 65530);
  std::vector<uint16_t> got;
  for (uint16_t in : {65534, 65535, 0, 1, 2, 3, 4, 5, 6, 7}) got.push_back(map(m, in));
  EXPECT_EQ(got, (std::vector<uint16_t>{65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4}));
  // A late packet from before the input wrap still maps under the same offset.
  SeqManager late(10);
  EXPECT_EQ(map(late, 65534), 10);
  EXPECT_EQ(map(late, 1), 13);
  EXPECT_EQ(map(late, 65535), 11);
  EXPECT_EQ(map(late, 0), 12);
}

TEST(SeqManager, PauseAndResumeHasNoGapNoJump) {
  SeqManager m(100);
  for (uint16_t i = 0; i < 10; ++i) EXPECT_EQ(map(m, 2000 + i), 100 + i);
  m.sync();  // consumer paused, producer kept sending 2010..2999
  EXPECT_EQ(map(m, 3000), 110);
  EXPECT_EQ(map(m, 3001), 111);
}

TEST(SeqManager, SourceSwitchContinues) {
  SeqManager m(0);
  for (uint16_t i = 0; i < 5; ++i) map(m, 40000 + i);
  EXPECT_EQ(m.max_output(), 4);
  m.sync();  // another simulcast layer with an unrelated sequence space
  EXPECT_EQ(map(m, 7), 5);
  EXPECT_EQ(map(m, 8), 6);
  m.sync();
  EXPECT_EQ(map(m, 65535), 7);
  EXPECT_EQ(map(m, 0), 8);
}

TEST(SeqManager, PacketsBeforeSyncPointAreRefused) {
  SeqManager m(0);
  map(m, 10);
  map(m, 11);
  m.sync();
  EXPECT_EQ(map(m, 500), 2);
  EXPECT_TRUE(refused(m, 499));
  EXPECT_TRUE(refused(m, 11));
  EXPECT_EQ(map(m, 500), 2);  // a duplicate of the sync packet maps the same
  EXPECT_EQ(map(m, 501), 3);
}

TEST(SeqManager, ReorderingAfterSyncKeepsOrder) {
  SeqManager m(0);
  map(m, 1);
  m.sync();
  EXPECT_EQ(map(m, 100), 1);
  EXPECT_EQ(map(m, 103), 4);
  EXPECT_EQ(map(m, 101), 2);
  EXPECT_EQ(map(m, 102), 3);
  EXPECT_EQ(map(m, 104), 5);
}

TEST(SeqManager, PurposefulDropsLeaveNoGap) {
  SeqManager m(0);
  EXPECT_EQ(map(m, 10), 0);
  m.drop(11);  // padding-only probe
  m.drop(12);
  EXPECT_EQ(map(m, 13), 1);
  EXPECT_EQ(map(m, 14), 2);
  EXPECT_TRUE(refused(m, 12));  // a retransmission of a dropped packet stays dropped
  EXPECT_EQ(m.max_output(), 2);
}

TEST(SeqManager, LatePacketBeforeADropKeepsItsSlot) {
  SeqManager m(0);
  EXPECT_EQ(map(m, 10), 0);
  // 11 and 12 are late; 13 is dropped on purpose before they arrive.
  m.drop(13);
  EXPECT_EQ(map(m, 14), 3);
  EXPECT_EQ(map(m, 12), 2);
  EXPECT_EQ(map(m, 11), 1);
  EXPECT_EQ(map(m, 15), 4);
}

TEST(SeqManager, DropAcrossWrap) {
  SeqManager m(65534);
  EXPECT_EQ(map(m, 65533), 65534);
  m.drop(65534);
  m.drop(65535);
  EXPECT_EQ(map(m, 0), 65535);
  m.drop(1);
  EXPECT_EQ(map(m, 2), 0);
}

TEST(SeqManager, DropBeforeFirstPacketAfterSyncIsAbsorbed) {
  SeqManager m(0);
  map(m, 5);
  m.sync();
  m.drop(900);  // the new source starts with padding
  EXPECT_EQ(map(m, 901), 1);
}

TEST(SeqManager, LateDropLeavesTheSlot) {
  SeqManager m(0);
  map(m, 1);
  map(m, 3);
  m.drop(2);  // older than the newest input: its output slot (1) stays unused
  EXPECT_EQ(map(m, 4), 3);
}

TEST(SeqManager, ManyDropsForgetTheOldestAndRefuseOlder) {
  SeqManager m(0);
  map(m, 0);
  // Drop every other packet, more than the manager remembers.
  uint16_t out = 0;
  for (uint16_t i = 1; i < 2 * SeqManager::kMaxDrops + 10; i += 2) {
    m.drop(i);
    ASSERT_TRUE(m.input(static_cast<uint16_t>(i + 1), out));
    EXPECT_EQ(out, (i + 1) / 2);
  }
  EXPECT_TRUE(refused(m, 2));  // older than the oldest remembered drop
  EXPECT_EQ(m.max_output(), out);
}

TEST(SeqManager, VeryOldPacketsAreRefused) {
  SeqManager m(0);
  map(m, 0);
  for (uint32_t i = 1; i <= SeqManager::kMaxAge + 10; ++i) map(m, static_cast<uint16_t>(i));
  EXPECT_TRUE(refused(m, 5));
  EXPECT_EQ(map(m, static_cast<uint16_t>(SeqManager::kMaxAge + 5)), SeqManager::kMaxAge + 5);
}

TEST(SeqManager, LongRunAcrossManyWraps) {
  SeqManager m(7);
  uint16_t in = 40000;
  uint16_t expect = 7;
  for (int i = 0; i < 200000; ++i) {
    if (i % 50 == 25) {
      m.drop(in++);
      continue;
    }
    ASSERT_EQ(map(m, in++), expect++);
  }
}

}  // namespace
}  // namespace fanout::dp::rtp

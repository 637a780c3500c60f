#include "dataplane/rtp/seq_manager.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
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

TEST(SeqManager, DropNewerThanTheSyncPointBeforeItLeavesNoGap) {
  SeqManager m(0);
  map(m, 5);
  m.sync();
  // Reordered across the switch: 903 (padding) and 902 reported before 901 arrives.
  m.drop(903);
  m.drop(902);
  m.drop(899);  // older than the sync point: irrelevant
  EXPECT_EQ(map(m, 901), 1);
  EXPECT_EQ(map(m, 904), 2);
  EXPECT_TRUE(refused(m, 902));
  EXPECT_TRUE(refused(m, 900));
  EXPECT_EQ(m.max_output(), 2);
}

TEST(SeqManager, DropsBeforeTheVeryFirstPacket) {
  SeqManager m(50);
  m.drop(11);
  EXPECT_EQ(map(m, 10), 50);
  EXPECT_EQ(map(m, 12), 51);
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

// Random epochs (sync, unrelated start, local reordering, purposeful drops), checked against the
// contract: the first output of an epoch follows the last one; outputs are distinct and keep the
// serial order of their inputs; refused packets are exactly those older than the sync packet; and
// the only unused output slots are those of drops reported late (after a newer input).
TEST(SeqManager, RandomEpochsKeepTheContract) {
  std::mt19937 rng(12345);
  SeqManager m(rng() & 0xffff);
  uint16_t expected_first = 0;
  bool first_epoch = true;
  for (int epoch = 0; epoch < 300; ++epoch) {
    if (!first_epoch) m.sync();
    uint16_t start = static_cast<uint16_t>(rng());
    int n = 1 + static_cast<int>(rng() % 200);
    // Inputs start..start+n-1, each either a packet or a purposeful drop, arriving with local
    // reordering (each swapped with a neighbour up to 3 places on).
    std::vector<std::pair<uint16_t, bool>> arrivals;
    for (int i = 0; i < n; ++i)
      arrivals.push_back({static_cast<uint16_t>(start + i), rng() % 7 == 0});
    for (int i = 0; i + 1 < n; ++i)
      if (rng() % 3 == 0) std::swap(arrivals[i], arrivals[i + 1 + rng() % std::min(3, n - 1 - i)]);

    int sync_index = -1;
    for (int i = 0; i < n; ++i)
      if (!arrivals[i].second) {
        sync_index = i;
        break;
      }
    if (sync_index < 0) continue;  // an epoch of drops only: nothing is forwarded
    uint16_t sync_in = arrivals[sync_index].first;

    std::vector<std::pair<uint16_t, uint16_t>> forwarded;  // (input, output)
    uint16_t max_seen = sync_in;
    int late_drops = 0;
    bool synced = false;
    for (auto [in, dropped] : arrivals) {
      bool in_range = !seq_newer(sync_in, in);
      if (dropped) {
        if (synced && in_range && !seq_newer(in, max_seen)) ++late_drops;
        if (synced && seq_newer(in, max_seen)) max_seen = in;
        if (!synced && in_range && seq_newer(in, max_seen)) max_seen = in;
        m.drop(in);
        continue;
      }
      uint16_t out = 0;
      bool ok = m.input(in, out);
      ASSERT_EQ(ok, in_range) << "epoch " << epoch << " input " << in;
      if (!synced) {
        synced = true;
        if (!first_epoch) {
          ASSERT_EQ(out, expected_first) << "epoch " << epoch;
        }
      }
      if (ok) forwarded.push_back({in, out});
      if (seq_newer(in, max_seen)) max_seen = in;
    }
    std::set<uint16_t> outs;
    uint16_t lo = forwarded[0].second;
    for (auto [in, out] : forwarded) {
      ASSERT_TRUE(outs.insert(static_cast<uint16_t>(out - lo)).second) << "duplicate output";
      ASSERT_EQ(seq_newer(in, sync_in) || in == sync_in, true);
    }
    for (auto [a_in, a_out] : forwarded)
      for (auto [b_in, b_out] : forwarded)
        if (seq_newer(a_in, b_in)) {
          ASSERT_TRUE(seq_newer(a_out, b_out)) << "order not kept";
        }
    uint16_t span = static_cast<uint16_t>(m.max_output() - lo + 1);
    EXPECT_EQ(span, forwarded.size() + static_cast<size_t>(late_drops)) << "epoch " << epoch;
    expected_first = static_cast<uint16_t>(m.max_output() + 1);
    first_epoch = false;
  }
}

}  // namespace
}  // namespace fanout::dp::rtp

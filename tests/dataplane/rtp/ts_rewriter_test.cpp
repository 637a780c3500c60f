#include "dataplane/rtp/ts_rewriter.hpp"

#include <gtest/gtest.h>

namespace fanout::dp::rtp {
namespace {

constexpr uint32_t kVideo = 90000;
constexpr uint32_t kOpus = 48000;

TEST(TsRewriter, AppliesInitialOffset) {
  TsRewriter r(1000);
  EXPECT_EQ(r.rewrite(5000, 0, kVideo), 6000u);
  EXPECT_EQ(r.rewrite(8000, 33333, kVideo), 9000u);
  EXPECT_EQ(r.offset(), 1000u);
}

TEST(TsRewriter, WrapsModulo32Bits) {
  TsRewriter r(10);
  EXPECT_EQ(r.rewrite(0xfffffff0u, 0, kOpus), 0xfffffffau);
  EXPECT_EQ(r.rewrite(0xfffffff0u + 960, 20000, kOpus), 0xfffffff0u + 970);
}

TEST(TsRewriter, SyncContinuesByElapsedWallTime) {
  TsRewriter r(0);
  uint64_t now = 1'000'000;
  for (uint32_t i = 0; i < 5; ++i) r.rewrite(1000 + 960 * i, now + 20000 * i, kOpus);
  uint32_t last = r.last_output();
  EXPECT_EQ(last, 1000u + 960 * 4);
  r.sync();
  // New source, unrelated timestamps, 500 ms after the last packet sent.
  uint64_t resume = now + 20000 * 4 + 500000;
  EXPECT_EQ(r.rewrite(77777777, resume, kOpus), last + 24000);
  EXPECT_EQ(r.rewrite(77777777 + 960, resume + 20000, kOpus), last + 24960);
}

TEST(TsRewriter, SyncAdvancesAtLeastOneTick) {
  TsRewriter r(0);
  r.rewrite(1000, 5000, kVideo);
  r.sync();
  EXPECT_EQ(r.rewrite(123, 5000, kVideo), 1001u);  // no wall time elapsed
  r.sync();
  EXPECT_EQ(r.rewrite(456, 4000, kVideo), 1002u);  // clock went backwards
}

TEST(TsRewriter, LongPauseIsClampedNotOverflowed) {
  TsRewriter r(0);
  r.rewrite(0, 0, kVideo);
  r.sync();
  uint32_t out = r.rewrite(0, UINT64_MAX, kVideo);
  uint64_t ticks = TsRewriter::kMaxElapsedUs * kVideo / 1000000;
  EXPECT_EQ(out, static_cast<uint32_t>(ticks));
}

TEST(TsRewriter, OlderTimestampDoesNotMoveTheReference) {
  TsRewriter r(0);
  r.rewrite(9000, 100000, kVideo);
  r.rewrite(6000, 130000, kVideo);  // a late packet of an earlier frame
  EXPECT_EQ(r.last_output(), 9000u);
  r.sync();
  // Elapsed is measured from the packet that carried last_output (100 ms ago at 200000).
  EXPECT_EQ(r.rewrite(1, 200000, kVideo), 9000u + 9000);
}

TEST(TsRewriter, SyncBeforeFirstPacketIsHarmless) {
  TsRewriter r(5);
  r.sync();
  EXPECT_EQ(r.rewrite(100, 0, kVideo), 105u);
}

}  // namespace
}  // namespace fanout::dp::rtp

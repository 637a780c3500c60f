#include "dataplane/rtp/receive_stats.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace fanout::dp::rtp {
namespace {

ReceiveStats feed(std::initializer_list<uint16_t> seqs) {
  ReceiveStats s;
  for (uint16_t q : seqs) s.input(q);
  return s;
}

TEST(ReceiveStats, NothingExpectedBeforeTheFirstPacket) {
  ReceiveStats s;
  EXPECT_EQ(s.packets(), 0u);
  EXPECT_EQ(s.expected(), 0u);
  s.input(40000);
  EXPECT_EQ(s.packets(), 1u);
  EXPECT_EQ(s.expected(), 1u);
  EXPECT_EQ(s.first(), 40000u);
  EXPECT_EQ(s.ext_highest(), 40000u);
}

TEST(ReceiveStats, AGapIsLossAndALatePacketFillsIt) {
  // 3 numbers missing (13, 14, 15) and 12 twice (a duplicate).
  auto s = feed({10, 11, 12, 16, 12, 17});
  EXPECT_EQ(s.packets(), 6u);
  EXPECT_EQ(s.expected(), 8u);
  EXPECT_EQ(s.ext_highest(), 17u);
  s.input(14);  // late: received, nothing moves
  EXPECT_EQ(s.packets(), 7u);
  EXPECT_EQ(s.expected(), 8u);
}

TEST(ReceiveStats, WrapIsOneMoreCycle) {
  auto s = feed({65533, 65535, 0, 2});
  EXPECT_EQ(s.ext_highest(), 65536u + 2);
  EXPECT_EQ(s.expected(), 6u);
  EXPECT_EQ(s.packets(), 4u);
  // Late packets from before the wrap do not move the highest back.
  s.input(65534);
  EXPECT_EQ(s.ext_highest(), 65536u + 2);
  EXPECT_EQ(s.expected(), 6u);
}

TEST(ReceiveStats, ManyCycles) {
  ReceiveStats s;
  uint16_t q = 100;
  for (int i = 0; i < 5 * 65536; ++i) s.input(q++);
  EXPECT_EQ(s.packets(), 5u * 65536);
  EXPECT_EQ(s.expected(), 5u * 65536);
  EXPECT_EQ(s.ext_highest(), 100u + 5 * 65536 - 1);
}

TEST(ReceiveStats, APacketFarBehindOrFarAheadMovesNothingAlone) {
  auto s = feed({20000, 20001});
  s.input(10000);  // 10000 behind: a stray
  s.input(20002);
  s.input(50000);  // 30000 ahead, not followed by 50001
  s.input(20003);
  EXPECT_EQ(s.ext_highest(), 20003u);
  EXPECT_EQ(s.expected(), 4u);
  EXPECT_EQ(s.packets(), 6u);
}

TEST(ReceiveStats, AConfirmedJumpRestartsTheNumberingWithoutInventingLoss) {
  // RFC 3550 A.1: a sender that restarted its sequence numbers, confirmed by the next packet.
  auto s = feed({100, 101, 102, 104, 9000, 9001, 9002});
  EXPECT_EQ(s.packets(), 7u);
  // 100..104 (5, one lost), then 9000..9002: the jump itself is not loss.
  EXPECT_EQ(s.expected(), 8u);
  s.input(9004);
  EXPECT_EQ(s.expected(), 10u);
}

TEST(ReceiveStats, HostileSequencesNeverUnderflow) {
  ReceiveStats s;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    s.input(static_cast<uint16_t>(x >> 16));
    ASSERT_LE(s.first(), s.ext_highest());
    ASSERT_GE(s.expected(), 1u);
  }
}

}  // namespace
}  // namespace fanout::dp::rtp

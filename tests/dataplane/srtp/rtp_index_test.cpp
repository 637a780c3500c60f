#include "dataplane/srtp/rtp_index.hpp"

#include <gtest/gtest.h>

namespace fanout::dp::srtp {
namespace {

// RFC 3711 Appendix A, case by case.
TEST(RtpIndex, EstimateRoc) {
  // Normal progression.
  EXPECT_EQ(estimate_roc(5, 1000, 1001), 5u);
  // s_l high, SEQ wrapped: next rollover.
  EXPECT_EQ(estimate_roc(5, 65530, 3), 6u);
  EXPECT_EQ(estimate_roc(5, 65530, 65529), 5u);
  // s_l low, SEQ from before the wrap: previous rollover.
  EXPECT_EQ(estimate_roc(5, 3, 65530), 4u);
  EXPECT_EQ(estimate_roc(5, 3, 40000), 4u);
  EXPECT_EQ(estimate_roc(5, 3, 32771), 5u);  // exactly 2^15 ahead is still this rollover
  // No rollover before the first: ROC 0 stays 0.
  EXPECT_EQ(estimate_roc(0, 3, 65530), 0u);
  // Boundaries at s_l = 2^15.
  EXPECT_EQ(estimate_roc(2, 32768, 0), 2u);
  EXPECT_EQ(estimate_roc(2, 32769, 0), 3u);
}

TEST(RtpIndex, Index) {
  EXPECT_EQ(rtp_index(0, 0), 0u);
  EXPECT_EQ(rtp_index(1, 2), 0x10002u);
  EXPECT_EQ(rtp_index(0xffffffff, 0xffff), 0xffffffffffffull);
}

}  // namespace
}  // namespace fanout::dp::srtp

#include "controlplane/rtp/h264_profile.hpp"

#include <gtest/gtest.h>

namespace fanout::cp {
namespace {

H264Profile profile_of(std::string_view s) {
  auto p = parse_h264_profile_level_id(s);
  EXPECT_TRUE(p) << s;
  return p ? p->profile : H264Profile::kPredictiveHigh444;
}

TEST(H264Profile, ProfilesChromeOffers) {
  EXPECT_EQ(profile_of("42e01f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(profile_of("42001f"), H264Profile::kBaseline);
  EXPECT_EQ(profile_of("4d001f"), H264Profile::kMain);
  EXPECT_EQ(profile_of("64001f"), H264Profile::kHigh);
  EXPECT_EQ(profile_of("640c1f"), H264Profile::kConstrainedHigh);
  EXPECT_EQ(profile_of("f4001f"), H264Profile::kPredictiveHigh444);
  // constraint_set1 on main means constrained baseline (H.264 A.2.1.1).
  EXPECT_EQ(profile_of("4d801f"), H264Profile::kConstrainedBaseline);
  EXPECT_EQ(profile_of("42E01F"), H264Profile::kConstrainedBaseline);
}

TEST(H264Profile, Levels) {
  EXPECT_EQ(parse_h264_profile_level_id("42e01f")->level, 31);
  EXPECT_EQ(parse_h264_profile_level_id("42e034")->level, 52);
  EXPECT_EQ(parse_h264_profile_level_id("42f00b")->level, 0);  // level 1b
  EXPECT_EQ(parse_h264_profile_level_id("42e00b")->level, 11);
}

TEST(H264Profile, RejectsMalformed) {
  EXPECT_FALSE(parse_h264_profile_level_id("42e01"));
  EXPECT_FALSE(parse_h264_profile_level_id("42e01g"));
  EXPECT_FALSE(parse_h264_profile_level_id("42e0ff"));  // no level 25.5
  EXPECT_FALSE(parse_h264_profile_level_id("43e01f"));  // unknown profile_idc
  EXPECT_FALSE(parse_h264_profile_level_id("640d1f"));  // high with stray constraint bits
}

TEST(H264Profile, SameProfileIgnoresLevelAndDefaults) {
  CodecParameters cb31{{"profile-level-id", std::string("42e01f")}};
  CodecParameters cb52{{"profile-level-id", std::string("42e034")}};
  CodecParameters main{{"profile-level-id", std::string("4d001f")}};
  CodecParameters none;
  EXPECT_TRUE(h264_same_profile(cb31, cb52));
  EXPECT_TRUE(h264_same_profile(cb31, none));
  EXPECT_FALSE(h264_same_profile(cb31, main));
  CodecParameters numeric{{"profile-level-id", int64_t{42}}};
  EXPECT_FALSE(h264_same_profile(numeric, numeric));
  EXPECT_EQ(h264_packetization_mode(none), 0);
  EXPECT_EQ(h264_packetization_mode({{"packetization-mode", int64_t{1}}}), 1);
}

}  // namespace
}  // namespace fanout::cp

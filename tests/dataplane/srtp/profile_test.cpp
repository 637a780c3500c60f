#include "dataplane/srtp/profile.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace fanout::dp::srtp {
namespace {

TEST(Profile, ParsesIanaValues) {
  EXPECT_EQ(profile_from_value(0x0001), Profile::kAesCm128HmacSha1_80);
  EXPECT_EQ(profile_from_value(0x0002), Profile::kAesCm128HmacSha1_32);
  EXPECT_EQ(profile_from_value(0x0007), Profile::kAeadAes128Gcm);
  EXPECT_EQ(profile_from_value(0x0008), Profile::kAeadAes256Gcm);
  // NULL profiles (0x0005, 0x0006) and unassigned values are not implemented.
  EXPECT_FALSE(profile_from_value(0x0000));
  EXPECT_FALSE(profile_from_value(0x0005));
  EXPECT_FALSE(profile_from_value(0x0006));
  EXPECT_FALSE(profile_from_value(0x0009));
}

TEST(Profile, Names) {
  EXPECT_EQ(std::string_view(profile_name(Profile::kAesCm128HmacSha1_80)),
            "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(std::string_view(profile_name(Profile::kAesCm128HmacSha1_32)),
            "AES_CM_128_HMAC_SHA1_32");
  EXPECT_EQ(std::string_view(profile_name(Profile::kAeadAes128Gcm)), "AEAD_AES_128_GCM");
  EXPECT_EQ(std::string_view(profile_name(Profile::kAeadAes256Gcm)), "AEAD_AES_256_GCM");
}

TEST(Profile, Lengths) {
  // RFC 5764 §4.1.2 and RFC 7714 §14.2.
  EXPECT_EQ(master_key_length(Profile::kAesCm128HmacSha1_80), 16u);
  EXPECT_EQ(master_salt_length(Profile::kAesCm128HmacSha1_80), 14u);
  EXPECT_EQ(rtp_tag_length(Profile::kAesCm128HmacSha1_80), 10u);
  EXPECT_EQ(rtcp_tag_length(Profile::kAesCm128HmacSha1_80), 10u);

  EXPECT_EQ(master_key_length(Profile::kAesCm128HmacSha1_32), 16u);
  EXPECT_EQ(master_salt_length(Profile::kAesCm128HmacSha1_32), 14u);
  EXPECT_EQ(rtp_tag_length(Profile::kAesCm128HmacSha1_32), 4u);
  EXPECT_EQ(rtcp_tag_length(Profile::kAesCm128HmacSha1_32), 10u);

  EXPECT_EQ(master_key_length(Profile::kAeadAes128Gcm), 16u);
  EXPECT_EQ(master_salt_length(Profile::kAeadAes128Gcm), 12u);
  EXPECT_EQ(rtp_tag_length(Profile::kAeadAes128Gcm), 16u);
  EXPECT_EQ(srtcp_overhead(Profile::kAeadAes128Gcm), 20u);

  EXPECT_EQ(master_key_length(Profile::kAeadAes256Gcm), 32u);
  EXPECT_EQ(master_salt_length(Profile::kAeadAes256Gcm), 12u);
  EXPECT_EQ(session_auth_key_length(Profile::kAeadAes256Gcm), 0u);
  EXPECT_EQ(srtcp_overhead(Profile::kAesCm128HmacSha1_32), 14u);
  EXPECT_TRUE(is_gcm(Profile::kAeadAes256Gcm));
  EXPECT_FALSE(is_gcm(Profile::kAesCm128HmacSha1_32));
}

}  // namespace
}  // namespace fanout::dp::srtp

#include "controlplane/dtls/srtp_profile.hpp"

#include <gtest/gtest.h>

namespace fanout::cp {
namespace {

// RFC 5764 §4.1.2 and RFC 7714 §14.2.
TEST(SrtpProfile, KeyAndSaltLengths) {
  EXPECT_EQ(srtp_master_key_length(SrtpProfile::kAes128CmSha1_80), 16u);
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::kAes128CmSha1_80), 14u);
  EXPECT_EQ(srtp_master_key_length(SrtpProfile::kAes128CmSha1_32), 16u);
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::kAes128CmSha1_32), 14u);
  EXPECT_EQ(srtp_master_key_length(SrtpProfile::kAeadAes128Gcm), 16u);
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::kAeadAes128Gcm), 12u);
  EXPECT_EQ(srtp_master_key_length(SrtpProfile::kAeadAes256Gcm), 32u);
  EXPECT_EQ(srtp_master_salt_length(SrtpProfile::kAeadAes256Gcm), 12u);
}

TEST(SrtpProfile, IanaIdsAndNames) {
  EXPECT_EQ(srtp_profile_from_id(1), SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(srtp_profile_from_id(2), SrtpProfile::kAes128CmSha1_32);
  EXPECT_EQ(srtp_profile_from_id(7), SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(srtp_profile_from_id(8), SrtpProfile::kAeadAes256Gcm);
  EXPECT_EQ(srtp_profile_from_id(5), std::nullopt);  // NULL cipher: never negotiated
  EXPECT_EQ(srtp_profile_from_id(0), std::nullopt);
  EXPECT_EQ(srtp_profile_name(SrtpProfile::kAes128CmSha1_80), "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(srtp_profile_name(SrtpProfile::kAeadAes256Gcm), "AEAD_AES_256_GCM");
}

}  // namespace
}  // namespace fanout::cp

#include "dataplane/srtp/kdf.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/dataplane/srtp/hex.hpp"

namespace fanout::dp::srtp {
namespace {

using test::hex;

const std::vector<uint8_t> kB3MasterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const std::vector<uint8_t> kB3MasterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");

// RFC 3711 Appendix B.3.
TEST(Kdf, Rfc3711B3) {
  std::vector<uint8_t> out(16);
  ASSERT_TRUE(aes_cm_prf(kB3MasterKey, kB3MasterSalt, KdfLabel::kRtpEncryption, out));
  EXPECT_EQ(out, hex("C61E7A93744F39EE10734AFE3FF7A087"));
  out.resize(14);
  ASSERT_TRUE(aes_cm_prf(kB3MasterKey, kB3MasterSalt, KdfLabel::kRtpSalt, out));
  EXPECT_EQ(out, hex("30CBBC08863D8C85D49DB34A9AE1"));
  // B.3 prints 94 octets of the authentication keystream, which spans several counter blocks.
  out.resize(94);
  ASSERT_TRUE(aes_cm_prf(kB3MasterKey, kB3MasterSalt, KdfLabel::kRtpAuth, out));
  EXPECT_EQ(out, hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
                     "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
                     "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"));
}

TEST(Kdf, DeriveSessionKeysCm) {
  SessionKeys keys;
  std::string error;
  ASSERT_TRUE(derive_session_keys(Profile::kAesCm128HmacSha1_80, kB3MasterKey, kB3MasterSalt, &keys,
                                  &error))
      << error;
  EXPECT_EQ(std::vector<uint8_t>(keys.rtp_key, keys.rtp_key + 16),
            hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(std::vector<uint8_t>(keys.rtp_salt, keys.rtp_salt + 14),
            hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(std::vector<uint8_t>(keys.rtp_auth, keys.rtp_auth + 20),
            hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  // SRTCP keys come from labels 3..5 and so differ from the SRTP ones.
  EXPECT_NE(std::vector<uint8_t>(keys.rtcp_key, keys.rtcp_key + 16),
            std::vector<uint8_t>(keys.rtp_key, keys.rtp_key + 16));
  std::vector<uint8_t> rtcp_key(16);
  ASSERT_TRUE(aes_cm_prf(kB3MasterKey, kB3MasterSalt, KdfLabel::kRtcpEncryption, rtcp_key));
  EXPECT_EQ(std::vector<uint8_t>(keys.rtcp_key, keys.rtcp_key + 16), rtcp_key);
}

// RFC 7714 §11: a 96-bit master salt is the 112-bit x with two zero octets on the right.
TEST(Kdf, GcmSaltIsZeroPadded) {
  const std::vector<uint8_t> key = hex("000102030405060708090a0b0c0d0e0f");
  const std::vector<uint8_t> salt12 = hex("a0a1a2a3a4a5a6a7a8a9aaab");
  std::vector<uint8_t> salt14 = salt12;
  salt14.push_back(0);
  salt14.push_back(0);
  std::vector<uint8_t> a(16), b(16);
  ASSERT_TRUE(aes_cm_prf(key, salt12, KdfLabel::kRtpEncryption, a));
  ASSERT_TRUE(aes_cm_prf(key, salt14, KdfLabel::kRtpEncryption, b));
  EXPECT_EQ(a, b);
  SessionKeys keys;
  ASSERT_TRUE(derive_session_keys(Profile::kAeadAes128Gcm, key, salt12, &keys, nullptr));
  EXPECT_EQ(std::vector<uint8_t>(keys.rtp_key, keys.rtp_key + 16), a);
  for (uint8_t byte : keys.rtp_auth) EXPECT_EQ(byte, 0);  // GCM has no auth key
}

TEST(Kdf, Aes256Prf) {
  const std::vector<uint8_t> key(32, 0x01);
  const std::vector<uint8_t> salt(12, 0x02);
  SessionKeys keys;
  std::string error;
  ASSERT_TRUE(derive_session_keys(Profile::kAeadAes256Gcm, key, salt, &keys, &error)) << error;
  std::vector<uint8_t> expect(32);
  ASSERT_TRUE(aes_cm_prf(key, salt, KdfLabel::kRtpEncryption, expect));
  EXPECT_EQ(std::vector<uint8_t>(keys.rtp_key, keys.rtp_key + 32), expect);
  // The AES-128 PRF over the first half of the key must give something else.
  std::vector<uint8_t> short_key(key.begin(), key.begin() + 16), other(32);
  ASSERT_TRUE(aes_cm_prf(short_key, salt, KdfLabel::kRtpEncryption, other));
  EXPECT_NE(other, expect);
}

TEST(Kdf, RejectsWrongLengths) {
  SessionKeys keys;
  std::string error;
  const std::vector<uint8_t> key16(16), key32(32), salt12(12), salt14(14);
  EXPECT_FALSE(derive_session_keys(Profile::kAesCm128HmacSha1_80, key32, salt14, &keys, &error));
  EXPECT_NE(error.find("master key"), std::string::npos);
  EXPECT_FALSE(derive_session_keys(Profile::kAesCm128HmacSha1_80, key16, salt12, &keys, &error));
  EXPECT_NE(error.find("master salt"), std::string::npos);
  EXPECT_FALSE(derive_session_keys(Profile::kAeadAes256Gcm, key16, salt12, &keys, &error));
  EXPECT_FALSE(derive_session_keys(Profile::kAeadAes128Gcm, key16, salt14, &keys, &error));
  EXPECT_TRUE(derive_session_keys(Profile::kAeadAes128Gcm, key16, salt12, &keys, &error));
}

}  // namespace
}  // namespace fanout::dp::srtp

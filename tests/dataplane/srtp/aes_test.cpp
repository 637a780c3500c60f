#include "dataplane/srtp/aes.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "tests/dataplane/srtp/hex.hpp"

namespace fanout::dp::srtp {
namespace {

using test::hex;

// RFC 3711 Appendix B.2: AES-CM keystream for session key 2B7E..., salt F0F1...FCFD, SSRC 0, index
// 0, so the first counter block is the salt followed by 0000.
TEST(AesCtr, Rfc3711B2Keystream) {
  const std::vector<uint8_t> key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const std::vector<uint8_t> iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  AesCtr ctr;
  ASSERT_TRUE(ctr.set_key(key.data(), key.size()));
  std::vector<uint8_t> ks(0xff02 * 16, 0);
  ASSERT_TRUE(ctr.crypt(iv.data(), ks.data(), ks.data(), ks.size()));
  auto block = [&](size_t i) {
    return std::vector<uint8_t>(ks.begin() + i * 16, ks.begin() + i * 16 + 16);
  };
  EXPECT_EQ(block(0x0000), hex("E03EAD0935C95E80E166B16DD92B4EB4"));
  EXPECT_EQ(block(0x0001), hex("D23513162B02D0F72A43A2FE4A5F97AB"));
  EXPECT_EQ(block(0x0002), hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
  EXPECT_EQ(block(0xfeff), hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
  EXPECT_EQ(block(0xff00), hex("362B7C3C6773516318A077D7FC5073AE"));
  EXPECT_EQ(block(0xff01), hex("6A2CC3787889374FBEB4C81B17BA6C44"));
}

TEST(AesCtr, ResetsCounterPerCall) {
  const std::vector<uint8_t> key(16, 0x11);
  const uint8_t iv[16] = {1, 2, 3};
  AesCtr ctr;
  ASSERT_TRUE(ctr.set_key(key.data(), key.size()));
  uint8_t a[37] = {};
  uint8_t b[37] = {};
  ASSERT_TRUE(ctr.crypt(iv, a, a, sizeof(a)));  // leaves a partial block behind
  ASSERT_TRUE(ctr.crypt(iv, b, b, sizeof(b)));
  EXPECT_EQ(0, std::memcmp(a, b, sizeof(a)));
}

// The ECB-built keystream must equal OpenSSL's own CTR mode, including a carry out of the low 64
// counter bits, lengths that are not whole blocks and lengths over one keystream chunk.
TEST(AesCtr, MatchesEvpCtr) {
  for (size_t key_len : {size_t{16}, size_t{32}}) {
    std::vector<uint8_t> key(key_len);
    for (size_t i = 0; i < key_len; ++i) key[i] = static_cast<uint8_t>(i * 13 + 1);
    const std::vector<uint8_t> iv = hex("0102030405060708 fffffffffffffffd");
    AesCtr ours;
    ASSERT_TRUE(ours.set_key(key.data(), key.size()));
    EVP_CIPHER_CTX* ref = EVP_CIPHER_CTX_new();
    for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{148},
                       size_t{511}, size_t{512}, size_t{513}, size_t{1188}, size_t{4099}}) {
      std::vector<uint8_t> in(len);
      for (size_t i = 0; i < len; ++i) in[i] = static_cast<uint8_t>(i ^ 0x5c);
      std::vector<uint8_t> expect(len + 16), got(len);
      int n = 0;
      ASSERT_EQ(EVP_EncryptInit_ex(ref, key_len == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr(),
                                   nullptr, key.data(), iv.data()),
                1);
      ASSERT_EQ(EVP_EncryptUpdate(ref, expect.data(), &n, in.data(), static_cast<int>(len)), 1);
      expect.resize(len);
      ASSERT_TRUE(ours.crypt(iv.data(), in.data(), got.data(), len));
      EXPECT_EQ(got, expect) << key_len << " " << len;
      // In place gives the same bytes.
      ASSERT_TRUE(ours.crypt(iv.data(), in.data(), in.data(), len));
      EXPECT_EQ(in, expect) << key_len << " " << len;
    }
    EVP_CIPHER_CTX_free(ref);
  }
}

TEST(AesCtr, RejectsBadKeyLength) {
  const uint8_t key[24] = {};
  AesCtr ctr;
  EXPECT_FALSE(ctr.set_key(key, 24));
}

TEST(AesGcm, SealOpenAndTagCheck) {
  const std::vector<uint8_t> key(32, 0x42);
  AesGcm seal;
  AesGcm open;
  ASSERT_TRUE(seal.set_key(key.data(), key.size(), true));
  ASSERT_TRUE(open.set_key(key.data(), key.size(), false));
  const uint8_t iv[kGcmIvSize] = {9};
  const uint8_t aad1[3] = {1, 2, 3};
  const uint8_t aad2[2] = {4, 5};
  std::vector<uint8_t> pt(100, 0x5a);
  std::vector<uint8_t> ct(100);
  uint8_t tag[kGcmTagSize];
  ASSERT_TRUE(seal.seal(iv, aad1, 3, aad2, 2, pt.data(), ct.data(), ct.size(), tag));
  EXPECT_NE(ct, pt);
  std::vector<uint8_t> back(100);
  ASSERT_TRUE(open.open(iv, aad1, 3, aad2, 2, ct.data(), back.data(), back.size(), tag));
  EXPECT_EQ(back, pt);
  const uint8_t other_aad[2] = {4, 6};
  EXPECT_FALSE(open.open(iv, aad1, 3, other_aad, 2, ct.data(), back.data(), back.size(), tag));
  tag[0] ^= 1;
  EXPECT_FALSE(open.open(iv, aad1, 3, aad2, 2, ct.data(), back.data(), back.size(), tag));
}

}  // namespace
}  // namespace fanout::dp::srtp

#include "dataplane/common/hmac_sha1.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fanout::dp {
namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += {d[p[i] >> 4], d[p[i] & 15]};
  return s;
}

std::string mac_hex(const std::vector<uint8_t>& key, const std::string& data) {
  HmacSha1Key k(key.data(), key.size());
  uint8_t out[kSha1Size];
  k.mac(data.data(), data.size(), out);
  return hex(out, sizeof(out));
}

// RFC 2202 §3 test cases 1, 2, 6.
TEST(HmacSha1, Rfc2202Vectors) {
  EXPECT_EQ(mac_hex(std::vector<uint8_t>(20, 0x0b), "Hi There"),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(mac_hex({'J', 'e', 'f', 'e'}, "what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(mac_hex(std::vector<uint8_t>(80, 0xaa),
                    "Test Using Larger Than Block-Size Key - Hash Key First"),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(HmacSha1, StreamingEqualsOneShotAndKeyIsReusable) {
  std::vector<uint8_t> key(20, 0x0b);
  HmacSha1Key k(key.data(), key.size());
  auto s = k.begin();
  s.update("Hi ", 3);
  s.update("There", 5);
  uint8_t a[kSha1Size], b[kSha1Size];
  s.finish(a);
  k.mac("Hi There", 8, b);
  EXPECT_EQ(hex(a, 20), hex(b, 20));
  EXPECT_EQ(hex(a, 20), "b617318655057264e28bc0b6fb378c8ef146be00");
}

}  // namespace
}  // namespace fanout::dp

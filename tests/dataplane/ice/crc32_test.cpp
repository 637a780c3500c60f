#include "dataplane/ice/crc32.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace fanout::dp::ice {
namespace {

uint32_t bitwise_crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return ~c;
}

// CRC-32/ISO-HDLC check value for "123456789" (the catalogue's "check" field).
TEST(Crc32, CheckValue) {
  const auto* s = reinterpret_cast<const uint8_t*>("123456789");
  EXPECT_EQ(crc32(0, s, 9), 0xcbf43926u);
  EXPECT_EQ(crc32(0, s, 0), 0u);
}

TEST(Crc32, MatchesBitwiseForAllLengthsAndChains) {
  std::mt19937 rng(11);
  std::vector<uint8_t> buf(600);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t off = 0; off < 8; ++off) {
    for (size_t len = 0; len < 200; ++len) {
      ASSERT_EQ(crc32(0, buf.data() + off, len), bitwise_crc32(buf.data() + off, len));
    }
  }
  const uint32_t part = crc32(0, buf.data(), 123);
  EXPECT_EQ(crc32(part, buf.data() + 123, buf.size() - 123), bitwise_crc32(buf.data(), buf.size()));
}

}  // namespace
}  // namespace fanout::dp::ice

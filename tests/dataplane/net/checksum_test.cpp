#include "dataplane/net/checksum.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tests/dataplane/net/frames.hpp"

namespace fanout::dp::net {
namespace {

using testing::Bytes;
using testing::ref_checksum;

uint16_t wire16(uint16_t stored) {
  uint8_t b[2];
  store_csum(b, stored);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}

// RFC 1071 §3 numerical example: the words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d.
TEST(Checksum, Rfc1071Example) {
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(wire16(csum_fold(csum_add(0, data, sizeof(data)))), 0xddf2);
  EXPECT_EQ(wire16(internet_checksum(data, sizeof(data))), 0x220d);
}

// A real IPv4 header (192.168.0.1 -> 192.168.0.199, UDP) whose checksum is b861.
TEST(Checksum, KnownIpv4Header) {
  uint8_t h[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(wire16(internet_checksum(h, sizeof(h))), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_TRUE(csum_ok(csum_add(0, h, sizeof(h))));
  h[11] = 0x62;
  EXPECT_FALSE(csum_ok(csum_add(0, h, sizeof(h))));
}

TEST(Checksum, MatchesBytewiseReferenceForEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  Bytes buf(1600);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t off = 0; off < 8; ++off) {
    for (size_t len = 0; len < 300; ++len) {
      Bytes slice(buf.begin() + off, buf.begin() + off + len);
      ASSERT_EQ(wire16(internet_checksum(buf.data() + off, len)), ref_checksum(slice))
          << off << " " << len;
    }
  }
  Bytes all(buf.begin(), buf.end());
  EXPECT_EQ(wire16(internet_checksum(buf.data(), buf.size())), ref_checksum(all));
  // All ones everywhere exercises the carries.
  Bytes ones(1501, 0xff);
  EXPECT_EQ(wire16(internet_checksum(ones.data(), ones.size())), ref_checksum(ones));
}

// The AVX2 path (64 bytes and more) against the byte-wise reference and the scalar loop, on
// lengths around its step size, every alignment, all-ones data (every lane near overflow) and a
// jumbo buffer; chained with a large running sum.
TEST(Checksum, VectorPathMatchesReferenceAndScalar) {
  if (!csum_vector_path()) GTEST_SKIP() << "this CPU has no AVX2: csum_add is the scalar loop";
  std::mt19937 rng(11);
  Bytes buf(70000);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (size_t off = 0; off < 4; ++off) {
    for (size_t len = 60; len < 1600; len += (len < 200 ? 1 : 37)) {
      Bytes slice(buf.begin() + off, buf.begin() + off + len);
      ASSERT_EQ(wire16(internet_checksum(buf.data() + off, len)), ref_checksum(slice))
          << off << " " << len;
      ASSERT_EQ(csum_fold(csum_add(0, buf.data() + off, len)),
                csum_fold(csum_add_portable(0, buf.data() + off, len)));
    }
  }
  Bytes big(buf.begin(), buf.begin() + 65535);
  EXPECT_EQ(wire16(internet_checksum(big.data(), big.size())), ref_checksum(big));
  Bytes ones(65534, 0xff);
  EXPECT_EQ(wire16(internet_checksum(ones.data(), ones.size())), ref_checksum(ones));
  const uint64_t start = 0xfffffffffull;
  EXPECT_EQ(csum_fold(csum_add(start, buf.data(), 1200)),
            csum_fold(csum_add_portable(start, buf.data(), 1200)));
}

TEST(Checksum, ChainingEvenSegmentsEqualsOneShot) {
  Bytes b(101);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 37 + 1);
  uint64_t s = csum_add(0, b.data(), 40);
  s = csum_add(s, b.data() + 40, 34);
  s = csum_add(s, b.data() + 74, 27);
  EXPECT_EQ(csum_finish(s), internet_checksum(b.data(), b.size()));
}

TEST(Checksum, PseudoHeaderMatchesExplicitBytes) {
  const Bytes v4s = {10, 0, 0, 1}, v4d = {10, 0, 0, 2};
  Bytes ph = v4s;
  testing::append(ph, v4d);
  testing::append(ph, {0, 17, 0x01, 0x2c});
  EXPECT_EQ(wire16(csum_finish(
                pseudo_header_sum(IpAddr::v4(v4s.data()), IpAddr::v4(v4d.data()), 17, 300))),
            ref_checksum(ph));
  Bytes ph6 = testing::kIp6A;
  testing::append(ph6, testing::kIp6B);
  testing::append(ph6, {0, 1, 0x01, 0x2c, 0, 0, 0, 58});
  EXPECT_EQ(wire16(csum_finish(pseudo_header_sum(IpAddr::v6(testing::kIp6A.data()),
                                                 IpAddr::v6(testing::kIp6B.data()), 58, 0x1012c))),
            ref_checksum(ph6));
}

}  // namespace
}  // namespace fanout::dp::net

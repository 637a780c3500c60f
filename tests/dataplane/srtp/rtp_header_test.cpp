#include "dataplane/srtp/rtp_header.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fanout::dp::srtp {
namespace {

TEST(RtpHeader, FixedHeader) {
  std::vector<uint8_t> p(20, 0);
  p[0] = 0x80;
  EXPECT_EQ(rtp_header_length(p.data(), p.size()), 12u);
  EXPECT_EQ(rtp_header_length(p.data(), 12), 12u);
  EXPECT_EQ(rtp_header_length(p.data(), 11), 0u);
  p[0] = 0x40;  // version 1
  EXPECT_EQ(rtp_header_length(p.data(), p.size()), 0u);
}

TEST(RtpHeader, CsrcsAndExtension) {
  std::vector<uint8_t> p(64, 0);
  p[0] = 0x92;  // V=2, X=1, CC=2
  // Extension header after 12 + 8 bytes: profile 0xBEDE, 2 words.
  p[20] = 0xbe;
  p[21] = 0xde;
  p[22] = 0;
  p[23] = 2;
  EXPECT_EQ(rtp_header_length(p.data(), p.size()), 12u + 8u + 4u + 8u);
  EXPECT_EQ(rtp_header_length(p.data(), 32), 32u);
  EXPECT_EQ(rtp_header_length(p.data(), 31), 0u);  // extension runs past the end
  EXPECT_EQ(rtp_header_length(p.data(), 22), 0u);  // extension header itself truncated
  p[0] = 0x8f;                                     // CC=15 needs 72 bytes
  EXPECT_EQ(rtp_header_length(p.data(), p.size()), 0u);
}

TEST(RtpHeader, BigEndian) {
  const uint8_t b[4] = {0x12, 0x34, 0x56, 0x78};
  EXPECT_EQ(load_be16(b), 0x1234);
  EXPECT_EQ(load_be32(b), 0x12345678u);
  uint8_t o[4];
  store_be32(o, 0xdeadbeef);
  EXPECT_EQ(load_be32(o), 0xdeadbeefu);
}

}  // namespace
}  // namespace fanout::dp::srtp

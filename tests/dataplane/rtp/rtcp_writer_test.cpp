#include "dataplane/rtp/rtcp_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dataplane/rtp/rtcp.hpp"
#include "tests/dataplane/rtp/test_bytes.hpp"

namespace fanout::dp::rtp {
namespace {

using test::hex_bytes;

std::vector<uint8_t> written(std::vector<uint8_t> buf, size_t n) {
  buf.resize(n);
  return buf;
}

TEST(RtcpWriter, Pli) {
  std::vector<uint8_t> buf(64, 0xee);
  size_t n = write_pli(buf.data(), buf.size(), 0x01020304, 0x0a0b0c0d);
  ASSERT_EQ(n, kPliSize);
  EXPECT_EQ(written(buf, n), hex_bytes("81 ce 00 02 01 02 03 04 0a 0b 0c 0d"));
  EXPECT_EQ(buf[n], 0xee);
  EXPECT_EQ(validate_compound(buf.data(), n), RtcpStatus::kOk);
}

TEST(RtcpWriter, Fir) {
  std::vector<uint8_t> buf(64);
  size_t n = write_fir(buf.data(), buf.size(), 0xfa17fa17, 0x02d03702, 4);
  ASSERT_EQ(n, kFirSize);
  EXPECT_EQ(written(buf, n),
            hex_bytes("84 ce 00 04 fa 17 fa 17 00 00 00 00 02 d0 37 02 04 00 00 00"));
  RtcpIterator it(buf.data(), n);
  RtcpPacket p;
  ASSERT_TRUE(it.next(p));
  FeedbackView fb;
  FirView fir;
  ASSERT_EQ(fb.parse(p), RtcpStatus::kOk);
  ASSERT_EQ(fir.parse(fb), RtcpStatus::kOk);
  EXPECT_EQ(fir.entry_ssrc(0), 0x02d03702u);
  EXPECT_EQ(fir.entry_seq(0), 4);
}

TEST(RtcpWriter, Sr) {
  std::vector<uint8_t> buf(64);
  SenderInfo info{0x5d931534, 3711615412u, 1985245553u, 577280, 3608, 577280};
  size_t n = write_sr(buf.data(), buf.size(), info);
  ASSERT_EQ(n, kSrSize);
  EXPECT_EQ(written(buf, n), hex_bytes("80 c8 00 06 5d 93 15 34 dd 3a c1 b4 76 54 71 71"
                                       "00 08 cf 00 00 00 0e 18 00 08 cf 00"));
  EXPECT_TRUE(starts_with_report(buf.data(), n));
}

TEST(RtcpWriter, EmptyRrThenPliIsAFullCompound) {
  std::vector<uint8_t> buf(64);
  size_t n = write_empty_rr(buf.data(), buf.size(), 7);
  ASSERT_EQ(n, kEmptyRrSize);
  n += write_pli(buf.data() + n, buf.size() - n, 7, 9);
  ASSERT_EQ(n, kEmptyRrSize + kPliSize);
  EXPECT_EQ(written(buf, n),
            hex_bytes("80 c9 00 01 00 00 00 07 81 ce 00 02 00 00 00 07 00 00 00 09"));
  EXPECT_TRUE(starts_with_report(buf.data(), n));
  EXPECT_EQ(validate_compound(buf.data(), n), RtcpStatus::kOk);
}

TEST(RtcpWriter, Nack) {
  std::vector<uint8_t> buf(64);
  const NackItem items[] = {{1234, 5}, {65535, 0x8000}};
  size_t n = write_nack(buf.data(), buf.size(), 1, 0x12345678, items);
  ASSERT_EQ(n, 20u);
  EXPECT_EQ(written(buf, n),
            hex_bytes("81 cd 00 04 00 00 00 01 12 34 56 78 04 d2 00 05 ff ff 80 00"));
  EXPECT_EQ(write_nack(buf.data(), buf.size(), 1, 2, {}), 0u);
  EXPECT_EQ(write_nack(buf.data(), 19, 1, 2, items), 0u);
}

TEST(RtcpWriter, SmallBufferWritesNothing) {
  std::vector<uint8_t> buf(32, 0xee);
  EXPECT_EQ(write_pli(buf.data(), kPliSize - 1, 1, 2), 0u);
  EXPECT_EQ(write_fir(buf.data(), kFirSize - 1, 1, 2, 3), 0u);
  EXPECT_EQ(write_sr(buf.data(), kSrSize - 1, SenderInfo{}), 0u);
  EXPECT_EQ(write_empty_rr(buf.data(), kEmptyRrSize - 1, 1), 0u);
  for (uint8_t b : buf) EXPECT_EQ(b, 0xee);
}

}  // namespace
}  // namespace fanout::dp::rtp

#include "dataplane/net/demux.hpp"

#include <gtest/gtest.h>

namespace fanout::dp::net {
namespace {

PayloadKind first(uint8_t b0, uint8_t b1 = 0) {
  const uint8_t p[2] = {b0, b1};
  return classify_payload(p, 2);
}

TEST(Demux, Rfc7983Ranges) {
  for (int b = 0; b < 256; ++b) {
    const auto k = first(static_cast<uint8_t>(b), 96);
    PayloadKind want = PayloadKind::kUnknown;
    if (b <= 3) want = PayloadKind::kStun;
    if (b >= 20 && b <= 63) want = PayloadKind::kDtls;
    if (b >= 128 && b <= 191) want = PayloadKind::kRtp;
    EXPECT_EQ(k, want) << b;
  }
  EXPECT_EQ(first(16), PayloadKind::kUnknown);  // ZRTP
  EXPECT_EQ(first(64), PayloadKind::kUnknown);  // TURN channel
  EXPECT_EQ(first(79), PayloadKind::kUnknown);
}

TEST(Demux, RtcpBySecondByte) {
  for (int b = 0; b < 256; ++b) {
    const auto k = first(0x80, static_cast<uint8_t>(b));
    EXPECT_EQ(k, b >= 192 && b <= 223 ? PayloadKind::kRtcp : PayloadKind::kRtp) << b;
  }
  EXPECT_EQ(first(0x81, 200), PayloadKind::kRtcp);  // SR
  EXPECT_EQ(first(0x8f, 206), PayloadKind::kRtcp);  // PSFB
  EXPECT_EQ(first(0x90, 0xe0), PayloadKind::kRtp);  // PT 96 with marker
}

TEST(Demux, LengthSanity) {
  const uint8_t one[1] = {0x80};
  EXPECT_EQ(classify_payload(one, 1), PayloadKind::kRtp);
  EXPECT_EQ(classify_payload(one, 0), PayloadKind::kUnknown);
  EXPECT_EQ(check_payload(PayloadKind::kRtp, 11), Drop::kRtpMalformed);
  EXPECT_EQ(check_payload(PayloadKind::kRtp, 12), std::nullopt);
  EXPECT_EQ(check_payload(PayloadKind::kRtcp, 7), Drop::kRtcpMalformed);
  EXPECT_EQ(check_payload(PayloadKind::kRtcp, 8), std::nullopt);
  EXPECT_EQ(check_payload(PayloadKind::kStun, 19), Drop::kStunMalformed);
  EXPECT_EQ(check_payload(PayloadKind::kStun, 20), std::nullopt);
  EXPECT_EQ(check_payload(PayloadKind::kDtls, 12), Drop::kDemuxUnknown);
  EXPECT_EQ(check_payload(PayloadKind::kDtls, 13), std::nullopt);
  EXPECT_EQ(check_payload(PayloadKind::kUnknown, 1000), Drop::kDemuxUnknown);
}

constexpr uint8_t kDtlsHello[3] = {0x16, 0xfe, 0xfd};
static_assert(classify_payload(kDtlsHello, 3) == PayloadKind::kDtls);

}  // namespace
}  // namespace fanout::dp::net

#include "dataplane/srtp/status.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace fanout::dp::srtp {
namespace {

TEST(Status, DropReasons) {
  EXPECT_EQ(rtp_drop_reason(Status::kAuthFail), Drop::kSrtpAuthFail);
  EXPECT_EQ(rtp_drop_reason(Status::kReplay), Drop::kSrtpReplay);
  EXPECT_EQ(rtp_drop_reason(Status::kTooShort), Drop::kSrtpOther);
  EXPECT_EQ(rtp_drop_reason(Status::kMalformed), Drop::kSrtpOther);
  EXPECT_EQ(rtcp_drop_reason(Status::kAuthFail), Drop::kSrtcpAuthFail);
  EXPECT_EQ(rtcp_drop_reason(Status::kReplay), Drop::kSrtcpReplay);
  EXPECT_EQ(rtcp_drop_reason(Status::kIndexExhausted), Drop::kSrtpOther);
}

TEST(Status, Names) {
  EXPECT_EQ(std::string_view(status_name(Status::kOk)), "ok");
  EXPECT_EQ(std::string_view(status_name(Status::kAuthFail)), "auth_fail");
  EXPECT_EQ(std::string_view(status_name(Status::kReplay)), "replay");
}

}  // namespace
}  // namespace fanout::dp::srtp

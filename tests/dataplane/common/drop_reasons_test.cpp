#include "dataplane/common/drop_reasons.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace fanout::dp {
namespace {

TEST(DropReasons, NamesAreUniqueMetricIdentifiers) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    std::string_view name = kDropNames[i];
    ASSERT_FALSE(name.empty());
    EXPECT_TRUE(seen.insert(name).second) << "duplicate drop name " << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << name;
    EXPECT_FALSE(kDropHelp[i].empty()) << name;
  }
}

TEST(DropReasons, EnumIndexesTheNameTable) {
  EXPECT_EQ(drop_name(Drop::kSrtpAuthFail), "srtp_auth_fail");
  EXPECT_EQ(drop_name(Drop::kTxFull), "tx_full");
  EXPECT_EQ(static_cast<size_t>(Drop::kTxFull), kDropReasonCount - 1);
}

}  // namespace
}  // namespace fanout::dp

#include "controlplane/dtls/dtls_role.hpp"

#include <gtest/gtest.h>

namespace fanout::cp {
namespace {

TEST(DtlsRole, AutoResolvesAsMediasoup) {
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kAuto, DtlsRole::kClient), DtlsRole::kServer);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kAuto, DtlsRole::kServer), DtlsRole::kClient);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kAuto, DtlsRole::kAuto), DtlsRole::kClient);
}

TEST(DtlsRole, ExplicitLocalRoleWinsUnlessBothSidesClaimIt) {
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kServer, DtlsRole::kAuto), DtlsRole::kServer);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kServer, DtlsRole::kClient), DtlsRole::kServer);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kClient, DtlsRole::kServer), DtlsRole::kClient);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kClient, DtlsRole::kClient), std::nullopt);
  EXPECT_EQ(resolve_dtls_role(DtlsRole::kServer, DtlsRole::kServer), std::nullopt);
}

TEST(DtlsRole, NamesRoundTrip) {
  for (DtlsRole r : {DtlsRole::kAuto, DtlsRole::kClient, DtlsRole::kServer}) {
    EXPECT_EQ(parse_dtls_role(dtls_role_name(r)), r);
  }
  EXPECT_EQ(parse_dtls_role("Client"), std::nullopt);
  EXPECT_EQ(parse_dtls_role(""), std::nullopt);
}

}  // namespace
}  // namespace fanout::cp

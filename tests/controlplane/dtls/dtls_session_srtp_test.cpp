// The exported keys checked by an independent SRTP implementation: libsrtp protects with one
// side's local keys and unprotects with the other side's remote keys, for every profile.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include "controlplane/dtls/dtls_session.hpp"
#include "tests/controlplane/dtls/dtls_test_pair.hpp"

namespace fanout::cp {
namespace {

class LibSrtp : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(srtp_init(), srtp_err_status_ok); }
  void TearDown() override { srtp_shutdown(); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new LibSrtp);

srtp_t make_libsrtp(SrtpProfile profile, const std::vector<uint8_t>& key,
                    const std::vector<uint8_t>& salt, bool outbound) {
  std::vector<uint8_t> master(key);
  master.insert(master.end(), salt.begin(), salt.end());
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  const auto p = static_cast<srtp_profile_t>(static_cast<uint16_t>(profile));
  EXPECT_EQ(srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, p), srtp_err_status_ok);
  EXPECT_EQ(srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, p), srtp_err_status_ok);
  EXPECT_EQ(srtp_profile_get_master_key_length(p), key.size());
  EXPECT_EQ(srtp_profile_get_master_salt_length(p), salt.size());
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  policy.key = master.data();  // libsrtp copies the key in srtp_create
  policy.window_size = 128;
  srtp_t s = nullptr;
  EXPECT_EQ(srtp_create(&s, &policy), srtp_err_status_ok);
  return s;
}

std::vector<uint8_t> rtp_packet(uint16_t seq) {
  std::vector<uint8_t> pkt = {0x80,
                              111,
                              static_cast<uint8_t>(seq >> 8),
                              static_cast<uint8_t>(seq),
                              0,
                              0,
                              0x10,
                              0,
                              0x12,
                              0x34,
                              0x56,
                              0x78};
  for (int i = 0; i < 160; ++i) pkt.push_back(static_cast<uint8_t>(i * 7));
  return pkt;
}

// Protect with `from`'s local keys, unprotect with `to`'s remote keys; and check that the wrong
// key (to's local) rejects the packet.
void check_direction(const SrtpKeyingMaterial& from, const SrtpKeyingMaterial& to) {
  srtp_t tx = make_libsrtp(from.profile, from.local_key, from.local_salt, true);
  srtp_t rx = make_libsrtp(to.profile, to.remote_key, to.remote_salt, false);
  srtp_t wrong = make_libsrtp(to.profile, to.local_key, to.local_salt, false);
  for (uint16_t seq = 1000; seq < 1005; ++seq) {
    const std::vector<uint8_t> plain = rtp_packet(seq);
    std::vector<uint8_t> buf(plain);
    buf.resize(plain.size() + SRTP_MAX_TRAILER_LEN);
    int len = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect(tx, buf.data(), &len), srtp_err_status_ok);
    EXPECT_GT(static_cast<size_t>(len), plain.size());
    EXPECT_NE(std::memcmp(buf.data() + 12, plain.data() + 12, plain.size() - 12), 0);
    std::vector<uint8_t> copy(buf.begin(), buf.begin() + len);
    int wrong_len = len;
    EXPECT_EQ(srtp_unprotect(wrong, copy.data(), &wrong_len), srtp_err_status_auth_fail);
    ASSERT_EQ(srtp_unprotect(rx, buf.data(), &len), srtp_err_status_ok);
    ASSERT_EQ(static_cast<size_t>(len), plain.size());
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + len), plain);
  }
  srtp_dealloc(tx);
  srtp_dealloc(rx);
  srtp_dealloc(wrong);
}

class DtlsSrtpKeys : public ::testing::TestWithParam<const char*> {};

TEST_P(DtlsSrtpKeys, LibsrtpAgreesOnBothDirections) {
  test::DtlsPair p([](DtlsSessionConfig& c) { c.srtp_profiles = GetParam(); });
  p.start();
  p.pump();
  ASSERT_EQ(p.client.session->state(), DtlsState::kConnected);
  ASSERT_EQ(p.server.session->state(), DtlsState::kConnected);
  const SrtpKeyingMaterial& ck = *p.client.session->srtp_keys();
  const SrtpKeyingMaterial& sk = *p.server.session->srtp_keys();
  check_direction(ck, sk);
  check_direction(sk, ck);
}

INSTANTIATE_TEST_SUITE_P(Profiles, DtlsSrtpKeys,
                         ::testing::Values("SRTP_AES128_CM_SHA1_80", "SRTP_AES128_CM_SHA1_32",
                                           "SRTP_AEAD_AES_128_GCM", "SRTP_AEAD_AES_256_GCM"));

}  // namespace
}  // namespace fanout::cp

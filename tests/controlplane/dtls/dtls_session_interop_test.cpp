// DtlsSession against a peer that is plain OpenSSL over memory BIOs, configured here and not by
// our code, whose keying material the test splits itself per RFC 5764 §4.2. Two DtlsSessions
// would agree with each other even if both split the material the wrong way round; this cannot.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "controlplane/dtls/dtls_session.hpp"

namespace fanout::cp {
namespace {

int accept_all(int, X509_STORE_CTX*) {
  return 1;
}

class RawPeer {
 public:
  RawPeer(bool client, const char* profiles) : cert_(Certificate::generate()) {
    ctx_ = SSL_CTX_new(DTLS_method());
    SSL_CTX_use_certificate(ctx_, cert_.x509());
    SSL_CTX_use_PrivateKey(ctx_, cert_.key());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &accept_all);
    ssl_ = SSL_new(ctx_);
    EXPECT_EQ(SSL_set_tlsext_use_srtp(ssl_, profiles), 0);
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio_, -1);
    SSL_set_bio(ssl_, rbio_, wbio_);
    SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl_, 1200);
    if (client) {
      SSL_set_connect_state(ssl_);
    } else {
      SSL_set_accept_state(ssl_);
    }
  }
  ~RawPeer() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }

  const Certificate& certificate() const { return cert_; }
  void force_dtls10() {
    SSL_set_min_proto_version(ssl_, DTLS1_VERSION);
    SSL_set_max_proto_version(ssl_, DTLS1_VERSION);
  }
  bool done() const { return !failed_ && SSL_is_init_finished(ssl_) == 1; }
  bool failed() const { return failed_; }

  void step() {
    const int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      const int e = SSL_get_error(ssl_, r);
      failed_ = failed_ || !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
    }
    ERR_clear_error();
  }
  void receive(std::span<const uint8_t> d) {
    BIO_write(rbio_, d.data(), static_cast<int>(d.size()));
    step();
  }
  // Everything written since the last call, as one datagram (a memory BIO keeps no boundaries).
  std::vector<uint8_t> take_output() {
    char* data = nullptr;
    const long n = BIO_get_mem_data(wbio_, &data);
    std::vector<uint8_t> out(data, data + n);
    (void)BIO_reset(wbio_);
    return out;
  }
  std::vector<uint8_t> export_material(size_t len) {
    std::vector<uint8_t> m(len);
    EXPECT_EQ(SSL_export_keying_material(ssl_, m.data(), m.size(), "EXTRACTOR-dtls_srtp", 19,
                                         nullptr, 0, 0),
              1);
    return m;
  }
  int selected_profile_id() {
    const SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(ssl_);
    return p ? static_cast<int>(p->id) : -1;
  }

 private:
  Certificate cert_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;
  BIO* wbio_ = nullptr;
  bool failed_ = false;
};

// Drives both until neither has anything to send.
void handshake(DtlsSession& ours, std::vector<std::vector<uint8_t>>& outbox, RawPeer& raw) {
  for (int round = 0; round < 50; ++round) {
    std::vector<uint8_t> from_raw = raw.take_output();
    if (!from_raw.empty()) ours.feed(from_raw);
    std::vector<std::vector<uint8_t>> ours_out;
    ours_out.swap(outbox);
    for (const auto& d : ours_out) raw.receive(d);
    if (from_raw.empty() && ours_out.empty()) break;
  }
}

TEST(DtlsSessionInterop, OurServerSplitsKeysAsRfc5764WithPlainOpensslClient) {
  RawPeer raw(/*client=*/true, "SRTP_AES128_CM_SHA1_80");
  auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
  DtlsSessionConfig cfg;
  cfg.role = DtlsRole::kServer;
  cfg.remote_fingerprint = {HashAlgorithm::kSha256, raw.certificate().fingerprint()};
  DtlsSession ours(ctx, cfg);
  std::vector<std::vector<uint8_t>> outbox;
  ours.set_send_callback(
      [&](std::span<const uint8_t> d) { outbox.emplace_back(d.begin(), d.end()); });
  ours.start(DtlsSession::Clock::now());
  raw.step();  // ClientHello
  handshake(ours, outbox, raw);
  ASSERT_TRUE(raw.done());
  ASSERT_EQ(ours.state(), DtlsState::kConnected) << ours.failure_reason();
  EXPECT_EQ(raw.selected_profile_id(), 1);
  const auto& k = *ours.srtp_keys();
  ASSERT_EQ(k.profile, SrtpProfile::kAes128CmSha1_80);
  // client_write_key(16) | server_write_key(16) | client_write_salt(14) | server_write_salt(14)
  const std::vector<uint8_t> m = raw.export_material(60);
  EXPECT_EQ(k.remote_key, std::vector<uint8_t>(m.begin(), m.begin() + 16));
  EXPECT_EQ(k.local_key, std::vector<uint8_t>(m.begin() + 16, m.begin() + 32));
  EXPECT_EQ(k.remote_salt, std::vector<uint8_t>(m.begin() + 32, m.begin() + 46));
  EXPECT_EQ(k.local_salt, std::vector<uint8_t>(m.begin() + 46, m.begin() + 60));
}

TEST(DtlsSessionInterop, OurClientSplitsKeysAsRfc5764WithPlainOpensslServer) {
  RawPeer raw(/*client=*/false, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80");
  auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
  DtlsSessionConfig cfg;
  cfg.role = DtlsRole::kClient;
  cfg.remote_fingerprint = {HashAlgorithm::kSha256, raw.certificate().fingerprint()};
  DtlsSession ours(ctx, cfg);
  std::vector<std::vector<uint8_t>> outbox;
  ours.set_send_callback(
      [&](std::span<const uint8_t> d) { outbox.emplace_back(d.begin(), d.end()); });
  ours.start(DtlsSession::Clock::now());
  handshake(ours, outbox, raw);
  ASSERT_TRUE(raw.done());
  ASSERT_EQ(ours.state(), DtlsState::kConnected) << ours.failure_reason();
  EXPECT_EQ(raw.selected_profile_id(), 7);
  const auto& k = *ours.srtp_keys();
  ASSERT_EQ(k.profile, SrtpProfile::kAeadAes128Gcm);
  // client_write_key(16) | server_write_key(16) | client_write_salt(12) | server_write_salt(12)
  const std::vector<uint8_t> m = raw.export_material(56);
  EXPECT_EQ(k.local_key, std::vector<uint8_t>(m.begin(), m.begin() + 16));
  EXPECT_EQ(k.remote_key, std::vector<uint8_t>(m.begin() + 16, m.begin() + 32));
  EXPECT_EQ(k.local_salt, std::vector<uint8_t>(m.begin() + 32, m.begin() + 44));
  EXPECT_EQ(k.remote_salt, std::vector<uint8_t>(m.begin() + 44, m.begin() + 56));
}

TEST(DtlsSessionInterop, RawClientWithDtls10OnlyIsRefused) {
  RawPeer raw(/*client=*/true, "SRTP_AES128_CM_SHA1_80");
  auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
  DtlsSessionConfig cfg;
  cfg.role = DtlsRole::kServer;
  cfg.remote_fingerprint = {HashAlgorithm::kSha256, raw.certificate().fingerprint()};
  DtlsSession ours(ctx, cfg);
  std::vector<std::vector<uint8_t>> outbox;
  ours.set_send_callback(
      [&](std::span<const uint8_t> d) { outbox.emplace_back(d.begin(), d.end()); });
  ours.start(DtlsSession::Clock::now());
  raw.force_dtls10();
  raw.step();
  handshake(ours, outbox, raw);
  EXPECT_EQ(ours.state(), DtlsState::kFailed);
  EXPECT_FALSE(ours.srtp_keys().has_value());
}

}  // namespace
}  // namespace fanout::cp

#include "controlplane/dtls/dtls_session.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "tests/controlplane/dtls/dtls_test_pair.hpp"

namespace fanout::cp {
namespace {

using test::DtlsPair;
using Clock = DtlsSession::Clock;
using namespace std::chrono_literals;

void expect_keys_agree(const DtlsPair& p) {
  const auto& ck = p.client.session->srtp_keys();
  const auto& sk = p.server.session->srtp_keys();
  ASSERT_TRUE(ck.has_value());
  ASSERT_TRUE(sk.has_value());
  EXPECT_EQ(ck->profile, sk->profile);
  EXPECT_EQ(ck->local_key, sk->remote_key);
  EXPECT_EQ(ck->local_salt, sk->remote_salt);
  EXPECT_EQ(ck->remote_key, sk->local_key);
  EXPECT_EQ(ck->remote_salt, sk->local_salt);
  EXPECT_NE(ck->local_key, ck->remote_key);
  EXPECT_EQ(ck->local_key.size(), srtp_master_key_length(ck->profile));
  EXPECT_EQ(ck->local_salt.size(), srtp_master_salt_length(ck->profile));
}

TEST(DtlsSession, HandshakeCompletesBackToBack) {
  DtlsPair p;
  EXPECT_EQ(p.client.session->state(), DtlsState::kNew);
  p.start();
  EXPECT_EQ(p.client.outbox.size(), 1u);  // ClientHello
  EXPECT_TRUE(p.server.outbox.empty());   // a server waits
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.client.states, (std::vector{DtlsState::kConnecting, DtlsState::kConnected}));
  EXPECT_EQ(p.server.states, (std::vector{DtlsState::kConnecting, DtlsState::kConnected}));
  expect_keys_agree(p);
  EXPECT_EQ(p.client.session->srtp_keys()->profile, SrtpProfile::kAeadAes256Gcm);
  EXPECT_EQ(p.client.session->next_timeout(Clock::now()), std::nullopt);
  EXPECT_TRUE(p.client.session->failure_reason().empty());
}

TEST(DtlsSession, IndependentHandshakesExportDifferentKeys) {
  DtlsPair a;
  DtlsPair b;
  a.start();
  b.start();
  a.pump();
  b.pump();
  ASSERT_TRUE(a.client.session->srtp_keys() && b.client.session->srtp_keys());
  EXPECT_NE(a.client.session->srtp_keys()->local_key, b.client.session->srtp_keys()->local_key);
}

TEST(DtlsSession, OtherHashAlgorithmsAndLowerCaseFingerprintsAreAccepted) {
  DtlsPair p(
      [](DtlsSessionConfig& c) {
        std::string fp = test::server_context()->certificate().fingerprint(HashAlgorithm::kSha512);
        for (char& ch : fp) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        c.remote_fingerprint = {HashAlgorithm::kSha512, fp};
      },
      [](DtlsSessionConfig& s) {
        s.remote_fingerprint = {
            HashAlgorithm::kSha1,
            test::client_context()->certificate().fingerprint(HashAlgorithm::kSha1)};
      });
  p.start();
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
}

TEST(DtlsSession, WrongRemoteFingerprintFailsServerWithoutKeys) {
  DtlsPair p({}, [](DtlsSessionConfig& s) {
    // A well-formed fingerprint, of another certificate (the server's own).
    s.remote_fingerprint = {HashAlgorithm::kSha256,
                            test::server_context()->certificate().fingerprint()};
  });
  p.start();
  p.pump();
  EXPECT_EQ(p.server.session->state(), DtlsState::kFailed);
  EXPECT_FALSE(p.server.session->srtp_keys().has_value());
  EXPECT_NE(p.server.session->failure_reason().find("fingerprint"), std::string::npos)
      << p.server.session->failure_reason();
  EXPECT_EQ(std::count(p.server.states.begin(), p.server.states.end(), DtlsState::kConnected), 0);
  // The failing server's close_notify tears the client down: no keys left on either side.
  EXPECT_EQ(p.client.session->state(), DtlsState::kClosed);
  EXPECT_FALSE(p.client.session->srtp_keys().has_value());
}

TEST(DtlsSession, WrongRemoteFingerprintFailsClient) {
  DtlsPair p(
      [](DtlsSessionConfig& c) {
        std::string fp = test::server_context()->certificate().fingerprint();
        fp[0] = fp[0] == 'A' ? 'B' : 'A';
        c.remote_fingerprint.value = fp;
      },
      {});
  p.start();
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kFailed);
  EXPECT_FALSE(p.client.session->srtp_keys().has_value());
  EXPECT_EQ(std::count(p.client.states.begin(), p.client.states.end(), DtlsState::kConnected), 0);
  EXPECT_NE(p.server.session->state(), DtlsState::kConnected);
}

TEST(DtlsSession, SameAlgorithmMismatchUnderSha1Fails) {
  DtlsPair p({}, [](DtlsSessionConfig& s) {
    s.remote_fingerprint = {HashAlgorithm::kSha1, test::client_context()->certificate().fingerprint(
                                                      HashAlgorithm::kSha256)};
  });
  p.start();
  p.pump();
  EXPECT_EQ(p.server.session->state(), DtlsState::kFailed);
}

TEST(DtlsSession, LostClientHelloIsRetransmittedOnTimer) {
  // 100 ms: margin for the "nothing due yet" check on a loaded machine.
  auto fast = [](DtlsSessionConfig& c) { c.initial_retransmit = 100ms; };
  DtlsPair p(fast, fast);
  const auto t0 = Clock::now();
  p.start(t0);
  ASSERT_EQ(p.client.outbox.size(), 1u);
  p.client.outbox.clear();  // the ClientHello is lost
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnecting);
  const auto next = p.client.session->next_timeout(t0);
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(*next, t0 + 100ms);
  // Nothing is due yet: on_timer before the deadline sends nothing.
  p.client.session->on_timer(t0);
  EXPECT_TRUE(p.client.outbox.empty());
  std::this_thread::sleep_for(110ms);
  p.client.session->on_timer(Clock::now());
  EXPECT_EQ(p.client.outbox.size(), 1u);
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
  expect_keys_agree(p);
}

TEST(DtlsSession, LostServerFlightIsRetransmittedOnTimer) {
  auto fast = [](DtlsSessionConfig& c) { c.initial_retransmit = 30ms; };
  DtlsPair p(fast, fast);
  p.start();
  // Drop everything the server sends first (its whole first flight, however many datagrams).
  const size_t server_first_flight = [&] {
    p.server.session->feed(p.client.outbox.front());
    p.client.outbox.pop_front();
    const size_t n = p.server.outbox.size();
    p.server.outbox.clear();
    return n;
  }();
  ASSERT_GE(server_first_flight, 1u);
  std::this_thread::sleep_for(40ms);
  // Both sides have a flight outstanding; either timer recovers it.
  p.client.session->on_timer(Clock::now());
  p.server.session->on_timer(Clock::now());
  EXPECT_FALSE(p.server.outbox.empty());
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
  expect_keys_agree(p);
}

TEST(DtlsSession, LostFinalServerFlightRecoveredByClientRetransmission) {
  auto fast = [](DtlsSessionConfig& c) { c.initial_retransmit = 30ms; };
  DtlsPair p(fast, fast);
  p.start();
  // Server flights: [ServerHello..Done] then [CCS Finished]. Drop the second: the server is
  // connected, the client is not, and only the client's timer can recover.
  const size_t first_flight = [&] {
    p.server.session->feed(p.client.outbox.front());
    p.client.outbox.pop_front();
    return p.server.outbox.size();
  }();
  p.server_index_ = 0;
  p.pump([&](bool from_client, size_t i) { return !from_client && i >= first_flight; });
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnecting);
  std::this_thread::sleep_for(40ms);
  p.client.session->on_timer(Clock::now());
  ASSERT_FALSE(p.client.outbox.empty());
  p.pump();
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnected);
  expect_keys_agree(p);
}

TEST(DtlsSession, HandshakeTimeoutFails) {
  DtlsPair p;
  const auto t0 = Clock::now();
  p.client.session->start(t0);
  p.client.outbox.clear();  // nobody answers
  const auto next = p.client.session->next_timeout(t0);
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(*next, t0 + 30s);
  p.client.session->on_timer(t0 + 29s);
  EXPECT_EQ(p.client.session->state(), DtlsState::kConnecting);
  p.client.session->on_timer(t0 + 30s);
  EXPECT_EQ(p.client.session->state(), DtlsState::kFailed);
  EXPECT_EQ(p.client.session->failure_reason(), "handshake timeout");
  EXPECT_EQ(p.client.session->next_timeout(t0 + 30s), std::nullopt);
  // A server times out the same way when no ClientHello ever comes.
  p.server.session->start(t0);
  p.server.session->on_timer(t0 + 31s);
  EXPECT_EQ(p.server.session->state(), DtlsState::kFailed);
}

TEST(DtlsSession, CloseNotifyClosesTheOtherSide) {
  DtlsPair p;
  p.start();
  p.pump();
  ASSERT_EQ(p.server.session->state(), DtlsState::kConnected);
  p.client.session->close();
  EXPECT_EQ(p.client.session->state(), DtlsState::kClosed);
  EXPECT_FALSE(p.client.session->srtp_keys().has_value());
  ASSERT_EQ(p.client.outbox.size(), 1u);  // the close_notify alert
  p.pump();
  EXPECT_EQ(p.server.session->state(), DtlsState::kClosed);
  EXPECT_FALSE(p.server.session->srtp_keys().has_value());
  EXPECT_EQ(p.server.states.back(), DtlsState::kClosed);
  // Closing twice is harmless and sends nothing.
  p.client.session->close();
  EXPECT_TRUE(p.client.outbox.empty());
}

TEST(DtlsSession, HandshakeDatagramsRespectTheMtu) {
  DtlsPair big;
  big.start();
  big.pump();
  ASSERT_EQ(big.client.session->state(), DtlsState::kConnected);
  EXPECT_LE(big.server.session->largest_datagram_sent(), 1200u);
  EXPECT_LE(big.client.session->largest_datagram_sent(), 1200u);

  auto small = [](DtlsSessionConfig& c) { c.mtu = 256; };
  DtlsPair p(small, small);
  p.start();
  p.pump();
  ASSERT_EQ(p.client.session->state(), DtlsState::kConnected);
  ASSERT_EQ(p.server.session->state(), DtlsState::kConnected);
  expect_keys_agree(p);
  for (size_t n : p.server.sent_sizes) EXPECT_LE(n, 256u);
  for (size_t n : p.client.sent_sizes) EXPECT_LE(n, 256u);
  // The server's first flight (certificate included) no longer fits one datagram.
  EXPECT_GT(p.server.sent_sizes.size(), big.server.sent_sizes.size());
  EXPECT_GT(*std::max_element(big.server.sent_sizes.begin(), big.server.sent_sizes.end()), 256u);
}

TEST(DtlsSession, ServerPreferenceWinsAmongOfferedProfiles) {
  struct Case {
    const char* client_offer;
    SrtpProfile expected;
  };
  for (const Case& c :
       {Case{"SRTP_AES128_CM_SHA1_80", SrtpProfile::kAes128CmSha1_80},
        Case{"SRTP_AES128_CM_SHA1_32", SrtpProfile::kAes128CmSha1_32},
        Case{"SRTP_AES128_CM_SHA1_32:SRTP_AEAD_AES_128_GCM", SrtpProfile::kAeadAes128Gcm},
        Case{kDefaultSrtpProfiles, SrtpProfile::kAeadAes256Gcm}}) {
    DtlsPair p([&](DtlsSessionConfig& cfg) { cfg.srtp_profiles = c.client_offer; });
    p.start();
    p.pump();
    ASSERT_EQ(p.client.session->state(), DtlsState::kConnected) << c.client_offer;
    EXPECT_EQ(p.client.session->srtp_keys()->profile, c.expected) << c.client_offer;
    expect_keys_agree(p);
  }
}

TEST(DtlsSession, NoCommonSrtpProfileFailsBothSides) {
  DtlsPair p([](DtlsSessionConfig& c) { c.srtp_profiles = "SRTP_AES128_CM_SHA1_32"; },
             [](DtlsSessionConfig& s) { s.srtp_profiles = "SRTP_AES128_CM_SHA1_80"; });
  p.start();
  p.pump();
  EXPECT_NE(p.client.session->state(), DtlsState::kConnected);
  EXPECT_NE(p.server.session->state(), DtlsState::kConnected);
  EXPECT_FALSE(p.client.session->srtp_keys().has_value());
  EXPECT_FALSE(p.server.session->srtp_keys().has_value());
}

TEST(DtlsSession, NonDtlsInputIsRejectedAndCounted) {
  DtlsPair p;
  const std::vector<uint8_t> rtp = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(p.server.session->feed(rtp), FeedResult::kNotRunning);  // before start
  p.start();
  EXPECT_EQ(p.server.session->feed(rtp), FeedResult::kNotDtls);
  EXPECT_EQ(p.server.session->feed({}), FeedResult::kNotDtls);
  // Handshake type, but a bad version, a short header, a length past the end.
  const std::vector<uint8_t> bad_version = {22, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const std::vector<uint8_t> short_header = {22, 0xfe, 0xfd, 0, 0};
  const std::vector<uint8_t> long_length = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1};
  EXPECT_EQ(p.server.session->feed(bad_version), FeedResult::kNotDtls);
  EXPECT_EQ(p.server.session->feed(short_header), FeedResult::kNotDtls);
  EXPECT_EQ(p.server.session->feed(long_length), FeedResult::kNotDtls);
  EXPECT_EQ(p.server.session->datagrams_rejected(), 5u);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnecting);
  EXPECT_TRUE(p.server.outbox.empty());
  p.pump();
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
  EXPECT_EQ(p.server.session->feed(rtp), FeedResult::kNotDtls);
  EXPECT_EQ(p.server.session->state(), DtlsState::kConnected);
}

TEST(DtlsSession, CorruptedHandshakeRecordsNeverCrashAndNeverYieldKeysAlone) {
  std::mt19937 rng(1234);
  int failed = 0;
  int connected = 0;
  for (int iter = 0; iter < 40; ++iter) {
    DtlsPair p;
    p.start();
    // Flip a byte past the record header in one of the first datagrams each way.
    const size_t victim = rng() % 4;
    size_t seen = 0;
    bool corrupted = false;
    for (int round = 0; round < 50 && !(p.client.outbox.empty() && p.server.outbox.empty());
         ++round) {
      for (auto* from : {&p.client, &p.server}) {
        auto* to = from == &p.client ? &p.server : &p.client;
        while (!from->outbox.empty()) {
          auto d = std::move(from->outbox.front());
          from->outbox.pop_front();
          if (seen++ == victim && d.size() > 14) {
            d[13 + rng() % (d.size() - 13)] ^= static_cast<uint8_t>(1 + rng() % 255);
            corrupted = true;
          }
          const FeedResult r = to->session->feed(d);
          EXPECT_NE(r, FeedResult::kNotDtls);
        }
      }
    }
    ASSERT_TRUE(corrupted);
    for (auto* e : {&p.client, &p.server}) {
      const DtlsState st = e->session->state();
      if (st == DtlsState::kFailed) {
        ++failed;
        EXPECT_FALSE(e->session->failure_reason().empty());
      }
      if (st == DtlsState::kConnected) ++connected;
    }
    // If both ended connected (corruption only hit bytes that were retransmitted or ignored),
    // their keys still agree: a corrupted transcript never yields diverging keys.
    if (p.client.session->state() == DtlsState::kConnected &&
        p.server.session->state() == DtlsState::kConnected) {
      expect_keys_agree(p);
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(DtlsSession, ApplicationDataFlowsAfterHandshake) {
  DtlsPair p;
  std::vector<uint8_t> got;
  p.server.session->set_data_callback(
      [&](std::span<const uint8_t> d) { got.assign(d.begin(), d.end()); });
  const std::vector<uint8_t> msg = {1, 2, 3, 4, 5};
  EXPECT_FALSE(p.client.session->send_data(msg));  // not connected yet
  p.start();
  p.pump();
  ASSERT_TRUE(p.client.session->send_data(msg));
  p.pump();
  EXPECT_EQ(got, msg);
}

TEST(DtlsSession, ConstructorRejectsBadConfig) {
  DtlsSessionConfig c;
  c.role = DtlsRole::kAuto;
  EXPECT_THROW(DtlsSession(test::client_context(), c), std::invalid_argument);
  c.role = DtlsRole::kClient;
  c.srtp_profiles = "SRTP_NOPE";
  EXPECT_THROW(DtlsSession(test::client_context(), c), std::invalid_argument);
  c.srtp_profiles = kDefaultSrtpProfiles;
  c.mtu = 100;
  EXPECT_THROW(DtlsSession(test::client_context(), c), std::invalid_argument);
  c.mtu = 1200;
  c.initial_retransmit = 10ms;  // OpenSSL would treat it as already expired
  EXPECT_THROW(DtlsSession(test::client_context(), c), std::invalid_argument);
  c.initial_retransmit = 100ms;
  EXPECT_NO_THROW(DtlsSession(test::client_context(), c));
}

TEST(DtlsSession, CloseBeforeStartSendsNothing) {
  DtlsPair p;
  p.client.session->close();
  EXPECT_EQ(p.client.session->state(), DtlsState::kClosed);
  EXPECT_TRUE(p.client.outbox.empty());
  p.client.session->start(Clock::now());
  EXPECT_EQ(p.client.session->state(), DtlsState::kClosed);
}

}  // namespace
}  // namespace fanout::cp

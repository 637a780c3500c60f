// WebRtcTransport and Node without a data plane: a fake one (the real IpcServer in a thread,
// answering CreateTransport and recording requests) and a browser that is an independent
// DtlsSession in memory, whose records the fake delivers as DtlsReceived events.
#include "controlplane/core/webrtc_transport.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "controlplane/core/node.hpp"
#include "dataplane/ipc/server.hpp"

namespace fanout::cp {
namespace {

namespace fb = fanout::ipc;
using std::chrono::milliseconds;

struct KeysRequest {
  uint32_t transport = 0;
  fb::Direction direction = fb::Direction::Inbound;
  uint16_t profile = 0;
  std::vector<uint8_t> key;
  std::vector<uint8_t> salt;
};

class FakeDataplane : public dp::ipc::RequestHandler {
 public:
  FakeDataplane() {
    char tmpl[] = "/tmp/fanout-cpcore-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/dp.sock";
    server_ = std::make_unique<dp::ipc::IpcServer>(*this);
    EXPECT_EQ(server_->listen(path_), "");
    thread_ = std::thread([this] {
      while (!stop_) {
        server_->poll_once(1);
        std::deque<std::function<void()>> jobs;
        {
          std::lock_guard lock(mu_);
          jobs.swap(jobs_);
        }
        for (auto& job : jobs) job();
      }
    });
  }
  ~FakeDataplane() override {
    stop_ = true;
    thread_.join();
    server_.reset();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  void on_request(dp::ipc::ConnectionId, const fb::Envelope& request,
                  dp::ipc::Replier& replier) override {
    std::lock_guard lock(mu_);
    types_.push_back(request.body_type());
    switch (request.body_type()) {
      case fb::Body::CreateTransport: {
        auto* c = request.body_as_CreateTransport();
        if (refuse_create_) {
          return replier.error(fb::ErrorCode::ResourceExhausted, "no free transport slot");
        }
        ufrags_.push_back(c->ice_ufrag()->str());
        pwds_.push_back(c->ice_pwd()->str());
        workers_.push_back(c->worker());
        auto& fbb = replier.builder();
        return replier.reply(
            fb::CreateTransportCreated(fbb, c->id(), 1, fbb.CreateString("192.0.2.10"), 40000));
      }
      case fb::Body::SendDtls: {
        auto* d = request.body_as_SendDtls();
        sent_dtls_.emplace_back(d->data()->begin(), d->data()->end());
        break;
      }
      case fb::Body::SetSrtpKeys:
        record_keys(*request.body_as_SetSrtpKeys());
        break;
      case fb::Body::Batch:
        for (const fb::Request* r : *request.body_as_Batch()->requests()) {
          types_.push_back(r->body_type());
          if (r->body_type() == fb::Body::SetSrtpKeys) record_keys(*r->body_as_SetSrtpKeys());
        }
        break;
      case fb::Body::DeleteTransport:
        deleted_.push_back(request.body_as_DeleteTransport()->id());
        break;
      default:
        break;
    }
    replier.ok();
  }

  // Events, built and sent from the server's thread.
  void emit_dtls(uint32_t transport, std::vector<uint8_t> data) {
    post([this, transport, data = std::move(data)] {
      auto& fbb = server_->event_builder();
      auto remote = fb::CreateEndpoint(fbb, fbb.CreateString("198.51.100.7"), 5000);
      server_->broadcast_event(dp::ipc::finish_envelope(
          fbb, 0, 0, fb::CreateDtlsReceived(fbb, transport, remote, fbb.CreateVector(data))));
    });
  }
  void emit_tuple(uint32_t transport) {
    post([this, transport] {
      auto& fbb = server_->event_builder();
      auto local = fb::CreateEndpoint(fbb, fbb.CreateString("192.0.2.10"), 40000);
      auto remote = fb::CreateEndpoint(fbb, fbb.CreateString("198.51.100.7"), 5000);
      server_->broadcast_event(dp::ipc::finish_envelope(
          fbb, 0, 0,
          fb::CreateIceSelectedTupleChanged(fbb, transport, fb::CreateTuple(fbb, local, remote))));
    });
  }
  void emit_consent_expired(uint32_t transport) {
    post([this, transport] {
      auto& fbb = server_->event_builder();
      server_->broadcast_event(
          dp::ipc::finish_envelope(fbb, 0, 0, fb::CreateIceConsentExpired(fbb, transport)));
    });
  }

  template <typename T>
  T locked(const std::function<T()>& fn) {
    std::lock_guard lock(mu_);
    return fn();
  }
  std::vector<std::vector<uint8_t>> take_sent_dtls() {
    std::lock_guard lock(mu_);
    return std::exchange(sent_dtls_, {});
  }
  std::vector<KeysRequest> keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }
  size_t count(fb::Body type) {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count(types_.begin(), types_.end(), type));
  }

  const std::string& path() const { return path_; }
  uint64_t client_epoch() const { return server_->epoch(); }

  bool refuse_create_ = false;  // set before the request
  std::vector<std::string> ufrags_, pwds_;
  std::vector<uint16_t> workers_;
  std::vector<uint32_t> deleted_;

 private:
  void record_keys(const fb::SetSrtpKeys& k) {
    keys_.push_back({k.transport(),
                     k.direction(),
                     k.profile(),
                     {k.master_key()->begin(), k.master_key()->end()},
                     {k.master_salt()->begin(), k.master_salt()->end()}});
  }
  void post(std::function<void()> job) {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }

  std::string dir_, path_;
  std::unique_ptr<dp::ipc::IpcServer> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<std::function<void()>> jobs_;
  std::vector<fb::Body> types_;
  std::vector<std::vector<uint8_t>> sent_dtls_;
  std::vector<KeysRequest> keys_;
};

class WebRtcTransportTest : public ::testing::Test {
 protected:
  WebRtcTransportTest() {
    Node::Options options;
    options.link.socket_path = fake_.path();
    node_ = std::make_unique<Node>(options);
  }

  // A browser: its own identity, the client role, in memory.
  std::unique_ptr<DtlsSession> browser(const WebRtcTransport& t, uint32_t id,
                                       DtlsRole role = DtlsRole::kClient) {
    DtlsSessionConfig c;
    c.role = role;
    c.remote_fingerprint = t.dtls_parameters().fingerprints.at(0);
    auto s = std::make_unique<DtlsSession>(browser_context(), c);
    s->set_send_callback([this, id](std::span<const uint8_t> d) {
      fake_.emit_dtls(id, {d.begin(), d.end()});
    });
    return s;
  }
  static std::shared_ptr<const DtlsContext> browser_context() {
    static auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
    return ctx;
  }
  static Fingerprint browser_fingerprint() {
    return {HashAlgorithm::kSha256, browser_context()->certificate().fingerprint()};
  }

  // Runs the node, hands the transport's records to `peer`, until `done`.
  bool pump(DtlsSession* peer, const std::function<bool()>& done,
            milliseconds limit = milliseconds(3000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      Status s = node_->run_once(milliseconds(2));
      EXPECT_TRUE(s.ok()) << s.error();
      for (auto& d : fake_.take_sent_dtls()) {
        if (peer) peer->feed(d);
      }
      if (done()) return true;
    }
    return false;
  }

  FakeDataplane fake_;
  std::unique_ptr<Node> node_;
};

TEST_F(WebRtcTransportTest, HelloCarriesANonZeroEpoch) {
  EXPECT_NE(node_->link().epoch(), 0u);
  EXPECT_EQ(fake_.client_epoch(), node_->link().epoch());
}

TEST_F(WebRtcTransportTest, ParametersHaveMediasoupShapes) {
  WebRtcTransport& t = node_->create_webrtc_transport();
  const IceParameters& ice = t.ice_parameters();
  EXPECT_EQ(ice.username_fragment.size(), 16u);
  EXPECT_EQ(ice.password.size(), 32u);
  EXPECT_TRUE(ice.ice_lite);
  // What the data plane checks MESSAGE-INTEGRITY with is what we signal.
  ASSERT_EQ(fake_.locked<size_t>([&] { return fake_.ufrags_.size(); }), 1u);
  EXPECT_EQ(fake_.ufrags_[0], ice.username_fragment);
  EXPECT_EQ(fake_.pwds_[0], ice.password);
  EXPECT_EQ(fake_.workers_[0], 0xFFFF) << "no worker asked: the data plane picks";

  ASSERT_EQ(t.ice_candidates().size(), 1u);
  const IceCandidate& c = t.ice_candidates()[0];
  EXPECT_EQ(c.foundation, "udpcandidate");
  EXPECT_EQ(c.priority, 2130706431u);  // RFC 8445 §5.1.2.1: 126 << 24 | 65535 << 8 | 255
  EXPECT_EQ(c.ip, "192.0.2.10");
  EXPECT_EQ(c.address, "192.0.2.10");
  EXPECT_EQ(c.protocol, "udp");
  EXPECT_EQ(c.port, 40000);
  EXPECT_EQ(c.type, "host");

  const DtlsParameters& dtls = t.dtls_parameters();
  EXPECT_EQ(dtls.role, DtlsRole::kAuto);
  ASSERT_EQ(dtls.fingerprints.size(), 1u);
  EXPECT_EQ(dtls.fingerprints[0].algorithm, HashAlgorithm::kSha256);
  EXPECT_TRUE(
      std::regex_match(dtls.fingerprints[0].value, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")))
      << dtls.fingerprints[0].value;
  EXPECT_EQ(dtls.fingerprints[0].value, node_->dtls_context()->certificate().fingerprint());
  EXPECT_EQ(t.ice_state(), IceState::kNew);
  EXPECT_EQ(t.dtls_state(), DtlsState::kNew);

  WebRtcTransport& u = node_->create_webrtc_transport();
  EXPECT_NE(u.id(), t.id());
  EXPECT_NE(u.ice_parameters().username_fragment, ice.username_fragment);
  EXPECT_EQ(u.dtls_parameters().fingerprints[0].value, dtls.fingerprints[0].value)
      << "one certificate per node";
}

TEST_F(WebRtcTransportTest, ARefusedCreateThrowsTheDataplaneReason) {
  fake_.refuse_create_ = true;
  try {
    node_->create_webrtc_transport(7);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no free transport slot"), std::string::npos) << e.what();
  }
  EXPECT_EQ(node_->transport(7), nullptr);
}

TEST_F(WebRtcTransportTest, RoleFollowsTheRemoteAsMediasoup) {
  struct Case {
    DtlsRole remote;
    DtlsRole ours;
  };
  for (Case c :
       {Case{DtlsRole::kClient, DtlsRole::kServer}, Case{DtlsRole::kServer, DtlsRole::kClient},
        Case{DtlsRole::kAuto, DtlsRole::kClient}}) {
    WebRtcTransport& t = node_->create_webrtc_transport();
    t.connect(c.remote, browser_fingerprint());
    EXPECT_EQ(t.dtls_role(), c.ours) << dtls_role_name(c.remote);
    EXPECT_THROW(t.connect(c.remote, browser_fingerprint()), std::invalid_argument);
  }
}

TEST_F(WebRtcTransportTest, AsClientStartsWhenTheTupleIsSelected) {
  WebRtcTransport& t = node_->create_webrtc_transport();
  t.connect(DtlsRole::kServer, browser_fingerprint());
  // No ICE yet: no ClientHello.
  EXPECT_FALSE(pump(
      nullptr, [&] { return fake_.count(fb::Body::SendDtls) > 0; }, milliseconds(100)));
  EXPECT_EQ(t.dtls_state(), DtlsState::kNew);
  fake_.emit_tuple(t.id());
  auto peer = browser(t, t.id(), DtlsRole::kServer);
  peer->start(std::chrono::steady_clock::now());
  ASSERT_TRUE(pump(peer.get(), [&] {
    return t.dtls_state() == DtlsState::kConnected && peer->state() == DtlsState::kConnected;
  }));
  EXPECT_EQ(t.ice_state(), IceState::kCompleted);
  ASSERT_TRUE(t.selected_tuple());
  EXPECT_EQ(t.selected_tuple()->remote.port, 5000);
}

TEST_F(WebRtcTransportTest, InstallsTheRemoteKeysInboundAndTheLocalKeysOutbound) {
  WebRtcTransport& t = node_->create_webrtc_transport();
  std::vector<std::string> states;
  t.set_state_callback([&](WebRtcTransport& x) {
    states.push_back(std::string(ice_state_name(x.ice_state())) + "/" +
                     std::string(dtls_state_name(x.dtls_state())));
  });
  auto peer = browser(t, t.id());
  // The browser's ClientHello may arrive before the answer's connect(): kept for the session.
  fake_.emit_tuple(t.id());
  peer->start(std::chrono::steady_clock::now());
  ASSERT_TRUE(pump(peer.get(), [&] { return t.ice_state() == IceState::kConnected; }));
  t.connect(DtlsRole::kClient, browser_fingerprint());
  ASSERT_TRUE(pump(peer.get(), [&] {
    return t.dtls_state() == DtlsState::kConnected && peer->state() == DtlsState::kConnected;
  }));
  EXPECT_EQ(states, (std::vector<std::string>{"connected/new", "connected/connecting",
                                              "connected/connected", "completed/connected"}));
  const SrtpKeyingMaterial& b = *peer->srtp_keys();
  std::vector<KeysRequest> keys = fake_.keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(fake_.count(fb::Body::Batch), 1u) << "both directions in one all-or-nothing batch";
  EXPECT_EQ(keys[0].direction, fb::Direction::Inbound);
  EXPECT_EQ(keys[0].key, b.local_key) << "we unprotect what the browser protects";
  EXPECT_EQ(keys[0].salt, b.local_salt);
  EXPECT_EQ(keys[1].direction, fb::Direction::Outbound);
  EXPECT_EQ(keys[1].key, b.remote_key);
  EXPECT_EQ(keys[1].salt, b.remote_salt);
  for (const KeysRequest& k : keys) {
    EXPECT_EQ(k.transport, t.id());
    EXPECT_EQ(k.profile, static_cast<uint16_t>(b.profile));
  }
  EXPECT_EQ(t.srtp_profile(), b.profile);

  fake_.emit_consent_expired(t.id());
  ASSERT_TRUE(pump(peer.get(), [&] { return t.ice_state() == IceState::kDisconnected; }));
  EXPECT_FALSE(t.selected_tuple());
  fake_.emit_tuple(t.id());
  ASSERT_TRUE(pump(peer.get(), [&] { return t.ice_state() == IceState::kCompleted; }));

  const uint32_t id = t.id();
  ASSERT_TRUE(node_->close_transport(id).ok());
  EXPECT_EQ(node_->transport(id), nullptr);
  ASSERT_TRUE(pump(peer.get(), [&] {
    return peer->state() == DtlsState::kClosed && fake_.count(fb::Body::DeleteTransport) == 1;
  })) << "close_notify, then DeleteTransport";
  EXPECT_EQ(fake_.locked<uint32_t>([&] { return fake_.deleted_.at(0); }), id);
}

TEST_F(WebRtcTransportTest, AFingerprintMismatchFailsWithoutKeys) {
  WebRtcTransport& t = node_->create_webrtc_transport();
  Certificate other = Certificate::generate();
  t.connect(DtlsRole::kClient, {HashAlgorithm::kSha256, other.fingerprint()});
  fake_.emit_tuple(t.id());
  auto peer = browser(t, t.id());
  peer->start(std::chrono::steady_clock::now());
  ASSERT_TRUE(pump(peer.get(), [&] { return t.dtls_state() == DtlsState::kFailed; }));
  EXPECT_NE(t.failure_reason().find("fingerprint mismatch"), std::string::npos)
      << t.failure_reason();
  EXPECT_FALSE(t.srtp_profile());
  EXPECT_EQ(fake_.count(fb::Body::SetSrtpKeys), 0u);
  // Our close_notify ends the browser's session.
  ASSERT_TRUE(pump(peer.get(), [&] { return peer->state() == DtlsState::kClosed; }));
  EXPECT_EQ(t.dtls_state(), DtlsState::kFailed) << "closing keeps the failure";
}

TEST_F(WebRtcTransportTest, AHandshakeThatNeverCompletesTimesOut) {
  WebRtcTransportOptions options;
  options.dtls.handshake_timeout = milliseconds(300);
  WebRtcTransport& t = node_->create_webrtc_transport(0, options);
  t.connect(DtlsRole::kServer, browser_fingerprint());  // we are the client: we retransmit
  fake_.emit_tuple(t.id());
  ASSERT_TRUE(pump(nullptr, [&] { return t.dtls_state() == DtlsState::kFailed; }));
  EXPECT_NE(t.failure_reason().find("timeout"), std::string::npos) << t.failure_reason();
  EXPECT_GE(fake_.count(fb::Body::SendDtls), 2u) << "the ClientHello is retransmitted";
  EXPECT_EQ(fake_.count(fb::Body::SetSrtpKeys), 0u);
}

TEST_F(WebRtcTransportTest, EventsForOtherTransportsAreCountedAndIgnored) {
  fake_.emit_tuple(999);
  ASSERT_TRUE(pump(nullptr, [&] { return node_->events_for_unknown_transports() == 1; }));
}

}  // namespace
}  // namespace fanout::cp

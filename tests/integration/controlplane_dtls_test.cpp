// The control plane's transport core against the real fanout-dataplane process on a net_tap port
// inside a network namespace (see run_in_netns.sh): a Node in this process drives WebRtcTransports
// over the IPC socket, and two "browsers" (kernel UDP sockets, each with its own certificate and
// an independent DtlsSession in the client role) do an ICE check and a DTLS handshake through the
// data plane. The SRTP keys the transports install are proven by media: browser A's SRTP, under
// the keys A exported, reaches browser B re-encrypted under the keys B exported (libsrtp both
// ends). A browser whose fingerprint does not match what was signaled gets no keys installed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controlplane/core/node.hpp"
#include "dataplane/ice/stun.hpp"
#include "tests/common/packets.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/integration/browser.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::cp::test {
namespace {

namespace fb = fanout::ipc;
using dp::test::rtp_packet;
using dp::test::SrtpPeer;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

const char* kIface = "fo-cp0";

std::vector<uint8_t> concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out(a);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

class ControlplaneDtls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srtp_init();
    fanout::test::DataplaneProcess::Options options;
    options.iface = kIface;
    options.kernel_address = std::string(kBrowserAddress) + "/24";
    options.file_prefix = "fanout-cp-it";
    ASSERT_EQ(process_.start(options), "");
    socket_ = process_.socket_path();
    Node::Options node_options;
    node_options.link.socket_path = socket_;
    node_options.link.client_name = "controlplane_dtls_test";
    node_ = new Node(node_options);
  }

  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
    process_.stop();
  }

  // Runs the node and the browsers until `done` or the deadline; true if done.
  bool pump(const std::vector<Browser*>& browsers, const std::function<bool()>& done,
            milliseconds limit = milliseconds(5000)) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      Status s = node_->run_once(milliseconds(1));
      EXPECT_TRUE(s.ok()) << s.error();
      for (Browser* b : browsers) b->poll_once();
      if (done()) return true;
    }
    return false;
  }

  fb::TransportInfoT transport_info(uint32_t id) {
    auto r = node_->link().client().request(
        [](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateListTransports(fbb); },
        milliseconds(2000));
    EXPECT_TRUE(r.ok()) << r.detail;
    fb::TransportInfoT out;
    const fb::TransportList* list = r.ok() ? r.reply->body_as_TransportList() : nullptr;
    if (list == nullptr || list->transports() == nullptr) return out;
    for (const fb::TransportInfo* t : *list->transports()) {
      if (t->id() == id) t->UnPackTo(&out);
    }
    return out;
  }

  uint64_t drop_count(const std::string& reason) {
    auto r = node_->link().client().request(
        [](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateGetCounters(fbb, uint32_t{0}); },
        milliseconds(2000));
    EXPECT_TRUE(r.ok()) << r.detail;
    const fb::Counters* c = r.ok() ? r.reply->body_as_Counters() : nullptr;
    if (c == nullptr || c->drops() == nullptr) return 0;
    for (const fb::DropCount* d : *c->drops()) {
      if (d->reason()->str() == reason) return d->count();
    }
    ADD_FAILURE() << "no drop reason " << reason;
    return 0;
  }

  static DataplaneStream stream(uint32_t ssrc, uint8_t pt) {
    DataplaneStream s;
    s.ssrc = ssrc;
    s.payload_type = pt;
    s.clock_rate = 90000;
    return s;
  }

  static inline fanout::test::DataplaneProcess process_;
  static inline std::string socket_;
  static inline Node* node_ = nullptr;
};

TEST_F(ControlplaneDtls, HandshakesThroughTheDataplaneAndInstallsTheExportedKeys) {
  WebRtcTransportOptions opts_a, opts_b;
  opts_a.worker = 0;
  opts_b.worker = 1;
  WebRtcTransport& ta = node_->create_webrtc_transport(0, opts_a);
  WebRtcTransport& tb = node_->create_webrtc_transport(0, opts_b);
  ASSERT_EQ(ta.ice_candidates().size(), 1u);
  EXPECT_EQ(ta.ice_candidates()[0].address, "198.18.0.2");
  EXPECT_NE(ta.ice_parameters().username_fragment, tb.ice_parameters().username_fragment);
  std::vector<std::string> states_a;
  ta.set_state_callback([&](WebRtcTransport& t) {
    states_a.push_back(std::string(ice_state_name(t.ice_state())) + "/" +
                       std::string(dtls_state_name(t.dtls_state())));
  });

  Browser a("browserA"), b("browserB");
  a.target(ta.ice_candidates()[0]);
  b.target(tb.ice_candidates()[0]);
  ASSERT_TRUE(a.ice_check(ta.ice_parameters()));
  ASSERT_TRUE(b.ice_check(tb.ice_parameters()));
  // The browsers answer our role "auto" with "client": we are the DTLS server.
  ta.connect(DtlsRole::kClient, a.fingerprint());
  tb.connect(DtlsRole::kClient, b.fingerprint());
  EXPECT_EQ(ta.dtls_role(), DtlsRole::kServer);
  ASSERT_TRUE(pump({&a, &b}, [&] {
    return ta.ice_state() != IceState::kNew && tb.ice_state() != IceState::kNew;
  })) << "no IceSelectedTupleChanged";
  a.start_dtls(ta.dtls_parameters().fingerprints[0]);
  b.start_dtls(tb.dtls_parameters().fingerprints[0]);
  auto started = Clock::now();
  std::optional<Clock::time_point> a_done;
  ASSERT_TRUE(pump({&a, &b},
                   [&] {
                     if (!a_done && ta.dtls_state() == DtlsState::kConnected &&
                         a.dtls()->state() == DtlsState::kConnected) {
                       a_done = Clock::now();
                     }
                     return ta.dtls_state() == DtlsState::kConnected &&
                            tb.dtls_state() == DtlsState::kConnected &&
                            a.dtls()->state() == DtlsState::kConnected &&
                            b.dtls()->state() == DtlsState::kConnected;
                   }))
      << "transport A: " << dtls_state_name(ta.dtls_state()) << " " << ta.failure_reason()
      << "; transport B: " << dtls_state_name(tb.dtls_state()) << " " << tb.failure_reason();
  auto both = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  std::printf(
      "[ figure ] DTLS handshake through the data plane (%s): A %.2f ms, A and B "
      "together %.2f ms\n",
      std::string(srtp_profile_name(a.keys() ? a.keys()->profile : SrtpProfile{})).c_str(),
      std::chrono::duration<double, std::milli>(*a_done - started).count(), both.count() / 1000.0);
  EXPECT_EQ(ta.ice_state(), IceState::kCompleted);
  EXPECT_EQ(states_a.back(), "completed/connected");
  ASSERT_TRUE(a.keys() && b.keys());
  const auto profile = a.keys()->profile;
  EXPECT_EQ(ta.srtp_profile(), profile);
  EXPECT_EQ(tb.srtp_profile(), b.keys()->profile);
  fb::TransportInfoT info_a = transport_info(ta.id());
  EXPECT_EQ(info_a.srtp_inbound_profile, static_cast<uint16_t>(profile));
  EXPECT_EQ(info_a.srtp_outbound_profile, static_cast<uint16_t>(profile));
  ASSERT_TRUE(info_a.selected_tuple && info_a.selected_tuple->remote);
  EXPECT_EQ(info_a.selected_tuple->remote->port, a.port());

  // The proof that the installed keys are the exported ones: media end to end under libsrtp.
  DataplaneProducer producer;
  producer.kind = MediaKind::kVideo;
  producer.streams = {stream(1111, 96)};
  Status s = node_->link().create_producer(301, ta.id(), producer);
  ASSERT_TRUE(s.ok()) << s.error();
  DataplaneConsumer consumer;
  consumer.ssrc = 2222;
  consumer.payload_types = {{96, 100}};
  s = node_->link().create_consumer(401, 301, tb.id(), consumer);
  ASSERT_TRUE(s.ok()) << s.error();
  std::this_thread::sleep_for(milliseconds(50));  // commands reach the workers
  SrtpPeer a_out(static_cast<uint16_t>(profile), concat(a.keys()->local_key, a.keys()->local_salt),
                 false);
  SrtpPeer b_in(static_cast<uint16_t>(b.keys()->profile),
                concat(b.keys()->remote_key, b.keys()->remote_salt), true);
  const int kPackets = 20;
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < kPackets; ++i) {
    sent.push_back(rtp_packet(static_cast<uint16_t>(500 + i), 3000u * i, 1111, 96, 400));
    auto p = a_out.protect(sent.back());
    a.send(p);
  }
  int got = 0;
  for (int i = 0; i < kPackets; ++i) {
    auto p = b.recv(milliseconds(500));
    if (p.empty()) break;
    ASSERT_TRUE(b_in.unprotect(p)) << "packet " << i << " does not decrypt with B's remote key";
    EXPECT_EQ(dp::test::be32(&p[8]), 2222u);
    EXPECT_EQ(p[1] & 0x7f, 100);
    ASSERT_EQ(p.size(), sent[static_cast<size_t>(i)].size());
    EXPECT_TRUE(std::equal(p.begin() + 12, p.end(), sent[static_cast<size_t>(i)].begin() + 12))
        << "payload of packet " << i;
    ++got;
  }
  EXPECT_EQ(got, kPackets);

  const uint32_t id_a = ta.id(), id_b = tb.id();
  ASSERT_TRUE(node_->close_transport(id_a).ok());
  ASSERT_TRUE(node_->close_transport(id_b).ok());
  // close_notify reached the browser before the transport went away.
  EXPECT_TRUE(pump(
      {&a, &b},
      [&] {
        return a.dtls()->state() == DtlsState::kClosed && b.dtls()->state() == DtlsState::kClosed &&
               node_->closing_count() == 0;
      },
      milliseconds(1000)))
      << "browser A " << dtls_state_name(a.dtls()->state()) << ", browser B "
      << dtls_state_name(b.dtls()->state());
  EXPECT_FALSE(transport_info(id_a).id) << "DeleteTransport did not reach the data plane";
}

TEST_F(ControlplaneDtls, WrongFingerprintFailsTheTransportAndInstallsNoKeys) {
  WebRtcTransport& tc = node_->create_webrtc_transport();
  WebRtcTransport& td = node_->create_webrtc_transport();  // a keyed consumer side
  Browser c("browserC"), d("browserD"), impostor_identity("unused");
  c.target(tc.ice_candidates()[0]);
  d.target(td.ice_candidates()[0]);
  ASSERT_TRUE(c.ice_check(tc.ice_parameters()));
  ASSERT_TRUE(d.ice_check(td.ice_parameters()));
  // What was signaled for C is another certificate's fingerprint.
  tc.connect(DtlsRole::kClient, impostor_identity.fingerprint());
  td.connect(DtlsRole::kClient, d.fingerprint());
  c.start_dtls(tc.dtls_parameters().fingerprints[0]);
  d.start_dtls(td.dtls_parameters().fingerprints[0]);
  ASSERT_TRUE(pump({&c, &d},
                   [&] {
                     return tc.dtls_state() == DtlsState::kFailed &&
                            td.dtls_state() == DtlsState::kConnected &&
                            d.dtls()->state() == DtlsState::kConnected;
                   }))
      << "transport C: " << dtls_state_name(tc.dtls_state());
  EXPECT_NE(tc.failure_reason().find("fingerprint"), std::string::npos) << tc.failure_reason();
  EXPECT_FALSE(tc.srtp_profile());
  fb::TransportInfoT info = transport_info(tc.id());
  EXPECT_EQ(info.id, tc.id());
  EXPECT_EQ(info.srtp_inbound_profile, 0);
  EXPECT_EQ(info.srtp_outbound_profile, 0);
  // The browser finished its side (our last flight goes out before we judge its certificate),
  // then got our close_notify.
  pump(
      {&c}, [&] { return c.dtls()->state() == DtlsState::kClosed; }, milliseconds(1000));
  EXPECT_EQ(c.dtls()->state(), DtlsState::kClosed);

  // Whatever C protects its media with, the data plane has no key to open it.
  DataplaneProducer producer;
  producer.kind = MediaKind::kVideo;
  producer.streams = {stream(3333, 96)};
  ASSERT_TRUE(node_->link().create_producer(302, tc.id(), producer).ok());
  DataplaneConsumer consumer;
  consumer.ssrc = 4444;
  consumer.payload_types = {{96, 96}};
  ASSERT_TRUE(node_->link().create_consumer(402, 302, td.id(), consumer).ok());
  std::this_thread::sleep_for(milliseconds(50));
  const uint64_t no_keys = drop_count("srtp_no_keys");
  std::vector<uint8_t> key_salt =
      c.keys() ? concat(c.keys()->local_key, c.keys()->local_salt) : std::vector<uint8_t>(30, 0x5a);
  SrtpPeer c_out(c.keys() ? static_cast<uint16_t>(c.keys()->profile) : 1, key_salt, false);
  const int kPackets = 10;
  for (int i = 0; i < kPackets; ++i) {
    c.send(c_out.protect(rtp_packet(static_cast<uint16_t>(i), 3000u * i, 3333, 96, 200)));
  }
  EXPECT_TRUE(d.recv(milliseconds(300)).empty()) << "media from an unauthenticated browser";
  EXPECT_EQ(drop_count("srtp_no_keys"), no_keys + kPackets);
  EXPECT_TRUE(node_->close_transport(tc.id()).ok());
  EXPECT_TRUE(node_->close_transport(td.id()).ok());
}

}  // namespace
}  // namespace fanout::cp::test

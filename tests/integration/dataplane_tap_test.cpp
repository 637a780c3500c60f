// The real fanout-dataplane process on a net_tap port inside a network namespace (see
// run_in_netns.sh), driven over its IPC socket and reached through kernel UDP sockets, as a
// browser would: ICE checks, SRTP fan-out to two consumers on two workers, bad input counted,
// clean shutdown.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "dataplane/ice/stun.hpp"
#include "dataplane/ipc/client.hpp"
#include "tests/common/packets.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::dp::test {
namespace {

namespace fb = fanout::ipc;
using std::chrono::milliseconds;

const std::string kPwd = "0123456789abcdefghijklmn";
const char* kIface = "fo-it0";

class UdpPeer {
 public:
  UdpPeer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "198.18.0.1", &a.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    timeval tv{0, 300000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~UdpPeer() { ::close(fd_); }
  void send(const std::vector<uint8_t>& data, uint16_t port = 40000) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "198.18.0.2", &to.sin_addr);
    ASSERT_EQ(
        sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
        static_cast<ssize_t>(data.size()));
  }
  // Receives one datagram, or an empty vector after the timeout.
  std::vector<uint8_t> recv() {
    std::vector<uint8_t> buf(2048);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class DataplaneProcess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srtp_init();
    fanout::test::DataplaneProcess::Options options;
    options.iface = kIface;
    std::string error = process_.start(options);
    ASSERT_EQ(error, "");
    socket_ = process_.socket_path();
    client_ = new ipc::IpcClient();
    ASSERT_EQ(client_->connect(socket_, milliseconds(2000)), "");
    ASSERT_TRUE(client_->hello("dataplane_tap_test", 7, milliseconds(2000)).ok());
  }

  static void TearDownTestSuite() {
    delete client_;
    client_ = nullptr;
    EXPECT_EQ(process_.stop(), 0) << "fanout-dataplane did not exit 0 within 10 s of SIGTERM";
    EXPECT_EQ(if_nametoindex(kIface), 0u) << "the tap interface outlived the data plane";
  }

  ipc::ClientResult call(
      const std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&, fb::Body*)>&
          build) {
    auto& fbb = client_->builder();
    fbb.Clear();
    fb::Body type;
    auto body = build(fbb, &type);
    return client_->request_body(type, body, milliseconds(2000));
  }

  void expect_ok(const ipc::ClientResult& r) {
    ASSERT_TRUE(r.ok()) << r.detail;
    if (const fb::Error* e = r.reply.error()) FAIL() << e->reason()->str();
  }

  void create_transport(uint32_t id, uint16_t worker, const std::string& ufrag) {
    expect_ok(call([&](auto& fbb, fb::Body* t) {
      *t = fb::Body::CreateTransport;
      return fb::CreateCreateTransportDirect(fbb, id, worker, 0, 0, ufrag.c_str(), kPwd.c_str())
          .Union();
    }));
  }

  void set_keys(uint32_t id, bool inbound, const std::vector<uint8_t>& ks) {
    expect_ok(call([&](auto& fbb, fb::Body* t) {
      *t = fb::Body::SetSrtpKeys;
      std::vector<uint8_t> key(ks.begin(), ks.begin() + 16), salt(ks.begin() + 16, ks.end());
      return fb::CreateSetSrtpKeysDirect(fbb, id,
                                         inbound ? fb::Direction::Inbound : fb::Direction::Outbound,
                                         1, &key, &salt)
          .Union();
    }));
  }

  // A connectivity check from `peer`; true when a valid binding success came back.
  bool ice_check(UdpPeer& peer, const std::string& ufrag, const std::string& pwd = kPwd) {
    peer.send(stun_request(ufrag + ":peer", pwd, true, static_cast<uint8_t>(peer.port())));
    auto r = peer.recv();
    if (r.empty()) return false;
    ice::StunMessage msg;
    if (ice::parse_stun(r.data(), r.size(), msg) != ice::StunStatus::kOk) return false;
    HmacSha1Key key(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size());
    net::IpAddr mapped;
    uint16_t port = 0;
    return msg.type == ice::kBindingSuccess && ice::verify_message_integrity(msg, key) &&
           ice::xor_mapped_address(msg, mapped, port) && port == peer.port();
  }

  uint64_t drop_count(const std::string& reason) {
    auto r = call([](auto& fbb, fb::Body* t) {
      *t = fb::Body::GetCounters;
      return fb::CreateGetCounters(fbb, uint32_t{0}).Union();
    });
    EXPECT_TRUE(r.ok());
    const fb::Counters* c = r.reply->body_as_Counters();
    if (!c || !c->drops()) return 0;
    for (const fb::DropCount* d : *c->drops()) {
      if (d->reason()->str() == reason) return d->count();
    }
    ADD_FAILURE() << "no drop reason " << reason;
    return 0;
  }

  static inline fanout::test::DataplaneProcess process_;
  static inline std::string socket_;
  static inline ipc::IpcClient* client_ = nullptr;
};

std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

TEST_F(DataplaneProcess, FanoutctlListsTransportsWithTheirSelectedTuple) {
  create_transport(51, 1, "itF5");
  UdpPeer peer;
  ASSERT_TRUE(ice_check(peer, "itF5"));
  std::this_thread::sleep_for(milliseconds(50));
  const char* ctl = getenv("FANOUT_CTL_BIN");
  ASSERT_NE(ctl, nullptr);
  std::string out = run(std::string(ctl) + " --socket " + socket_ + " transports 2>&1");
  EXPECT_NE(out.find("51"), std::string::npos) << out;
  EXPECT_NE(out.find("itF5"), std::string::npos) << out;
  EXPECT_NE(out.find("198.18.0.1:" + std::to_string(peer.port())), std::string::npos) << out;
  EXPECT_EQ(out.find(kPwd), std::string::npos) << "the ICE password must not be listed";
  std::string json = run(std::string(ctl) + " --json --socket " + socket_ + " counters 2>&1");
  EXPECT_NE(json.find("stun_bad_integrity"), std::string::npos) << json;
  expect_ok(call([](auto& fbb, fb::Body* t) {
    *t = fb::Body::DeleteTransport;
    return fb::CreateDeleteTransport(fbb, 51).Union();
  }));
}

TEST_F(DataplaneProcess, ExportsCountersThroughDpdkTelemetry) {
  std::string path = "/var/run/dpdk/fanout-it-" + std::to_string(getpid()) + "/dpdk_telemetry.v2";
  int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", path.c_str());
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0)
      << path << ": " << strerror(errno);
  char buf[16384];
  ASSERT_GT(read(fd, buf, sizeof(buf)), 0);  // the greeting
  const char* cmd = "/fanout/counters";
  ASSERT_GT(write(fd, cmd, strlen(cmd)), 0);
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  ASSERT_GT(n, 0);
  buf[n] = 0;
  std::string reply(buf);
  EXPECT_NE(reply.find("\"/fanout/counters\""), std::string::npos) << reply;
  EXPECT_NE(reply.find("port0_rx_packets"), std::string::npos) << reply;
  EXPECT_NE(reply.find("drop_srtp_auth_fail"), std::string::npos) << reply;
  ::close(fd);
}

TEST_F(DataplaneProcess, AnswersArpAndPing) {
  EXPECT_EQ(system("ping -c 2 -i 0.2 -W 2 198.18.0.2 > /dev/null"), 0);
}

TEST_F(DataplaneProcess, AnswersIceChecksAndReportsTheSelectedTuple) {
  create_transport(1, 0, "itA1");
  UdpPeer peer;
  EXPECT_TRUE(ice_check(peer, "itA1"));
  EXPECT_FALSE(ice_check(peer, "itA1", "wrong-password-xxxxxxxxx"));
  bool event = false;
  for (int i = 0; i < 20 && !event; ++i) {
    auto ev = client_->next_event(milliseconds(100));
    // Events of transports made by earlier tests may be queued before ours.
    if (ev.ok() && ev.reply->body_type() == fb::Body::IceSelectedTupleChanged &&
        ev.reply->body_as_IceSelectedTupleChanged()->transport() == 1) {
      auto* e = ev.reply->body_as_IceSelectedTupleChanged();
      EXPECT_EQ(e->tuple()->remote()->port(), peer.port());
      EXPECT_EQ(e->tuple()->remote()->address()->str(), "198.18.0.1");
      event = true;
    }
  }
  EXPECT_TRUE(event) << "no IceSelectedTupleChanged event";
  EXPECT_GE(drop_count("stun_bad_integrity"), 1u);
  expect_ok(call([](auto& fbb, fb::Body* t) {
    *t = fb::Body::DeleteTransport;
    return fb::CreateDeleteTransport(fbb, 1).Union();
  }));
}

TEST_F(DataplaneProcess, ForwardsSrtpToConsumersOnTwoWorkers) {
  create_transport(11, 0, "itP1");
  create_transport(12, 1, "itC2");
  create_transport(13, 0, "itC3");
  UdpPeer a, b, c;
  ASSERT_TRUE(ice_check(a, "itP1"));
  ASSERT_TRUE(ice_check(b, "itC2"));
  ASSERT_TRUE(ice_check(c, "itC3"));
  std::vector<uint8_t> ka(30, 0x11), kb(30, 0x22), kc(30, 0x33);
  set_keys(11, true, ka);
  set_keys(12, false, kb);
  set_keys(13, false, kc);
  expect_ok(call([](auto& fbb, fb::Body* t) {
    *t = fb::Body::CreateProducer;
    std::vector<flatbuffers::Offset<fb::ProducerStream>> s = {
        fb::CreateProducerStream(fbb, 5555, 0, 96, 0, 90000)};
    return fb::CreateCreateProducerDirect(fbb, 21, 11, fb::MediaKind::Video, false, &s).Union();
  }));
  for (auto [id, tr, ssrc] : {std::tuple{31u, 12u, 6666u}, std::tuple{32u, 13u, 7777u}}) {
    expect_ok(call([&](auto& fbb, fb::Body* t) {
      *t = fb::Body::CreateConsumer;
      std::vector<fb::PayloadTypeMap> pts;
      auto m = fb::CreatePayloadTypeMap(fbb, 96, 100);
      std::vector<flatbuffers::Offset<fb::PayloadTypeMap>> v = {m};
      return fb::CreateCreateConsumerDirect(fbb, id, 21, tr, false, ssrc, 0, &v, 90000).Union();
    }));
  }
  std::this_thread::sleep_for(milliseconds(50));  // commands reach the workers
  SrtpPeer browser_a(1, ka, false), browser_b(1, kb, true), browser_c(1, kc, true);
  const int kPackets = 50;
  for (int i = 0; i < kPackets; ++i) {
    a.send(browser_a.protect(rtp_packet(static_cast<uint16_t>(100 + i), 90 * i, 5555, 96, 900)));
  }
  for (auto [peer, ep, ssrc] :
       {std::tuple{&b, &browser_b, 6666u}, std::tuple{&c, &browser_c, 7777u}}) {
    int got = 0;
    uint16_t first = 0;
    for (int i = 0; i < kPackets; ++i) {
      auto p = peer->recv();
      if (p.empty()) break;
      ASSERT_TRUE(ep->unprotect(p)) << "packet " << i << " does not decrypt";
      uint16_t seq = static_cast<uint16_t>(p[2] << 8 | p[3]);
      if (got == 0) first = seq;
      EXPECT_EQ(seq, static_cast<uint16_t>(first + got));
      EXPECT_EQ(p[1] & 0x7f, 100);
      EXPECT_EQ(uint32_t{p[8]} << 24 | uint32_t{p[9]} << 16 | uint32_t{p[10]} << 8 | p[11], ssrc);
      ++got;
    }
    EXPECT_EQ(got, kPackets) << "consumer with ssrc " << ssrc;
  }
}

TEST_F(DataplaneProcess, CountsGarbageAndKeepsAnswering) {
  create_transport(41, 1, "itG4");
  UdpPeer peer, stranger;
  uint64_t demux = drop_count("demux_unknown"), unknown = drop_count("unknown_source");
  peer.send({0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8});
  stranger.send(rtp_packet(1, 1, 99, 96, 100));
  EXPECT_TRUE(ice_check(peer, "itG4"));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(drop_count("demux_unknown"), demux + 1);
  EXPECT_EQ(drop_count("unknown_source"), unknown + 1);
  // Garbage on the IPC socket gets an error reply and the connection stays usable.
  std::vector<uint8_t> junk = {4, 0, 0, 0, 1, 2, 3, 4};
  ASSERT_TRUE(client_->send_raw(junk).ok());
  auto r = client_->receive(milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.detail;
  ASSERT_NE(r.reply.error(), nullptr);
  EXPECT_EQ(drop_count("demux_unknown"), demux + 1);
}

}  // namespace
}  // namespace fanout::dp::test

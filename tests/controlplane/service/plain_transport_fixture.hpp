// The fixture of the PlainTransport integration tests (plain_transport_test.cpp, scores_test.cpp):
// the real fanout-dataplane on a net_tap port inside the test's network namespace
// (run_in_netns.sh), a Node and a Service on it, kernel UDP sockets on the tap's kernel side as
// the other ends, and the requests as signaling sends them. Included by one test file each.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "controlplane/core/plain_transport.hpp"
#include "controlplane/service/service.hpp"
#include "tests/common/packets.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/controlplane/rtp/fixtures.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::cp::test {
namespace {

namespace api = fanout::cpapi;
namespace json = boost::json;
using dp::test::SrtpPeer;
using flatbuffers::FlatBufferBuilder;
using std::chrono::milliseconds;

const char* kIface = "fo-plain0";
const char* kKernelAddress = "198.18.0.1";
const char* kDataplaneAddress = "198.18.0.2";

// A plain RTP sender as ffmpeg or GStreamer is (no mid, one SSRC).
constexpr const char* kOpusSender = R"({
  "codecs": [{"mimeType": "audio/opus", "payloadType": 100, "clockRate": 48000, "channels": 2,
              "parameters": {}}],
  "headerExtensions": [],
  "encodings": [{"ssrc": 22222222}],
  "rtcp": {"cname": "encoder"}
})";
constexpr uint32_t kSenderSsrc = 22222222;
// Scores are read this often here (1 s in production) so that the score test is short.
constexpr milliseconds kScoreInterval{200};

// Keeps every event (the score test reads them back).
class EventsKept : public EventSink {
 public:
  void emit(std::span<const uint8_t> frame) override {
    events.emplace_back(frame.begin(), frame.end());
  }
  std::vector<std::vector<uint8_t>> events;
};

// A kernel UDP socket on the tap's kernel side: the other end of a plain transport.
class Peer {
 public:
  Peer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, kKernelAddress, &a.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Peer() { ::close(fd_); }
  uint16_t port() const { return port_; }
  void send_to(uint16_t port, const std::vector<uint8_t>& data) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, kDataplaneAddress, &to.sin_addr);
    ASSERT_EQ(
        sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)),
        static_cast<ssize_t>(data.size()))
        << strerror(errno);
  }
  // Everything that arrives within `window`.
  std::vector<std::vector<uint8_t>> drain(milliseconds window) {
    std::vector<std::vector<uint8_t>> out;
    auto end = std::chrono::steady_clock::now() + window;
    for (;;) {
      auto left = std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      std::vector<uint8_t> buf(2048);
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) continue;
      buf.resize(static_cast<size_t>(n));
      out.push_back(std::move(buf));
    }
    return out;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

struct Reply {
  std::vector<uint8_t> bytes;
  const api::Envelope* envelope() const { return api::GetSizePrefixedEnvelope(bytes.data()); }
  const api::Error* error() const { return envelope()->body_as_Error(); }
  std::string describe() const {
    const api::Error* e = error();
    return e ? std::string(api::EnumNameErrorCode(e->code())) + ": " + e->reason()->str()
             : std::string(api::EnumNameBody(envelope()->body_type()));
  }
};

class PlainTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srtp_init();
    fanout::test::DataplaneProcess::Options options;
    options.iface = kIface;
    options.kernel_address = std::string(kKernelAddress) + "/24";
    options.dataplane_address = kDataplaneAddress;
    options.file_prefix = "fanout-plain-it";
    ASSERT_EQ(process_.start(options), "");
    Node::Options node_options;
    node_options.link.socket_path = process_.socket_path();
    node_options.link.client_name = "controlplane_plain_transport_test";
    node_options.score_interval = kScoreInterval;
    node_ = new Node(node_options);
    service_ = new Service(*node_, ServiceOptions{}, sink_);
  }
  static void TearDownTestSuite() {
    delete service_;
    delete node_;
    process_.stop();
  }

  template <typename Build>
  Reply call(Build&& build) {
    FlatBufferBuilder fbb;
    return send(fbb, build(fbb));
  }
  template <typename T>
  Reply send(FlatBufferBuilder& fbb, flatbuffers::Offset<T> body) {
    api::FinishSizePrefixedEnvelopeBuffer(
        fbb, api::CreateEnvelope(fbb, ++next_id_, api::BodyTraits<T>::enum_value, body.Union()));
    Reply r{service_->handle(*api::GetSizePrefixedEnvelope(fbb.GetBufferPointer()))};
    flatbuffers::Verifier v(r.bytes.data(), r.bytes.size());
    EXPECT_TRUE(api::VerifySizePrefixedEnvelopeBuffer(v)) << "a reply that does not verify";
    return r;
  }

  Reply create_router(const std::string& id) {
    return call(
        [&](FlatBufferBuilder& fbb) { return api::CreateCreateRouter(fbb, fbb.CreateString(id)); });
  }
  Reply create_plain(const std::string& router, const std::string& id, bool comedia,
                     bool enable_srtp, const std::string& suite = "") {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateCreatePlainTransport(
          fbb, fbb.CreateString(router), fbb.CreateString(id), comedia, enable_srtp,
          suite.empty() ? 0 : fbb.CreateString(suite), fbb.CreateString(R"({"role":"recorder"})"));
    });
  }
  Reply connect(const std::string& id, const std::string& ip, uint16_t port,
                const std::string& suite = "", const std::string& key = "") {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateConnectPlainTransport(
          fbb, fbb.CreateString(id), ip.empty() ? 0 : fbb.CreateString(ip), port,
          suite.empty() ? 0 : fbb.CreateString(suite), key.empty() ? 0 : fbb.CreateString(key));
    });
  }
  Reply produce(const std::string& transport, const std::string& id, std::string_view params) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateProduce(fbb, fbb.CreateString(transport), fbb.CreateString(id),
                                api::MediaKind::Audio,
                                fbb.CreateString(params.data(), params.size()));
    });
  }
  Reply consume(const std::string& transport, const std::string& id, const std::string& producer) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateConsume(fbb, fbb.CreateString(transport), fbb.CreateString(id),
                                fbb.CreateString(producer),
                                fbb.CreateString(kChromeDeviceCapabilities), false);
    });
  }
  Reply close(api::Target target, const std::string& id) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateClose(fbb, target, fbb.CreateString(id));
    });
  }
  // The first entry of GetStats (a transport's only one, a producer's first stream).
  json::value stats(const std::string& id, api::Target target = api::Target::Transport) {
    Reply r = call([&](FlatBufferBuilder& fbb) {
      return api::CreateGetStats(fbb, target, fbb.CreateString(id));
    });
    const api::StatsReply* s = r.envelope()->body_as_StatsReply();
    EXPECT_NE(s, nullptr) << r.describe();
    return s ? json::parse(s->json()->str()).as_array().at(0) : json::value();
  }
  json::value dump_transport(const std::string& id) {
    Reply r = call([](FlatBufferBuilder& fbb) { return api::CreateDump(fbb); });
    const api::DumpReply* d = r.envelope()->body_as_DumpReply();
    if (d == nullptr) return {};
    const json::value all = json::parse(d->json()->str());
    for (const json::value& t : all.at("transports").as_array())
      if (t.at("id") == id.c_str()) return t;
    return {};
  }

  static void expect_error(const Reply& r, api::ErrorCode code, const std::string& in_reason) {
    ASSERT_NE(r.error(), nullptr) << "expected " << api::EnumNameErrorCode(code) << ", got "
                                  << r.describe();
    EXPECT_EQ(r.error()->code(), code) << r.describe();
    EXPECT_NE(r.error()->reason()->str().find(in_reason), std::string::npos)
        << "reason '" << r.error()->reason()->str() << "' does not mention '" << in_reason << "'";
  }

  static json::value created_tuple(const Reply& r) {
    const api::PlainTransportCreated* c = r.envelope()->body_as_PlainTransportCreated();
    EXPECT_NE(c, nullptr) << r.describe();
    return c ? json::parse(c->tuple_json()->str()) : json::value();
  }

  static uint16_t local_port(const json::value& tuple) {
    return static_cast<uint16_t>(tuple.at("localPort").to_number<int64_t>());
  }

  static void run_for(milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end)
      ASSERT_TRUE(node_->run_once(milliseconds(5)).ok());
  }

  static inline fanout::test::DataplaneProcess process_;
  static inline Node* node_ = nullptr;
  static inline EventsKept sink_;
  static inline Service* service_ = nullptr;
  uint64_t next_id_ = 5000;
};

}  // namespace
}  // namespace fanout::cp::test

// The fanout-controlplane binary as a child process next to the real fanout-dataplane (net_tap in
// the test's network namespace, run_in_netns.sh): Hello reports the data plane, requests go
// through the Service to the data plane and back, garbage on the API gets errors and the process
// survives, a control plane started without a data plane says what to do, and SIGTERM exits 0
// leaving the data plane's objects in place.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "controlplane/api/client.hpp"
#include "dataplane/ipc/client.hpp"
#include "tests/integration/controlplane_process.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::cp::api {
namespace {

namespace fb = fanout::cpapi;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kTimeout{5000};
constexpr const char* kTcp = "127.0.0.1:4170";

using fanout::test::ControlplaneProcess;

// Connects (the socket appears once the process listens) and says Hello.
ClientResult connect_hello(ApiClient& client, const std::string& target) {
  const auto deadline = Clock::now() + kTimeout;
  std::string error;
  while (Clock::now() < deadline) {
    error = client.connect(target, milliseconds(500));
    if (error.empty()) return client.hello("controlplane_process_test", kTimeout);
    std::this_thread::sleep_for(milliseconds(50));
  }
  ClientResult failed;
  failed.detail = error;
  return failed;
}

void expect_error(const ClientResult& result, fb::ErrorCode code) {
  ASSERT_TRUE(result.ok()) << result.detail;
  ASSERT_NE(result.reply.error(), nullptr)
      << "expected an Error, got " << fb::EnumNameBody(result.reply->body_type());
  EXPECT_EQ(result.reply.error()->code(), code)
      << fb::EnumNameErrorCode(result.reply.error()->code());
}

ClientResult create_router(ApiClient& client, const std::string& id) {
  return client.call(
      [&](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateCreateRouterDirect(fbb, id.c_str());
      },
      kTimeout);
}

class ControlplaneProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fanout::test::DataplaneProcess::Options options;
    options.iface = "fo-cpp0";
    options.file_prefix = "fanout-cpproc-it";
    ASSERT_EQ(dataplane_.start(options), "");
    api_socket_ = dataplane_.dir() + "/controlplane.sock";
    ASSERT_EQ(controlplane_.start(
                  dataplane_.dir() + "/controlplane.log",
                  {"controlplane.dataplane_socket=" + dataplane_.socket_path(),
                   "controlplane.api_socket=" + api_socket_,
                   std::string("controlplane.api_tcp=") + kTcp, "controlplane.log_level=debug",
                   "controlplane.state_file=" + dataplane_.dir() + "/controlplane.state"}),
              "");
    // Connected once Hello says so (the control plane retries every 200 ms).
    const auto deadline = Clock::now() + milliseconds(10000);
    while (Clock::now() < deadline) {
      ApiClient client;
      auto hello = connect_hello(client, api_socket_);
      if (hello.ok() && hello.reply->body_type() == fb::Body::HelloReply &&
          hello.reply->body_as_HelloReply()->dataplane_connected()) {
        return;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    FAIL() << "the control plane did not connect to the data plane; its log:\n"
           << controlplane_.log();
  }

  static void TearDownTestSuite() {
    controlplane_.stop();
    dataplane_.stop();
  }

  static inline fanout::test::DataplaneProcess dataplane_;
  static inline ControlplaneProcess controlplane_;
  static inline std::string api_socket_;
};

TEST_F(ControlplaneProcessTest, HelloSaysTheDataplaneIsConnected) {
  for (const std::string& target : {api_socket_, std::string(kTcp)}) {
    SCOPED_TRACE(target);
    ApiClient client;
    auto hello = connect_hello(client, target);
    ASSERT_TRUE(hello.ok()) << hello.detail;
    const auto* reply = hello.reply->body_as_HelloReply();
    ASSERT_NE(reply, nullptr);
    EXPECT_TRUE(reply->dataplane_connected());
    EXPECT_EQ(reply->server()->str(), "fanout-controlplane 0.1.0");
    EXPECT_EQ(reply->schema_major(), static_cast<uint16_t>(fb::SchemaMajor::Current));
  }
  struct stat st;
  ASSERT_EQ(::stat(api_socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(ControlplaneProcessTest, CreateRouterAndTransportRoundTrip) {
  ApiClient client;
  ASSERT_TRUE(connect_hello(client, kTcp).ok());
  auto router = create_router(client, "room-roundtrip");
  ASSERT_TRUE(router.ok()) << router.detail;
  ASSERT_EQ(router.reply->body_type(), fb::Body::RouterCreated)
      << (router.reply.error() ? router.reply.error()->reason()->str() : "");
  EXPECT_EQ(router.reply->id(), client.last_id());
  const auto* created = router.reply->body_as_RouterCreated();
  EXPECT_EQ(created->router_id()->str(), "room-roundtrip");
  EXPECT_NE(created->rtp_capabilities_json()->str().find("\"codecs\""), std::string::npos);
  // The same id again: the Service's error, through the server.
  expect_error(create_router(client, "room-roundtrip"), fb::ErrorCode::AlreadyExists);

  auto transport = client.call(
      [](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateCreateWebRtcTransportDirect(fbb, "room-roundtrip", "t-roundtrip");
      },
      kTimeout);
  ASSERT_TRUE(transport.ok()) << transport.detail;
  ASSERT_EQ(transport.reply->body_type(), fb::Body::WebRtcTransportCreated)
      << (transport.reply.error() ? transport.reply.error()->reason()->str() : "");
  const auto* t = transport.reply->body_as_WebRtcTransportCreated();
  EXPECT_NE(t->ice_parameters_json()->str().find("usernameFragment"), std::string::npos);
  // The data plane's address on the tap port is the candidate.
  EXPECT_NE(t->ice_candidates_json()->str().find(dataplane_.options().dataplane_address),
            std::string::npos)
      << t->ice_candidates_json()->str();
}

TEST_F(ControlplaneProcessTest, GarbageGetsErrorsAndTheProcessSurvives) {
  std::mt19937 rng(42);
  int errors = 0;
  for (int round = 0; round < 20; ++round) {
    ApiClient client;
    ASSERT_TRUE(connect_hello(client, round % 2 ? api_socket_ : std::string(kTcp)).ok());
    for (int i = 0; i < 10 && client.connected(); ++i) {
      std::vector<uint8_t> junk(1 + rng() % 300);
      for (auto& b : junk) b = static_cast<uint8_t>(rng());
      if (round % 2 == 0) {
        // TCP: a plausible prefix over random bytes, or random bytes whose "prefix" is huge.
        if (rng() % 2) {
          uint32_t len = static_cast<uint32_t>(junk.size() - std::min<size_t>(junk.size(), 4));
          std::memcpy(junk.data(), &len, std::min<size_t>(junk.size(), 4));
        }
      }
      if (!client.send_raw(junk).ok()) break;
      auto reply = client.receive(milliseconds(round % 2 ? 2000 : 200));
      if (reply.ok()) {
        ASSERT_NE(reply.reply.error(), nullptr);
        auto code = reply.reply.error()->code();
        EXPECT_TRUE(code == fb::ErrorCode::BadMessage || code == fb::ErrorCode::TooLarge)
            << fb::EnumNameErrorCode(code);
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 50);
  ASSERT_TRUE(controlplane_.alive()) << controlplane_.log();
  // Still serving, still connected to the data plane.
  ApiClient client;
  auto hello = connect_hello(client, api_socket_);
  ASSERT_TRUE(hello.ok()) << hello.detail;
  EXPECT_TRUE(hello.reply->body_as_HelloReply()->dataplane_connected());
  auto router = create_router(client, "room-after-garbage");
  ASSERT_TRUE(router.ok());
  EXPECT_EQ(router.reply->body_type(), fb::Body::RouterCreated);
}

TEST_F(ControlplaneProcessTest, WithoutADataplaneItServesNotReadyAndSaysWhatToDo) {
  ControlplaneProcess lonely;
  const std::string socket = dataplane_.dir() + "/lonely.sock";
  ASSERT_EQ(lonely.start(dataplane_.dir() + "/lonely.log",
                         {"controlplane.dataplane_socket=" + dataplane_.dir() + "/nothing.sock",
                          "controlplane.api_socket=" + socket,
                          "controlplane.state_file=" + dataplane_.dir() + "/lonely.state"}),
            "");
  ApiClient client;
  auto hello = connect_hello(client, socket);
  ASSERT_TRUE(hello.ok()) << hello.detail;
  EXPECT_FALSE(hello.reply->body_as_HelloReply()->dataplane_connected());
  expect_error(create_router(client, "r"), fb::ErrorCode::NotReady);
  EXPECT_NE(lonely.log().find("start fanout-dataplane first or set controlplane.dataplane_socket"),
            std::string::npos)
      << lonely.log();
  // A second control plane on a socket in use refuses to start and says so.
  ControlplaneProcess twin;
  ASSERT_EQ(twin.start(dataplane_.dir() + "/twin.log",
                       {"controlplane.dataplane_socket=" + dataplane_.dir() + "/nothing.sock",
                        "controlplane.api_socket=" + socket,
                        "controlplane.state_file=" + dataplane_.dir() + "/twin.state"}),
            "");
  for (int i = 0; i < 100 && twin.alive(); ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(twin.stop(), 1);
  EXPECT_NE(twin.log().find("another process is listening"), std::string::npos) << twin.log();
  EXPECT_EQ(lonely.stop(), 0);
  struct stat st;
  EXPECT_NE(::stat(socket.c_str(), &st), 0) << "the API socket file is removed at exit";
}

// Last (gtest runs a suite's tests in order): stops the shared control plane.
TEST_F(ControlplaneProcessTest, SigtermExitsCleanlyAndLeavesDataplaneObjects) {
  ApiClient client;
  ASSERT_TRUE(connect_hello(client, api_socket_).ok());
  ASSERT_TRUE(create_router(client, "room-kept").ok());
  auto transport = client.call(
      [](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateCreateWebRtcTransportDirect(fbb, "room-kept", "t-kept");
      },
      kTimeout);
  ASSERT_TRUE(transport.ok());
  ASSERT_EQ(transport.reply->body_type(), fb::Body::WebRtcTransportCreated);
  client.close();

  auto count_transports = [] {
    dp::ipc::IpcClient observer;
    if (!observer.connect(dataplane_.socket_path(), kTimeout).empty()) return -1;
    if (!observer.hello("controlplane_process_test", 0, kTimeout).ok()) return -1;
    auto list = observer.request(
        [](flatbuffers::FlatBufferBuilder& fbb) { return fanout::ipc::CreateListTransports(fbb); },
        kTimeout);
    if (!list.ok() || list.reply->body_type() != fanout::ipc::Body::TransportList) return -1;
    const auto* transports = list.reply->body_as_TransportList()->transports();
    return transports ? static_cast<int>(transports->size()) : 0;
  };
  const int before = count_transports();
  ASSERT_GE(before, 1);
  EXPECT_EQ(controlplane_.stop(), 0) << controlplane_.log();
  EXPECT_EQ(count_transports(), before);
  struct stat st;
  EXPECT_NE(::stat(api_socket_.c_str(), &st), 0);
  EXPECT_NE(controlplane_.log().find("stopping"), std::string::npos);
}

}  // namespace
}  // namespace fanout::cp::api

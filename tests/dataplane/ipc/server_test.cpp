#include "dataplane/ipc/server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "dataplane/ipc/client.hpp"
#include "tests/dataplane/ipc/test_server.hpp"

namespace fanout::dp::ipc {
namespace {

namespace fi = fanout::ipc;
using std::chrono::milliseconds;
constexpr milliseconds kTimeout{2000};

template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return false;
}

ClientResult send_hello(IpcClient& client, uint16_t major, uint64_t epoch = 0) {
  return client.request(
      [&](flatbuffers::FlatBufferBuilder& fbb) {
        return fi::CreateHello(fbb, major, 0, fbb.CreateString("test"), epoch);
      },
      kTimeout);
}

fi::ErrorCode error_code(const ClientResult& result) {
  return result.reply.error() == nullptr ? fi::ErrorCode::Unspecified
                                         : result.reply.error()->code();
}

TEST(IpcServer, ListensWithMode0660) {
  test::ServerThread st;
  ASSERT_EQ(st.listen_error(), "");
  struct stat s;
  ASSERT_EQ(::stat(st.path().c_str(), &s), 0);
  EXPECT_TRUE(S_ISSOCK(s.st_mode));
  EXPECT_EQ(s.st_mode & 0777, 0660u);
}

TEST(IpcServer, HandshakeReportsVersionEpochAndTopology) {
  test::ServerThread st;
  IpcClient first;
  ASSERT_EQ(first.connect(st.path(), kTimeout), "");
  auto result = first.hello("cp", 42, kTimeout);
  ASSERT_TRUE(result.ok()) << result.detail;
  const auto* reply = result.reply->body_as_HelloReply();
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->schema_major(), static_cast<uint16_t>(fi::SchemaMajor::Current));
  EXPECT_EQ(reply->schema_minor(), static_cast<uint16_t>(fi::SchemaMinor::Current));
  EXPECT_EQ(reply->epoch(), 0u);  // nobody connected before
  EXPECT_EQ(reply->server()->str(), "fanout-dataplane 0.1.0");
  ASSERT_EQ(reply->ports()->size(), 1u);
  EXPECT_EQ(reply->ports()->Get(0)->name()->str(), "net_tap0");
  ASSERT_TRUE(first.hello_reply());

  // A restarted control plane learns the previous epoch; an observer (epoch 0) changes nothing.
  IpcClient second;
  ASSERT_EQ(second.connect(st.path(), kTimeout), "");
  result = second.hello("cp-restarted", 43, kTimeout);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.reply->body_as_HelloReply()->epoch(), 42u);
  IpcClient observer;
  ASSERT_EQ(observer.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(observer.hello("fanoutctl", 0, kTimeout).ok());
  IpcClient third;
  ASSERT_EQ(third.connect(st.path(), kTimeout), "");
  result = third.hello("cp", 44, kTimeout);
  EXPECT_EQ(result.reply->body_as_HelloReply()->epoch(), 43u);
}

TEST(IpcServer, WrongMajorGetsVersionMismatchThenClose) {
  test::ServerThread st;
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  auto result = send_hello(client, 99);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(error_code(result), fi::ErrorCode::VersionMismatch);
  EXPECT_NE(result.reply.error()->reason()->str().find("99"), std::string::npos);
  auto next = client.receive(kTimeout);
  EXPECT_EQ(next.status, ClientStatus::kClosed);
}

TEST(IpcServer, RequestBeforeHelloIsRefused) {
  test::ServerThread st;
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  auto result = client.request([](auto& fbb) { return fi::CreateDump(fbb); }, kTimeout);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(error_code(result), fi::ErrorCode::NotReady);
  EXPECT_EQ(st.handler().requests, 0);
  // The connection is kept: Hello then works.
  EXPECT_TRUE(client.hello("late", 0, kTimeout).ok());
  result = client.request([](auto& fbb) { return fi::CreateDump(fbb); }, kTimeout);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.reply->body_type(), fi::Body::DumpReply);
}

TEST(IpcServer, GarbageGetsErrorAndConnectionStillWorks) {
  test::ServerThread st;
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(client.hello("t", 0, kTimeout).ok());
  const uint8_t garbage[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  ASSERT_TRUE(client.send_raw(garbage).ok());
  auto reply = client.receive(kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.detail;
  EXPECT_EQ(reply.reply->id(), 0u);
  EXPECT_EQ(error_code(reply), fi::ErrorCode::BadMessage);

  auto result = client.request([](auto& fbb) { return fi::CreateListTransports(fbb); }, kTimeout);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.reply->body_type(), fi::Body::TransportList);
  EXPECT_EQ(result.reply->body_as_TransportList()->transports()->size(), 2u);
}

TEST(IpcServer, RepeatedGarbageClosesTheConnection) {
  ServerOptions options;
  options.max_bad_frames = 3;
  test::ServerThread st(options);
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  const uint8_t garbage[] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  ClientResult last;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(client.send_raw(garbage).ok());
    last = client.receive(kTimeout);
    ASSERT_TRUE(last.ok());
  }
  EXPECT_EQ(client.receive(kTimeout).status, ClientStatus::kClosed);
}

TEST(IpcServer, OversizedFrameGetsTooLarge) {
  ServerOptions options;
  options.limits.max_frame = 4096;
  test::ServerThread st(options);
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(client.hello("t", 0, kTimeout).ok());
  auto result = client.request(
      [](flatbuffers::FlatBufferBuilder& fbb) {
        std::vector<uint8_t> data(8000, 0x17);
        return fi::CreateSendDtls(fbb, 10, fbb.CreateVector(data));
      },
      kTimeout);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(error_code(result), fi::ErrorCode::TooLarge);
  // Still usable.
  result = client.request([](auto& fbb) { return fi::CreateSendDtls(fbb, 10); }, kTimeout);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.reply->body_type(), fi::Body::Ok);
}

TEST(IpcServer, NonRequestBodyIsUnknownMethod) {
  test::ServerThread st;
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(client.hello("t", 0, kTimeout).ok());
  auto result = client.request([](auto& fbb) { return fi::CreateOk(fbb); }, kTimeout);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(error_code(result), fi::ErrorCode::UnknownMethod);
}

TEST(IpcServer, HandlerRepliesAndErrorsCarryTheRequestId) {
  test::ServerThread st;
  IpcClient client;
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(client.hello("t", 7, kTimeout).ok());
  auto created = client.request(
      [](auto& fbb) {
        return fi::CreateCreateTransportDirect(fbb, 77, 0xFFFF, 0, 0, "ufrag", "pwd");
      },
      kTimeout);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created.reply->body_type(), fi::Body::TransportCreated);
  EXPECT_EQ(created.reply->body_as_TransportCreated()->id(), 77u);
  EXPECT_EQ(created.reply->epoch(), 7u);
  auto missing =
      client.request([](auto& fbb) { return fi::CreateDeleteTransport(fbb, 404); }, kTimeout);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(error_code(missing), fi::ErrorCode::NotFound);
  EXPECT_GT(missing.reply->id(), created.reply->id());
}

TEST(IpcServer, EventsReachHandshakenClientsOnly) {
  test::ServerThread st;
  IpcClient a, b, unshaken;
  ASSERT_EQ(a.connect(st.path(), kTimeout), "");
  ASSERT_EQ(b.connect(st.path(), kTimeout), "");
  ASSERT_EQ(unshaken.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(a.hello("a", 0, kTimeout).ok());
  ASSERT_TRUE(b.hello("b", 0, kTimeout).ok());
  // a's request makes the handler broadcast; a gets the event before its reply, queued.
  auto result = a.request([](auto& fbb) { return fi::CreateRequestKeyFrame(fbb, 20); }, kTimeout);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.reply->body_type(), fi::Body::Ok);
  ASSERT_EQ(a.queued_events(), 1u);
  for (IpcClient* c : {&a, &b}) {
    auto event = c->next_event(kTimeout);
    ASSERT_TRUE(event.ok()) << event.detail;
    EXPECT_EQ(event.reply->id(), 0u);
    ASSERT_EQ(event.reply->body_type(), fi::Body::KeyFrameRequested);
    EXPECT_EQ(event.reply->body_as_KeyFrameRequested()->producer(), 20u);
  }
  EXPECT_EQ(unshaken.receive(milliseconds(100)).status, ClientStatus::kTimeout);
}

TEST(IpcServer, EventCallbackRunsWhileWaiting) {
  test::ServerThread st;
  IpcClient client;
  int seen = 0;
  client.set_event_callback([&](const OwnedEnvelope& e) {
    if (e->body_type() == fi::Body::KeyFrameRequested) ++seen;
  });
  ASSERT_EQ(client.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(client.hello("t", 0, kTimeout).ok());
  ASSERT_TRUE(
      client.request([](auto& fbb) { return fi::CreateRequestKeyFrame(fbb, 1); }, kTimeout).ok());
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(client.queued_events(), 0u);
}

TEST(IpcServer, ClientDisconnectingMidwayDoesNotDisturbAnother) {
  test::ServerThread st;
  IpcClient steady;
  ASSERT_EQ(steady.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(steady.hello("steady", 0, kTimeout).ok());
  for (int i = 0; i < 5; ++i) {
    IpcClient flaky;
    ASSERT_EQ(flaky.connect(st.path(), kTimeout), "");
    ASSERT_TRUE(flaky.hello("flaky", 0, kTimeout).ok());
    // Send a request and vanish before reading the reply.
    flatbuffers::FlatBufferBuilder fbb;
    auto frame = finish_envelope(fbb, 5, 0, fi::CreateDump(fbb));
    ASSERT_TRUE(flaky.send_raw(frame).ok());
    flaky.close();
    auto result = steady.request([](auto& f) { return fi::CreateGetCounters(f, 0u); }, kTimeout);
    ASSERT_TRUE(result.ok()) << result.detail;
    ASSERT_EQ(result.reply->body_type(), fi::Body::Counters);
    EXPECT_EQ(result.reply->body_as_Counters()->drops()->Get(0)->count(), 5u);
  }
  EXPECT_TRUE(eventually([&] { return st.handler().disconnects >= 5; }));
}

TEST(IpcServer, TwoClientsInterleave) {
  test::ServerThread st;
  IpcClient a, b;
  ASSERT_EQ(a.connect(st.path(), kTimeout), "");
  ASSERT_EQ(b.connect(st.path(), kTimeout), "");
  ASSERT_TRUE(a.hello("a", 0, kTimeout).ok());
  ASSERT_TRUE(b.hello("b", 0, kTimeout).ok());
  for (uint32_t i = 1; i <= 20; ++i) {
    IpcClient& c = (i % 2) ? a : b;
    auto r = c.request([&](auto& fbb) { return fi::CreateCreateTransport(fbb, i); }, kTimeout);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.reply->body_as_TransportCreated()->id(), i);
  }
  EXPECT_EQ(st.handler().requests, 20);
}

TEST(IpcServer, PollOnceWithZeroTimeoutReturnsAtOnce) {
  char tmpl[] = "/tmp/fanout-ipc-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  test::ScriptedHandler handler;
  auto server_ptr = std::make_unique<IpcServer>(handler);
  IpcServer& server = *server_ptr;
  handler.server = &server;
  ASSERT_EQ(server.listen(dir + "/dp.sock"), "");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) server.poll_once(0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));

  // Driven from this thread only: connect, then poll until the Hello is answered.
  IpcClient client;
  ASSERT_EQ(client.connect(dir + "/dp.sock", kTimeout), "");
  flatbuffers::FlatBufferBuilder fbb;
  auto hello = finish_envelope(fbb, 1, 0,
                               fi::CreateHello(fbb, static_cast<uint16_t>(fi::SchemaMajor::Current),
                                               0, fbb.CreateString("x"), 0));
  ASSERT_TRUE(client.send_raw(hello).ok());
  for (int i = 0; i < 10 && server.handshaken_count() == 0; ++i) server.poll_once(0);
  EXPECT_EQ(server.handshaken_count(), 1u);
  auto reply = client.receive(kTimeout);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply.reply->body_type(), fi::Body::HelloReply);
  server_ptr.reset();  // unlinks the socket file
  EXPECT_NE(::access((dir + "/dp.sock").c_str(), F_OK), 0);
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace fanout::dp::ipc

// signaling/cpclient against a tiny schema-speaking server on a real SOCK_SEQPACKET socket:
// framing, Hello first, replies and errors, timeouts, events, fail-fast while down, reconnect.
#include "signaling/cpclient/cp_client.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>

#include "tests/signaling/cpclient/cp_test_server.hpp"

namespace fanout::sig {
namespace {

using namespace std::chrono_literals;
using test::CpTestServer;

std::string socket_path(const char* name) {
  return "/tmp/fanout-cpclient-" + std::to_string(::getpid()) + "-" + name + ".sock";
}

CpBuild create_router(std::string id) {
  return [id](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{cpapi::Body::CreateRouter,
                     cpapi::CreateCreateRouterDirect(fbb, id.c_str(), "").Union()};
  };
}

// Calls and waits (bounded) for the callback.
std::optional<CpResult> call_sync(CpClient& client, CpBuild build,
                                  std::chrono::milliseconds limit = 3s) {
  auto promise = std::make_shared<std::promise<CpResult>>();
  auto future = promise->get_future();
  client.call(std::move(build), [promise](CpResult r) { promise->set_value(std::move(r)); });
  if (future.wait_for(limit) != std::future_status::ready) return std::nullopt;
  return future.get();
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

CpClientOptions options(const std::string& path) {
  CpClientOptions o;
  o.socket_path = path;
  o.request_timeout = 300ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 100ms;
  return o;
}

TEST(CpFrame, RoundTripAndRejections) {
  const auto frame = encode_cp_frame(42, create_router("r1"));
  const auto* env = decode_cp_frame(frame);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->id(), 42u);
  ASSERT_NE(env->body_as_CreateRouter(), nullptr);
  EXPECT_EQ(env->body_as_CreateRouter()->router_id()->str(), "r1");

  auto truncated = frame;
  truncated.pop_back();
  EXPECT_EQ(decode_cp_frame(truncated), nullptr) << "size prefix no longer matches";
  auto bad_prefix = frame;
  bad_prefix[0] ^= 1;
  EXPECT_EQ(decode_cp_frame(bad_prefix), nullptr);
  const std::vector<std::uint8_t> junk = {9, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(decode_cp_frame(junk), nullptr);
  EXPECT_EQ(decode_cp_frame(std::span<const std::uint8_t>{}), nullptr);
  // A union type without its value passes the FlatBuffers verifier; not ours.
  const auto no_value = encode_cp_frame(7, [](flatbuffers::FlatBufferBuilder&) {
    return std::pair{cpapi::Body::CreateRouter, flatbuffers::Offset<void>()};
  });
  EXPECT_EQ(decode_cp_frame(no_value), nullptr);
  std::vector<std::uint8_t> huge(kCpMaxFrame + 8, 0);
  EXPECT_EQ(decode_cp_frame(huge), nullptr);
}

TEST(CpClient, HelloFirstThenRepliesAndErrors) {
  const auto path = socket_path("hello");
  CpTestServer server(path);
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  EXPECT_TRUE(client.dataplane_connected());
  EXPECT_EQ(server.hellos.load(), 1);

  auto r = call_sync(client, create_router("room-a"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok()) << r->error().reason;
  const auto* created = r->value().envelope().body_as_RouterCreated();
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->router_id()->str(), "room-a");
  EXPECT_EQ(created->rtp_capabilities_json()->str(), R"({"codecs":[]})");

  auto e = call_sync(client, create_router("exists"));
  ASSERT_TRUE(e.has_value());
  ASSERT_FALSE(e->ok());
  EXPECT_FALSE(e->error().unavailable);
  EXPECT_EQ(e->error().code, cpapi::ErrorCode::AlreadyExists);
  EXPECT_EQ(e->error().reason, "router exists");

  const auto seen = server.received();
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen[0], cpapi::Body::Hello);
  EXPECT_EQ(seen[1], cpapi::Body::CreateRouter);
}

TEST(CpClient, ConcurrentCallsFromManyThreadsAllAnswered) {
  const auto path = socket_path("many");
  CpTestServer server(path);
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string id = "r" + std::to_string(t) + "-" + std::to_string(i);
        auto r = call_sync(client, create_router(id));
        if (r && r->ok() &&
            r->value().envelope().body_as_RouterCreated()->router_id()->str() == id) {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 200) << "each reply matched to its own request by id";
}

TEST(CpClient, UnansweredRequestTimesOutAsUnavailable) {
  const auto path = socket_path("timeout");
  CpTestServer server(path);
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = call_sync(client, create_router("silent"));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r.has_value()) << "the callback ran";
  ASSERT_FALSE(r->ok());
  EXPECT_TRUE(r->error().unavailable);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
  // The connection is still good for the next request.
  auto next = call_sync(client, create_router("after"));
  ASSERT_TRUE(next && next->ok());
}

TEST(CpClient, EventsReachTheHandler) {
  const auto path = socket_path("events");
  CpTestServer server(path);
  server.start();
  std::mutex m;
  std::vector<std::string> events;
  CpClient client(options(path), [&](const cpapi::Envelope& env) {
    std::lock_guard lock(m);
    if (const auto* c = env.body_as_ConsumerClosed()) events.push_back(c->consumer_id()->str());
    if (const auto* t = env.body_as_TransportStateChanged()) {
      events.push_back(t->transport_id()->str() + ":" + cpapi::EnumNameDtlsState(t->dtls_state()));
    }
  });
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  server.push(encode_cp_frame(0, [](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{cpapi::Body::ConsumerClosed,
                     cpapi::CreateConsumerClosedDirect(fbb, "c1", "producer closed").Union()};
  }));
  server.push(encode_cp_frame(0, [](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{cpapi::Body::TransportStateChanged,
                     cpapi::CreateTransportStateChangedDirect(fbb, "t1", cpapi::IceState::Connected,
                                                              cpapi::DtlsState::Connected, "")
                         .Union()};
  }));
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lock(m);
    return events.size() == 2;
  }));
  std::lock_guard lock(m);
  EXPECT_EQ(events[0], "c1");
  EXPECT_EQ(events[1], "t1:Connected");
}

TEST(CpClient, FailsFastWhileDownAndReconnectsWhenTheServerReturns) {
  const auto path = socket_path("reconnect");
  ::unlink(path.c_str());
  CpClient client(options(path), nullptr);
  client.start();
  // Nobody listens: no waiting for a timeout.
  const auto t0 = std::chrono::steady_clock::now();
  auto down = call_sync(client, create_router("x"));
  ASSERT_TRUE(down.has_value());
  ASSERT_FALSE(down->ok());
  EXPECT_TRUE(down->error().unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 200ms);

  CpTestServer server(path);
  server.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  ASSERT_TRUE(call_sync(client, create_router("a"))->ok());

  // The control plane restarts: a pending request fails, then the client comes back by itself.
  auto promise = std::make_shared<std::promise<CpResult>>();
  client.call(create_router("silent"), [promise](CpResult r) { promise->set_value(std::move(r)); });
  std::this_thread::sleep_for(50ms);
  server.stop();
  auto fut = promise->get_future();
  ASSERT_EQ(fut.wait_for(2s), std::future_status::ready);
  auto lost = fut.get();
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.error().unavailable);
  ASSERT_TRUE(wait_until([&] { return !client.ready(); }));

  CpTestServer again(path);
  again.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  EXPECT_EQ(client.sessions(), 2u);
  EXPECT_EQ(again.hellos.load(), 1) << "a new Hello on the new connection";
  ASSERT_TRUE(call_sync(client, create_router("b"))->ok());
}

TEST(CpClient, UnverifiableFrameDropsTheConnectionAndReconnects) {
  const auto path = socket_path("garbage");
  CpTestServer server(path);
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  auto r = call_sync(client, create_router("garbage"));
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_TRUE(r->error().unavailable);
  ASSERT_TRUE(wait_until([&] { return client.sessions() == 2 && client.ready(); }));
  EXPECT_EQ(server.connections.load(), 2);
}

TEST(CpClient, OtherSchemaMajorIsRefused) {
  const auto path = socket_path("major");
  CpTestServer server(path);
  server.reply_major = 2;
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return server.hellos.load() >= 2; })) << "keeps retrying";
  EXPECT_FALSE(client.ready());
  EXPECT_EQ(client.sessions(), 0u);
}

TEST(CpClient, StopAnswersPendingAndLaterCalls) {
  const auto path = socket_path("stop");
  CpTestServer server(path);
  server.start();
  CpClient client(options(path), nullptr);
  client.start();
  ASSERT_TRUE(wait_until([&] { return client.ready(); }));
  auto promise = std::make_shared<std::promise<CpResult>>();
  client.call(create_router("silent"), [promise](CpResult r) { promise->set_value(std::move(r)); });
  std::this_thread::sleep_for(20ms);
  client.stop();
  auto fut = promise->get_future();
  ASSERT_EQ(fut.wait_for(1s), std::future_status::ready);
  EXPECT_TRUE(fut.get().error().unavailable);
  bool called = false;
  client.call(create_router("late"), [&](CpResult r) { called = !r.ok(); });
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace fanout::sig

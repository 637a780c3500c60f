// ApiServer over real sockets (Unix SEQPACKET and TCP) with a test handler in place of the
// Service: the handshake, every error the server answers itself, the handler's answers, events,
// limits (frame size, bad frames, connections, slow readers) and the socket file's lifecycle.
#include "controlplane/api/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "controlplane/api/client.hpp"

namespace fanout::cp::api {
namespace {

namespace fb = fanout::cpapi;
using std::chrono::milliseconds;
constexpr milliseconds kTimeout{2000};

class TestHandler : public ApiHandler {
 public:
  std::vector<uint8_t> handle(ConnectionId, const fb::Envelope& request) override {
    ++requests;
    fbb_.Clear();
    std::span<const uint8_t> frame;
    if (request.body_type() == fb::Body::CreateRouter) {
      const auto* create = request.body_as_CreateRouter();
      auto id = fbb_.CreateString(create->router_id() ? create->router_id()->str() : "");
      auto caps = fbb_.CreateString("{\"codecs\":[]}");
      frame = finish_envelope(fbb_, request.id(), fb::CreateRouterCreated(fbb_, id, caps));
    } else if (request.body_type() == fb::Body::Dump) {
      auto json = fbb_.CreateString(std::string(dump_size, 'x'));
      frame = finish_envelope(fbb_, request.id(), fb::CreateDumpReply(fbb_, json));
    } else {
      frame = make_error(
          fbb_, request.id(), fb::ErrorCode::UnknownMethod,
          std::string("test handler does not serve ") + fb::EnumNameBody(request.body_type()));
    }
    return {frame.begin(), frame.end()};
  }
  bool dataplane_connected() const override { return connected; }
  void on_disconnect(ConnectionId) override { ++disconnects; }

  std::atomic<bool> connected{true};
  std::atomic<int> requests{0};
  std::atomic<int> disconnects{0};
  size_t dump_size = 10;

 private:
  flatbuffers::FlatBufferBuilder fbb_;
};

// The server on its own thread (as in the process, one thread drives it); the test reaches it
// through on_server().
class ServerFixture {
 public:
  explicit ServerFixture(ApiServerOptions options = {}, bool tcp = false) {
    char tmpl[] = "/tmp/fanout-cpapi-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/cp.sock";
    server_ = std::make_unique<ApiServer>(handler, options);
    EXPECT_EQ(server_->listen_unix(path_), "");
    if (tcp) {
      EXPECT_EQ(server_->listen_tcp("127.0.0.1:0"), "");
    }
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
  ~ServerFixture() {
    stop_ = true;
    thread_.join();
    server_.reset();
    ::rmdir(dir_.c_str());
  }

  template <typename F>
  auto on_server(F&& f) {
    using R = decltype(f(*server_));
    auto task = std::make_shared<std::packaged_task<R()>>([&] { return f(*server_); });
    auto result = task->get_future();
    {
      std::lock_guard lock(mu_);
      jobs_.push_back([task] { (*task)(); });
    }
    return result.get();
  }

  std::string tcp_target() { return "127.0.0.1:" + std::to_string(server_->tcp_port()); }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  TestHandler handler;

 private:
  std::string dir_;
  std::string path_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::deque<std::function<void()>> jobs_;
};

ClientResult create_router(ApiClient& client, const std::string& id) {
  return client.call(
      [&](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateCreateRouterDirect(fbb, id.c_str());
      },
      kTimeout);
}

std::vector<uint8_t> event_frame(const std::string& producer_id, size_t reason_size = 4) {
  flatbuffers::FlatBufferBuilder fbb;
  auto frame =
      finish_envelope(fbb, 0,
                      fb::CreateProducerClosedDirect(fbb, producer_id.c_str(),
                                                     std::string(reason_size, 'r').c_str()));
  return {frame.begin(), frame.end()};
}

void expect_error(const ClientResult& result, fb::ErrorCode code) {
  ASSERT_TRUE(result.ok()) << result.detail;
  ASSERT_NE(result.reply.error(), nullptr)
      << "expected an Error, got " << fb::EnumNameBody(result.reply->body_type());
  EXPECT_EQ(result.reply.error()->code(), code)
      << fb::EnumNameErrorCode(result.reply.error()->code()) << ": "
      << (result.reply.error()->reason() ? result.reply.error()->reason()->str() : "");
}

void hello(ApiClient& client) {
  auto result = client.hello("server_test", kTimeout);
  ASSERT_TRUE(result.ok()) << result.detail;
  ASSERT_EQ(result.reply->body_type(), fb::Body::HelloReply);
}

TEST(ApiServer, HelloReportsVersionsAndDataplaneState) {
  ServerFixture server;
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  auto result = client.hello("server_test", kTimeout);
  ASSERT_TRUE(result.ok()) << result.detail;
  const auto* reply = result.reply->body_as_HelloReply();
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(result.reply->id(), client.last_id());
  EXPECT_EQ(reply->schema_major(), static_cast<uint16_t>(fb::SchemaMajor::Current));
  EXPECT_EQ(reply->schema_minor(), static_cast<uint16_t>(fb::SchemaMinor::Current));
  EXPECT_EQ(reply->server()->str(), "fanout-controlplane 0.1.0");
  EXPECT_TRUE(reply->dataplane_connected());
  // A second Hello is refused; the connection stays usable.
  expect_error(client.hello("again", kTimeout), fb::ErrorCode::InvalidArgument);
  auto created = create_router(client, "r1");
  ASSERT_TRUE(created.ok()) << created.detail;
  ASSERT_EQ(created.reply->body_type(), fb::Body::RouterCreated);
  EXPECT_EQ(created.reply->body_as_RouterCreated()->router_id()->str(), "r1");

  server.handler.connected = false;
  ApiClient second;
  ASSERT_EQ(second.connect(server.path(), kTimeout), "");
  auto again = second.hello("server_test", kTimeout);
  ASSERT_TRUE(again.ok()) << again.detail;
  EXPECT_FALSE(again.reply->body_as_HelloReply()->dataplane_connected());
}

TEST(ApiServer, OtherSchemaMajorIsRefusedAndClosed) {
  ServerFixture server;
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  auto result = client.hello("future client", kTimeout, 2);
  expect_error(result, fb::ErrorCode::VersionMismatch);
  EXPECT_NE(result.reply.error()->reason()->str().find("schema major version 2"),
            std::string::npos);
  EXPECT_EQ(client.receive(kTimeout).status, ClientStatus::kClosed);
  EXPECT_EQ(server.handler.requests, 0);
}

TEST(ApiServer, RequestBeforeHelloIsNotReady) {
  ServerFixture server;
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  auto result = create_router(client, "r1");
  expect_error(result, fb::ErrorCode::NotReady);
  EXPECT_EQ(result.reply->id(), client.last_id());
  EXPECT_EQ(server.handler.requests, 0);
  hello(client);
  auto created = create_router(client, "r1");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created.reply->body_type(), fb::Body::RouterCreated);
}

TEST(ApiServer, GarbageGetsBadMessageAndTheConnectionStaysUsable) {
  ServerFixture server;
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  hello(client);
  std::mt19937 rng(7);
  for (size_t size : {1u, 3u, 12u, 64u, 1000u}) {
    std::vector<uint8_t> junk(size);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    ASSERT_TRUE(client.send_raw(junk).ok());
    expect_error(client.receive(kTimeout), fb::ErrorCode::BadMessage);
  }
  // A correct size prefix over a buffer that is not an FCP1 Envelope.
  std::vector<uint8_t> prefixed(64, 0xAB);
  uint32_t len = 60;
  std::memcpy(prefixed.data(), &len, 4);
  ASSERT_TRUE(client.send_raw(prefixed).ok());
  expect_error(client.receive(kTimeout), fb::ErrorCode::BadMessage);
  // A union type without its value: passes the verifier, refused all the same.
  {
    flatbuffers::FlatBufferBuilder fbb;
    fb::EnvelopeBuilder b(fbb);
    b.add_id(9);
    b.add_body_type(fb::Body::CreateRouter);
    fb::FinishSizePrefixedEnvelopeBuffer(fbb, b.Finish());
    ASSERT_TRUE(client.send_raw({fbb.GetBufferPointer(), fbb.GetSize()}).ok());
    expect_error(client.receive(kTimeout), fb::ErrorCode::BadMessage);
  }
  EXPECT_EQ(server.handler.requests, 0);
  auto created = create_router(client, "after-garbage");
  ASSERT_TRUE(created.ok()) << created.detail;
  EXPECT_EQ(created.reply->body_type(), fb::Body::RouterCreated);
}

TEST(ApiServer, ConsecutiveBadFramesClose) {
  ApiServerOptions options;
  options.max_bad_frames = 3;
  ServerFixture server(options);
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  hello(client);
  std::vector<uint8_t> junk = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.send_raw(junk).ok());
    expect_error(client.receive(kTimeout), fb::ErrorCode::BadMessage);
  }
  // A good frame resets the count.
  ASSERT_TRUE(create_router(client, "r").ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send_raw(junk).ok());
    expect_error(client.receive(kTimeout), fb::ErrorCode::BadMessage);
  }
  EXPECT_EQ(client.receive(kTimeout).status, ClientStatus::kClosed);
}

TEST(ApiServer, OversizedFrameIsTooLargeAndTheConnectionStaysUsable) {
  ApiServerOptions options;
  options.max_frame = 4096;
  ServerFixture server(options, /*tcp=*/true);
  for (bool tcp : {false, true}) {
    SCOPED_TRACE(tcp ? "tcp" : "unix");
    ApiClient client(1u << 20);
    ASSERT_EQ(client.connect(tcp ? server.tcp_target() : server.path(), kTimeout), "");
    hello(client);
    // A well-formed request that is too big: the router id alone is 8000 bytes.
    auto result = create_router(client, std::string(8000, 'a'));
    expect_error(result, fb::ErrorCode::TooLarge);
    auto created = create_router(client, "small");
    ASSERT_TRUE(created.ok()) << created.detail;
    EXPECT_EQ(created.reply->body_type(), fb::Body::RouterCreated);
  }
}

TEST(ApiServer, TcpStreamWithAHugePrefixIsClosedWithAReason) {
  ServerFixture server({}, /*tcp=*/true);
  ApiClient client;
  ASSERT_EQ(client.connect(server.tcp_target(), kTimeout), "");
  hello(client);
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4};
  ASSERT_TRUE(client.send_raw(bytes).ok());
  expect_error(client.receive(kTimeout), fb::ErrorCode::TooLarge);
  EXPECT_EQ(client.receive(kTimeout).status, ClientStatus::kClosed);
}

TEST(ApiServer, UnknownBodiesAreUnknownMethod) {
  ServerFixture server;
  ApiClient client;
  ASSERT_EQ(client.connect(server.path(), kTimeout), "");
  hello(client);
  // A request the handler does not serve: its answer.
  auto stats = client.call(
      [](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateGetStatsDirect(fbb, fb::Target::Router, "r1");
      },
      kTimeout);
  expect_error(stats, fb::ErrorCode::UnknownMethod);
  EXPECT_NE(stats.reply.error()->reason()->str().find("GetStats"), std::string::npos);
  EXPECT_EQ(server.handler.requests, 1);
  // A body type newer than this schema: handed to the handler, which does not know it.
  {
    auto& fbb = client.builder();
    fbb.Clear();
    auto body = fb::CreateOk(fbb);
    auto result = client.call_body(static_cast<fb::Body>(200), body.Union(), kTimeout);
    expect_error(result, fb::ErrorCode::UnknownMethod);
    EXPECT_EQ(result.reply->id(), client.last_id());
    EXPECT_EQ(server.handler.requests, 2);
  }
  // An event sent as a request: the server refuses it without bothering the handler.
  auto event = client.call(
      [](flatbuffers::FlatBufferBuilder& fbb) {
        return fb::CreateProducerClosedDirect(fbb, "p", "x");
      },
      kTimeout);
  expect_error(event, fb::ErrorCode::UnknownMethod);
  EXPECT_NE(event.reply.error()->reason()->str().find("not a request"), std::string::npos);
  EXPECT_EQ(server.handler.requests, 2);
}

TEST(ApiServer, EventsReachHelloedClientsOnly) {
  ServerFixture server({}, /*tcp=*/true);
  ApiClient a, b, silent;
  ASSERT_EQ(a.connect(server.path(), kTimeout), "");
  ASSERT_EQ(b.connect(server.tcp_target(), kTimeout), "");
  ASSERT_EQ(silent.connect(server.path(), kTimeout), "");
  hello(a);
  hello(b);
  auto frame = event_frame("p1");
  size_t sent = server.on_server([&](ApiServer& s) { return s.broadcast_event(frame); });
  EXPECT_EQ(sent, 2u);
  for (ApiClient* client : {&a, &b}) {
    auto event = client->next_event(kTimeout);
    ASSERT_TRUE(event.ok()) << event.detail;
    EXPECT_EQ(event.reply->id(), 0u);
    ASSERT_EQ(event.reply->body_type(), fb::Body::ProducerClosed);
    EXPECT_EQ(event.reply->body_as_ProducerClosed()->producer_id()->str(), "p1");
  }
  EXPECT_EQ(silent.receive(milliseconds(200)).status, ClientStatus::kTimeout);
  // Events that arrive while a request waits are queued, not taken for the reply.
  server.on_server([&](ApiServer& s) { return s.broadcast_event(event_frame("p2")); });
  auto created = create_router(a, "r");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created.reply->body_type(), fb::Body::RouterCreated);
  auto queued = a.next_event(kTimeout);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued.reply->body_as_ProducerClosed()->producer_id()->str(), "p2");
}

TEST(ApiServer, TcpFramingSurvivesCoalescedAndSplitWrites) {
  ServerFixture server({}, /*tcp=*/true);
  ApiClient client;
  ASSERT_EQ(client.connect(server.tcp_target(), kTimeout), "");
  hello(client);
  auto request = [](uint64_t id, const std::string& router) {
    flatbuffers::FlatBufferBuilder fbb;
    auto frame = finish_envelope(fbb, id, fb::CreateCreateRouterDirect(fbb, router.c_str()));
    return std::vector<uint8_t>(frame.begin(), frame.end());
  };
  // Three frames in one write.
  std::vector<uint8_t> burst;
  for (uint64_t id = 100; id < 103; ++id) {
    auto f = request(id, "r" + std::to_string(id) + std::string(id - 99, 'x'));
    burst.insert(burst.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(client.send_raw(burst).ok());
  for (uint64_t id = 100; id < 103; ++id) {
    auto reply = client.receive(kTimeout);
    ASSERT_TRUE(reply.ok()) << reply.detail;
    EXPECT_EQ(reply.reply->id(), id);
    EXPECT_EQ(reply.reply->body_type(), fb::Body::RouterCreated);
  }
  // One frame a few bytes at a time, the prefix itself split.
  auto f = request(200, "split");
  for (size_t at = 0; at < f.size(); at += 3) {
    std::span<const uint8_t> piece(f.data() + at, std::min<size_t>(3, f.size() - at));
    ASSERT_TRUE(client.send_raw(piece).ok());
    std::this_thread::sleep_for(milliseconds(1));
  }
  auto reply = client.receive(kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.detail;
  EXPECT_EQ(reply.reply->id(), 200u);
  EXPECT_EQ(reply.reply->body_as_RouterCreated()->router_id()->str(), "split");
  // A reply larger than one TCP segment and than the socket buffer comes back whole.
  server.handler.dump_size = 600000;
  auto dump = client.call([](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateDump(fbb); },
                          kTimeout);
  ASSERT_TRUE(dump.ok()) << dump.detail;
  ASSERT_EQ(dump.reply->body_type(), fb::Body::DumpReply);
  EXPECT_EQ(dump.reply->body_as_DumpReply()->json()->size(), 600000u);
}

TEST(ApiServer, SixtyFourClientsAtOnce) {
  ServerFixture server({}, /*tcp=*/true);
  constexpr int kClients = 64;
  std::vector<std::unique_ptr<ApiClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<ApiClient>());
    // Half on each listener.
    ASSERT_EQ(clients.back()->connect(i % 2 ? server.tcp_target() : server.path(), kTimeout), "");
  }
  // Every client sends before any reads: the server has 64 requests pending at once.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ApiClient& c = *clients[i];
      if (!c.hello("c" + std::to_string(i), kTimeout).ok()) return;
      for (int n = 0; n < 10; ++n) {
        std::string id = "r" + std::to_string(i) + "-" + std::to_string(n);
        auto r = create_router(c, id);
        if (!r.ok() || r.reply->body_type() != fb::Body::RouterCreated ||
            r.reply->body_as_RouterCreated()->router_id()->str() != id) {
          return;
        }
      }
      ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kClients);
  EXPECT_EQ(server.handler.requests, kClients * 10);
  EXPECT_EQ(server.on_server([](ApiServer& s) { return s.handshaken_count(); }),
            static_cast<size_t>(kClients));
  size_t sent =
      server.on_server([](ApiServer& s) { return s.broadcast_event(event_frame("all")); });
  EXPECT_EQ(sent, static_cast<size_t>(kClients));
  for (auto& c : clients) {
    auto event = c->next_event(kTimeout);
    ASSERT_TRUE(event.ok()) << event.detail;
    EXPECT_EQ(event.reply->body_type(), fb::Body::ProducerClosed);
  }
  clients.clear();
  for (int i = 0; i < 200 && server.on_server([](ApiServer& s) { return s.connection_count(); });
       ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(server.on_server([](ApiServer& s) { return s.connection_count(); }), 0u);
  EXPECT_EQ(server.handler.disconnects, kClients);
}

TEST(ApiServer, ConnectionsOverTheLimitAreToldAndClosed) {
  ApiServerOptions options;
  options.max_connections = 2;
  ServerFixture server(options);
  ApiClient a, b, c;
  ASSERT_EQ(a.connect(server.path(), kTimeout), "");
  ASSERT_EQ(b.connect(server.path(), kTimeout), "");
  hello(a);
  hello(b);
  ASSERT_EQ(c.connect(server.path(), kTimeout), "");
  expect_error(c.receive(kTimeout), fb::ErrorCode::ResourceExhausted);
  EXPECT_EQ(c.receive(kTimeout).status, ClientStatus::kClosed);
  EXPECT_EQ(server.on_server([](ApiServer& s) { return s.stats().rejected_connections; }), 1u);
  ASSERT_TRUE(create_router(a, "still-served").ok());
}

TEST(ApiServer, AClientThatDoesNotReadIsDisconnected) {
  ApiServerOptions options;
  options.queue.max_queued_bytes = 256u << 10;
  ServerFixture server(options);
  ApiClient reader, sleeper;
  ASSERT_EQ(reader.connect(server.path(), kTimeout), "");
  ASSERT_EQ(sleeper.connect(server.path(), kTimeout), "");
  hello(reader);
  hello(sleeper);
  auto frame = event_frame("big", 60000);
  // The socket buffer (a few MiB) then the 256 KiB queue fill up: the sleeper is closed; the
  // reader keeps up.
  int received = 0;
  for (int i = 0; i < 400; ++i) {
    server.on_server([&](ApiServer& s) { return s.broadcast_event(frame); });
    auto event = reader.next_event(kTimeout);
    ASSERT_TRUE(event.ok()) << event.detail;
    ++received;
  }
  EXPECT_EQ(received, 400);
  EXPECT_EQ(server.on_server([](ApiServer& s) { return s.stats().queue_full_closes; }), 1u);
  EXPECT_EQ(server.on_server([](ApiServer& s) { return s.handshaken_count(); }), 1u);
  // The sleeper reads what the socket held, then sees the close.
  ClientResult last;
  do {
    last = sleeper.receive(kTimeout);
  } while (last.ok());
  EXPECT_EQ(last.status, ClientStatus::kClosed);
}

TEST(ApiServer, SocketFileModeStaleAndLive) {
  ServerFixture server;
  struct stat st;
  ASSERT_EQ(::stat(server.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  // A live socket is not taken over.
  TestHandler handler;
  ApiServer second(handler);
  std::string error = second.listen_unix(server.path());
  EXPECT_NE(error.find("another process is listening"), std::string::npos) << error;
  EXPECT_NE(error.find("controlplane.api_socket"), std::string::npos) << error;
  // A stale one (bound, nobody listening: a crashed process) is replaced.
  std::string stale = server.dir() + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, stale.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  EXPECT_EQ(second.listen_unix(stale), "");
  ApiClient client;
  ASSERT_EQ(client.connect(stale, kTimeout), "");
  // Served by `second`, which nobody polls here: connecting is enough to show it listens.
  // A regular file in the way is not removed.
  std::string file = server.dir() + "/file";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fclose(f);
  ApiServer third(handler);
  EXPECT_NE(third.listen_unix(file), "");
  ::unlink(file.c_str());
  client.close();
}

TEST(ApiServer, ListenTcpRejectsBadAddresses) {
  TestHandler handler;
  ApiServer server(handler);
  EXPECT_NE(server.listen_tcp("nonsense"), "");
  EXPECT_NE(server.listen_tcp("127.0.0.1:99999"), "");
  EXPECT_NE(server.listen_tcp("::1:4000"), "");
  EXPECT_EQ(server.listen_tcp(":0"), "");  // loopback, ephemeral port
  EXPECT_NE(server.tcp_port(), 0);
  ApiServer other(handler);
  std::string error = other.listen_tcp("127.0.0.1:" + std::to_string(server.tcp_port()));
  EXPECT_NE(error.find("api_tcp"), std::string::npos) << error;
}

}  // namespace
}  // namespace fanout::cp::api

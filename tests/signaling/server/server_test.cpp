// The real server on 127.0.0.1 (ephemeral port) against Beast clients: HTTP routes, the JSON
// protocol and its error cases, the limits (frame size, rate, write queue, idle, Origin) and
// 1,000 concurrent WebSocket sessions.
#include "signaling/server/server.hpp"
#include "signaling/server/http_routes.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/signaling/server/ws_client.hpp"

namespace fanout::sig {
namespace {

using namespace test;
namespace json = boost::json;

// Adds `flood` (pushes data.count notifications of data.size bytes to the caller) to the
// built-in methods, to play a server that talks faster than its client reads.
class FloodHandler : public BuiltinHandler {
 public:
  void on_request(const std::shared_ptr<Session>& session, std::string_view method,
                  json::object data, Responder respond) override {
    if (method != "flood") {
      return BuiltinHandler::on_request(session, method, std::move(data), std::move(respond));
    }
    const auto count = data["count"].to_number<std::int64_t>();
    const std::string payload(static_cast<std::size_t>(data["size"].to_number<std::int64_t>()),
                              'x');
    for (std::int64_t i = 0; i < count; ++i) session->notify("flood", json::object{{"p", payload}});
    respond(json::value(json::object{{"sent", count}}));
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerConfig cfg = base_config()) {
    server_ = std::make_unique<Server>(std::move(cfg), std::make_shared<FloodHandler>());
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop(500);
  }
  static ServerConfig base_config() {
    ServerConfig cfg;
    cfg.listen_port = 0;
    cfg.io_threads = 2;
    return cfg;
  }
  std::uint16_t port() const { return server_->port(); }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, HealthzMetricsAndNotFound) {
  start();
  auto health = http_request(port(), http::verb::get, "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok");
  EXPECT_EQ(http_request(port(), http::verb::get, "/nothing-here").status, 404u);
  EXPECT_EQ(http_request(port(), http::verb::post, "/healthz").status, 405u);
  EXPECT_EQ(http_request(port(), http::verb::delete_, "/metrics").status, 405u);
  EXPECT_EQ(http_request(port(), http::verb::get, "/ws").status, 426u);
  EXPECT_EQ(http_request(port(), http::verb::post, "/healthz", std::string(100 * 1024, 'a')).status,
            413u);

  WsClient c;
  ASSERT_FALSE(c.connect(port()));
  EXPECT_EQ(c.call(1, "echo", {{"a", 1}}).at("ok"), true);

  auto metrics = http_request(port(), http::verb::get, "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("fanout_sig_ws_connections 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("fanout_sig_requests_total{method=\"echo\",result=\"ok\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("fanout_sig_request_duration_seconds_bucket{method=\"echo\",le="
                              "\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("fanout_sig_http_requests_total{route=\"healthz\",code=\"200\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE fanout_sig_request_duration_seconds histogram"),
            std::string::npos);
}

TEST_F(ServerTest, StaticFilesWithoutTraversal) {
  namespace fs = std::filesystem;
  const fs::path top =
      fs::temp_directory_path() / ("fanout-sig-static-" + std::to_string(getpid()));
  fs::remove_all(top);
  fs::create_directories(top / "www" / "sub");
  std::ofstream(top / "www" / "index.html") << "<h1>demo</h1>";
  std::ofstream(top / "www" / "app.js") << "console.log(1);";
  std::ofstream(top / "secret.txt") << "secret";
  fs::create_symlink(top / "secret.txt", top / "www" / "link.txt");

  ServerConfig cfg = base_config();
  cfg.static_dir = (top / "www").string();
  start(cfg);

  auto index = http_request(port(), http::verb::get, "/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, "<h1>demo</h1>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  auto js = http_request(port(), http::verb::get, "/app.js?v=2");
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, "console.log(1);");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  for (const char* evil : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                           "/..%2fsecret.txt", "/link.txt", "/sub\\..\\..\\secret.txt"}) {
    auto r = http_request(port(), http::verb::get, evil);
    EXPECT_EQ(r.status, 403u) << evil;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << evil;
  }
  EXPECT_EQ(http_request(port(), http::verb::get, "/sub").status, 404u);  // no index.html
  EXPECT_EQ(http_request(port(), http::verb::get, "/missing.js").status, 404u);
  fs::remove_all(top);
}

TEST_F(ServerTest, EchoAndPing) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port()));
  auto reply = c.call(7, "echo", {{"hello", "world"}, {"n", 3}});
  EXPECT_EQ(reply, json::parse(R"({"id":7,"ok":true,"data":{"hello":"world","n":3}})"));
  reply = c.call(8, "ping");
  EXPECT_EQ(reply.at("id"), 8);
  EXPECT_EQ(reply.at("data").at("pong"), true);
}

TEST_F(ServerTest, EveryBadInputGetsAnErrorAndTheConnectionStaysUsable) {
  start();
  WsClient c;
  ASSERT_FALSE(c.connect(port()));
  struct Case {
    std::string text;
    json::value id;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"not json", nullptr, "invalid_json"},
      {"{\"id\":1,", nullptr, "invalid_json"},
      {"[1,2]", nullptr, "invalid_request"},
      {"\"text\"", nullptr, "invalid_request"},
      {R"({"method":"echo"})", nullptr, "invalid_request"},
      {R"({"id":true,"method":"echo"})", nullptr, "invalid_request"},
      {R"({"id":"","method":"echo"})", nullptr, "invalid_request"},
      {R"({"id":2})", 2, "invalid_request"},
      {R"({"id":3,"method":5})", 3, "invalid_request"},
      {R"({"id":4,"method":"echo","data":[1]})", 4, "invalid_request"},
      {R"({"id":5,"method":"noSuchMethod"})", 5, "unknown_method"},
  };
  for (const auto& tc : cases) {
    ASSERT_FALSE(c.send(tc.text)) << tc.text;
    auto reply = c.read_json();
    ASSERT_TRUE(reply.is_object()) << tc.text;
    EXPECT_EQ(reply.at("ok"), false) << tc.text;
    EXPECT_EQ(reply.at("id"), tc.id) << tc.text;
    EXPECT_EQ(reply.at("error").at("code"), tc.code.c_str()) << tc.text;
    EXPECT_TRUE(reply.at("error").at("reason").is_string());
  }
  ASSERT_FALSE(c.send(R"({"id":6,"method":"echo"})", /*binary=*/true));
  auto reply = c.read_json();
  EXPECT_EQ(reply.at("error").at("code"), "binary_not_supported");

  EXPECT_EQ(c.call(9, "echo", {{"still", "here"}}).at("data").at("still"), "here");
  EXPECT_GE(server_->metrics().requests("(unknown)", "unknown_method"), 1u);
  EXPECT_EQ(server_->metrics().requests("noSuchMethod", "unknown_method"), 0u);
}

TEST_F(ServerTest, OversizedFrameClosesWithTooBig) {
  ServerConfig cfg = base_config();
  cfg.ws_read_message_max = 1024;
  start(cfg);
  WsClient c;
  ASSERT_FALSE(c.connect(port()));
  EXPECT_EQ(c.call(1, "echo", {{"p", std::string(900, 'a')}}).at("ok"), true);
  ASSERT_FALSE(
      c.send(R"({"id":2,"method":"echo","data":{"p":")" + std::string(2000, 'a') + "\"}}"));
  std::string text;
  auto ec = c.read(text);
  // The server tears the TCP connection down right after its close frame, so the client's own
  // closing may fail (ENOTCONN) after it has read the close code.
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, net::error::timed_out);
  EXPECT_EQ(c.ws().reason().code, websocket::close_code::too_big);
}

TEST_F(ServerTest, RateLimitRefusesThenCloses) {
  ServerConfig cfg = base_config();
  cfg.rate_limit_per_second = 5;
  cfg.rate_limit_burst = 5;
  cfg.rate_limit_close_after = 10;
  start(cfg);
  WsClient c;
  ASSERT_FALSE(c.connect(port()));
  for (int i = 1; i <= 8; ++i) {
    ASSERT_FALSE(c.send(R"({"id":)" + std::to_string(i) + R"(,"method":"ping"})"));
  }
  // Replies may come out of order (handlers answer asynchronously): match them by id.
  int ok = 0, limited = 0;
  std::set<std::int64_t> ids;
  for (int i = 1; i <= 8; ++i) {
    auto reply = c.read_json();
    ASSERT_TRUE(reply.is_object());
    ids.insert(reply.at("id").to_number<std::int64_t>());
    if (reply.at("ok") == true) {
      ++ok;
    } else {
      EXPECT_EQ(reply.at("error").at("code"), "rate_limited");
      ++limited;
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 6);  // a token may come back while the burst is read
  EXPECT_EQ(ok + limited, 8);
  EXPECT_EQ(ids, (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  std::this_thread::sleep_for(400ms);  // two tokens back at 5/s
  EXPECT_EQ(c.call(100, "ping").at("ok"), true);

  // Keep hammering: after close_after refusals in a row the server closes the connection.
  for (int i = 0; i < 40; ++i) {
    if (c.send(R"({"id":200,"method":"ping"})")) break;
  }
  std::string text;
  beast::error_code ec;
  for (int i = 0; i < 100 && !ec; ++i) ec = c.read(text);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, websocket::close_code::policy_error);
  EXPECT_EQ(c.ws().reason().reason, "rate limited");
  EXPECT_EQ(server_->metrics().ws_rate_limit_closes.load(), 1u);
}

TEST_F(ServerTest, SlowReaderIsDisconnectedAndMemoryStaysBounded) {
  ServerConfig cfg = base_config();
  cfg.ws_write_queue_bytes = 256 * 1024;
  cfg.ws_write_queue_messages = 64;
  cfg.ws_close_timeout = 300ms;
  start(cfg);
  WsClient c;
  ASSERT_FALSE(c.connect(port(), {}, 4096));
  const long rss_before = rss_kib();
  // 4,000 notifications of 16 KiB (64 MiB) to a client that never reads.
  ASSERT_FALSE(c.send(R"({"id":1,"method":"flood","data":{"count":4000,"size":16384}})"));
  EXPECT_TRUE(eventually([&] { return server_->metrics().ws_slow_consumer_closes.load() == 1; }));
  EXPECT_TRUE(eventually([&] { return server_->metrics().ws_connections_current.load() == 0; }));
  const long rss_growth_kib = rss_kib() - rss_before;
  EXPECT_LE(server_->metrics().ws_queued_bytes_peak.load(), 256 * 1024);
  EXPECT_EQ(server_->metrics().ws_queued_bytes.load(), 0);
  EXPECT_LT(rss_growth_kib, 24 * 1024) << "RSS grew by " << rss_growth_kib << " KiB";

  // Reading now drains what the kernel buffered, then the connection ends.
  std::string text;
  beast::error_code ec;
  for (int i = 0; i < 10000 && !ec; ++i) ec = c.read(text, 2000ms);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, net::error::timed_out);

  // The server is fine for others.
  WsClient d;
  ASSERT_FALSE(d.connect(port()));
  EXPECT_EQ(d.call(2, "ping").at("ok"), true);
}

TEST_F(ServerTest, IdleTimeoutClosesSilentPeersButNotLiveOnes) {
  ServerConfig cfg = base_config();
  cfg.ws_idle_timeout = 600ms;
  start(cfg);
  WsClient silent, live;
  ASSERT_FALSE(silent.connect(port()));
  ASSERT_FALSE(live.connect(port()));

  // `live` keeps a read pending, so Beast answers the server's pings; `silent` does nothing.
  std::string live_text;
  beast::flat_buffer live_buf;
  std::optional<beast::error_code> live_result;
  live.ws().async_read(live_buf, [&](beast::error_code ec, std::size_t) { live_result = ec; });
  const auto start_time = std::chrono::steady_clock::now();
  live.ioc().restart();
  live.ioc().run_for(1500ms);
  EXPECT_FALSE(live_result.has_value()) << "live peer was disconnected";
  EXPECT_TRUE(
      eventually([&] { return server_->metrics().ws_connections_current.load() == 1; }, 500ms));

  std::string text;
  auto ec = silent.read(text, 2000ms);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, net::error::timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, 3s);

  // The live one still answers.
  ASSERT_FALSE(live.send(R"({"id":1,"method":"ping"})"));
  live.ioc().restart();
  while (!live_result && live.ioc().run_one_for(2s)) {
  }
  ASSERT_TRUE(live_result.has_value());
  EXPECT_FALSE(*live_result);
  EXPECT_NE(beast::buffers_to_string(live_buf.data()).find("\"pong\":true"), std::string::npos);
}

TEST_F(ServerTest, OriginCheck) {
  ServerConfig cfg = base_config();
  cfg.allowed_origins = {"https://good.example"};
  start(cfg);
  WsClient evil, good, tool;
  EXPECT_EQ(evil.connect(port(), "https://evil.example"), websocket::error::upgrade_declined);
  EXPECT_EQ(evil.handshake_response().result(), http::status::forbidden);
  ASSERT_FALSE(good.connect(port(), "https://good.example"));
  EXPECT_EQ(good.call(1, "ping").at("ok"), true);
  ASSERT_FALSE(tool.connect(port()));  // no Origin: not a browser
  EXPECT_EQ(server_->metrics().ws_origin_refused.load(), 1u);
}

TEST(OriginPolicy, AnyOriginOnlyOnLoopback) {
  ServerConfig cfg;
  EXPECT_TRUE(origin_allowed(cfg, true, "http://localhost:3000"));
  EXPECT_FALSE(origin_allowed(cfg, false, "http://localhost:3000"));
  EXPECT_TRUE(origin_allowed(cfg, false, ""));
  cfg.allowed_origins = {"https://a.example"};
  EXPECT_TRUE(origin_allowed(cfg, false, "https://a.example"));
  EXPECT_FALSE(origin_allowed(cfg, true, "https://b.example"));
}

TEST_F(ServerTest, ThousandConcurrentSessions) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < 4096 && lim.rlim_max > lim.rlim_cur) {
    lim.rlim_cur = std::min<rlim_t>(lim.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  getrlimit(RLIMIT_NOFILE, &lim);
  ASSERT_GE(lim.rlim_cur, 2100u) << "need 2 descriptors per connection";

  ServerConfig cfg = base_config();
  start(cfg);
  constexpr int kClients = 1000;
  net::io_context ioc;
  struct Client {
    explicit Client(net::io_context& ioc) : ws(ioc) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    std::string request;
  };
  std::vector<std::unique_ptr<Client>> clients;
  std::atomic<int> open{0}, done{0}, failed{0};
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port());
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(ioc));
    Client* c = clients.back().get();
    c->request = R"({"id":)" + std::to_string(i) + R"(,"method":"echo","data":{"i":)" +
                 std::to_string(i) + "}}";
    beast::get_lowest_layer(c->ws).async_connect(ep, [&, c, i](beast::error_code ec) {
      if (ec) return void(++failed);
      c->ws.async_handshake("127.0.0.1", "/ws", [&, c, i](beast::error_code ec) {
        if (ec) return void(++failed);
        ++open;
        c->ws.async_write(net::buffer(c->request), [&, c, i](beast::error_code ec, std::size_t) {
          if (ec) return void(++failed);
          c->ws.async_read(c->buffer, [&, c, i](beast::error_code ec, std::size_t) {
            if (ec) return void(++failed);
            auto reply = json::parse(beast::buffers_to_string(c->buffer.data()));
            if (reply.at("id") == i && reply.at("data").at("i") == i) {
              ++done;
            } else {
              ++failed;
            }
          });
        });
      });
    });
  }
  while (done + failed < kClients && std::chrono::steady_clock::now() - t0 < 60s) {
    ioc.run_one_for(100ms);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(done.load(), kClients);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(server_->metrics().ws_connections_current.load(), kClients);
  std::printf("%d WebSocket connections + echo round trips: %.3f s\n", kClients, seconds);
  EXPECT_LT(seconds, 30.0);
  clients.clear();
  EXPECT_TRUE(eventually([&] { return server_->metrics().ws_connections_current.load() == 0; }));
}

}  // namespace
}  // namespace fanout::sig

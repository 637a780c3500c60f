// The room protocol (signaling/PROTOCOL.md) on the real server with the real RoomHandler and no
// control plane running: tokens, fields, order of methods, notifications between peers, the grace
// period and resume, the REST API, and `unavailable` for what needs the control plane. Calls with
// media run against all three processes (tests/e2e).
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "signaling/app/room_handler.hpp"
#include "signaling/auth/jwt.hpp"
#include "signaling/server/server.hpp"
#include "tests/signaling/cpclient/cp_test_server.hpp"
#include "tests/signaling/server/ws_client.hpp"

namespace fanout::sig {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

const std::string kSecret = "a-test-secret-of-at-least-thirty-two-bytes!";
const std::string kApiKey = "test-api-key-0123456789";

std::string token(const std::string& room, int64_t exp_offset_s, bool publish = true,
                  const std::string& secret = kSecret) {
  Claims c;
  c.room = room;
  c.sub = "user-1";
  c.exp = static_cast<int64_t>(std::time(nullptr)) + exp_offset_s;
  c.perms = {publish, true};
  return mint(c, JwtSecret(secret));
}

// The error code of a reply, or "" when it succeeded.
std::string code(const json::value& reply) {
  if (!reply.is_object() || !reply.as_object().contains("ok")) return "<no reply>";
  if (reply.at("ok").as_bool()) return "";
  return std::string(reply.at("error").at("code").as_string());
}

std::string reason(const json::value& reply) {
  if (!reply.is_object() || !reply.as_object().contains("error")) return "<no error>";
  return std::string(reply.at("error").at("reason").as_string());
}

// A client that keeps the notifications it reads while waiting for a reply.
class Peer {
 public:
  explicit Peer(std::uint16_t port) { connected_ = !ws_.connect(port); }
  bool connected() const { return connected_; }

  json::value call(const std::string& method, json::object data = {}) {
    const std::int64_t id = ++next_id_;
    json::object req{{"id", id}, {"method", method}, {"data", std::move(data)}};
    if (ws_.send(json::serialize(req))) return nullptr;
    for (int i = 0; i < 100; ++i) {
      json::value v = ws_.read_json();
      if (!v.is_object()) return nullptr;
      if (v.as_object().contains("notification")) {
        notes_.push_back(std::move(v));
        continue;
      }
      if (v.at("id") == id) return v;
    }
    return nullptr;
  }

  // The next notification named `method` (others seen on the way are kept), or null.
  json::value wait(const std::string& method, std::chrono::milliseconds limit = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      for (auto it = notes_.begin(); it != notes_.end(); ++it) {
        if (it->at("method") == method.c_str()) {
          json::value data = it->at("data");
          notes_.erase(it);
          return data;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return nullptr;
      std::string text;
      if (ws_.read(text, left)) return nullptr;
      notes_.push_back(json::parse(text));
    }
  }

  // How many notifications named `method` were read and not taken by wait().
  int kept(const std::string& method) const {
    int n = 0;
    for (const auto& note : notes_) n += note.at("method") == method.c_str() ? 1 : 0;
    return n;
  }

  // Gone without a closing handshake, as when a network drops.
  void drop() { boost::beast::get_lowest_layer(ws_.ws()).socket().close(); }

 private:
  test::WsClient ws_;
  bool connected_ = false;
  std::int64_t next_id_ = 0;
  std::deque<json::value> notes_;
};

class RoomProtocolTest : public ::testing::Test {
 protected:
  void up(bool open = false, std::chrono::seconds grace = 30s,
          std::string cp_socket = "/nonexistent/fanout-controlplane.sock") {
    RoomHandlerOptions options;
    options.secret = kSecret;
    options.open = open;
    options.api_key = kApiKey;
    options.limits.grace = grace;
    options.sweep_interval = 50ms;
    options.controlplane.socket_path = std::move(cp_socket);
    options.controlplane.request_timeout = 500ms;
    handler_ = std::make_shared<RoomHandler>(std::move(options));
    handler_->start();
    ServerConfig cfg;
    cfg.listen_port = 0;
    cfg.io_threads = 2;
    server_ = std::make_unique<Server>(cfg, handler_);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop(500);
    if (handler_) handler_->stop();
  }
  std::uint16_t port() const { return server_->port(); }

  test::HttpReply rest(http::verb verb, const std::string& target, const std::string& body = {},
                       bool with_key = true) {
    return test::http_request(port(), verb, target, body, with_key ? "Bearer " + kApiKey : "");
  }

  std::shared_ptr<RoomHandler> handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(RoomProtocolTest, RoomMethodsBeforeJoinAreRefused) {
  up();
  Peer c(port());
  ASSERT_TRUE(c.connected());
  for (const char* method :
       {"getRouterRtpCapabilities", "createWebRtcTransport", "connectWebRtcTransport", "produce",
        "consume", "resumeConsumer", "pauseProducer", "getStats", "restartIce", "leave"}) {
    EXPECT_EQ(code(c.call(method)), "not_joined") << method;
  }
  EXPECT_EQ(code(c.call("noSuchMethod")), "unknown_method");
  EXPECT_EQ(code(c.call("ping")), "") << "still usable";
}

TEST_F(RoomProtocolTest, OpenModeJoinsWithoutAToken) {
  up(/*open=*/true);
  Peer c(port());
  const json::value r = c.call("join", {{"roomId", "demo"}, {"displayName", "Ada"}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  const json::value& d = r.at("data");
  EXPECT_EQ(d.at("protocolVersion"), 1);
  EXPECT_FALSE(d.at("peerId").as_string().empty());
  EXPECT_EQ(d.at("reconnectToken").as_string().size(), 43u);
  EXPECT_EQ(d.at("displayName"), "Ada");
  EXPECT_EQ(d.at("permissions"), json::parse(R"({"publish":true,"subscribe":true})"));
  EXPECT_TRUE(d.at("peers").as_array().empty());
  EXPECT_EQ(code(c.call("join", {{"roomId", "demo"}})), "already_joined");
}

TEST_F(RoomProtocolTest, JoinTokensAreChecked) {
  up();
  Peer c(port());
  auto join = [&c](json::object data) { return c.call("join", std::move(data)); };

  json::value r = join({{"roomId", "r1"}});
  EXPECT_EQ(code(r), "unauthorized") << "no token outside open mode";
  r = join({{"roomId", "r1"}, {"token", "not.a.jwt"}});
  EXPECT_EQ(code(r), "unauthorized");
  r = join({{"roomId", "r1"}, {"token", token("r1", 600, true, kSecret + "-forged")}});
  EXPECT_EQ(code(r), "unauthorized");
  EXPECT_NE(reason(r).find("signature"), std::string::npos) << reason(r);
  r = join({{"roomId", "r1"}, {"token", token("r1", -600)}});
  EXPECT_EQ(code(r), "unauthorized");
  EXPECT_NE(reason(r).find("expired"), std::string::npos) << reason(r);
  r = join({{"roomId", "r1"}, {"token", token("another-room", 600)}});
  EXPECT_EQ(code(r), "unauthorized");
  EXPECT_NE(reason(r).find("another room"), std::string::npos) << reason(r);
  r = join({{"roomId", "r1"}, {"token", token("r1", 600)}, {"protocolVersion", 2}});
  EXPECT_EQ(code(r), "unsupported_version");

  r = join({{"roomId", "r1"}, {"token", token("r1", 600)}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  EXPECT_EQ(r.at("data").at("permissions").at("publish"), true);
}

TEST_F(RoomProtocolTest, WrongTypedFieldsNameTheField) {
  up(/*open=*/true);
  Peer c(port());
  json::value r = c.call("join", {{"roomId", 42}});
  EXPECT_EQ(code(r), "invalid_request");
  EXPECT_NE(reason(r).find("roomId"), std::string::npos) << reason(r);
  r = c.call("join", {{"roomId", std::string(10000, 'x')}});
  EXPECT_EQ(code(r), "invalid_request") << "an over-long room id";
  r = c.call("join", {{"roomId", "r1"}, {"token", 7}});
  EXPECT_NE(reason(r).find("token"), std::string::npos) << reason(r);
  r = c.call("join", {{"roomId", "r1"}, {"peerId", "p"}});
  EXPECT_NE(reason(r).find("reconnectToken"), std::string::npos) << reason(r);

  ASSERT_EQ(code(c.call("join", {{"roomId", "r1"}})), "");
  r = c.call("createWebRtcTransport", {{"direction", 5}});
  EXPECT_EQ(code(r), "invalid_request");
  EXPECT_NE(reason(r).find("direction"), std::string::npos) << reason(r);
  r = c.call("produce",
             {{"transportId", "t"}, {"kind", "text"}, {"rtpParameters", json::object{}}});
  EXPECT_NE(reason(r).find("kind"), std::string::npos) << reason(r);
  r = c.call("produce", {{"transportId", "t"}, {"kind", "audio"}, {"rtpParameters", "x"}});
  EXPECT_NE(reason(r).find("rtpParameters"), std::string::npos) << reason(r);
  r = c.call("consume", {{"transportId", "t"}, {"producerId", true}});
  EXPECT_NE(reason(r).find("producerId"), std::string::npos) << reason(r);
  r = c.call("getStats", {});
  EXPECT_EQ(code(r), "invalid_request") << "exactly one id";
  r = c.call("connectWebRtcTransport", {{"transportId", "nope"}, {"dtlsParameters", {}}});
  EXPECT_EQ(code(r), "transport_not_found") << json::serialize(r);
  EXPECT_EQ(code(c.call("ping")), "");
}

TEST_F(RoomProtocolTest, ProduceNeedsPublish) {
  up();
  Peer c(port());
  ASSERT_EQ(code(c.call("join", {{"roomId", "r1"}, {"token", token("r1", 600, false)}})), "");
  const json::value r = c.call(
      "produce", {{"transportId", "t1"}, {"kind", "audio"}, {"rtpParameters", json::object{}}});
  EXPECT_EQ(code(r), "permission_denied") << json::serialize(r);
}

TEST_F(RoomProtocolTest, ControlPlaneMethodsSayUnavailableWhenItIsDown) {
  up(/*open=*/true);
  Peer c(port());
  ASSERT_EQ(code(c.call("join", {{"roomId", "r1"}})), "") << "joining needs no control plane";
  EXPECT_EQ(code(c.call("getRouterRtpCapabilities")), "unavailable");
  // The transport slot is given back each time: never too_many_transports.
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(code(c.call("createWebRtcTransport", {{"direction", "send"}})), "unavailable") << i;
  }
  const auto metrics = test::http_request(port(), http::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("fanout_sig_controlplane_connected 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("fanout_sig_rooms 1"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(fanout_sig_requests_total{method="createWebRtcTransport",)"
                              R"(result="unavailable"} 6)"),
            std::string::npos)
      << metrics.body;
}

// A transport the control plane closed by itself (lost with a restarted data plane): the peer is
// told, and the room forgets it, so that its slot takes a new one. A small stand-in answers for
// the control plane.
TEST_F(RoomProtocolTest, ATransportTheControlPlaneClosedIsToldAndFreesItsSlot) {
  const std::string socket = "/tmp/fanout-sig-rp-" + std::to_string(::getpid()) + ".sock";
  test::CpTestServer cp(socket);
  cp.start();
  up(/*open=*/true, 30s, socket);
  Peer c(port());
  ASSERT_EQ(code(c.call("join", {{"roomId", "r1"}})), "");
  // Until the control plane link is up (Hello answered).
  json::value r;
  for (int i = 0; i < 100 && code(r = c.call("getRouterRtpCapabilities")) == "unavailable"; ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(code(r), "") << json::serialize(r);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {  // RoomLimits::max_transports_per_peer
    r = c.call("createWebRtcTransport", {{"direction", i == 0 ? "send" : "recv"}});
    ASSERT_EQ(code(r), "") << json::serialize(r);
    ids.emplace_back(r.at("data").at("id").as_string());
  }
  EXPECT_EQ(code(c.call("createWebRtcTransport", {{"direction", "recv"}})), "too_many_transports");

  cp.push(encode_cp_frame(0, [&](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{
        cpapi::Body::TransportStateChanged,
        cpapi::CreateTransportStateChangedDirect(fbb, ids[0].c_str(), cpapi::IceState::Closed,
                                                 cpapi::DtlsState::Closed, "lost")
            .Union()};
  }));
  const json::value note = c.wait("transportStateChanged");
  ASSERT_TRUE(note.is_object()) << "the peer was not told";
  EXPECT_EQ(note.at("transportId"), ids[0].c_str());
  EXPECT_EQ(note.at("iceState"), "closed");
  EXPECT_EQ(note.at("dtlsState"), "closed");
  EXPECT_EQ(code(c.call("connectWebRtcTransport",
                        {{"transportId", ids[0]}, {"dtlsParameters", json::object{}}})),
            "transport_not_found");
  r = c.call("createWebRtcTransport", {{"direction", "send"}});
  EXPECT_EQ(code(r), "") << json::serialize(r);
}

// Score events (minor 2) reach only the peer that owns the producer or the consumer, as
// producerScore and consumerScore; those for ids signaling does not know are dropped.
TEST_F(RoomProtocolTest, ScoresReachOnlyTheOwnerOfTheProducerOrConsumer) {
  const std::string socket = "/tmp/fanout-sig-rp-score-" + std::to_string(::getpid()) + ".sock";
  test::CpTestServer cp(socket);
  cp.start();
  up(/*open=*/true, 30s, socket);
  Peer a(port());
  Peer b(port());
  ASSERT_EQ(code(a.call("join", {{"roomId", "r1"}})), "");
  ASSERT_EQ(code(b.call("join", {{"roomId", "r1"}})), "");
  json::value r;
  for (int i = 0; i < 100 && code(r = a.call("getRouterRtpCapabilities")) == "unavailable"; ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(code(r), "") << json::serialize(r);
  r = a.call("createWebRtcTransport", {{"direction", "send"}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  const std::string send_id(r.at("data").at("id").as_string());
  r = a.call("produce",
             {{"transportId", send_id}, {"kind", "video"}, {"rtpParameters", json::object{}}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  const std::string producer_id(r.at("data").at("id").as_string());
  r = b.call("createWebRtcTransport", {{"direction", "recv"}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  const std::string recv_id(r.at("data").at("id").as_string());
  r = b.call(
      "consume",
      {{"transportId", recv_id}, {"producerId", producer_id}, {"rtpCapabilities", json::object{}}});
  ASSERT_EQ(code(r), "") << json::serialize(r);
  const std::string consumer_id(r.at("data").at("id").as_string());

  const auto producer_score = [&](const std::string& id) {
    return encode_cp_frame(0, [&](flatbuffers::FlatBufferBuilder& fbb) {
      const std::vector<flatbuffers::Offset<cpapi::StreamScore>> scores{
          cpapi::CreateStreamScoreDirect(fbb, 0, 1111, "", 10),
          cpapi::CreateStreamScoreDirect(fbb, 1, 2222, "h", 7)};
      return std::pair{cpapi::Body::ProducerScore,
                       cpapi::CreateProducerScoreDirect(fbb, id.c_str(), &scores).Union()};
    });
  };
  const auto consumer_score = [&](const std::string& id) {
    return encode_cp_frame(0, [&](flatbuffers::FlatBufferBuilder& fbb) {
      const std::vector<std::uint8_t> producer_scores{10, 7};
      return std::pair{
          cpapi::Body::ConsumerScore,
          cpapi::CreateConsumerScoreDirect(fbb, id.c_str(), 9, 7, &producer_scores).Union()};
    });
  };
  // The unknown ones first: the events are handled in order, so by the time the known ones
  // arrive the unknown ones have been dropped (or wrongly sent, which the end checks).
  cp.push(producer_score("no-such-producer"));
  cp.push(consumer_score("no-such-consumer"));
  cp.push(producer_score(producer_id));
  cp.push(consumer_score(consumer_id));

  const json::value ps = a.wait("producerScore");
  ASSERT_TRUE(ps.is_object()) << "the producer's owner was not told";
  EXPECT_EQ(ps, json::parse(R"({"producerId":")" + producer_id +
                            R"(","score":[)"
                            R"({"encodingIdx":0,"ssrc":1111,"score":10},)"
                            R"({"encodingIdx":1,"ssrc":2222,"rid":"h","score":7}]})"));
  const json::value cs = b.wait("consumerScore");
  ASSERT_TRUE(cs.is_object()) << "the consumer's owner was not told";
  EXPECT_EQ(cs, json::parse(R"({"consumerId":")" + consumer_id +
                            R"(","score":)"
                            R"({"score":9,"producerScore":7,"producerScores":[10,7]}})"));
  // All four events are handled by now, and a session sends in order: what was wrongly sent
  // to either peer arrives before the reply to a ping (a timed-out wait would leave the client's
  // read pending, so the absence is checked this way).
  ASSERT_EQ(code(a.call("ping")), "");
  ASSERT_EQ(code(b.call("ping")), "");
  EXPECT_EQ(a.kept("producerScore"), 0) << "the unknown producer's score";
  EXPECT_EQ(a.kept("consumerScore"), 0) << "B's consumer is not A's";
  EXPECT_EQ(b.kept("producerScore"), 0) << "A's producer is not B's";
  EXPECT_EQ(b.kept("consumerScore"), 0) << "the unknown consumer's score";
}

TEST_F(RoomProtocolTest, JoinAndLeaveAreToldToTheOthers) {
  up(/*open=*/true);
  Peer a(port());
  Peer b(port());
  const json::value ja = a.call("join", {{"roomId", "r1"}, {"displayName", "A"}});
  ASSERT_EQ(code(ja), "");
  const json::value jb = b.call("join", {{"roomId", "r1"}, {"displayName", "B"}});
  ASSERT_EQ(code(jb), "");
  const auto b_id = jb.at("data").at("peerId");
  ASSERT_EQ(jb.at("data").at("peers").as_array().size(), 1u);
  EXPECT_EQ(jb.at("data").at("peers").at(0).at("peerId"), ja.at("data").at("peerId"));

  const json::value joined = a.wait("peerJoined");
  ASSERT_TRUE(joined.is_object());
  EXPECT_EQ(joined.at("peerId"), b_id);
  EXPECT_EQ(joined.at("displayName"), "B");

  ASSERT_EQ(code(b.call("leave")), "");
  const json::value left = a.wait("peerLeft");
  ASSERT_TRUE(left.is_object());
  EXPECT_EQ(left.at("peerId"), b_id);
  EXPECT_EQ(left.at("reason"), "left");
  EXPECT_EQ(code(b.call("getRouterRtpCapabilities")), "not_joined") << "after leave";
}

TEST_F(RoomProtocolTest, DroppedPeerResumesWithItsReconnectToken) {
  up(/*open=*/true);
  Peer a(port());
  ASSERT_EQ(code(a.call("join", {{"roomId", "r1"}})), "");
  std::string b_id;
  std::string b_token;
  {
    Peer b(port());
    const json::value jb = b.call("join", {{"roomId", "r1"}});
    ASSERT_EQ(code(jb), "");
    b_id = std::string(jb.at("data").at("peerId").as_string());
    b_token = std::string(jb.at("data").at("reconnectToken").as_string());
    b.drop();
  }
  const json::value gone = a.wait("peerDisconnected");
  ASSERT_TRUE(gone.is_object());
  EXPECT_EQ(gone.at("peerId"), b_id.c_str());
  EXPECT_EQ(gone.at("graceSeconds"), 30);

  Peer b2(port());
  EXPECT_EQ(code(b2.call("join", {{"roomId", "r1"}, {"peerId", b_id}, {"reconnectToken", "x"}})),
            "bad_reconnect_token");
  const json::value back =
      b2.call("join", {{"roomId", "r1"}, {"peerId", b_id}, {"reconnectToken", b_token}});
  ASSERT_EQ(code(back), "") << json::serialize(back);
  EXPECT_EQ(back.at("data").at("peerId"), b_id.c_str());
  EXPECT_EQ(back.at("data").at("resumed"), true);
  EXPECT_NE(back.at("data").at("reconnectToken"), b_token.c_str()) << "tokens are good once";
  const json::value re = a.wait("peerReconnected");
  ASSERT_TRUE(re.is_object());
  EXPECT_EQ(re.at("peerId"), b_id.c_str());

  Peer b3(port());
  EXPECT_EQ(
      code(b3.call("join", {{"roomId", "r1"}, {"peerId", b_id}, {"reconnectToken", b_token}})),
      "bad_reconnect_token")
      << "a used token";
}

TEST_F(RoomProtocolTest, GraceExpiryTellsTheOthers) {
  up(/*open=*/true, /*grace=*/1s);
  Peer a(port());
  ASSERT_EQ(code(a.call("join", {{"roomId", "r1"}})), "");
  std::string b_id;
  {
    Peer b(port());
    const json::value jb = b.call("join", {{"roomId", "r1"}});
    ASSERT_EQ(code(jb), "");
    b_id = std::string(jb.at("data").at("peerId").as_string());
    b.drop();
  }
  ASSERT_TRUE(a.wait("peerDisconnected").is_object());
  const json::value left = a.wait("peerLeft", 4000ms);
  ASSERT_TRUE(left.is_object());
  EXPECT_EQ(left.at("peerId"), b_id.c_str());
  EXPECT_EQ(left.at("reason"), "grace_expired");
}

TEST_F(RoomProtocolTest, RestApiNeedsTheBearerKey) {
  up();
  EXPECT_EQ(rest(http::verb::post, "/api/rooms", "{}", /*with_key=*/false).status, 401u);
  EXPECT_EQ(test::http_request(port(), http::verb::get, "/api/rooms", "", "Bearer wrong").status,
            401u);
  EXPECT_EQ(rest(http::verb::post, "/api/rooms/none/tokens", R"({"userId":"u"})").status, 404u);
}

TEST_F(RoomProtocolTest, RestCreatesRoomsAndMintsTokensThatJoin) {
  up();
  const auto created = rest(http::verb::post, "/api/rooms", R"({"roomId":"board"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json::parse(created.body).at("roomId"), "board");
  EXPECT_EQ(rest(http::verb::post, "/api/rooms", R"({"roomId":"board"})").status, 409u);
  EXPECT_EQ(rest(http::verb::post, "/api/rooms", R"({"roomId":3})").status, 400u);

  const auto minted = rest(http::verb::post, "/api/rooms/board/tokens",
                           R"({"userId":"u9","displayName":"Nine","permissions":["subscribe"]})");
  ASSERT_EQ(minted.status, 201u) << minted.body;
  const json::value body = json::parse(minted.body);
  EXPECT_GT(body.at("expiresAt").as_int64(), std::time(nullptr));

  Peer c(port());
  const json::value j =
      c.call("join", {{"roomId", "board"}, {"token", body.at("token").as_string()}});
  ASSERT_EQ(code(j), "") << json::serialize(j);
  EXPECT_EQ(j.at("data").at("displayName"), "Nine");
  EXPECT_EQ(j.at("data").at("permissions"), json::parse(R"({"publish":false,"subscribe":true})"));

  const auto list = rest(http::verb::get, "/api/rooms");
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(json::parse(list.body), json::parse(R"({"rooms":[{"roomId":"board","peers":1}]})"));

  ASSERT_EQ(rest(http::verb::delete_, "/api/rooms/board").status, 200u);
  const json::value closed = c.wait("peerLeft");
  ASSERT_TRUE(closed.is_object());
  EXPECT_EQ(closed.at("reason"), "room_closed");
  EXPECT_EQ(code(c.call("getRouterRtpCapabilities")), "not_joined");
  EXPECT_EQ(rest(http::verb::delete_, "/api/rooms/board").status, 404u);
}

}  // namespace
}  // namespace fanout::sig

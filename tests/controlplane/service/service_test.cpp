// controlplane/service against the real fanout-dataplane on a net_tap port inside a network
// namespace (run_in_netns.sh): FlatBuffers requests as signaling sends them go through
// Service::handle, the replies and events are read back as signaling would, and what the data plane
// holds is checked over its own IPC (ListProducers / ListConsumers).
#include "controlplane/service/service.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "controlplane/rtp/supported_capabilities.hpp"
#include "tests/controlplane/rtp/fixtures.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::cp::test {
namespace {

namespace api = fanout::cpapi;
namespace fb = fanout::ipc;
namespace json = boost::json;
using flatbuffers::FlatBufferBuilder;
using std::chrono::milliseconds;

const char* kIface = "fo-svc0";
const char* kDataplaneAddress = "198.18.0.2";

// What signaling would receive on its connection: every event, verified and kept.
class RecordingSink : public EventSink {
 public:
  void emit(std::span<const uint8_t> envelope) override {
    flatbuffers::Verifier v(envelope.data(), envelope.size());
    EXPECT_TRUE(api::VerifySizePrefixedEnvelopeBuffer(v)) << "an event that does not verify";
    events.emplace_back(envelope.begin(), envelope.end());
  }
  const api::Envelope* at(size_t i) const { return api::GetSizePrefixedEnvelope(events[i].data()); }
  std::vector<std::vector<uint8_t>> events;
};

// A reply, verified, with its id checked.
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

class ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fanout::test::DataplaneProcess::Options options;
    options.iface = kIface;
    options.kernel_address = "198.18.0.1/24";
    options.dataplane_address = kDataplaneAddress;
    options.file_prefix = "fanout-svc-it";
    ASSERT_EQ(process_.start(options), "");
    Node::Options node_options;
    node_options.link.socket_path = process_.socket_path();
    node_options.link.client_name = "controlplane_service_test";
    node_ = new Node(node_options);
    sink_ = new RecordingSink;
    service_ = new Service(*node_, ServiceOptions{}, *sink_);
  }

  static void TearDownTestSuite() {
    delete service_;
    delete sink_;
    delete node_;
    service_ = nullptr;
    sink_ = nullptr;
    node_ = nullptr;
    process_.stop();
  }

  // Builds a request as signaling does (size-prefixed FCP1), verifies it as the API server does,
  // hands it to the service and verifies the reply.
  template <typename Build>
  Reply call(Build&& build) {
    FlatBufferBuilder fbb;
    return send(fbb, build(fbb));
  }

  template <typename T>
  Reply send(FlatBufferBuilder& fbb, flatbuffers::Offset<T> body) {
    const uint64_t id = ++next_id_;
    api::FinishSizePrefixedEnvelopeBuffer(
        fbb, api::CreateEnvelope(fbb, id, api::BodyTraits<T>::enum_value, body.Union()));
    flatbuffers::Verifier rv(fbb.GetBufferPointer(), fbb.GetSize());
    EXPECT_TRUE(api::VerifySizePrefixedEnvelopeBuffer(rv));
    Reply r{service_->handle(*api::GetSizePrefixedEnvelope(fbb.GetBufferPointer()))};
    flatbuffers::Verifier v(r.bytes.data(), r.bytes.size());
    EXPECT_TRUE(api::VerifySizePrefixedEnvelopeBuffer(v)) << "a reply that does not verify";
    EXPECT_EQ(r.envelope()->id(), id);
    return r;
  }

  Reply create_router(const std::string& id, std::string_view codecs = {}) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateCreateRouter(
          fbb, fbb.CreateString(id),
          codecs.empty() ? 0 : fbb.CreateString(codecs.data(), codecs.size()));
    });
  }
  Reply create_transport(const std::string& router, const std::string& id, bool own_port = false) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateCreateWebRtcTransport(fbb, fbb.CreateString(router), fbb.CreateString(id),
                                              own_port, fbb.CreateString(R"({"peer":"alice"})"));
    });
  }
  Reply produce(const std::string& transport, const std::string& id, std::string_view params,
                api::MediaKind kind = api::MediaKind::Video, bool paused = false) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateProduce(fbb, fbb.CreateString(transport), fbb.CreateString(id), kind,
                                fbb.CreateString(params.data(), params.size()), paused);
    });
  }
  Reply consume(const std::string& transport, const std::string& id, const std::string& producer,
                std::string_view caps) {
    return call([&](FlatBufferBuilder& fbb) {
      // `paused` left out: the schema's default (true), as a client that omits it gets.
      return api::CreateConsume(fbb, fbb.CreateString(transport), fbb.CreateString(id),
                                fbb.CreateString(producer),
                                fbb.CreateString(caps.data(), caps.size()));
    });
  }
  Reply set_paused(api::Target target, const std::string& id, bool paused) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateSetPaused(fbb, target, fbb.CreateString(id), paused);
    });
  }
  Reply close(api::Target target, const std::string& id) {
    return call([&](FlatBufferBuilder& fbb) {
      return api::CreateClose(fbb, target, fbb.CreateString(id));
    });
  }
  json::value dump() {
    Reply r = call([](FlatBufferBuilder& fbb) { return api::CreateDump(fbb); });
    const api::DumpReply* d = r.envelope()->body_as_DumpReply();
    EXPECT_TRUE(d && d->json()) << r.describe();
    return d && d->json() ? json::parse(d->json()->str()) : json::value();
  }

  static void expect_error(const Reply& r, api::ErrorCode code, const std::string& in_reason) {
    ASSERT_NE(r.error(), nullptr) << "expected " << api::EnumNameErrorCode(code) << ", got "
                                  << r.describe();
    EXPECT_EQ(r.error()->code(), code) << r.describe();
    ASSERT_TRUE(r.error()->reason());
    EXPECT_NE(r.error()->reason()->str().find(in_reason), std::string::npos)
        << "reason '" << r.error()->reason()->str() << "' does not mention '" << in_reason << "'";
  }

  // Events emitted since `from`, as "Type id reason".
  static std::vector<std::string> events_since(size_t from) {
    std::vector<std::string> out;
    for (size_t i = from; i < sink_->events.size(); ++i) {
      const api::Envelope* e = sink_->at(i);
      EXPECT_EQ(e->id(), 0u);
      if (auto* p = e->body_as_ProducerClosed()) {
        out.push_back("ProducerClosed " + p->producer_id()->str() + " " + p->reason()->str());
      } else if (auto* c = e->body_as_ConsumerClosed()) {
        out.push_back("ConsumerClosed " + c->consumer_id()->str() + " " + c->reason()->str());
      } else if (auto* pp = e->body_as_ProducerPausedChanged()) {
        out.push_back("ProducerPausedChanged " + pp->producer_id()->str() + " " +
                      (pp->paused() ? "paused" : "resumed"));
      } else if (auto* t = e->body_as_TransportStateChanged()) {
        out.push_back("TransportStateChanged " + t->transport_id()->str() + " " +
                      api::EnumNameIceState(t->ice_state()) + "/" +
                      api::EnumNameDtlsState(t->dtls_state()));
      } else {
        out.push_back(api::EnumNameBody(e->body_type()));
      }
    }
    return out;
  }

  static std::vector<std::unique_ptr<fb::ConsumerInfoT>> dataplane_consumers() {
    auto r = node_->link().client().request(
        [](FlatBufferBuilder& fbb) { return fb::CreateListConsumers(fbb); }, milliseconds(2000));
    EXPECT_TRUE(r.ok()) << r.detail;
    std::vector<std::unique_ptr<fb::ConsumerInfoT>> out;
    const fb::ConsumerList* l = r.ok() ? r.reply->body_as_ConsumerList() : nullptr;
    if (l && l->consumers()) {
      for (const fb::ConsumerInfo* c : *l->consumers()) out.emplace_back(c->UnPack());
    }
    return out;
  }

  static size_t dataplane_producer_count() {
    auto r = node_->link().client().request(
        [](FlatBufferBuilder& fbb) { return fb::CreateListProducers(fbb); }, milliseconds(2000));
    EXPECT_TRUE(r.ok()) << r.detail;
    const fb::ProducerList* l = r.ok() ? r.reply->body_as_ProducerList() : nullptr;
    return l && l->producers() ? l->producers()->size() : 0;
  }

  // Runs the node as the process loop would, for `d`.
  static void run_for(milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      Status s = node_->run_once(milliseconds(5));
      ASSERT_TRUE(s.ok()) << s.error();
    }
  }

  static inline fanout::test::DataplaneProcess process_;
  static inline Node* node_ = nullptr;
  static inline RecordingSink* sink_ = nullptr;
  static inline Service* service_ = nullptr;
  uint64_t next_id_ = 1000;
};

const json::object* find_codec(const json::value& caps, const std::string& mime) {
  for (const json::value& c : caps.at("codecs").as_array()) {
    if (c.at("mimeType").as_string() == mime) return &c.as_object();
  }
  return nullptr;
}

bool has_rtx_for(const json::value& caps, int64_t pt) {
  for (const json::value& c : caps.at("codecs").as_array()) {
    if (c.at("mimeType").as_string() == "video/rtx" &&
        c.at("parameters").at("apt").to_number<int64_t>() == pt)
      return true;
  }
  return false;
}

TEST_F(ServiceTest, RoomLifecycleThroughTheRealDataplane) {
  // --- CreateRouter with the node's defaults ---
  Reply r = create_router("room-1");
  const api::RouterCreated* rc = r.envelope()->body_as_RouterCreated();
  ASSERT_NE(rc, nullptr) << r.describe();
  EXPECT_EQ(rc->router_id()->str(), "room-1");
  const json::value caps = json::parse(rc->rtp_capabilities_json()->str());
  const json::object* opus = find_codec(caps, "audio/opus");
  const json::object* vp8 = find_codec(caps, "video/VP8");
  const json::object* h264 = find_codec(caps, "video/H264");
  ASSERT_TRUE(opus && vp8 && h264) << json::serialize(caps);
  EXPECT_EQ(opus->at("clockRate").to_number<int64_t>(), 48000);
  EXPECT_EQ(opus->at("channels").to_number<int64_t>(), 2);
  const int64_t vp8_pt = vp8->at("preferredPayloadType").to_number<int64_t>();
  EXPECT_TRUE(has_rtx_for(caps, vp8_pt)) << "no RTX for VP8";
  EXPECT_TRUE(has_rtx_for(caps, h264->at("preferredPayloadType").to_number<int64_t>()))
      << "no RTX for H264";
  expect_error(create_router("room-1"), api::ErrorCode::AlreadyExists, "room-1");

  // --- Two WebRtcTransports: mediasoup's shapes, one worker for the room ---
  r = create_transport("room-1", "t-alice");
  const api::WebRtcTransportCreated* tc = r.envelope()->body_as_WebRtcTransportCreated();
  ASSERT_NE(tc, nullptr) << r.describe();
  const json::value ice = json::parse(tc->ice_parameters_json()->str());
  EXPECT_GE(ice.at("usernameFragment").as_string().size(), 4u);
  EXPECT_GE(ice.at("password").as_string().size(), 22u);
  EXPECT_EQ(ice.at("iceLite"), true);
  const json::value candidates = json::parse(tc->ice_candidates_json()->str());
  ASSERT_EQ(candidates.as_array().size(), 1u);
  const json::value& cand = candidates.as_array()[0];
  EXPECT_EQ(cand.at("ip"), kDataplaneAddress);
  EXPECT_EQ(cand.at("address"), kDataplaneAddress);
  EXPECT_EQ(cand.at("protocol"), "udp");
  EXPECT_EQ(cand.at("type"), "host");
  EXPECT_EQ(cand.at("foundation"), "udpcandidate");
  EXPECT_GT(cand.at("port").to_number<int64_t>(), 0);
  EXPECT_EQ(cand.at("priority").to_number<int64_t>(), kHostCandidatePriority);
  const json::value dtls = json::parse(tc->dtls_parameters_json()->str());
  EXPECT_EQ(dtls.at("role"), "auto");
  ASSERT_EQ(dtls.at("fingerprints").as_array().size(), 1u);
  EXPECT_EQ(dtls.at("fingerprints").as_array()[0].at("algorithm"), "sha-256");
  EXPECT_EQ(dtls.at("fingerprints").as_array()[0].at("value").as_string(),
            node_->dtls_context()->certificate().fingerprint().c_str());
  r = create_transport("room-1", "t-bob");
  ASSERT_NE(r.envelope()->body_as_WebRtcTransportCreated(), nullptr) << r.describe();
  expect_error(create_transport("room-1", "t-bob"), api::ErrorCode::AlreadyExists, "t-bob");
  expect_error(create_transport("no-such-room", "t-x"), api::ErrorCode::NotFound, "no-such-room");

  // --- Produce VP8 as Chromium sends it ---
  r = produce("t-alice", "p-cam", kChromeVp8Producer);
  ASSERT_NE(r.envelope()->body_as_Produced(), nullptr) << r.describe();
  EXPECT_EQ(r.envelope()->body_as_Produced()->producer_id()->str(), "p-cam");
  expect_error(produce("t-alice", "p-cam", kChromeVp8Producer), api::ErrorCode::AlreadyExists,
               "p-cam");

  // --- Consume it on Bob's transport ---
  r = consume("t-bob", "c-bob-cam", "p-cam", kChromeDeviceCapabilities);
  const api::Consumed* cd = r.envelope()->body_as_Consumed();
  ASSERT_NE(cd, nullptr) << r.describe();
  EXPECT_EQ(cd->consumer_id()->str(), "c-bob-cam");
  EXPECT_EQ(cd->producer_id()->str(), "p-cam");
  EXPECT_EQ(cd->kind(), api::MediaKind::Video);
  EXPECT_FALSE(cd->producer_paused());
  const json::value cp = json::parse(cd->rtp_parameters_json()->str());
  const json::array& codecs = cp.at("codecs").as_array();
  ASSERT_EQ(codecs.size(), 2u) << json::serialize(cp);
  EXPECT_EQ(codecs[0].at("mimeType"), "video/VP8");
  EXPECT_EQ(codecs[0].at("payloadType").to_number<int64_t>(), vp8_pt);
  EXPECT_EQ(codecs[1].at("mimeType"), "video/rtx");
  EXPECT_EQ(codecs[1].at("parameters").at("apt").to_number<int64_t>(), vp8_pt);
  const json::array& encodings = cp.at("encodings").as_array();
  ASSERT_EQ(encodings.size(), 1u);
  const int64_t consumer_ssrc = encodings[0].at("ssrc").to_number<int64_t>();
  EXPECT_NE(consumer_ssrc, 1738264751);  // the producer's
  EXPECT_NE(consumer_ssrc, 0);
  EXPECT_EQ(encodings[0].at("rtx").at("ssrc").to_number<int64_t>(), consumer_ssrc + 1);
  for (const json::value& e : cp.at("headerExtensions").as_array()) {
    EXPECT_NE(e.at("uri"), kUriMid) << "a consumer must not negotiate MID";
    EXPECT_NE(e.at("uri"), kUriTransportWideCc) << "nor transport-cc";
  }
  EXPECT_EQ(cp.at("mid"), "0");
  EXPECT_EQ(cp.at("rtcp").at("cname"), "X9u8aUyFuI0tDLo8");

  // The data plane got the same consumer: paused (consumers start paused), the SSRC signaled,
  // Chromium's PT 96 to the router's VP8 PT.
  bool found = false;
  for (const auto& c : dataplane_consumers()) {
    if (c->ssrc != static_cast<uint32_t>(consumer_ssrc)) continue;
    found = true;
    EXPECT_TRUE(c->paused);
    EXPECT_EQ(c->rtx_ssrc, static_cast<uint32_t>(consumer_ssrc + 1));
    bool media_mapped = false;
    for (const auto& m : c->payload_types)
      media_mapped = media_mapped || (m->from == 96 && m->to == vp8_pt);
    EXPECT_TRUE(media_mapped);
  }
  EXPECT_TRUE(found) << "no consumer with ssrc " << consumer_ssrc << " in the data plane";

  // --- A device that cannot receive VP8 ---
  json::value no_vp8 = json::parse(kChromeDeviceCapabilities);
  json::array& dev_codecs = no_vp8.at("codecs").as_array();
  for (auto it = dev_codecs.begin(); it != dev_codecs.end();) {
    const bool drop = it->at("mimeType") == "video/VP8" ||
                      (it->at("mimeType") == "video/rtx" &&
                       it->at("parameters").at("apt").to_number<int64_t>() == 96);
    it = drop ? dev_codecs.erase(it) : it + 1;
  }
  expect_error(consume("t-bob", "c-novp8", "p-cam", json::serialize(no_vp8)),
               api::ErrorCode::Unsupported, "VP8");

  // --- Garbage: the reason names the path ---
  expect_error(produce("t-alice", "p-bad", "{not json"), api::ErrorCode::InvalidArgument,
               "rtpParameters");
  expect_error(produce("t-alice", "p-bad", R"({"codecs": 5, "encodings": []})"),
               api::ErrorCode::InvalidArgument, "rtpParameters.codecs");
  expect_error(consume("t-bob", "c-bad", "p-cam", R"({"codecs": [{"mimeType": 1}]})"),
               api::ErrorCode::InvalidArgument, "rtpCapabilities.codecs[0]");
  expect_error(call([](FlatBufferBuilder& fbb) {
                 return api::CreateConnectWebRtcTransport(
                     fbb, fbb.CreateString("t-alice"),
                     fbb.CreateString(R"({"role": "boss", "fingerprints": []})"));
               }),
               api::ErrorCode::InvalidArgument, "dtlsParameters.role");
  expect_error(create_router("room-bad", R"([{"kind": "video", "mimeType": "video/H265",
                                             "clockRate": 90000}])"),
               api::ErrorCode::Unsupported, "mediaCodecs[0]");
  expect_error(call([](FlatBufferBuilder& fbb) {
                 return api::CreateCreateRouter(fbb, fbb.CreateString(""));
               }),
               api::ErrorCode::InvalidArgument, "router_id");

  // --- Unknown ids ---
  expect_error(produce("t-nobody", "p-x", kChromeVp8Producer), api::ErrorCode::NotFound,
               "t-nobody");
  expect_error(consume("t-bob", "c-x", "p-nobody", kChromeDeviceCapabilities),
               api::ErrorCode::NotFound, "p-nobody");
  expect_error(set_paused(api::Target::Consumer, "c-nobody", false), api::ErrorCode::NotFound,
               "c-nobody");
  expect_error(close(api::Target::Producer, "p-nobody"), api::ErrorCode::NotFound, "p-nobody");
  expect_error(call([](FlatBufferBuilder& fbb) {
                 return api::CreateRequestKeyFrame(fbb, fbb.CreateString("c-nobody"));
               }),
               api::ErrorCode::NotFound, "c-nobody");

  // --- ICE restart: new credentials, in the reply and in the data plane ---
  r = call([](FlatBufferBuilder& fbb) {
    return api::CreateRestartIce(fbb, fbb.CreateString("t-alice"));
  });
  const api::IceRestarted* restarted = r.envelope()->body_as_IceRestarted();
  ASSERT_NE(restarted, nullptr) << r.describe();
  EXPECT_EQ(restarted->transport_id()->str(), "t-alice");
  const json::value new_ice = json::parse(restarted->ice_parameters_json()->str());
  EXPECT_NE(new_ice.at("usernameFragment"), ice.at("usernameFragment"));
  EXPECT_NE(new_ice.at("password"), ice.at("password"));
  EXPECT_EQ(new_ice.at("iceLite"), true);
  bool in_dataplane = false;
  for (const auto& t : node_->link().dump().value.transports) {
    if (t.ice_ufrag == new_ice.at("usernameFragment").as_string()) in_dataplane = true;
  }
  EXPECT_TRUE(in_dataplane) << "the data plane routes the new ufrag";
  expect_error(call([](FlatBufferBuilder& fbb) {
                 return api::CreateRestartIce(fbb, fbb.CreateString("t-nobody"));
               }),
               api::ErrorCode::NotFound, "t-nobody");

  // --- Resume: a keyframe request goes to the producer; a second within 500 ms waits ---
  const uint64_t kf = node_->key_frame_requests_sent();
  r = set_paused(api::Target::Consumer, "c-bob-cam", false);
  ASSERT_NE(r.envelope()->body_as_Ok(), nullptr) << r.describe();
  EXPECT_EQ(node_->key_frame_requests_sent(), kf + 1);
  ASSERT_NE(set_paused(api::Target::Consumer, "c-bob-cam", true).envelope()->body_as_Ok(), nullptr);
  ASSERT_NE(set_paused(api::Target::Consumer, "c-bob-cam", false).envelope()->body_as_Ok(),
            nullptr);
  EXPECT_EQ(node_->key_frame_requests_sent(), kf + 1) << "a second request within 500 ms";
  run_for(milliseconds(600));
  EXPECT_EQ(node_->key_frame_requests_sent(), kf + 2) << "the folded request after 500 ms";
  EXPECT_EQ(node_->key_frame_request_errors(), 0u);
  bool resumed = false;
  for (const auto& c : dataplane_consumers())
    if (c->ssrc == static_cast<uint32_t>(consumer_ssrc)) resumed = !c->paused;
  EXPECT_TRUE(resumed) << "the data plane's consumer is still paused";

  // --- Producer pause: an event for the consumers' peers ---
  size_t mark = sink_->events.size();
  ASSERT_NE(set_paused(api::Target::Producer, "p-cam", true).envelope()->body_as_Ok(), nullptr);
  ASSERT_NE(set_paused(api::Target::Producer, "p-cam", true).envelope()->body_as_Ok(), nullptr);
  EXPECT_EQ(events_since(mark), (std::vector<std::string>{"ProducerPausedChanged p-cam paused"}));

  // --- GetStats of a transport: the data plane's counters ---
  r = call([](FlatBufferBuilder& fbb) {
    return api::CreateGetStats(fbb, api::Target::Transport, fbb.CreateString("t-alice"));
  });
  const api::StatsReply* sr = r.envelope()->body_as_StatsReply();
  ASSERT_NE(sr, nullptr) << r.describe();
  const json::value stats = json::parse(sr->json()->str());
  ASSERT_EQ(stats.as_array().size(), 1u);
  EXPECT_EQ(stats.as_array()[0].at("type"), "webrtc-transport");
  EXPECT_EQ(stats.as_array()[0].at("iceState"), "new");
  EXPECT_TRUE(stats.as_array()[0].as_object().contains("bytesReceived")) << sr->json()->str();

  // --- Dump lists every object ---
  json::value d = dump();
  ASSERT_EQ(d.at("routers").as_array().size(), 1u);
  EXPECT_EQ(d.at("routers").as_array()[0].at("id"), "room-1");
  const json::array& transports = d.at("transports").as_array();
  ASSERT_EQ(transports.size(), 2u);
  std::set<std::string> ids;
  for (const json::value& t : transports) ids.insert(std::string(t.at("id").as_string()));
  EXPECT_EQ(ids, (std::set<std::string>{"t-alice", "t-bob"}));
  // One room, one worker: no cross-lcore handoff between Alice and Bob.
  EXPECT_EQ(transports[0].at("worker"), transports[1].at("worker"));
  EXPECT_EQ(transports[0].at("appData").at("peer"), "alice");
  ASSERT_EQ(d.at("producers").as_array().size(), 1u);
  EXPECT_EQ(d.at("producers").as_array()[0].at("id"), "p-cam");
  EXPECT_EQ(d.at("producers").as_array()[0].at("paused"), true);
  ASSERT_EQ(d.at("consumers").as_array().size(), 1u);
  EXPECT_EQ(d.at("consumers").as_array()[0].at("id"), "c-bob-cam");
  EXPECT_EQ(d.at("consumers").as_array()[0].at("producerPaused"), true);
  EXPECT_EQ(d.at("consumers").as_array()[0].at("paused"), false);

  // --- Close Alice's transport: her producer and Bob's consumer of it go, with events ---
  mark = sink_->events.size();
  ASSERT_NE(close(api::Target::Transport, "t-alice").envelope()->body_as_Ok(), nullptr);
  EXPECT_EQ(events_since(mark),
            (std::vector<std::string>{"ConsumerClosed c-bob-cam producer closed",
                                      "ProducerClosed p-cam transport closed",
                                      "TransportStateChanged t-alice Closed/Closed"}));
  d = dump();
  EXPECT_EQ(d.at("transports").as_array().size(), 1u);
  EXPECT_TRUE(d.at("producers").as_array().empty());
  EXPECT_TRUE(d.at("consumers").as_array().empty());
  EXPECT_EQ(dataplane_producer_count(), 0u);
  EXPECT_TRUE(dataplane_consumers().empty());
  expect_error(close(api::Target::Transport, "t-alice"), api::ErrorCode::NotFound, "t-alice");

  // --- Close the router: its last transport goes ---
  ASSERT_NE(close(api::Target::Router, "room-1").envelope()->body_as_Ok(), nullptr);
  run_for(milliseconds(50));  // the DeleteTransports after the close linger
  d = dump();
  EXPECT_TRUE(d.at("routers").as_array().empty());
  EXPECT_TRUE(d.at("transports").as_array().empty());
  EXPECT_EQ(node_->transport_count(), 0u);
  EXPECT_EQ(node_->closing_count(), 0u);
}

TEST_F(ServiceTest, OwnPortTransportsAndAConfiguredRouter) {
  ASSERT_NE(create_router("room-2", kRouterMediaCodecs).envelope()->body_as_RouterCreated(),
            nullptr);
  Reply shared = create_transport("room-2", "t-shared");
  Reply own = create_transport("room-2", "t-own", true);
  ASSERT_NE(shared.envelope()->body_as_WebRtcTransportCreated(), nullptr) << shared.describe();
  ASSERT_NE(own.envelope()->body_as_WebRtcTransportCreated(), nullptr) << own.describe();
  auto port_of = [](const Reply& r) {
    return json::parse(r.envelope()->body_as_WebRtcTransportCreated()->ice_candidates_json()->str())
        .as_array()[0]
        .at("port")
        .to_number<int64_t>();
  };
  EXPECT_NE(port_of(shared), port_of(own));
  Reply own2 = create_transport("room-2", "t-own2", true);
  ASSERT_NE(own2.envelope()->body_as_WebRtcTransportCreated(), nullptr) << own2.describe();
  EXPECT_NE(port_of(own2), port_of(own));
  // Opus in, Opus out: audio consumers with the configured PT (111).
  ASSERT_NE(produce("t-own", "p-mic", kChromeOpusProducer, api::MediaKind::Audio)
                .envelope()
                ->body_as_Produced(),
            nullptr);
  Reply c = consume("t-shared", "c-mic", "p-mic", kChromeDeviceCapabilities);
  ASSERT_NE(c.envelope()->body_as_Consumed(), nullptr) << c.describe();
  const json::value cp =
      json::parse(c.envelope()->body_as_Consumed()->rtp_parameters_json()->str());
  EXPECT_EQ(cp.at("codecs").as_array()[0].at("payloadType").to_number<int64_t>(), 111);
  EXPECT_EQ(c.envelope()->body_as_Consumed()->kind(), api::MediaKind::Audio);
  // A second consumer on the same transport gets the next mid.
  ASSERT_NE(produce("t-own2", "p-mic2", kChromeOpusProducer, api::MediaKind::Audio)
                .envelope()
                ->body_as_Produced(),
            nullptr);
  c = consume("t-shared", "c-mic2", "p-mic2", kChromeDeviceCapabilities);
  ASSERT_NE(c.envelope()->body_as_Consumed(), nullptr) << c.describe();
  EXPECT_EQ(json::parse(c.envelope()->body_as_Consumed()->rtp_parameters_json()->str()).at("mid"),
            "1");
  // A consumer on its producer's own transport is refused.
  expect_error(consume("t-own", "c-self", "p-mic", kChromeDeviceCapabilities),
               api::ErrorCode::InvalidArgument, "another transport");

  // Closing a consumer by request: no event (the caller knows), gone from the data plane.
  size_t mark = sink_->events.size();
  const size_t before = dataplane_consumers().size();
  ASSERT_NE(close(api::Target::Consumer, "c-mic").envelope()->body_as_Ok(), nullptr);
  EXPECT_TRUE(events_since(mark).empty());
  EXPECT_EQ(dataplane_consumers().size(), before - 1);
  // Closing a producer by request: its consumers' closes are events.
  mark = sink_->events.size();
  ASSERT_NE(close(api::Target::Producer, "p-mic2").envelope()->body_as_Ok(), nullptr);
  EXPECT_EQ(events_since(mark),
            (std::vector<std::string>{"ConsumerClosed c-mic2 producer closed"}));
  // The router closes its transports; their producers are reported with the router's reason.
  mark = sink_->events.size();
  ASSERT_NE(close(api::Target::Router, "room-2").envelope()->body_as_Ok(), nullptr);
  std::vector<std::string> events = events_since(mark);
  EXPECT_NE(std::find(events.begin(), events.end(), "ProducerClosed p-mic router closed"),
            events.end());
  run_for(milliseconds(50));
  EXPECT_EQ(node_->transport_count(), 0u);
}

TEST_F(ServiceTest, AnnouncedAddressReplacesTheDataplanesInCandidates) {
  delete service_;
  ServiceOptions options;
  options.announced_address = "203.0.113.7";
  options.default_own_port = true;
  service_ = new Service(*node_, options, *sink_);
  ASSERT_NE(create_router("room-3").envelope()->body_as_RouterCreated(), nullptr);
  Reply r = create_transport("room-3", "t-nat");
  ASSERT_NE(r.envelope()->body_as_WebRtcTransportCreated(), nullptr) << r.describe();
  const json::value c =
      json::parse(r.envelope()->body_as_WebRtcTransportCreated()->ice_candidates_json()->str());
  EXPECT_EQ(c.as_array()[0].at("ip"), "203.0.113.7");
  EXPECT_EQ(c.as_array()[0].at("address"), "203.0.113.7");
  json::value d = dump();
  EXPECT_EQ(d.at("transports").as_array()[0].at("ownPort"), true) << "default_own_port";
  ASSERT_NE(close(api::Target::Router, "room-3").envelope()->body_as_Ok(), nullptr);
  run_for(milliseconds(50));
}

// A control plane that dies without cleaning up (SIGKILL) leaves its objects forwarding in the
// data plane; the next one adopts them from the journal, under the same ids, without creating
// anything again. With no journal it deletes what it cannot account for.
TEST_F(ServiceTest, RestartAdoptsTheJournalAndDeletesWhatItDoesNotKnow) {
  ASSERT_NE(create_router("room-r").envelope()->body_as_RouterCreated(), nullptr);
  ASSERT_NE(create_transport("room-r", "t-send").envelope()->body_as_WebRtcTransportCreated(),
            nullptr);
  ASSERT_NE(create_transport("room-r", "t-recv").envelope()->body_as_WebRtcTransportCreated(),
            nullptr);
  Reply p = produce("t-send", "p-video", kChromeVp8Producer);
  ASSERT_NE(p.envelope()->body_as_Produced(), nullptr) << p.describe();
  Reply c = consume("t-recv", "c-video", "p-video", kChromeDeviceCapabilities);
  ASSERT_NE(c.envelope()->body_as_Consumed(), nullptr) << c.describe();
  const json::value journal = json::parse(json::serialize(node_->snapshot()));
  const std::string send_ufrag =
      node_->webrtc_transport("t-send")->ice_parameters().username_fragment;
  const uint32_t send_dp_id = node_->transport_entry("t-send")->dataplane_id;

  auto restart = []() {
    delete service_;
    node_->link().close();  // as after SIGKILL: nothing is deleted in the data plane
    delete node_;
    Node::Options node_options;
    node_options.link.socket_path = process_.socket_path();
    node_options.link.client_name = "controlplane_service_test (restarted)";
    node_ = new Node(node_options);
  };
  restart();
  const Node::RestoreSummary s = node_->restore(&journal);
  service_ = new Service(*node_, ServiceOptions{}, *sink_);
  EXPECT_EQ(s.routers, 1u);
  EXPECT_EQ(s.transports, 2u);
  EXPECT_EQ(s.producers, 1u);
  EXPECT_EQ(s.consumers, 1u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.orphans_deleted, 0u) << s.describe();
  ASSERT_NE(node_->webrtc_transport("t-send"), nullptr);
  EXPECT_EQ(node_->webrtc_transport("t-send")->ice_parameters().username_fragment, send_ufrag);
  EXPECT_EQ(node_->transport_entry("t-send")->dataplane_id, send_dp_id);
  EXPECT_EQ(dataplane_producer_count(), 1u);
  // The adopted model serves requests on the same ids.
  Reply r = set_paused(api::Target::Consumer, "c-video", false);
  EXPECT_NE(r.envelope()->body_as_Ok(), nullptr) << r.describe();
  const json::value d = dump();
  EXPECT_EQ(d.at("transports").as_array().size(), 2u);
  // A new object does not reuse an adopted data plane id.
  ASSERT_NE(create_transport("room-r", "t-late").envelope()->body_as_WebRtcTransportCreated(),
            nullptr);
  EXPECT_GT(node_->transport_entry("t-late")->dataplane_id, send_dp_id);

  // No journal: every object the data plane holds is unknown, and goes.
  restart();
  const Node::RestoreSummary empty = node_->restore(nullptr);
  service_ = new Service(*node_, ServiceOptions{}, *sink_);
  EXPECT_EQ(empty.transports, 0u);
  EXPECT_EQ(empty.orphans_deleted, 5u) << empty.describe();  // 3 transports, 1 producer, 1 consumer
  EXPECT_EQ(dataplane_producer_count(), 0u);
  EXPECT_TRUE(dataplane_consumers().empty());
}

}  // namespace
}  // namespace fanout::cp::test

// Issue 3's restart test: the fanout-controlplane binary (with a state_file) next to the real
// fanout-dataplane (net_tap in the test's network namespace, run_in_netns.sh), driven over its API
// as signaling drives it, with two browsers (tests/integration/browser.hpp) doing ICE + DTLS
// through the data plane. Browser A sends SRTP, browser B decrypts it. The control plane is then
// SIGKILLed: media keeps flowing while it is down; a restarted one adopts the same transports,
// producer and consumer (DTLS connected, under the same ids) from its journal, media still flows,
// and it can still change what its predecessor made: closing A's transport closes the producer
// and consumer (with events) and removes them from the data plane. A journal that is gone leaves
// the data plane's objects to be deleted; a transport whose handshake had not begun handshakes
// with the restarted control plane (which kept its generated DTLS identity).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "controlplane/api/client.hpp"
#include "controlplane/core/journal_file.hpp"
#include "dataplane/ipc/client.hpp"
#include "tests/common/packets.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/controlplane/rtp/fixtures.hpp"
#include "tests/integration/browser.hpp"
#include "tests/integration/controlplane_process.hpp"
#include "tests/integration/dataplane_process.hpp"

namespace fanout::cp::test {
namespace {

namespace api = fanout::cpapi;
namespace json = boost::json;
using cp::api::ApiClient;
using cp::api::ClientResult;
using cp::api::OwnedEnvelope;
using dp::test::SrtpPeer;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr milliseconds kTimeout{5000};
// The producer's SSRC and payload type in kChromeVp8Producer.
constexpr uint32_t kProducerSsrc = 1738264751;
constexpr uint8_t kProducerPt = 96;

std::vector<uint8_t> concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> out(a);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Every run of the control plane appends its stderr to the same log.
using fanout::test::ControlplaneProcess;

json::value parse(const flatbuffers::String* s) {
  return s ? json::parse(s->str()) : json::value();
}

std::string describe(const ClientResult& r) {
  if (!r.ok()) return r.detail;
  if (const api::Error* e = r.reply.error()) {
    return std::string(api::EnumNameErrorCode(e->code())) + ": " +
           (e->reason() ? e->reason()->str() : "");
  }
  return api::EnumNameBody(r.reply->body_type());
}

class ControlplaneRestart : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    srtp_init();
    fanout::test::DataplaneProcess::Options options;
    options.iface = "fo-rst0";
    options.kernel_address = std::string(kBrowserAddress) + "/24";
    options.file_prefix = "fanout-rst-it";
    ASSERT_EQ(dataplane_.start(options), "");
  }
  static void TearDownTestSuite() { dataplane_.stop(); }

  void SetUp() override {
    state_file_ = dataplane_.dir() + "/controlplane.state";
    api_socket_ = dataplane_.dir() + "/controlplane.sock";
    log_ = dataplane_.dir() + "/controlplane-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".log";
  }

  void start_controlplane() {
    ASSERT_EQ(controlplane_.start(log_,
                                  {"controlplane.dataplane_socket=" + dataplane_.socket_path(),
                                   "controlplane.api_socket=" + api_socket_,
                                   "controlplane.state_file=" + state_file_},
                                  /*append=*/true),
              "");
  }

  // Connects and says Hello until the control plane is connected to the data plane.
  void connect(ApiClient& client) {
    const auto deadline = Clock::now() + kTimeout;
    while (Clock::now() < deadline) {
      client.close();
      if (client.connect(api_socket_, milliseconds(500)).empty() &&
          client.hello("controlplane_restart_test", kTimeout).ok()) {
        const api::HelloReply* h = client.hello_reply()->body_as_HelloReply();
        if (h != nullptr && h->dataplane_connected()) return;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    FAIL() << "the control plane did not come up: " << controlplane_.log();
  }

  template <typename Build>
  ClientResult call(ApiClient& client, Build&& build) {
    return client.call(std::forward<Build>(build), kTimeout);
  }

  json::value dump(ApiClient& client) {
    ClientResult r = call(client, [](auto& fbb) { return api::CreateDump(fbb); });
    EXPECT_TRUE(r.ok() && r.reply->body_as_DumpReply()) << describe(r);
    return r.ok() && r.reply->body_as_DumpReply() ? parse(r.reply->body_as_DumpReply()->json())
                                                  : json::value();
  }

  static const json::object* find(const json::value& d, const char* kind, const std::string& id) {
    for (const json::value& v : d.at(kind).as_array()) {
      if (v.at("id").as_string() == id) return &v.as_object();
    }
    return nullptr;
  }

  // The data plane's own view, as an observer (epoch 0).
  static fanout::ipc::DumpReplyT dataplane_dump() {
    fanout::ipc::DumpReplyT out;
    dp::ipc::IpcClient observer;
    EXPECT_EQ(observer.connect(dataplane_.socket_path(), kTimeout), "");
    EXPECT_TRUE(observer.hello("controlplane_restart_test", 0, kTimeout).ok());
    auto r = observer.request([](auto& fbb) { return fanout::ipc::CreateDump(fbb); }, kTimeout);
    EXPECT_TRUE(r.ok()) << r.detail;
    if (r.ok() && r.reply->body_as_DumpReply()) r.reply->body_as_DumpReply()->UnPackTo(&out);
    return out;
  }

  // The epochs the control plane logged, in order ("connected to the data plane at ... (epoch N)").
  std::vector<uint64_t> logged_epochs() {
    std::vector<uint64_t> out;
    const std::string log = controlplane_.log();
    static const std::regex re(R"(connected to the data plane at \S+ \(epoch (\d+)\))");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
         ++it) {
      out.push_back(std::stoull((*it)[1].str()));
    }
    return out;
  }

  // Reads events for up to `limit` until `want` closed events arrived: "producer <id>" or
  // "consumer <id>" -> reason.
  std::map<std::string, std::string> closed_events(ApiClient& client, size_t want,
                                                   milliseconds limit = kTimeout) {
    std::map<std::string, std::string> out;
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline && out.size() < want) {
      ClientResult e = client.next_event(milliseconds(100));
      if (!e.ok()) continue;
      if (const auto* p = e.reply->body_as_ProducerClosed()) {
        out["producer " + p->producer_id()->str()] = p->reason() ? p->reason()->str() : "";
      } else if (const auto* c = e.reply->body_as_ConsumerClosed()) {
        out["consumer " + c->consumer_id()->str()] = c->reason() ? c->reason()->str() : "";
      }
    }
    return out;
  }

  static inline fanout::test::DataplaneProcess dataplane_;
  ControlplaneProcess controlplane_;
  std::string state_file_, api_socket_, log_;
};

// The browser side of the media: A protects with what it exported, B unprotects with its own.
struct Media {
  Browser& a;
  Browser& b;
  SrtpPeer a_out;
  SrtpPeer b_in;
  uint32_t consumer_ssrc;
  uint8_t consumer_pt;
  uint16_t seq = 1000;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t bad = 0;  // from B's transport but not our stream decrypted

  void send_one() {
    const uint16_t s = seq++;
    a.send(a_out.protect(dp::test::rtp_packet(s, 3000u * s, kProducerSsrc, kProducerPt, 300)));
    ++sent;
  }
  // Whatever reached B so far.
  void drain_b() {
    for (;;) {
      std::vector<uint8_t> p = b.recv(milliseconds(0));
      if (p.empty()) return;
      const uint8_t pt = p.size() > 1 ? p[1] & 0x7f : 0;
      if (p.size() < 12 || (pt >= 72 && pt <= 76)) continue;  // RTCP (200-204 with marker bit)
      if (b_in.unprotect(p) && dp::test::be32(&p[8]) == consumer_ssrc && pt == consumer_pt) {
        ++received;
      } else {
        ++bad;
      }
    }
  }
  // Sends one packet every 10 ms for `duration` and counts what B gets (the last ones are waited
  // for 200 ms).
  std::pair<uint64_t, uint64_t> run(milliseconds duration) {
    const uint64_t sent0 = sent, received0 = received;
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) {
      send_one();
      std::this_thread::sleep_for(milliseconds(10));
      drain_b();
    }
    std::this_thread::sleep_for(milliseconds(200));
    drain_b();
    return {sent - sent0, received - received0};
  }
};

TEST_F(ControlplaneRestart, SigkillKeepsMediaFlowingAndTheRestartedOneAdoptsEverything) {
  std::remove(state_file_.c_str());
  start_controlplane();
  ApiClient client;
  connect(client);
  ASSERT_FALSE(HasFatalFailure());

  ClientResult r =
      call(client, [](auto& fbb) { return api::CreateCreateRouterDirect(fbb, "room"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_RouterCreated()) << describe(r);
  json::value ice[2], candidate[2], dtls[2];
  const std::string tid[2] = {"t-alice-send", "t-bob-recv"};
  for (int i = 0; i < 2; ++i) {
    r = call(client, [&](auto& fbb) {
      return api::CreateCreateWebRtcTransportDirect(fbb, "room", tid[i].c_str());
    });
    ASSERT_TRUE(r.ok() && r.reply->body_as_WebRtcTransportCreated()) << describe(r);
    const auto* created = r.reply->body_as_WebRtcTransportCreated();
    ice[i] = parse(created->ice_parameters_json());
    candidate[i] = parse(created->ice_candidates_json()).at(0);
    dtls[i] = parse(created->dtls_parameters_json());
  }

  // ICE and DTLS, the browsers as clients ("auto" answered with "client").
  Browser a("alice"), b("bob");
  Browser* browsers[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    IceCandidate c;
    c.address = std::string(candidate[i].at("address").as_string());
    c.port = static_cast<uint16_t>(candidate[i].at("port").to_number<int64_t>());
    browsers[i]->target(c);
    IceParameters p{std::string(ice[i].at("usernameFragment").as_string()),
                    std::string(ice[i].at("password").as_string()), true};
    ASSERT_TRUE(browsers[i]->ice_check(p)) << "ICE check of " << tid[i];
    const std::string remote = json::serialize(json::object{
        {"role", "client"},
        {"fingerprints", json::array{json::object{{"algorithm", "sha-256"},
                                                  {"value", browsers[i]->fingerprint().value}}}}});
    r = call(client, [&](auto& fbb) {
      return api::CreateConnectWebRtcTransportDirect(fbb, tid[i].c_str(), remote.c_str());
    });
    ASSERT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
    const json::value& fp = dtls[i].at("fingerprints").at(0);
    browsers[i]->start_dtls({HashAlgorithm::kSha256, std::string(fp.at("value").as_string())});
  }
  const auto deadline = Clock::now() + kTimeout;
  while (Clock::now() < deadline && !(a.keys() && b.keys())) {
    a.poll_once();
    b.poll_once();
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(a.keys() && b.keys()) << "the browsers' DTLS handshakes did not complete";
  // Keys are installed when the control plane's side completes (just after the browser's).
  for (int attempt = 0; attempt < 100; ++attempt) {
    json::value d = dump(client);
    if (find(d, "transports", tid[0])->at("dtlsState") == "connected" &&
        find(d, "transports", tid[1])->at("dtlsState") == "connected")
      break;
    std::this_thread::sleep_for(milliseconds(20));
  }

  r = call(client, [&](auto& fbb) {
    return api::CreateProduceDirect(fbb, tid[0].c_str(), "p-alice-cam", api::MediaKind::Video,
                                    std::string(kChromeVp8Producer).c_str());
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Produced()) << describe(r);
  r = call(client, [&](auto& fbb) {
    return api::CreateConsumeDirect(fbb, tid[1].c_str(), "c-bob-alice-cam", "p-alice-cam",
                                    std::string(kChromeDeviceCapabilities).c_str());
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Consumed()) << describe(r);
  const json::value consumed = parse(r.reply->body_as_Consumed()->rtp_parameters_json());
  r = call(client, [](auto& fbb) {
    return api::CreateSetPausedDirect(fbb, api::Target::Consumer, "c-bob-alice-cam", false);
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);

  Media media{a,
              b,
              SrtpPeer(static_cast<uint16_t>(a.keys()->profile),
                       concat(a.keys()->local_key, a.keys()->local_salt), false),
              SrtpPeer(static_cast<uint16_t>(b.keys()->profile),
                       concat(b.keys()->remote_key, b.keys()->remote_salt), true),
              static_cast<uint32_t>(consumed.at("encodings").at(0).at("ssrc").to_number<int64_t>()),
              static_cast<uint8_t>(consumed.at("codecs").at(0).at("payloadType").to_number<int>())};
  auto [sent, got] = media.run(milliseconds(300));
  ASSERT_GT(got, 0u) << "no media before the kill (sent " << sent << ")";
  EXPECT_EQ(got, sent);

  const json::value before = dump(client);
  const fanout::ipc::DumpReplyT dp_before = dataplane_dump();
  const std::vector<uint64_t> epochs_before = logged_epochs();
  ASSERT_EQ(epochs_before.size(), 1u) << controlplane_.log();
  ASSERT_EQ(dp_before.transports.size(), 2u);
  for (const auto& t : dp_before.transports) EXPECT_EQ(t->epoch, epochs_before[0]);

  // The crash. Media goes on for a second without any control plane.
  client.close();
  controlplane_.kill_hard();
  std::tie(sent, got) = media.run(milliseconds(1000));
  std::printf(
      "[ figure ] while the control plane was down for 1 s: %llu of %llu packets reached "
      "browser B\n",
      static_cast<unsigned long long>(got), static_cast<unsigned long long>(sent));
  EXPECT_GE(sent, 50u);
  EXPECT_EQ(got, sent) << "media stopped or was lost while the control plane was down";

  // The restart: the same objects under the same ids, DTLS still connected.
  start_controlplane();
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  const std::string log = controlplane_.log();
  EXPECT_NE(log.find("restored 1 routers, 2 transports, 1 producers, 1 consumers; dropped 0; "
                     "deleted 0 orphans of the data plane; transports: 2 DTLS connected"),
            std::string::npos)
      << log;
  // For the reader of the test log: what the restarted control plane said it adopted.
  for (size_t at = log.find("restored "); at != std::string::npos;
       at = log.find("restored ", at + 1))
    std::printf("[ log ] %s\n", log.substr(at, log.find('\n', at) - at).c_str());
  const std::vector<uint64_t> epochs = logged_epochs();
  ASSERT_EQ(epochs.size(), 2u) << log;
  EXPECT_NE(epochs[1], epochs[0]) << "the restarted control plane reused its predecessor's epoch";
  const json::value after = dump(client);
  for (const char* kind : {"routers", "transports", "producers", "consumers"}) {
    std::set<std::string> ids_before, ids_after;
    for (const auto& v : before.at(kind).as_array())
      ids_before.insert(std::string(v.at("id").as_string()));
    for (const auto& v : after.at(kind).as_array())
      ids_after.insert(std::string(v.at("id").as_string()));
    EXPECT_EQ(ids_after, ids_before) << kind;
  }
  for (const std::string& id : tid) {
    const json::object* t = find(after, "transports", id);
    ASSERT_NE(t, nullptr) << id;
    EXPECT_EQ(t->at("dtlsState"), "connected") << id;
    EXPECT_EQ(t->at("iceState"), "completed") << id;
    EXPECT_EQ(t->at("dataplaneId"), find(before, "transports", id)->at("dataplaneId")) << id;
    EXPECT_EQ(t->at("iceParameters"), find(before, "transports", id)->at("iceParameters")) << id;
  }
  const json::object* c = find(after, "consumers", "c-bob-alice-cam");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->at("paused"), false);
  EXPECT_EQ(c->at("rtpParameters"),
            find(before, "consumers", "c-bob-alice-cam")->at("rtpParameters"));

  std::tie(sent, got) = media.run(milliseconds(300));
  EXPECT_GT(sent, 0u);
  EXPECT_EQ(got, sent) << "media after the restart";
  EXPECT_EQ(media.bad, 0u);

  // Its DTLS cannot be resumed, and it is not needed: a second connect is refused.
  const std::string again = R"({"role":"client","fingerprints":[{"algorithm":"sha-256","value":")" +
                            a.fingerprint().value + R"("}]})";
  r = call(client, [&](auto& fbb) {
    return api::CreateConnectWebRtcTransportDirect(fbb, tid[0].c_str(), again.c_str());
  });
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r.reply.error(), nullptr) << "a second connect was accepted";
  EXPECT_NE(describe(r).find("already connected"), std::string::npos) << describe(r);

  // The new control plane (another epoch) changes what the old one made: a pause, then a close.
  r = call(client, [](auto& fbb) {
    return api::CreateSetPausedDirect(fbb, api::Target::Consumer, "c-bob-alice-cam", true);
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  // The reply does not wait for the owner worker to apply the pause: a packet already on its way
  // may still come out. Measured after that.
  media.run(milliseconds(50));
  std::tie(sent, got) = media.run(milliseconds(200));
  EXPECT_GT(sent, 0u);
  EXPECT_EQ(got, 0u) << "a paused consumer forwarded";
  r = call(client, [&](auto& fbb) {
    return api::CreateCloseDirect(fbb, api::Target::Transport, tid[0].c_str());
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  const std::map<std::string, std::string> closed = closed_events(client, 2);
  EXPECT_EQ(closed,
            (std::map<std::string, std::string>{{"producer p-alice-cam", "transport closed"},
                                                {"consumer c-bob-alice-cam", "producer closed"}}));
  const uint32_t a_dp_id = static_cast<uint32_t>(
      find(before, "transports", tid[0])->at("dataplaneId").to_number<int64_t>());
  fanout::ipc::DumpReplyT dp_after;
  for (int attempt = 0; attempt < 100; ++attempt) {
    dp_after = dataplane_dump();
    if (dp_after.transports.size() == 1) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(dp_after.transports.size(), 1u);
  EXPECT_NE(dp_after.transports[0]->id, a_dp_id);
  EXPECT_TRUE(dp_after.producers.empty());
  EXPECT_TRUE(dp_after.consumers.empty());
  const json::value last = dump(client);
  EXPECT_EQ(last.at("transports").as_array().size(), 1u);
  EXPECT_TRUE(last.at("producers").as_array().empty());

  // The journal follows (its snapshot with the log of changes since): a third control plane
  // would adopt only B's transport. Only its owner reads either file (ICE passwords).
  const JournalFile::Loaded loaded = JournalFile::load(state_file_);
  ASSERT_TRUE(loaded.journal) << loaded.error;
  EXPECT_TRUE(loaded.log_note.empty()) << loaded.log_note;
  EXPECT_GT(loaded.log_lines, 0u) << "the changes since the restart are appended, not rewritten";
  const json::value& journal = *loaded.journal;
  for (const std::string& file : {state_file_, state_file_ + ".log"}) {
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
  EXPECT_EQ(journal.at("transports").as_array().size(), 1u);
  EXPECT_TRUE(journal.at("producers").as_array().empty());
  r = call(client,
           [&](auto& fbb) { return api::CreateCloseDirect(fbb, api::Target::Router, "room"); });
  EXPECT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  controlplane_.stop();
}

// No journal (first start, or a lost file) with objects in the data plane: they belong to no
// one, so they are deleted rather than left forwarding.
TEST_F(ControlplaneRestart, WithoutAJournalTheDataPlanesObjectsAreDeleted) {
  start_controlplane();
  ApiClient client;
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  ClientResult r = call(client, [](auto& fbb) { return api::CreateCreateRouterDirect(fbb, "r2"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_RouterCreated()) << describe(r);
  r = call(client,
           [](auto& fbb) { return api::CreateCreateWebRtcTransportDirect(fbb, "r2", "t-lonely"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_WebRtcTransportCreated()) << describe(r);
  client.close();
  const size_t in_dataplane = dataplane_dump().transports.size();
  ASSERT_GE(in_dataplane, 1u);
  controlplane_.kill_hard();
  ASSERT_EQ(std::remove(state_file_.c_str()), 0);

  start_controlplane();
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(controlplane_.log().find("no restart journal: restored 0 routers, 0 transports"),
            std::string::npos)
      << controlplane_.log();
  EXPECT_NE(controlplane_.log().find("deleted " + std::to_string(in_dataplane) +
                                     " orphans of the data plane (" + std::to_string(in_dataplane) +
                                     " transports"),
            std::string::npos)
      << controlplane_.log();
  EXPECT_TRUE(dataplane_dump().transports.empty());
  EXPECT_TRUE(dump(client).at("transports").as_array().empty());
  controlplane_.stop();
}

// Signaling connected the transport (the browser's DTLS parameters are in the journal) but the
// browser's handshake had not begun when the control plane died: the restarted one starts a fresh
// DTLS session with those parameters, and the browser's handshake completes against it.
TEST_F(ControlplaneRestart, ATransportConnectedButNotYetHandshakenHandshakesAfterTheRestart) {
  start_controlplane();
  ApiClient client;
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  ClientResult r = call(client, [](auto& fbb) { return api::CreateCreateRouterDirect(fbb, "r3"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_RouterCreated()) << describe(r);
  r = call(client,
           [](auto& fbb) { return api::CreateCreateWebRtcTransportDirect(fbb, "r3", "t-slow"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_WebRtcTransportCreated()) << describe(r);
  const auto* created = r.reply->body_as_WebRtcTransportCreated();
  const json::value ice = parse(created->ice_parameters_json());
  const json::value candidate = parse(created->ice_candidates_json()).at(0);
  const json::value dtls = parse(created->dtls_parameters_json());
  Browser c("carol");
  IceCandidate target;
  target.address = std::string(candidate.at("address").as_string());
  target.port = static_cast<uint16_t>(candidate.at("port").to_number<int64_t>());
  c.target(target);
  ASSERT_TRUE(c.ice_check({std::string(ice.at("usernameFragment").as_string()),
                           std::string(ice.at("password").as_string()), true}));
  const std::string remote =
      R"({"role":"client","fingerprints":[{"algorithm":"sha-256","value":")" +
      c.fingerprint().value + R"("}]})";
  r = call(client, [&](auto& fbb) {
    return api::CreateConnectWebRtcTransportDirect(fbb, "t-slow", remote.c_str());
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  client.close();
  controlplane_.kill_hard();

  start_controlplane();
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(controlplane_.log().find("restored 1 routers, 1 transports, 0 producers, 0 consumers; "
                                     "dropped 0; deleted 0 orphans of the data plane; transports: "
                                     "0 DTLS connected (media flowing), 1 handshaking again"),
            std::string::npos)
      << controlplane_.log();
  c.start_dtls(
      {HashAlgorithm::kSha256, std::string(dtls.at("fingerprints").at(0).at("value").as_string())});
  const auto deadline = Clock::now() + kTimeout;
  while (Clock::now() < deadline && !c.keys()) {
    c.poll_once();
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(c.keys()) << "the browser's handshake did not complete against the restarted one: "
                        << controlplane_.log();
  std::string state;
  for (int attempt = 0; attempt < 100 && state != "connected"; ++attempt) {
    const json::value d = dump(client);
    const json::object* t = find(d, "transports", "t-slow");
    ASSERT_NE(t, nullptr);
    state = std::string(t->at("dtlsState").as_string());
    if (state != "connected") std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(state, "connected");
  bool keyed = false;
  for (const auto& t : dataplane_dump().transports) {
    keyed = keyed || (t->ice_ufrag == ice.at("usernameFragment").as_string() &&
                      t->srtp_inbound_profile == static_cast<uint16_t>(c.keys()->profile));
  }
  EXPECT_TRUE(keyed) << "the keys of the new handshake are not in the data plane";
  r = call(client,
           [](auto& fbb) { return api::CreateCloseDirect(fbb, api::Target::Router, "r3"); });
  EXPECT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  controlplane_.stop();
}

// The data plane crashes and is restarted while the control plane (and signaling, which keeps its
// rooms) runs on. The journal is then stale: the transports and producers of the data plane that
// died are gone, dropped and announced closed, but the routers stay, so that signaling's rooms,
// which keep naming them, still get new transports. Last in this file: it replaces the suite's
// data plane.
TEST_F(ControlplaneRestart, ADataPlaneRestartKeepsTheRoutersForNewTransports) {
  std::remove(state_file_.c_str());
  std::remove((state_file_ + ".log").c_str());
  // The control plane keeps one socket path; the restarted data plane has a new directory.
  const std::string link = dataplane_.dir() + "/dataplane-link.sock";
  std::remove(link.c_str());
  ASSERT_EQ(::symlink(dataplane_.socket_path().c_str(), link.c_str()), 0) << link;
  ASSERT_EQ(controlplane_.start(
                log_,
                {"controlplane.dataplane_socket=" + link, "controlplane.api_socket=" + api_socket_,
                 "controlplane.state_file=" + state_file_},
                /*append=*/true),
            "");
  ApiClient client;
  connect(client);
  ASSERT_FALSE(HasFatalFailure());
  ClientResult r = call(client, [](auto& fbb) { return api::CreateCreateRouterDirect(fbb, "r4"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_RouterCreated()) << describe(r);
  r = call(client,
           [](auto& fbb) { return api::CreateCreateWebRtcTransportDirect(fbb, "r4", "t-before"); });
  ASSERT_TRUE(r.ok() && r.reply->body_as_WebRtcTransportCreated()) << describe(r);
  r = call(client, [&](auto& fbb) {
    return api::CreateProduceDirect(fbb, "t-before", "p-before", api::MediaKind::Video,
                                    std::string(kChromeVp8Producer).c_str());
  });
  ASSERT_TRUE(r.ok() && r.reply->body_as_Produced()) << describe(r);
  ASSERT_EQ(logged_epochs().size(), 1u) << controlplane_.log();

  // A crash: SIGKILL (stop() only reaps it then), and a fresh data plane.
  ASSERT_EQ(::kill(dataplane_.pid(), SIGKILL), 0);
  dataplane_.stop();
  ASSERT_EQ(dataplane_.start(dataplane_.options()), "");
  ASSERT_EQ(std::remove(link.c_str()), 0);
  ASSERT_EQ(::symlink(dataplane_.socket_path().c_str(), link.c_str()), 0) << link;
  for (int i = 0; i < 200 && logged_epochs().size() < 2; ++i)
    std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(logged_epochs().size(), 2u) << "no reconnection: " << controlplane_.log();
  // What died with the data plane is announced closed (signaling tells the peers), on the
  // connection that was open all along.
  std::set<std::string> closed;
  for (int i = 0; i < 50 && closed.size() < 2; ++i) {
    ClientResult e = client.next_event(milliseconds(100));
    if (!e.ok()) continue;
    if (const auto* t = e.reply->body_as_TransportStateChanged()) {
      if (t->ice_state() == api::IceState::Closed && t->dtls_state() == api::DtlsState::Closed)
        closed.insert("transport " + t->transport_id()->str());
    } else if (const auto* p = e.reply->body_as_ProducerClosed()) {
      closed.insert("producer " + p->producer_id()->str());
    }
  }
  EXPECT_EQ(closed, (std::set<std::string>{"producer p-before", "transport t-before"}));
  EXPECT_NE(controlplane_.log().find("stale restart journal"), std::string::npos)
      << controlplane_.log();
  EXPECT_NE(controlplane_.log().find("restored 1 routers, 0 transports"), std::string::npos)
      << controlplane_.log();

  // The room's router takes new transports; the old one is gone.
  r = call(client,
           [](auto& fbb) { return api::CreateCreateWebRtcTransportDirect(fbb, "r4", "t-after"); });
  EXPECT_TRUE(r.ok() && r.reply->body_as_WebRtcTransportCreated()) << describe(r);
  const json::value d = dump(client);
  EXPECT_NE(find(d, "routers", "r4"), nullptr) << json::serialize(d);
  EXPECT_EQ(find(d, "transports", "t-before"), nullptr) << json::serialize(d);
  EXPECT_NE(find(d, "transports", "t-after"), nullptr) << json::serialize(d);
  EXPECT_EQ(dataplane_dump().transports.size(), 1u);
  r = call(client,
           [](auto& fbb) { return api::CreateCloseDirect(fbb, api::Target::Router, "r4"); });
  EXPECT_TRUE(r.ok() && r.reply->body_as_Ok()) << describe(r);
  controlplane_.stop();
}

}  // namespace
}  // namespace fanout::cp::test

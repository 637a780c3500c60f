// The restart journal without a data plane: a Journal survives JSON (what a control plane writes
// is what the next one reads, field by field), a file that is not a journal is refused with the
// path of its defect, and reconcile() against a synthetic Dump adopts what both know, drops what
// the data plane lost (and what hangs off it), and names every data plane object nobody owns.
#include "controlplane/core/journal.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "controlplane/core/errors.hpp"
#include "tests/controlplane/rtp/fixtures.hpp"

namespace fanout::cp::test {
namespace {

namespace json = boost::json;

Journal sample_journal() {
  Journal j;
  j.epoch = 1763800000123;
  JournalRouter r1{"room-1", std::nullopt};
  JournalRouter r2{"room-2", std::vector<RtpCodecCapability>{}};
  const json::value codecs = json::parse(kRouterMediaCodecs);
  for (const json::value& c : codecs.as_array())
    r2.media_codecs->push_back(parse_rtp_codec_capability(c, "mediaCodecs[]"));
  j.routers = {r1, r2};

  JournalTransport send;
  send.id = "t-send";
  send.router_id = "room-1";
  send.dataplane_id = 7;
  send.app_data = json::object{{"peer", "alice"}};
  send.next_consumer_mid = 0;
  send.ice_ufrag = "ufragsend";
  send.ice_pwd = "pwdsend0123456789abcdef";
  send.role = DtlsRole::kServer;
  send.remote_role = DtlsRole::kClient;
  send.remote_fingerprint = Fingerprint{HashAlgorithm::kSha256, "AB:CD:EF"};
  JournalTransport recv;
  recv.id = "t-recv";
  recv.router_id = "room-1";
  recv.dataplane_id = 8;
  recv.own_port = 40002;
  recv.next_consumer_mid = 3;
  recv.ice_ufrag = "ufragrecv";
  recv.ice_pwd = "pwdrecv0123456789abcdef";
  recv.dtls_ended = true;
  j.transports = {send, recv};

  JournalProducer p;
  p.id = "p-video";
  p.dataplane_id = 11;
  p.transport_id = "t-send";
  p.kind = MediaKind::kVideo;
  p.rtp_parameters = parse_rtp_parameters(json::parse(kChromeVp8Producer));
  p.rtp_mapping.codecs = {{96, 101}, {97, 102}};
  p.rtp_mapping.encodings = {{1738264751u, std::nullopt, "L1T3", 555u},
                             {std::nullopt, "h", std::nullopt, 556u}};
  p.paused = true;
  p.app_data = json::object{{"source", "camera"}};
  j.producers = {p};

  JournalConsumer c;
  c.id = "c-video";
  c.dataplane_id = 21;
  c.producer_id = "p-video";
  c.transport_id = "t-recv";
  c.kind = MediaKind::kVideo;
  c.rtp_parameters = p.rtp_parameters;
  c.paused = false;
  j.consumers = {c};
  return j;
}

// Through text, as the file on disk.
Journal through_text(const Journal& j) {
  return parse_journal(json::parse(json::serialize(to_json(j))));
}

TEST(Journal, SurvivesJsonFieldByField) {
  const Journal in = sample_journal();
  const Journal out = through_text(in);
  EXPECT_EQ(out.epoch, 1763800000123u);
  ASSERT_EQ(out.routers.size(), 2u);
  EXPECT_EQ(out.routers[0].id, "room-1");
  EXPECT_FALSE(out.routers[0].media_codecs);
  ASSERT_TRUE(out.routers[1].media_codecs);
  EXPECT_EQ(*out.routers[1].media_codecs, *in.routers[1].media_codecs);

  ASSERT_EQ(out.transports.size(), 2u);
  const JournalTransport& s = out.transports[0];
  EXPECT_EQ(s.id, "t-send");
  EXPECT_EQ(s.router_id, "room-1");
  EXPECT_EQ(s.dataplane_id, 7u);
  EXPECT_EQ(s.own_port, 0);
  EXPECT_EQ(s.app_data, in.transports[0].app_data);
  EXPECT_EQ(s.ice_ufrag, "ufragsend");
  EXPECT_EQ(s.ice_pwd, "pwdsend0123456789abcdef");
  EXPECT_EQ(s.role, DtlsRole::kServer);
  EXPECT_EQ(s.remote_role, DtlsRole::kClient);
  ASSERT_TRUE(s.remote_fingerprint);
  EXPECT_EQ(s.remote_fingerprint->algorithm, HashAlgorithm::kSha256);
  EXPECT_EQ(s.remote_fingerprint->value, "AB:CD:EF");
  EXPECT_FALSE(s.dtls_ended);
  const JournalTransport& r = out.transports[1];
  EXPECT_EQ(r.own_port, 40002);
  EXPECT_EQ(r.next_consumer_mid, 3u);
  EXPECT_FALSE(r.role);
  EXPECT_FALSE(r.remote_role);
  EXPECT_FALSE(r.remote_fingerprint);
  EXPECT_TRUE(r.dtls_ended);
  EXPECT_TRUE(r.app_data.is_null());

  ASSERT_EQ(out.producers.size(), 1u);
  const JournalProducer& p = out.producers[0];
  EXPECT_EQ(p.id, "p-video");
  EXPECT_EQ(p.dataplane_id, 11u);
  EXPECT_EQ(p.transport_id, "t-send");
  EXPECT_EQ(p.kind, MediaKind::kVideo);
  EXPECT_EQ(to_json(p.rtp_parameters), to_json(in.producers[0].rtp_parameters));
  EXPECT_EQ(p.rtp_mapping.codecs, in.producers[0].rtp_mapping.codecs);
  EXPECT_EQ(p.rtp_mapping.encodings, in.producers[0].rtp_mapping.encodings);
  EXPECT_TRUE(p.paused);
  EXPECT_EQ(p.app_data, in.producers[0].app_data);

  ASSERT_EQ(out.consumers.size(), 1u);
  const JournalConsumer& c = out.consumers[0];
  EXPECT_EQ(c.id, "c-video");
  EXPECT_EQ(c.dataplane_id, 21u);
  EXPECT_EQ(c.producer_id, "p-video");
  EXPECT_EQ(c.transport_id, "t-recv");
  EXPECT_FALSE(c.paused);
  EXPECT_EQ(to_json(c.rtp_parameters), to_json(in.consumers[0].rtp_parameters));

  // A journal of the first version (no browser DTLS parameters, no dtlsEnded) is still read.
  json::value v1 = to_json(in);
  v1.as_object()["version"] = 1;
  v1.as_object().erase("epoch");
  for (json::value& t : v1.at("transports").as_array()) t.as_object().erase("dtlsEnded");
  const Journal old = parse_journal(v1);
  EXPECT_EQ(old.epoch, 0u);  // not known: never found stale
  ASSERT_EQ(old.transports.size(), 2u);
  EXPECT_FALSE(old.transports[1].dtls_ended);
  // A second trip changes nothing: what is written is a fixed point.
  EXPECT_EQ(to_json(through_text(out)), to_json(out));
}

// Expects parse_journal to refuse `text` with a message that contains `what`.
void expect_refused(const std::string& text, const std::string& what) {
  try {
    parse_journal(json::parse(text));
    ADD_FAILURE() << "accepted: " << text;
  } catch (const CpError& e) {
    EXPECT_EQ(e.code(), CpError::Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(Journal, RefusesWhatIsNotOneWithThePathOfTheDefect) {
  expect_refused("[]", "journal: expected an object");
  expect_refused(R"({"version": 4, "routers": [], "transports": [], "producers": [],
                     "consumers": []})",
                 "version: not 1..3");
  expect_refused(
      R"({"version": 2, "epoch": 9, "transports": [], "producers": [], "consumers": []})",
      "journal.routers: missing");
  json::value j = to_json(sample_journal());
  j.at("transports").as_array()[1].as_object().erase("icePwd");
  expect_refused(json::serialize(j), "transports[1].icePwd: missing");
  j = to_json(sample_journal());
  j.at("transports").as_array()[0].as_object()["dataplaneId"] = -3;
  expect_refused(json::serialize(j), "transports[0].dataplaneId: expected an unsigned integer");
  j = to_json(sample_journal());
  j.at("transports").as_array()[0].as_object()["ownPort"] = 70000;
  expect_refused(json::serialize(j), "transports[0].ownPort: out of range");
  j = to_json(sample_journal());
  j.at("transports").as_array()[0].as_object()["remoteDtlsRole"] = "leader";
  expect_refused(json::serialize(j), "transports[0].remoteDtlsRole: not a DTLS role");
  j = to_json(sample_journal());
  j.at("producers").as_array()[0].as_object()["kind"] = "data";
  expect_refused(json::serialize(j), "producers[0].kind: not audio or video");
  // The RTP parsers' own errors come out as journal errors too.
  j = to_json(sample_journal());
  j.at("consumers").as_array()[0].as_object()["rtpParameters"] = json::object{{"codecs", 5}};
  expect_refused(json::serialize(j), "journal: consumers[0].rtpParameters");
}

DataplaneDump::Transport dp_transport(uint32_t id, const std::string& ufrag) {
  DataplaneDump::Transport t;
  t.id = id;
  t.ice_ufrag = ufrag;
  return t;
}

std::vector<std::string> ids_of_transports(const Journal& j) {
  std::vector<std::string> out;
  for (const auto& t : j.transports) out.push_back(t.id);
  return out;
}

bool mentions(const std::vector<std::string>& lines, const std::string& what,
              const std::string& why) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.rfind(what + " ", 0) == 0 && l.find(why) != std::string::npos;
  });
}

// A journal and a data plane that disagree in every way a crash or a data plane restart can make
// them disagree.
TEST(Reconcile, AdoptsWhatBothKnowDropsWhatTheDataPlaneLostDeletesOrphans) {
  Journal j;
  j.routers = {{"room", std::nullopt}};
  auto transport = [](const std::string& id, const std::string& router, uint32_t dp,
                      const std::string& ufrag) {
    JournalTransport t;
    t.id = id;
    t.router_id = router;
    t.dataplane_id = dp;
    t.ice_ufrag = ufrag;
    return t;
  };
  j.transports = {transport("t-a", "room", 1, "ua"), transport("t-b", "room", 2, "ub"),
                  transport("t-gone", "room", 3, "ug"),
                  // The data plane restarted and gave id 4 to another transport.
                  transport("t-reused", "room", 4, "ur"),
                  transport("t-norouter", "other-room", 6, "un")};
  auto producer = [](const std::string& id, uint32_t dp, const std::string& t) {
    JournalProducer p;
    p.id = id;
    p.dataplane_id = dp;
    p.transport_id = t;
    return p;
  };
  j.producers = {producer("p-a", 10, "t-a"), producer("p-lost", 11, "t-a"),
                 producer("p-on-gone", 12, "t-gone")};
  auto consumer = [](const std::string& id, uint32_t dp, const std::string& t,
                     const std::string& p) {
    JournalConsumer c;
    c.id = id;
    c.dataplane_id = dp;
    c.transport_id = t;
    c.producer_id = p;
    return c;
  };
  j.consumers = {consumer("c-b", 20, "t-b", "p-a"), consumer("c-of-lost", 21, "t-b", "p-lost"),
                 consumer("c-lost", 22, "t-b", "p-a"), consumer("c-on-gone", 24, "t-gone", "p-a")};

  DataplaneDump dump;
  dump.transports = {dp_transport(1, "ua"), dp_transport(2, "ub"), dp_transport(4, "other"),
                     dp_transport(5, "u5"), dp_transport(6, "un")};
  dump.producers = {10, 12, 13};
  dump.consumers = {20, 21, 23};

  const ReconcilePlan plan = reconcile(&j, dump, 0);
  ASSERT_EQ(plan.adopt.routers.size(), 1u);
  EXPECT_EQ(ids_of_transports(plan.adopt), (std::vector<std::string>{"t-a", "t-b"}));
  ASSERT_EQ(plan.adopt.producers.size(), 1u);
  EXPECT_EQ(plan.adopt.producers[0].id, "p-a");
  ASSERT_EQ(plan.adopt.consumers.size(), 1u);
  EXPECT_EQ(plan.adopt.consumers[0].id, "c-b");

  EXPECT_EQ(plan.dropped.size(), 8u);
  EXPECT_TRUE(mentions(plan.dropped, "transport t-gone", "gone from the data plane"));
  EXPECT_TRUE(mentions(plan.dropped, "transport t-reused", "ICE ufrag differs"));
  EXPECT_TRUE(mentions(plan.dropped, "transport t-norouter", "router other-room is unknown"));
  EXPECT_TRUE(mentions(plan.dropped, "producer p-lost", "gone from the data plane"));
  EXPECT_TRUE(mentions(plan.dropped, "producer p-on-gone", "transport t-gone is not kept"));
  EXPECT_TRUE(mentions(plan.dropped, "consumer c-of-lost", "producer p-lost is not kept"));
  EXPECT_TRUE(mentions(plan.dropped, "consumer c-lost", "gone from the data plane"));
  EXPECT_TRUE(mentions(plan.dropped, "consumer c-on-gone", "transport t-gone is not kept"));

  // The data plane's objects nobody adopted: 21 belonged to a dropped producer, 12 to a dropped
  // transport; 4 is not our t-reused; 6 belonged to a transport whose router is unknown.
  EXPECT_EQ(plan.orphan_consumers, (std::vector<uint32_t>{21, 23}));
  EXPECT_EQ(plan.orphan_producers, (std::vector<uint32_t>{12, 13}));
  EXPECT_EQ(plan.orphan_transports, (std::vector<uint32_t>{4, 5, 6}));
}

TEST(Reconcile, WithoutAJournalEverythingInTheDataPlaneIsAnOrphan) {
  DataplaneDump dump;
  dump.transports = {dp_transport(1, "ua"), dp_transport(2, "ub")};
  dump.producers = {10};
  dump.consumers = {20, 21};
  const ReconcilePlan plan = reconcile(nullptr, dump, 77);
  EXPECT_TRUE(plan.adopt.routers.empty());
  EXPECT_TRUE(plan.adopt.transports.empty());
  EXPECT_TRUE(plan.dropped.empty());
  EXPECT_EQ(plan.orphan_consumers, (std::vector<uint32_t>{20, 21}));
  EXPECT_EQ(plan.orphan_producers, (std::vector<uint32_t>{10}));
  EXPECT_EQ(plan.orphan_transports, (std::vector<uint32_t>{1, 2}));

  // An empty data plane and an empty journal: nothing to do.
  const Journal none;
  const ReconcilePlan idle = reconcile(&none, DataplaneDump{}, 0);
  EXPECT_TRUE(idle.dropped.empty());
  EXPECT_TRUE(idle.orphan_transports.empty());
}

TEST(Reconcile, ADataPlaneObjectIsClaimedOnce) {
  Journal j;
  j.routers = {{"room", std::nullopt}, {"room", std::nullopt}};
  JournalTransport t;
  t.id = "t-a";
  t.router_id = "room";
  t.dataplane_id = 1;
  t.ice_ufrag = "ua";
  JournalTransport twin = t;
  twin.id = "t-twin";  // a corrupted journal naming one data plane transport twice
  j.transports = {t, twin};
  DataplaneDump dump;
  dump.transports = {dp_transport(1, "ua")};
  const ReconcilePlan plan = reconcile(&j, dump, 0);
  EXPECT_EQ(plan.adopt.routers.size(), 1u);
  EXPECT_EQ(ids_of_transports(plan.adopt), (std::vector<std::string>{"t-a"}));
  EXPECT_TRUE(mentions(plan.dropped, "transport t-twin", "listed twice"));
  EXPECT_TRUE(plan.orphan_transports.empty());
}

// The data plane says which control plane it served last (HelloReply.epoch). A journal of another
// epoch describes objects this data plane never had (it restarted) or that another control plane
// has owned since: none of its transports, producers or consumers is adopted, even where ids and
// ufrags happen to match. Its routers are: the data plane has none, and signaling still names them
// for its rooms (new transports in an existing room after a data plane restart).
TEST(Reconcile, AJournalOfAnotherEpochIsStale) {
  Journal j;
  j.epoch = 500;
  j.routers = {{"room", std::nullopt}};
  JournalTransport t;
  t.id = "t-a";
  t.router_id = "room";
  t.dataplane_id = 1;
  t.ice_ufrag = "ua";
  j.transports = {t};
  DataplaneDump dump;
  dump.transports = {dp_transport(1, "ua")};

  const ReconcilePlan same = reconcile(&j, dump, 500);
  EXPECT_TRUE(same.stale.empty());
  EXPECT_EQ(same.adopt.epoch, 500u);
  EXPECT_EQ(ids_of_transports(same.adopt), (std::vector<std::string>{"t-a"}));

  const ReconcilePlan other = reconcile(&j, dump, 0);  // a fresh data plane
  EXPECT_NE(other.stale.find("epoch 500"), std::string::npos) << other.stale;
  ASSERT_EQ(other.adopt.routers.size(), 1u);
  EXPECT_EQ(other.adopt.routers[0].id, "room");
  EXPECT_TRUE(other.adopt.transports.empty());
  for (const std::string& l : other.dropped) EXPECT_NE(l.rfind("router", 0), 0u) << l;
  EXPECT_TRUE(mentions(other.dropped, "transport t-a", "stale"));
  EXPECT_EQ(other.orphan_transports, (std::vector<uint32_t>{1}));

  j.epoch = 0;  // unknown (a version-1 journal): trusted
  EXPECT_EQ(reconcile(&j, dump, 999).adopt.transports.size(), 1u);
}

}  // namespace
}  // namespace fanout::cp::test

namespace fanout::cp::test {
namespace {

// Plain transports (journal version 3): what the next control plane needs to report them again.
JournalTransport plain_transport(const std::string& id, uint32_t dp_id, uint16_t port,
                                 bool comedia) {
  JournalTransport t;
  t.id = id;
  t.router_id = "room-1";
  t.dataplane_id = dp_id;
  t.own_port = port;
  t.plain = true;
  t.comedia = comedia;
  return t;
}

DataplaneDump::Transport dp_plain(uint32_t id, uint16_t port, std::optional<UdpEndpoint> remote,
                                  bool comedia) {
  DataplaneDump::Transport t;
  t.id = id;
  t.created.local_port = port;
  t.plain = true;
  t.plain_remote = std::move(remote);
  t.comedia = comedia;
  return t;
}

TEST(Journal, PlainTransportsSurviveJson) {
  Journal in = sample_journal();
  JournalTransport rec = plain_transport("t-rec", 30, 40010, false);
  rec.connected = true;
  rec.remote = UdpEndpoint{"198.18.0.1", 5004};
  rec.local_srtp = generate_srtp_parameters(SrtpProfile::kAeadAes256Gcm);
  rec.next_consumer_mid = 2;
  rec.app_data = json::object{{"recorder", true}};
  in.transports.push_back(rec);
  in.transports.push_back(plain_transport("t-ingest", 31, 40011, true));
  const Journal out = through_text(in);
  ASSERT_EQ(out.transports.size(), 4u);
  EXPECT_FALSE(out.transports[0].plain);
  const JournalTransport& r = out.transports[2];
  EXPECT_TRUE(r.plain);
  EXPECT_EQ(r.id, "t-rec");
  EXPECT_EQ(r.dataplane_id, 30u);
  EXPECT_EQ(r.own_port, 40010);
  EXPECT_FALSE(r.comedia);
  EXPECT_TRUE(r.connected);
  ASSERT_TRUE(r.remote);
  EXPECT_EQ(r.remote->address, "198.18.0.1");
  EXPECT_EQ(r.remote->port, 5004);
  ASSERT_TRUE(r.local_srtp);
  EXPECT_EQ(*r.local_srtp, *rec.local_srtp);
  EXPECT_EQ(r.next_consumer_mid, 2u);
  EXPECT_EQ(r.app_data, rec.app_data);
  EXPECT_TRUE(r.ice_ufrag.empty());
  const JournalTransport& i = out.transports[3];
  EXPECT_TRUE(i.plain);
  EXPECT_TRUE(i.comedia);
  EXPECT_FALSE(i.connected);
  EXPECT_FALSE(i.remote);
  EXPECT_FALSE(i.local_srtp);

  // A key that does not fit its suite is not a journal.
  json::value j = to_json(in);
  j.at("transports").as_array()[2].at("srtpParameters").as_object()["cryptoSuite"] =
      "AEAD_AES_128_GCM";
  expect_refused(json::serialize(j), "transports[2].srtpParameters.keyBase64: 44 bytes");
  j = to_json(in);
  j.at("transports").as_array()[3].as_object()["type"] = "pipe";
  expect_refused(json::serialize(j), "transports[3].type");
}

TEST(Journal, ReconcileAdoptsPlainTransportsThatAreTheSameOne) {
  Journal j;
  j.epoch = 5;
  j.routers = {{"room-1", std::nullopt}};
  JournalTransport connected = plain_transport("t-rec", 30, 40010, false);
  connected.connected = true;
  connected.remote = UdpEndpoint{"198.18.0.1", 5004};
  j.transports = {connected, plain_transport("t-waiting", 31, 40011, false),
                  plain_transport("t-ingest", 32, 40012, true),
                  plain_transport("t-moved", 33, 40013, true),
                  plain_transport("t-webrtc-now", 34, 40014, true)};
  DataplaneDump dump;
  dump.transports = {dp_plain(30, 40010, UdpEndpoint{"198.18.0.1", 5004}, false),
                     dp_plain(31, 40011, kUnconnectedRemote, false),
                     dp_plain(32, 40012, std::nullopt, true),
                     dp_plain(33, 40099, std::nullopt, true),  // another port: another one
                     dp_transport(34, "someufrag")};
  ReconcilePlan plan = reconcile(&j, dump, 5);
  EXPECT_EQ(ids_of_transports(plan.adopt),
            (std::vector<std::string>{"t-rec", "t-waiting", "t-ingest"}));
  ASSERT_EQ(plan.dropped.size(), 2u);
  EXPECT_NE(plan.dropped[0].find("t-moved"), std::string::npos) << plan.dropped[0];
  EXPECT_NE(plan.dropped[0].find("not a plain transport on port 40013"), std::string::npos);
  EXPECT_NE(plan.dropped[1].find("t-webrtc-now"), std::string::npos) << plan.dropped[1];
  EXPECT_EQ(plan.orphan_transports, (std::vector<uint32_t>{33, 34}));

  // Connected elsewhere than the journal says: not ours.
  dump.transports[0].plain_remote = UdpEndpoint{"198.18.0.1", 5006};
  plan = reconcile(&j, dump, 5);
  EXPECT_EQ(std::count(plan.orphan_transports.begin(), plan.orphan_transports.end(), 30u), 1);
  // A WebRTC transport of the journal never adopts a plain one of the data plane.
  Journal w = sample_journal();
  w.epoch = 5;
  DataplaneDump d2;
  d2.transports = {dp_plain(7, 0, std::nullopt, true), dp_transport(8, "ufragrecv")};
  plan = reconcile(&w, d2, 5);
  EXPECT_EQ(ids_of_transports(plan.adopt), (std::vector<std::string>{"t-recv"}));
}

}  // namespace
}  // namespace fanout::cp::test

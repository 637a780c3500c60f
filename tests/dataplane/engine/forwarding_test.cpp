// The data plane in one process with a net_ring port fed real Ethernet frames: ICE checks, SRTP
// fan-out across workers checked with libsrtp, garbage counted and dropped.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "dataplane/ice/stun.hpp"
#include "dataplane/net/packet.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/dataplane/engine/harness.hpp"

namespace fanout::dp::test {
namespace {

const std::string kPwd = "0123456789abcdefghijklmn";  // 24 characters

std::vector<uint8_t> key_material(uint8_t seed, size_t n) {
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed + i * 7);
  return k;
}

class ForwardingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    init_eal("fanout_eal_forwarding");
    srtp_init();
  }

  void SetUp() override { h_ = std::make_unique<Harness>(3, "fwd" + std::to_string(++n_)); }
  void TearDown() override { h_.reset(); }

  net::Tuple tuple_for(uint8_t host, uint16_t remote_port) {
    net::Tuple t{};
    t.local = h_->our_ip();
    t.local_port = h_->ice_port();
    uint8_t ip[4] = {198, 18, 0, host};
    t.remote = net::IpAddr::v4(ip);
    t.remote_port = remote_port;
    return t;
  }
  const uint8_t* our_mac() { return h_->dp().engine().ports[0].mac.addr_bytes; }

  void create_transport(uint32_t id, uint16_t worker, const std::string& ufrag) {
    TransportParams p;
    p.id = id;
    p.worker = worker;
    p.ice_ufrag = ufrag;
    p.ice_pwd = kPwd;
    TransportCreated out;
    Status s = h_->ctl().create_transport(p, &out);
    ASSERT_TRUE(s.ok()) << s.reason;
    EXPECT_EQ(out.worker, worker);
    h_->run(2);  // the worker attaches it, then the main lcore publishes its routes
  }

  // Runs an ICE check from `t` into worker `via`; returns the frames sent back.
  std::vector<std::vector<uint8_t>> ice_check(const std::string& ufrag, const net::Tuple& t,
                                              uint16_t via, const std::string& pwd = kPwd) {
    h_->inject(via, udp_frame(t, stun_request(ufrag + ":peer", pwd, true), our_mac()));
    h_->run();
    return h_->take_tx();
  }

  uint64_t drops(Drop d) { return h_->dp().total_counters().drops[static_cast<size_t>(d)]; }

  std::unique_ptr<Harness> h_;
  static inline int n_ = 0;
};

TEST_F(ForwardingTest, IceCheckWithGoodCredentialsIsAnsweredFromTheOwner) {
  create_transport(1, 0, "ufA1");
  net::Tuple t = tuple_for(10, 5000);
  auto out = ice_check("ufA1", t, /*via=*/2);  // arrives on worker 2, owner is worker 0
  ASSERT_EQ(out.size(), 1u);
  net::PacketView v;
  ASSERT_FALSE(net::parse_frame(out[0].data(), out[0].size(), v).has_value());
  EXPECT_EQ(v.dst, t.remote);
  EXPECT_EQ(v.dst_port, t.remote_port);
  EXPECT_EQ(v.src_port, 40000);
  EXPECT_EQ(std::memcmp(out[0].data(), kPeerMac, 6), 0);
  ice::StunMessage msg;
  ASSERT_EQ(ice::parse_stun(out[0].data() + v.payload_offset, v.payload_len, msg),
            ice::StunStatus::kOk);
  EXPECT_EQ(msg.type, ice::kBindingSuccess);
  HmacSha1Key key(reinterpret_cast<const uint8_t*>(kPwd.data()), kPwd.size());
  EXPECT_TRUE(ice::verify_message_integrity(msg, key));
  EXPECT_TRUE(ice::verify_fingerprint(msg));
  net::IpAddr mapped;
  uint16_t port = 0;
  ASSERT_TRUE(ice::xor_mapped_address(msg, mapped, port));
  EXPECT_EQ(mapped, t.remote);
  EXPECT_EQ(port, t.remote_port);
  auto info = h_->ctl().transport(1);
  ASSERT_TRUE(info && info->selected);
  EXPECT_EQ(*info->selected, t);
}

TEST_F(ForwardingTest, IceCheckWithBadCredentialsGetsNoAnswer) {
  create_transport(1, 0, "ufA1");
  auto out = ice_check("ufA1", tuple_for(10, 5000), 0, "wrong-password-xxxxxxxxx");
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(drops(Drop::kStunBadIntegrity), 1u);
  out = ice_check("nobody", tuple_for(10, 5000), 1);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(drops(Drop::kStunUnknownUsername), 1u);
  auto info = h_->ctl().transport(1);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->selected);
}

TEST_F(ForwardingTest, SrtpFromOneProducerReachesConsumersOnOtherWorkers) {
  create_transport(1, 0, "ufA1");
  create_transport(2, 1, "ufB2");
  create_transport(3, 2, "ufC3");
  net::Tuple ta = tuple_for(10, 5000), tb = tuple_for(11, 5001), tc = tuple_for(12, 5002);
  ASSERT_EQ(ice_check("ufA1", ta, 0).size(), 1u);
  ASSERT_EQ(ice_check("ufB2", tb, 0).size(), 1u);
  ASSERT_EQ(ice_check("ufC3", tc, 0).size(), 1u);

  auto ka = key_material(1, 30), kb = key_material(2, 30), kc = key_material(3, 28);
  auto span = [](const std::vector<uint8_t>& v, size_t off, size_t n) {
    return std::span<const uint8_t>(v.data() + off, n);
  };
  ASSERT_TRUE(h_->ctl().set_srtp_keys(1, true, 1, span(ka, 0, 16), span(ka, 16, 14)).ok());
  ASSERT_TRUE(h_->ctl().set_srtp_keys(2, false, 1, span(kb, 0, 16), span(kb, 16, 14)).ok());

  ProducerParams pp;
  pp.id = 10;
  pp.transport = 1;
  pp.streams.push_back(StreamParams{1111, 0, 96, 0, 90000, ""});
  ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
  ConsumerParams cb;
  cb.id = 20, cb.producer = 10, cb.transport = 2, cb.ssrc = 2222, cb.payload_types = {{96, 101}};
  ASSERT_TRUE(h_->ctl().create_consumer(cb).ok());
  ConsumerParams cc;
  cc.id = 30, cc.producer = 10, cc.transport = 3, cc.ssrc = 3333, cc.payload_types = {{96, 96}};
  ASSERT_TRUE(h_->ctl().create_consumer(cc).ok());
  h_->run();

  SrtpPeer browser_a(1, ka, false), browser_b(1, kb, true), browser_c(7, kc, true);
  // Before C's DTLS finished (no outbound keys) C gets nothing, never media in clear.
  h_->inject(1, udp_frame(ta, browser_a.protect(rtp_packet(65529, 0, 1111, 96, 1000)), our_mac()));
  h_->run();
  for (auto& f : h_->take_tx()) {
    net::PacketView v;
    ASSERT_FALSE(net::parse_frame(f.data(), f.size(), v).has_value());
    EXPECT_FALSE(v.dst == tc.remote) << "media sent to a transport without SRTP keys";
  }
  EXPECT_EQ(drops(Drop::kSrtpNoKeys), 1u);
  ASSERT_TRUE(h_->ctl().set_srtp_keys(3, false, 7, span(kc, 0, 16), span(kc, 16, 12)).ok());
  h_->run();
  const int kPackets = 20;
  for (int i = 0; i < kPackets; ++i) {
    auto rtp = rtp_packet(static_cast<uint16_t>(65530 + i), 1000 + 3000 * i, 1111, 96, 1000);
    h_->inject(1, udp_frame(ta, browser_a.protect(rtp), our_mac()));  // arrives on worker 1
    h_->run(2);
  }
  h_->run();
  std::map<std::string, std::vector<std::vector<uint8_t>>> by_dest;
  for (auto& f : h_->take_tx()) {
    net::PacketView v;
    ASSERT_FALSE(net::parse_frame(f.data(), f.size(), v).has_value());
    by_dest[net::format_endpoint(v.dst, v.dst_port)].emplace_back(
        f.begin() + v.payload_offset, f.begin() + v.payload_offset + v.payload_len);
  }
  ASSERT_EQ(by_dest[net::format_endpoint(tb.remote, tb.remote_port)].size(), size_t{kPackets});
  ASSERT_EQ(by_dest[net::format_endpoint(tc.remote, tc.remote_port)].size(), size_t{kPackets});
  EXPECT_EQ(by_dest[net::format_endpoint(ta.remote, ta.remote_port)].size(), 0u);

  struct Expect {
    net::Tuple t;
    SrtpPeer* ep;
    uint32_t ssrc;
    uint8_t pt;
  };
  for (const Expect& x : {Expect{tb, &browser_b, 2222, 101}, Expect{tc, &browser_c, 3333, 96}}) {
    auto& pkts = by_dest[net::format_endpoint(x.t.remote, x.t.remote_port)];
    uint16_t first_seq = 0;
    uint32_t first_ts = 0;
    for (int i = 0; i < kPackets; ++i) {
      std::vector<uint8_t> p = pkts[i];
      ASSERT_TRUE(x.ep->unprotect(p)) << "packet " << i << " does not decrypt";
      ASSERT_EQ(p.size(), 12u + 1000u);
      uint16_t seq = static_cast<uint16_t>(p[2] << 8 | p[3]);
      uint32_t ts = uint32_t{p[4]} << 24 | uint32_t{p[5]} << 16 | uint32_t{p[6]} << 8 | p[7];
      uint32_t ssrc = uint32_t{p[8]} << 24 | uint32_t{p[9]} << 16 | uint32_t{p[10]} << 8 | p[11];
      if (i == 0) first_seq = seq, first_ts = ts;
      EXPECT_EQ(ssrc, x.ssrc);
      EXPECT_EQ(p[1] & 0x7f, x.pt);
      EXPECT_EQ(seq, static_cast<uint16_t>(first_seq + i)) << "gap or reorder at " << i;
      EXPECT_EQ(ts - first_ts, 3000u * i);
      auto orig = rtp_packet(static_cast<uint16_t>(65530 + i), 0, 0, 0, 1000);
      EXPECT_TRUE(std::equal(p.begin() + 12, p.end(), orig.begin() + 12)) << "payload " << i;
    }
  }
  LcoreCounters c = h_->dp().total_counters();
  EXPECT_EQ(c.rtp_received, uint64_t{kPackets} + 1);  // + the one before C had keys
  EXPECT_EQ(c.rtp_forwarded, 2u * kPackets + 1);
  EXPECT_GE(c.handoff_out, uint64_t{kPackets});  // worker 1 -> 0, then 0 -> 1 and 0 -> 2
}

class RecordingSink : public EventSink {
 public:
  void on_tuple_selected(uint32_t transport, const net::Tuple& tuple, uint16_t) override {
    selected.emplace_back(transport, tuple);
  }
  void on_dtls(uint32_t transport, const net::Tuple& tuple,
               std::span<const uint8_t> data) override {
    dtls.push_back({transport, tuple, std::vector<uint8_t>(data.begin(), data.end())});
  }
  struct Dtls {
    uint32_t transport;
    net::Tuple tuple;
    std::vector<uint8_t> data;
  };
  std::vector<std::pair<uint32_t, net::Tuple>> selected;
  std::vector<Dtls> dtls;
};

TEST_F(ForwardingTest, DtlsIsPuntedToTheControlPlaneAndInjectedBackToTheSelectedTuple) {
  RecordingSink sink;
  h_->ctl().set_event_sink(&sink);
  create_transport(1, 1, "ufA1");
  net::Tuple t = tuple_for(10, 5000);
  // DTLS before any ICE check comes from an unknown tuple: dropped, never punted.
  std::vector<uint8_t> hello = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
  h_->inject(0, udp_frame(t, hello, our_mac()));
  h_->run();
  EXPECT_TRUE(sink.dtls.empty());
  ASSERT_EQ(ice_check("ufA1", t, 0).size(), 1u);
  ASSERT_EQ(sink.selected.size(), 1u);
  EXPECT_EQ(sink.selected[0].first, 1u);
  h_->inject(0, udp_frame(t, hello, our_mac()));
  h_->run();
  ASSERT_EQ(sink.dtls.size(), 1u);
  EXPECT_EQ(sink.dtls[0].transport, 1u);
  EXPECT_EQ(sink.dtls[0].tuple, t);
  EXPECT_EQ(sink.dtls[0].data, hello);

  std::vector<uint8_t> flight = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 9, 9};
  ASSERT_TRUE(h_->ctl().send_dtls(1, flight).ok());
  h_->run();
  auto out = h_->take_tx();
  ASSERT_EQ(out.size(), 1u);
  net::PacketView v;
  ASSERT_FALSE(net::parse_frame(out[0].data(), out[0].size(), v).has_value());
  EXPECT_EQ(v.dst, t.remote);
  EXPECT_EQ(v.dst_port, t.remote_port);
  EXPECT_EQ(std::vector<uint8_t>(out[0].begin() + v.payload_offset, out[0].end()), flight);
  EXPECT_FALSE(h_->ctl().send_dtls(99, flight).ok());
  h_->ctl().set_event_sink(nullptr);
}

TEST_F(ForwardingTest, PlainTransportsForwardPlainRtpBothWays) {
  // A WebRTC browser consumes a plain producer (an RTP source at a configured remote), and a
  // comedia plain transport (a recorder) latches on its first packet and then receives plain RTP.
  create_transport(1, 0, "ufA1");
  net::Tuple ta = tuple_for(10, 5000);
  ASSERT_EQ(ice_check("ufA1", ta, 0).size(), 1u);
  auto ka = key_material(5, 30);
  ASSERT_TRUE(h_->ctl()
                  .set_srtp_keys(1, false, 1, std::span<const uint8_t>(ka.data(), 16),
                                 std::span<const uint8_t>(ka.data() + 16, 14))
                  .ok());
  TransportParams src;
  src.id = 2, src.worker = 1, src.kind = TransportKind::kPlain, src.local_port = 40002;
  src.plain_remote = Endpoint{"198.18.0.20", 7000};
  TransportCreated out;
  ASSERT_TRUE(h_->ctl().create_transport(src, &out).ok());
  TransportParams rec;
  rec.id = 3, rec.worker = 2, rec.kind = TransportKind::kPlain, rec.local_port = 40003;
  rec.comedia = true;
  ASSERT_TRUE(h_->ctl().create_transport(rec, &out).ok());
  TransportParams bad = rec;
  bad.id = 4, bad.local_port = 0;
  EXPECT_EQ(h_->ctl().create_transport(bad, &out).code, ErrorCode::kInvalidArgument);
  h_->run(2);

  ProducerParams pp;
  pp.id = 10, pp.transport = 2, pp.kind = MediaKind::kAudio;
  pp.streams.push_back(StreamParams{4444, 0, 100, 0, 48000, ""});
  ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
  ConsumerParams ca;
  ca.id = 20, ca.producer = 10, ca.transport = 1, ca.ssrc = 5555, ca.payload_types = {{100, 111}};
  ASSERT_TRUE(h_->ctl().create_consumer(ca).ok());
  ConsumerParams cr = ca;
  cr.id = 21, cr.transport = 3, cr.ssrc = 6666;
  ASSERT_TRUE(h_->ctl().create_consumer(cr).ok());
  h_->run();

  net::Tuple tsrc{}, trec{};
  tsrc.local = trec.local = h_->our_ip();
  tsrc.local_port = 40002, trec.local_port = 40003;
  uint8_t ip20[4] = {198, 18, 0, 20}, ip30[4] = {198, 18, 0, 30};
  tsrc.remote = net::IpAddr::v4(ip20), tsrc.remote_port = 7000;
  trec.remote = net::IpAddr::v4(ip30), trec.remote_port = 9000;
  // The recorder speaks first (an empty RR), which latches its tuple.
  h_->inject(0, udp_frame(trec, {0x80, 201, 0, 1, 0, 0, 0x1a, 0x0a}, our_mac()));
  h_->run();
  EXPECT_TRUE(h_->ctl().transport(3)->selected);
  h_->take_tx();
  // A packet to the source's port from a stranger is not media from the source.
  net::Tuple stranger = tsrc;
  stranger.remote_port = 7001;
  h_->inject(0, udp_frame(stranger, rtp_packet(1, 1, 4444, 100, 40), our_mac()));
  for (int i = 0; i < 5; ++i) {
    h_->inject(1,
               udp_frame(tsrc, rtp_packet(static_cast<uint16_t>(10 + i), 960 * i, 4444, 100, 160),
                         our_mac()));
  }
  h_->run(6);
  SrtpPeer browser(1, ka, true);
  int to_browser = 0, to_recorder = 0;
  for (auto& f : h_->take_tx()) {
    net::PacketView v;
    ASSERT_FALSE(net::parse_frame(f.data(), f.size(), v).has_value());
    std::vector<uint8_t> p(f.begin() + v.payload_offset, f.end());
    if (v.dst == ta.remote && v.dst_port == ta.remote_port) {
      ASSERT_TRUE(browser.unprotect(p));
      EXPECT_EQ(be32(p.data() + 8), 5555u);
      EXPECT_EQ(p[1] & 0x7f, 111);
      ++to_browser;
    } else if (v.dst == trec.remote && v.dst_port == trec.remote_port) {
      EXPECT_EQ(p.size(), 12u + 160u) << "plain RTP, no SRTP tag";
      EXPECT_EQ(be32(p.data() + 8), 6666u);
      EXPECT_EQ(v.src_port, 40003);
      ++to_recorder;
    }
  }
  EXPECT_EQ(to_browser, 5);
  EXPECT_EQ(to_recorder, 5);
  EXPECT_EQ(drops(Drop::kUnknownSource), 1u);
}

TEST_F(ForwardingTest, IceOverIpv6) {
  create_transport(1, 2, "ufV6");
  net::Tuple t{};
  t.local = *net::parse_addr("2001:db8::2");
  t.local_port = h_->ice_port();
  t.remote = *net::parse_addr("2001:db8::10");
  t.remote_port = 6000;
  auto out = ice_check("ufV6", t, 0);
  ASSERT_EQ(out.size(), 1u);
  net::PacketView v;
  ASSERT_FALSE(net::parse_frame(out[0].data(), out[0].size(), v).has_value());
  EXPECT_EQ(v.family, net::kFamilyV6);
  EXPECT_EQ(v.dst, t.remote);
  ice::StunMessage msg;
  ASSERT_EQ(ice::parse_stun(out[0].data() + v.payload_offset, v.payload_len, msg),
            ice::StunStatus::kOk);
  net::IpAddr mapped;
  uint16_t port = 0;
  ASSERT_TRUE(ice::xor_mapped_address(msg, mapped, port));
  EXPECT_EQ(mapped, t.remote);
  EXPECT_EQ(port, 6000);
}

TEST_F(ForwardingTest, ConsentExpiresWithoutChecksAndAFreshCheckRestoresIt) {
  h_->dp().engine().cfg.ice_consent_timeout_ms = 1000;
  create_transport(1, 1, "ufA1");
  net::Tuple t = tuple_for(10, 5000);
  ASSERT_EQ(ice_check("ufA1", t, 0).size(), 1u);
  ASSERT_TRUE(h_->ctl().transport(1)->selected);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  h_->run();
  EXPECT_FALSE(h_->ctl().transport(1)->selected) << "consent should have expired (RFC 7675)";
  ASSERT_EQ(ice_check("ufA1", t, 0).size(), 1u);
  auto info = h_->ctl().transport(1);
  ASSERT_TRUE(info->selected);
  EXPECT_EQ(*info->selected, t);
}

TEST_F(ForwardingTest, StunIsRateLimitedPerSource) {
  h_.reset();
  h_ = std::make_unique<Harness>(2, "fwd_limit",
                                 [](DataplaneConfig& c) { c.stun_per_source_pps = 5; });
  create_transport(1, 0, "ufA1");
  net::Tuple noisy = tuple_for(10, 5000), quiet = tuple_for(11, 5001);
  int answered = 0;
  for (int i = 0; i < 8; ++i) {
    h_->inject(0, udp_frame(noisy, stun_request("ufA1:peer", kPwd, true, static_cast<uint8_t>(i)),
                            our_mac()));
  }
  h_->run();
  answered = static_cast<int>(h_->take_tx().size());
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(drops(Drop::kStunRateLimited), 3u);
  EXPECT_EQ(ice_check("ufA1", quiet, 0).size(), 1u) << "another source keeps its own budget";
}

TEST_F(ForwardingTest, GarbageIsCountedAndDroppedWhileChecksKeepWorking) {
  create_transport(1, 0, "ufA1");
  net::Tuple t = tuple_for(10, 5000);
  h_->inject(0, {1, 2, 3});  // runt frame
  h_->inject(0, udp_frame(t, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, our_mac()));
  h_->inject(0, udp_frame(tuple_for(66, 7000), rtp_packet(1, 1, 5, 96, 50), our_mac()));
  auto out = ice_check("ufA1", t, 1);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(drops(Drop::kEthMalformed), 1u);
  EXPECT_EQ(drops(Drop::kDemuxUnknown), 1u);
  EXPECT_EQ(drops(Drop::kUnknownSource), 1u);  // re-checked on the main lcore, then dropped
}

TEST_F(ForwardingTest, IceRestartSwitchesCredentialsAndKeepsTheSelectedTuple) {
  create_transport(1, 1, "ufA1");
  create_transport(2, 0, "ufC3");
  net::Tuple t = tuple_for(10, 5000);
  ASSERT_EQ(ice_check("ufA1", t, 0).size(), 1u);
  const std::string new_pwd = "restartedPasswordXYZ0123";
  EXPECT_EQ(h_->ctl().set_ice_parameters(1, "ufC3", new_pwd).code, ErrorCode::kInvalidArgument)
      << "another transport's ufrag";
  EXPECT_EQ(h_->ctl().set_ice_parameters(1, "ufB2", "short").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(h_->ctl().set_ice_parameters(9, "ufB2", new_pwd).code, ErrorCode::kNotFound);
  Status s = h_->ctl().set_ice_parameters(1, "ufB2", new_pwd);
  ASSERT_TRUE(s.ok()) << s.reason;
  h_->run(2);
  auto info = h_->ctl().transport(1);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->params.ice_ufrag, "ufB2");
  EXPECT_TRUE(info->selected) << "media keeps going to the selected tuple during the restart";

  EXPECT_TRUE(ice_check("ufA1", t, 0).empty()) << "the old ufrag no longer names the transport";
  EXPECT_TRUE(ice_check("ufB2", t, 2).empty()) << "the old password no longer authenticates";
  EXPECT_EQ(drops(Drop::kStunBadIntegrity), 1u);
  net::Tuple moved = tuple_for(11, 5002);  // the browser's new candidate after the restart
  auto out = ice_check("ufB2", moved, 2, new_pwd);
  ASSERT_EQ(out.size(), 1u);
  net::PacketView v;
  ASSERT_FALSE(net::parse_frame(out[0].data(), out[0].size(), v).has_value());
  ice::StunMessage msg;
  ASSERT_EQ(ice::parse_stun(out[0].data() + v.payload_offset, v.payload_len, msg),
            ice::StunStatus::kOk);
  HmacSha1Key key(reinterpret_cast<const uint8_t*>(new_pwd.data()), new_pwd.size());
  EXPECT_TRUE(ice::verify_message_integrity(msg, key)) << "answered with the new password";
  EXPECT_EQ(*h_->ctl().transport(1)->selected, moved);
  // The freed ufrag can name another transport again.
  create_transport(3, 2, "ufA1");
}

TEST_F(ForwardingTest, PlainRemoteChangeMovesMediaToTheNewRemote) {
  TransportParams src;
  src.id = 2, src.worker = 1, src.kind = TransportKind::kPlain, src.local_port = 40002;
  src.plain_remote = Endpoint{"198.18.0.20", 7000};
  TransportCreated created;
  ASSERT_TRUE(h_->ctl().create_transport(src, &created).ok());
  TransportParams rec;
  rec.id = 3, rec.worker = 2, rec.kind = TransportKind::kPlain, rec.local_port = 40003;
  rec.plain_remote = Endpoint{"198.18.0.30", 9000};
  ASSERT_TRUE(h_->ctl().create_transport(rec, &created).ok());
  create_transport(4, 0, "ufA1");
  h_->run(2);
  ProducerParams pp;
  pp.id = 10, pp.transport = 2, pp.kind = MediaKind::kAudio;
  pp.streams.push_back(StreamParams{4444, 0, 100, 0, 48000, ""});
  ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
  ConsumerParams cr;
  cr.id = 21, cr.producer = 10, cr.transport = 3, cr.ssrc = 6666, cr.payload_types = {{100, 100}};
  ASSERT_TRUE(h_->ctl().create_consumer(cr).ok());
  h_->run();

  net::Tuple tsrc{}, old_rec{};
  tsrc.local = old_rec.local = h_->our_ip();
  tsrc.local_port = 40002, old_rec.local_port = 40003;
  uint8_t ip20[4] = {198, 18, 0, 20}, ip30[4] = {198, 18, 0, 30}, ip31[4] = {198, 18, 0, 31},
          ip40[4] = {198, 18, 0, 40};
  tsrc.remote = net::IpAddr::v4(ip20), tsrc.remote_port = 7000;
  old_rec.remote = net::IpAddr::v4(ip30), old_rec.remote_port = 9000;
  net::Tuple new_rec = old_rec, latched = old_rec;
  new_rec.remote = net::IpAddr::v4(ip31), new_rec.remote_port = 9002;
  latched.remote = net::IpAddr::v4(ip40), latched.remote_port = 9100;
  const std::vector<uint8_t> rr = {0x80, 201, 0, 1, 0, 0, 0x1a, 0x0a};
  uint16_t seq = 1;
  // Sends one RTP packet from the source and returns where the recorder's copies went.
  auto media_goes_to = [&]() {
    h_->inject(1, udp_frame(tsrc, rtp_packet(seq, 960u * seq, 4444, 100, 160), our_mac()));
    ++seq;
    h_->run(6);
    std::vector<net::Tuple> to;
    for (auto& f : h_->take_tx()) {
      net::PacketView v;
      EXPECT_FALSE(net::parse_frame(f.data(), f.size(), v).has_value());
      net::Tuple d = old_rec;
      d.remote = v.dst, d.remote_port = v.dst_port;
      to.push_back(d);
    }
    return to;
  };
  h_->inject(0, udp_frame(old_rec, rr, our_mac()));  // teaches the data plane the remote's MAC
  h_->run();
  EXPECT_EQ(media_goes_to(), std::vector<net::Tuple>{old_rec});

  EXPECT_EQ(h_->ctl().set_plain_remote(4, Endpoint{"198.18.0.31", 9002}, false).code,
            ErrorCode::kInvalidArgument)
      << "a WebRTC transport's remote is ICE's";
  EXPECT_EQ(h_->ctl().set_plain_remote(3, std::nullopt, false).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(h_->ctl().set_plain_remote(3, Endpoint{"not-an-ip", 9002}, false).code,
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(h_->ctl().set_plain_remote(3, Endpoint{"198.18.0.31", 9002}, false).ok());
  h_->run(2);
  EXPECT_EQ(*h_->ctl().transport(3)->selected, new_rec);
  EXPECT_TRUE(media_goes_to().empty()) << "nothing to the old remote, and no MAC for the new one";
  const uint64_t unknown = drops(Drop::kUnknownSource);
  h_->inject(0, udp_frame(old_rec, rr, our_mac()));
  h_->run();
  EXPECT_EQ(drops(Drop::kUnknownSource), unknown + 1) << "the old remote is a stranger now";
  h_->inject(0, udp_frame(new_rec, rr, our_mac()));
  h_->run();
  EXPECT_EQ(media_goes_to(), std::vector<net::Tuple>{new_rec});

  // comedia: forget the remote, latch the next packet's source.
  ASSERT_TRUE(h_->ctl().set_plain_remote(3, std::nullopt, true).ok());
  h_->run(2);
  EXPECT_FALSE(h_->ctl().transport(3)->selected);
  EXPECT_TRUE(media_goes_to().empty());
  h_->inject(2, udp_frame(latched, rr, our_mac()));
  h_->run();
  EXPECT_EQ(*h_->ctl().transport(3)->selected, latched);
  EXPECT_EQ(media_goes_to(), std::vector<net::Tuple>{latched});
}

}  // namespace
}  // namespace fanout::dp::test

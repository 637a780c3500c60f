// PlainTransport through controlplane/service against the real fanout-dataplane on a net_tap port
// inside a network namespace (run_in_netns.sh): the requests as signaling sends them, kernel UDP
// sockets on the tap's kernel side as the recorder / encoder at the other end, and libsrtp
// (tests/common/srtp_peer.hpp) as the oracle for what arrives encrypted.
#include "tests/controlplane/service/plain_transport_fixture.hpp"

namespace fanout::cp::test {
namespace {

TEST_F(PlainTransportTest, RequestsAreCheckedWithTheFieldNamed) {
  ASSERT_NE(create_router("room-v").envelope()->body_as_RouterCreated(), nullptr);
  expect_error(create_plain("room-v", "t-bad", false, true, "AES_256_CM"),
               api::ErrorCode::InvalidArgument, "srtp_crypto_suite: 'AES_256_CM'");
  expect_error(create_plain("room-v", "t-bad", false, false, "AEAD_AES_128_GCM"),
               api::ErrorCode::InvalidArgument, "srtp_crypto_suite: given without enable_srtp");
  expect_error(create_plain("no-room", "t-bad", false, false), api::ErrorCode::NotFound, "no-room");

  // Created: its own port on the data plane's address, our key of the default suite.
  Reply r = create_plain("room-v", "t-srtp", false, true);
  const json::value tuple = created_tuple(r);
  EXPECT_EQ(tuple.at("localIp"), kDataplaneAddress);
  EXPECT_EQ(tuple.at("localAddress"), kDataplaneAddress);
  EXPECT_EQ(tuple.at("protocol"), "udp");
  EXPECT_GT(local_port(tuple), 0);
  EXPECT_FALSE(tuple.as_object().contains("remoteIp")) << "not connected yet";
  const json::value srtp =
      json::parse(r.envelope()->body_as_PlainTransportCreated()->srtp_parameters_json()->str());
  EXPECT_EQ(srtp.at("cryptoSuite"), "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(base64_decode(srtp.at("keyBase64").as_string().c_str())->size(), 30u);
  expect_error(create_plain("room-v", "t-srtp", true, false), api::ErrorCode::AlreadyExists,
               "t-srtp");
  Reply plain = create_plain("room-v", "t-rtp", true, false);
  EXPECT_NE(local_port(created_tuple(plain)), local_port(tuple)) << "a port of its own each";
  EXPECT_EQ(plain.envelope()->body_as_PlainTransportCreated()->srtp_parameters_json(), nullptr);

  const std::string cm_key = base64_encode(std::vector<uint8_t>(30, 1));
  const std::string gcm_key = base64_encode(std::vector<uint8_t>(28, 1));
  expect_error(connect("t-nobody", kKernelAddress, 5004), api::ErrorCode::NotFound, "t-nobody");
  expect_error(connect("t-srtp", "198.18.0.256", 5004, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "ip: '198.18.0.256'");
  expect_error(connect("t-srtp", "2001:db8::1", 5004, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "ip: '2001:db8::1' is IPv6");
  expect_error(connect("t-srtp", kKernelAddress, 0, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "port: 0");
  expect_error(connect("t-srtp", "", 5004, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "ip: missing");
  expect_error(connect("t-srtp", kKernelAddress, 5004, "AES_CM_128_HMAC_SHA1_80", gcm_key),
               api::ErrorCode::InvalidArgument,
               "srtp_key_base64: 28 bytes, AES_CM_128_HMAC_SHA1_80 needs 30");
  expect_error(connect("t-srtp", kKernelAddress, 5004, "AEAD_AES_256_GCM", gcm_key),
               api::ErrorCode::InvalidArgument, "needs 44");
  expect_error(connect("t-srtp", kKernelAddress, 5004, "F8_128", cm_key),
               api::ErrorCode::InvalidArgument, "srtp_crypto_suite: 'F8_128'");
  expect_error(connect("t-srtp", kKernelAddress, 5004, "AES_CM_128_HMAC_SHA1_80", "not base64!"),
               api::ErrorCode::InvalidArgument, "srtp_key_base64: not base64");
  expect_error(connect("t-srtp", kKernelAddress, 5004), api::ErrorCode::InvalidArgument,
               "srtp_key_base64: missing");
  expect_error(connect("t-rtp", kKernelAddress, 5004), api::ErrorCode::InvalidArgument,
               "ip: not with comedia");
  expect_error(connect("t-rtp", "", 0, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "without enable_srtp");
  // The other kind's connect.
  expect_error(call([](FlatBufferBuilder& fbb) {
                 return api::CreateConnectWebRtcTransport(
                     fbb, fbb.CreateString("t-rtp"),
                     fbb.CreateString(R"({"fingerprints": [{"algorithm": "sha-256",
                                                            "value": "AB"}]})"));
               }),
               api::ErrorCode::InvalidArgument, "is a plain transport");

  // A failed connect changed nothing: a good one goes through, once.
  r = connect("t-srtp", kKernelAddress, 5004, "AES_CM_128_HMAC_SHA1_80", cm_key);
  const api::PlainTransportConnected* c = r.envelope()->body_as_PlainTransportConnected();
  ASSERT_NE(c, nullptr) << r.describe();
  const json::value connected_tuple = json::parse(c->tuple_json()->str());
  EXPECT_EQ(connected_tuple.at("remoteIp"), kKernelAddress);
  EXPECT_EQ(connected_tuple.at("remotePort").to_number<int64_t>(), 5004);
  EXPECT_EQ(local_port(connected_tuple), local_port(tuple)) << "same port after connect";
  EXPECT_EQ(json::parse(c->srtp_parameters_json()->str()), srtp) << "same suite: same key";
  expect_error(connect("t-srtp", kKernelAddress, 5004, "AES_CM_128_HMAC_SHA1_80", cm_key),
               api::ErrorCode::InvalidArgument, "already connected");
  EXPECT_NE(connect("t-rtp", "", 0).envelope()->body_as_PlainTransportConnected(), nullptr);

  // Dump: mediasoup's fields.
  const json::value d = dump_transport("t-srtp");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d.at("type"), "plain");
  EXPECT_EQ(d.at("comedia"), false);
  EXPECT_EQ(d.at("tuple"), connected_tuple);
  EXPECT_EQ(d.at("srtpParameters"), srtp);
  EXPECT_EQ(d.at("appData").at("role"), "recorder");

  // The router closes them in the data plane too.
  const uint32_t dp_id = node_->transport_entry("t-srtp")->dataplane_id;
  ASSERT_NE(close(api::Target::Router, "room-v").envelope()->body_as_Ok(), nullptr);
  auto dumped = node_->link().dump();
  ASSERT_TRUE(dumped.ok());
  for (const auto& t : dumped.value.transports) EXPECT_NE(t.id, dp_id);
  EXPECT_EQ(node_->plain_transport("t-srtp"), nullptr);
}

// An encoder sends plain RTP to a comedia transport; two recorders receive it under SRTP, one of
// them connected with another suite than it was created with (its key is generated again for
// that suite, as mediasoup does); a third never connected receives nothing.
TEST_F(PlainTransportTest, PlainRtpInSrtpOutThroughTheRealDataplane) {
  ASSERT_NE(create_router("room-m").envelope()->body_as_RouterCreated(), nullptr);
  Peer encoder, recorder_cm, recorder_gcm, recorder_cm32, recorder_gcm256, stranger;
  const uint16_t in_port = local_port(created_tuple(create_plain("room-m", "t-in", true, false)));
  ASSERT_NE(in_port, 0);
  Reply r = produce("t-in", "p-audio", kOpusSender);
  ASSERT_NE(r.envelope()->body_as_Produced(), nullptr) << r.describe();

  struct Recorder {
    std::string transport, consumer;
    uint16_t port = 0;
    uint32_t ssrc = 0;
    uint8_t pt = 0;
  };
  auto recorder = [&](const std::string& tid, const std::string& suite) {
    Recorder rec{tid, "c-" + tid};
    Reply created = create_plain("room-m", tid, false, true, suite);
    rec.port = local_port(created_tuple(created));
    Reply c = consume(tid, rec.consumer, "p-audio");
    const api::Consumed* cd = c.envelope()->body_as_Consumed();
    EXPECT_NE(cd, nullptr) << c.describe();
    if (cd == nullptr) return rec;
    const json::value p = json::parse(cd->rtp_parameters_json()->str());
    rec.ssrc = static_cast<uint32_t>(p.at("encodings").at(0).at("ssrc").to_number<int64_t>());
    rec.pt = static_cast<uint8_t>(p.at("codecs").at(0).at("payloadType").to_number<int64_t>());
    return rec;
  };
  // Consumed before connect: connect keeps the consumer (keys and remote change in place).
  Recorder cm = recorder("t-rec-cm", "AES_CM_128_HMAC_SHA1_80");
  Recorder gcm = recorder("t-rec-gcm", "");
  Recorder never = recorder("t-rec-never", "");
  // The two other suites, created and connected with the same one.
  Recorder cm32 = recorder("t-rec-cm32", "AES_CM_128_HMAC_SHA1_32");
  Recorder gcm256 = recorder("t-rec-gcm256", "AEAD_AES_256_GCM");
  ASSERT_NE(cm.ssrc, 0u);
  ASSERT_NE(gcm.ssrc, 0u);

  uint16_t seq = 100;
  std::set<std::vector<uint8_t>> payloads;
  auto send_media = [&](int n) {
    for (int i = 0; i < n; ++i, ++seq) {
      std::vector<uint8_t> p = dp::test::rtp_packet(seq, seq * 960u, kSenderSsrc, 100, 120);
      payloads.emplace(p.begin() + 12, p.end());
      encoder.send_to(in_port, p);
    }
  };

  // Not connected (comedia=false): nothing is sent, even to a source that knocks on its port.
  stranger.send_to(cm.port, dp::test::rtp_packet(1, 1, 777, 100, 20));
  stranger.send_to(never.port, dp::test::rtp_packet(1, 1, 777, 100, 20));
  send_media(10);
  run_for(milliseconds(50));
  EXPECT_TRUE(stranger.drain(milliseconds(300)).empty()) << "sent before connect";
  EXPECT_TRUE(recorder_cm.drain(milliseconds(10)).empty());
  const json::value in_stats = stats("t-in");
  EXPECT_EQ(in_stats.at("type"), "plain-rtp-transport");
  EXPECT_GE(in_stats.at("packetsReceived").to_number<int64_t>(), 10) << json::serialize(in_stats);
  // The comedia latch is reported as the tuple's remote.
  EXPECT_EQ(in_stats.at("tuple").at("remoteIp"), kKernelAddress) << json::serialize(in_stats);
  EXPECT_EQ(in_stats.at("tuple").at("remotePort").to_number<int64_t>(), encoder.port());

  // Connect the recorders with their sending keys (what we decrypt with).
  const std::vector<uint8_t> cm_remote_key(30, 0x5a);
  r = connect(cm.transport, kKernelAddress, recorder_cm.port(), "AES_CM_128_HMAC_SHA1_80",
              base64_encode(cm_remote_key));
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  const json::value cm_srtp =
      json::parse(r.envelope()->body_as_PlainTransportConnected()->srtp_parameters_json()->str());
  EXPECT_EQ(cm_srtp.at("cryptoSuite"), "AES_CM_128_HMAC_SHA1_80");
  const std::vector<uint8_t> gcm_remote_key(28, 0xa5);
  r = connect(gcm.transport, kKernelAddress, recorder_gcm.port(), "AEAD_AES_128_GCM",
              base64_encode(gcm_remote_key));
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  const json::value gcm_srtp =
      json::parse(r.envelope()->body_as_PlainTransportConnected()->srtp_parameters_json()->str());
  EXPECT_EQ(gcm_srtp.at("cryptoSuite"), "AEAD_AES_128_GCM") << "ours follows the remote's suite";
  const std::vector<uint8_t> gcm_key = *base64_decode(gcm_srtp.at("keyBase64").as_string().c_str());
  ASSERT_EQ(gcm_key.size(), 28u);
  EXPECT_EQ(dump_transport(gcm.transport).at("srtpParameters"), gcm_srtp);
  const std::vector<uint8_t> cm32_remote_key(30, 0x3c);
  r = connect(cm32.transport, kKernelAddress, recorder_cm32.port(), "AES_CM_128_HMAC_SHA1_32",
              base64_encode(cm32_remote_key));
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  const json::value cm32_srtp =
      json::parse(r.envelope()->body_as_PlainTransportConnected()->srtp_parameters_json()->str());
  EXPECT_EQ(cm32_srtp.at("cryptoSuite"), "AES_CM_128_HMAC_SHA1_32");
  const std::vector<uint8_t> gcm256_remote_key(44, 0xc3);
  r = connect(gcm256.transport, kKernelAddress, recorder_gcm256.port(), "AEAD_AES_256_GCM",
              base64_encode(gcm256_remote_key));
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  const json::value gcm256_srtp =
      json::parse(r.envelope()->body_as_PlainTransportConnected()->srtp_parameters_json()->str());
  EXPECT_EQ(gcm256_srtp.at("cryptoSuite"), "AEAD_AES_256_GCM");
  ASSERT_EQ(base64_decode(gcm256_srtp.at("keyBase64").as_string().c_str())->size(), 44u);

  // The data plane learns a static remote's MAC from its first packet (no ARP resolution): each
  // recorder sends an SRTCP receiver report under its key, as a real one would.
  const std::vector<uint8_t> rr = {0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x03, 0x09};
  recorder_cm.send_to(cm.port, SrtpPeer(1, cm_remote_key, false).protect_rtcp(rr));
  recorder_gcm.send_to(gcm.port, SrtpPeer(7, gcm_remote_key, false).protect_rtcp(rr));
  recorder_cm32.send_to(cm32.port, SrtpPeer(2, cm32_remote_key, false).protect_rtcp(rr));
  recorder_gcm256.send_to(gcm256.port, SrtpPeer(8, gcm256_remote_key, false).protect_rtcp(rr));
  run_for(milliseconds(50));
  send_media(20);
  run_for(milliseconds(50));

  auto check = [&](Peer& peer, const Recorder& rec, uint16_t profile,
                   const std::vector<uint8_t>& key) {
    SrtpPeer in(profile, key, true);
    size_t media = 0;
    for (std::vector<uint8_t>& p : peer.drain(milliseconds(300))) {
      if (p.size() < 12 || p[1] >= 192) continue;  // RTCP (SR) the data plane may send
      ASSERT_TRUE(in.unprotect(p)) << rec.transport << ": does not decrypt with our key";
      EXPECT_EQ(dp::test::be32(p.data() + 8), rec.ssrc) << rec.transport;
      EXPECT_EQ(p[1] & 0x7f, rec.pt) << rec.transport;
      ASSERT_EQ(p.size(), 12u + 120u) << rec.transport;  // after unprotect: no tag
      EXPECT_EQ(payloads.count(std::vector<uint8_t>(p.begin() + 12, p.end())), 1u)
          << rec.transport << ": a payload that was not sent";
      ++media;
    }
    // On failure, what the data plane says of the recorder's transport (did its RR arrive?).
    EXPECT_GE(media, 18u) << rec.transport << ": of 20 sent; "
                          << (media < 18u ? json::serialize(stats(rec.transport)) : "");
  };
  check(recorder_cm, cm, 1, *base64_decode(cm_srtp.at("keyBase64").as_string().c_str()));
  check(recorder_gcm, gcm, 7, gcm_key);
  check(recorder_cm32, cm32, 2, *base64_decode(cm32_srtp.at("keyBase64").as_string().c_str()));
  check(recorder_gcm256, gcm256, 8,
        *base64_decode(gcm256_srtp.at("keyBase64").as_string().c_str()));
  EXPECT_TRUE(stranger.drain(milliseconds(50)).empty()) << "the unconnected one sent";
  EXPECT_GE(stats(cm.transport).at("packetsSent").to_number<int64_t>(), 18);
  const json::value producer_stats = stats("p-audio", api::Target::Producer);
  EXPECT_EQ(producer_stats.at("type"), "inbound-rtp");
  EXPECT_EQ(producer_stats.at("packetCount").to_number<int64_t>(), 30) << "10 + 20 sent";
  EXPECT_EQ(producer_stats.at("byteCount").to_number<int64_t>(), 30 * (12 + 120));
  const json::value consumer_stats = stats(cm.consumer, api::Target::Consumer);
  EXPECT_EQ(consumer_stats.at("type"), "outbound-rtp");
  EXPECT_GE(consumer_stats.at("packetCount").to_number<int64_t>(), 18);
  EXPECT_LE(consumer_stats.at("packetCount").to_number<int64_t>(), 20) << "none before connect";
  EXPECT_GE(consumer_stats.at("byteCount").to_number<int64_t>(), 18 * (12 + 120));
  EXPECT_EQ(stats(never.consumer, api::Target::Consumer).at("packetCount").to_number<int64_t>(), 0)
      << "the unconnected recorder's consumer sent nothing";

  // Closing the encoder's transport closes the producer and its consumers (data plane too).
  ASSERT_NE(close(api::Target::Transport, "t-in").envelope()->body_as_Ok(), nullptr);
  EXPECT_EQ(node_->producer("p-audio"), nullptr);
  EXPECT_EQ(node_->consumer(cm.consumer), nullptr);
  auto dumped = node_->link().dump();
  ASSERT_TRUE(dumped.ok());
  EXPECT_TRUE(dumped.value.producers.empty());
  EXPECT_TRUE(dumped.value.consumers.empty());
  ASSERT_NE(close(api::Target::Router, "room-m").envelope()->body_as_Ok(), nullptr);
}

// A plain source with a static remote (comedia=false) whose producer is consumed before the
// source is connected: connect sets the remote on the live transport and media flows from it.
TEST_F(PlainTransportTest, ConnectAfterItsProducerIsConsumed) {
  ASSERT_NE(create_router("room-c").envelope()->body_as_RouterCreated(), nullptr);
  Peer source, recorder, stranger;
  const uint16_t src_port =
      local_port(created_tuple(create_plain("room-c", "t-src", false, false)));
  const uint16_t rec_port = local_port(created_tuple(create_plain("room-c", "t-rec", true, false)));
  Reply r = produce("t-src", "p-src", kOpusSender);
  ASSERT_NE(r.envelope()->body_as_Produced(), nullptr) << r.describe();
  r = consume("t-rec", "c-rec", "p-src");
  ASSERT_NE(r.envelope()->body_as_Consumed(), nullptr) << r.describe();
  r = connect("t-src", kKernelAddress, source.port());
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  EXPECT_EQ(node_->consumer("c-rec")->producer_id, "p-src") << "the consumer survived connect";

  recorder.send_to(rec_port, {0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x03, 0x09});  // comedia latch
  run_for(milliseconds(50));
  stranger.send_to(src_port, dp::test::rtp_packet(1, 1, kSenderSsrc, 100, 120));
  for (uint16_t i = 0; i < 10; ++i) {
    source.send_to(src_port, dp::test::rtp_packet(500 + i, 960u * i, kSenderSsrc, 100, 120));
  }
  run_for(milliseconds(50));
  size_t media = 0;
  for (const std::vector<uint8_t>& p : recorder.drain(milliseconds(300))) {
    if (p.size() >= 12 && p[1] < 192) ++media;
  }
  EXPECT_EQ(media, 10u) << "every packet of the source, none of the stranger's";
  EXPECT_EQ(stats("p-src", api::Target::Producer).at("packetCount").to_number<int64_t>(), 10);
  EXPECT_EQ(stats("c-rec", api::Target::Consumer).at("packetCount").to_number<int64_t>(), 10);
  ASSERT_NE(close(api::Target::Router, "room-c").envelope()->body_as_Ok(), nullptr);
}

// A restarted control plane adopts plain transports from the journal: same ids, same port, same
// keys reported, the comedia latch read back from the data plane, and media keeps flowing.
TEST_F(PlainTransportTest, RestartAdoptsPlainTransports) {
  ASSERT_NE(create_router("room-r").envelope()->body_as_RouterCreated(), nullptr);
  Peer encoder, recorder;
  const uint16_t in_port = local_port(created_tuple(create_plain("room-r", "t-in-r", true, false)));
  ASSERT_NE(produce("t-in-r", "p-r", kOpusSender).envelope()->body_as_Produced(), nullptr);
  Reply created = create_plain("room-r", "t-rec-r", false, true, "AEAD_AES_128_GCM");
  const uint16_t rec_port = local_port(created_tuple(created));
  Reply c = consume("t-rec-r", "c-r", "p-r");
  ASSERT_NE(c.envelope()->body_as_Consumed(), nullptr) << c.describe();
  const std::vector<uint8_t> remote_key(28, 0x33);
  Reply r = connect("t-rec-r", kKernelAddress, recorder.port(), "AEAD_AES_128_GCM",
                    base64_encode(remote_key));
  ASSERT_NE(r.envelope()->body_as_PlainTransportConnected(), nullptr) << r.describe();
  encoder.send_to(in_port, dp::test::rtp_packet(1, 960, kSenderSsrc, 100, 80));
  run_for(milliseconds(50));
  const json::value before_in = dump_transport("t-in-r");
  const json::value before_rec = dump_transport("t-rec-r");
  ASSERT_TRUE(before_rec.is_object());
  const json::value journal = json::parse(json::serialize(node_->snapshot()));

  delete service_;
  node_->link().close();  // as after SIGKILL: nothing is deleted in the data plane
  delete node_;
  Node::Options node_options;
  node_options.link.socket_path = process_.socket_path();
  node_options.link.client_name = "controlplane_plain_transport_test (restarted)";
  node_options.score_interval = kScoreInterval;
  node_ = new Node(node_options);
  const Node::RestoreSummary s = node_->restore(&journal);
  service_ = new Service(*node_, ServiceOptions{}, sink_);
  EXPECT_EQ(s.transports, 2u) << s.describe();
  EXPECT_EQ(s.producers, 1u);
  EXPECT_EQ(s.consumers, 1u);
  EXPECT_EQ(s.dropped, 0u) << s.describe();
  EXPECT_EQ(s.orphans_deleted, 0u) << s.describe();
  EXPECT_EQ(dump_transport("t-rec-r"), before_rec);
  EXPECT_EQ(dump_transport("t-in-r").at("tuple"), before_in.at("tuple")) << "the comedia latch";
  EXPECT_EQ(local_port(dump_transport("t-rec-r").at("tuple")), rec_port);
  expect_error(connect("t-rec-r", kKernelAddress, recorder.port(), "AEAD_AES_128_GCM",
                       base64_encode(remote_key)),
               api::ErrorCode::InvalidArgument, "already connected");

  // Media still flows under the keys installed before the restart.
  const std::vector<uint8_t> rr = {0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x03, 0x09};
  recorder.send_to(rec_port, SrtpPeer(7, remote_key, false).protect_rtcp(rr));
  run_for(milliseconds(50));
  for (uint16_t seq = 2; seq < 12; ++seq)
    encoder.send_to(in_port, dp::test::rtp_packet(seq, seq * 960u, kSenderSsrc, 100, 80));
  const std::vector<uint8_t> key =
      *base64_decode(before_rec.at("srtpParameters").at("keyBase64").as_string().c_str());
  SrtpPeer in(7, key, true);
  size_t media = 0;
  for (std::vector<uint8_t>& p : recorder.drain(milliseconds(300))) {
    if (p.size() < 12 || p[1] >= 192) continue;
    EXPECT_TRUE(in.unprotect(p));
    ++media;
  }
  EXPECT_GE(media, 9u);
  ASSERT_NE(close(api::Target::Router, "room-r").envelope()->body_as_Ok(), nullptr);
  auto dumped = node_->link().dump();
  ASSERT_TRUE(dumped.ok());
  EXPECT_TRUE(dumped.value.transports.empty());
}

}  // namespace
}  // namespace fanout::cp::test

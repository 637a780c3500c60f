// dataplane/ctl/args.cpp (here until tests/meson.build builds tests/dataplane/ctl).
#include "dataplane/ctl/args.hpp"

#include <gtest/gtest.h>

namespace fanout::dp::ctl {
namespace {

namespace fi = fanout::ipc;

ParseResult parse(std::vector<std::string> args, const char* env = nullptr) {
  return parse_args(args, env);
}

TEST(CtlArgs, SocketDefaultEnvAndFlag) {
  EXPECT_EQ(parse({"hello"}).command.socket, "/run/fanout/dataplane.sock");
  EXPECT_EQ(parse({"hello"}, "/tmp/x.sock").command.socket, "/tmp/x.sock");
  EXPECT_EQ(parse({"--socket", "/a.sock", "hello"}, "/tmp/x.sock").command.socket, "/a.sock");
  auto r = parse({"--json", "--timeout", "50", "hello"});
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.command.json);
  EXPECT_EQ(r.command.timeout_ms, 50);
  EXPECT_EQ(r.command.verb, Verb::kHello);
}

TEST(CtlArgs, ListsAndCounters) {
  EXPECT_EQ(parse({"transports"}).command.request.type, fi::Body::ListTransports);
  EXPECT_EQ(parse({"producers"}).command.request.type, fi::Body::ListProducers);
  EXPECT_EQ(parse({"consumers"}).command.request.type, fi::Body::ListConsumers);
  EXPECT_EQ(parse({"dump"}).command.request.type, fi::Body::Dump);
  auto r = parse({"counters", "--transport", "12"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.command.request.AsGetCounters()->transport, 12u);
  EXPECT_EQ(parse({"counters"}).command.request.AsGetCounters()->transport, 0u);
  r = parse({"counters", "--producer", "20"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.command.request.AsGetCounters()->producer, 20u);
  r = parse({"counters", "--consumer", "30"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.command.request.AsGetCounters()->consumer, 30u);
  r = parse({"counters", "--producer", "20", "--consumer", "30"});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("one of"), std::string::npos) << r.error;
  EXPECT_FALSE(parse({"counters", "--router", "1"}).ok);
  r = parse({"counters", "--media"});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.command.request.AsGetCounters()->all_media);
  EXPECT_FALSE(parse({"counters"}).command.request.AsGetCounters()->all_media);
  r = parse({"counters", "--media", "--producer", "20"});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("one of"), std::string::npos) << r.error;
}

TEST(CtlArgs, CreateTransportWebRtcAndPlain) {
  auto r = parse({"create-transport", "--id", "7", "--ufrag", "u", "--pwd", "p", "--port", "1"});
  ASSERT_TRUE(r.ok) << r.error;
  const auto* t = r.command.request.AsCreateTransport();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->id, 7u);
  EXPECT_EQ(t->worker, 0xFFFF);  // the data plane picks
  EXPECT_EQ(t->port, 1);
  EXPECT_EQ(t->kind, fi::TransportKind::WebRtc);

  r = parse({"create-transport", "--id", "8", "--remote", "[2001:db8::1]:5004"});
  ASSERT_TRUE(r.ok) << r.error;
  t = r.command.request.AsCreateTransport();
  EXPECT_EQ(t->kind, fi::TransportKind::Plain);
  EXPECT_EQ(t->plain_remote->address, "2001:db8::1");
  EXPECT_EQ(t->plain_remote->port, 5004);

  EXPECT_FALSE(parse({"create-transport", "--id", "9"}).ok);  // WebRTC without credentials
  EXPECT_FALSE(parse({"create-transport", "--ufrag", "u", "--pwd", "p"}).ok);
}

TEST(CtlArgs, SetKeysDecodesHex) {
  auto r = parse({"set-keys", "--transport", "3", "--direction", "out", "--profile", "1", "--key",
                  "E1F97A0D3E018BE0D64FA32C06DE4139", "--salt", "0EC675AD498AFEEBB6960B3AABE6"});
  ASSERT_TRUE(r.ok) << r.error;
  const auto* k = r.command.request.AsSetSrtpKeys();
  EXPECT_EQ(k->direction, fi::Direction::Outbound);
  ASSERT_EQ(k->master_key.size(), 16u);
  EXPECT_EQ(k->master_key[0], 0xE1);
  EXPECT_EQ(k->master_key[15], 0x39);
  ASSERT_EQ(k->master_salt.size(), 14u);
  EXPECT_EQ(k->master_salt[13], 0xE6);
  EXPECT_FALSE(
      parse({"set-keys", "--transport", "3", "--profile", "1", "--key", "abc", "--salt", "00"}).ok);
  std::vector<uint8_t> bytes;
  EXPECT_FALSE(parse_hex("zz", bytes));
  EXPECT_TRUE(parse_hex("", bytes));
}

TEST(CtlArgs, CreateProducerAndConsumer) {
  auto r = parse({"create-producer", "--id", "20", "--transport", "3", "--kind", "video",
                  "--stream", "ssrc=1111,rtx=1112,pt=96,rtx-pt=97,clock=90000,rid=h", "--stream",
                  "ssrc=2222,pt=96", "--paused"});
  ASSERT_TRUE(r.ok) << r.error;
  const auto* p = r.command.request.AsCreateProducer();
  EXPECT_EQ(p->kind, fi::MediaKind::Video);
  EXPECT_TRUE(p->paused);
  ASSERT_EQ(p->streams.size(), 2u);
  EXPECT_EQ(p->streams[0]->rtx_ssrc, 1112u);
  EXPECT_EQ(p->streams[0]->rtx_payload_type, 97);
  EXPECT_EQ(p->streams[0]->rid, "h");
  EXPECT_EQ(p->streams[1]->ssrc, 2222u);
  EXPECT_FALSE(
      parse({"create-producer", "--id", "20", "--transport", "3", "--stream", "pt=300"}).ok);

  r = parse({"create-consumer", "--id", "30", "--producer", "20", "--transport", "4", "--ssrc",
             "5555", "--pt", "96:100", "--pt", "97:101", "--clock-rate", "90000"});
  ASSERT_TRUE(r.ok) << r.error;
  const auto* c = r.command.request.AsCreateConsumer();
  ASSERT_EQ(c->payload_types.size(), 2u);
  EXPECT_EQ(c->payload_types[1]->from, 97);
  EXPECT_EQ(c->payload_types[1]->to, 101);
}

TEST(CtlArgs, PauseResumeDeleteKeyframeFlushWatch) {
  auto r = parse({"pause", "consumer", "30"});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.command.request.AsSetPaused()->target, fi::PauseTarget::Consumer);
  EXPECT_TRUE(r.command.request.AsSetPaused()->paused);
  EXPECT_FALSE(parse({"resume", "producer", "20"}).command.request.AsSetPaused()->paused);
  EXPECT_EQ(parse({"delete", "transport", "3"}).command.request.type, fi::Body::DeleteTransport);
  EXPECT_EQ(parse({"delete", "consumer", "3"}).command.request.AsDeleteConsumer()->id, 3u);
  EXPECT_EQ(parse({"keyframe", "20"}).command.request.AsRequestKeyFrame()->producer, 20u);
  EXPECT_EQ(parse({"flush", "18446744073709551615"}).command.request.AsFlush()->keep_epoch,
            UINT64_MAX);
  r = parse({"watch", "--count", "3", "--seconds", "2"});
  EXPECT_EQ(r.command.verb, Verb::kWatch);
  EXPECT_EQ(r.command.watch_count, 3u);
  EXPECT_EQ(r.command.watch_seconds, 2.0);
}

TEST(CtlArgs, ErrorsNameTheProblem) {
  EXPECT_NE(parse({}).error.find("missing command"), std::string::npos);
  EXPECT_NE(parse({"frobnicate"}).error.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(parse({"delete", "router", "1"}).error.find("router"), std::string::npos);
  EXPECT_NE(parse({"delete", "transport", "0"}).error.find("must not be 0"), std::string::npos);
  EXPECT_NE(parse({"delete", "transport", "x"}).error.find("'x'"), std::string::npos);
  EXPECT_NE(parse({"pause", "producer", "1", "extra"}).error.find("unexpected"), std::string::npos);
  EXPECT_NE(parse({"--socket"}).error.find("needs a value"), std::string::npos);
  EXPECT_EQ(parse({"--help"}).command.verb, Verb::kHelp);
  EXPECT_NE(usage().find("create-consumer"), std::string::npos);
}

}  // namespace
}  // namespace fanout::dp::ctl

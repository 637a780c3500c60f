// dataplane/ctl/format.cpp (here until tests/meson.build builds tests/dataplane/ctl).
#include "dataplane/ctl/format.hpp"

#include <gtest/gtest.h>

#include "dataplane/ipc/frame.hpp"
#include "tests/dataplane/ipc/samples.hpp"

namespace fanout::dp::ctl {
namespace {

namespace fi = fanout::ipc;

std::string render(fi::Body type, bool json) {
  flatbuffers::FlatBufferBuilder fbb;
  ipc::test::pack_envelope(fbb, 5, 42, ipc::test::sample_body(type));
  std::vector<uint8_t> frame(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  auto decoded = ipc::decode_frame(frame);
  EXPECT_EQ(decoded.status, ipc::FrameStatus::kOk);
  return format_envelope(*decoded.envelope, json);
}

TEST(CtlFormat, TableAlignsColumns) {
  EXPECT_EQ(format_table({"ID", "NAME"}, {{"1", "alpha"}, {"22", "b"}}),
            "ID  NAME\n"
            "1   alpha\n"
            "22  b\n");
  EXPECT_EQ(format_table({"ID"}, {}), "ID\n(none)\n");
}

TEST(CtlFormat, TransportsTable) {
  auto text = render(fi::Body::TransportList, false);
  EXPECT_NE(text.find("ID  KIND    WORKER"), std::string::npos) << text;
  EXPECT_NE(text.find("192.0.2.1:40000 <-> [2001:db8::7]:51234"), std::string::npos) << text;
  EXPECT_NE(text.find("7/7"), std::string::npos) << text;
}

TEST(CtlFormat, DumpHasThreeSections) {
  auto text = render(fi::Body::DumpReply, false);
  EXPECT_NE(text.find("transports\n"), std::string::npos);
  EXPECT_NE(text.find("\nproducers\n"), std::string::npos);
  EXPECT_NE(text.find("1111/pt96/h 2222/pt96/l"), std::string::npos) << text;
  EXPECT_NE(text.find("96>100"), std::string::npos) << text;
}

TEST(CtlFormat, CountersHelloErrorEvents) {
  auto counters = render(fi::Body::Counters, false);
  EXPECT_NE(counters.find("srtp_auth_fail  5"), std::string::npos) << counters;
  EXPECT_NE(counters.find("12%"), std::string::npos) << counters;  // 123456 / 999999 busy
  // GetCounters of one producer or consumer answers with their rows.
  EXPECT_NE(counters.find("\nproducers\nPRODUCER"), std::string::npos) << counters;
  EXPECT_NE(counters.find("576000"), std::string::npos) << counters;
  EXPECT_NE(counters.find("\nconsumers\nCONSUMER"), std::string::npos) << counters;
  EXPECT_NE(counters.find("564000"), std::string::npos) << counters;
  // Loss: 3 on the first stream, none (not -1) on the second; the consumer's latest report.
  EXPECT_NE(counters.find("LOST"), std::string::npos) << counters;
  EXPECT_NE(counters.find("576000        3\n"), std::string::npos) << counters;
  EXPECT_NE(counters.find("FRACTION LOST  REPORTS"), std::string::npos) << counters;
  EXPECT_NE(counters.find("25.0%          7\n"), std::string::npos) << counters;
  auto hello = render(fi::Body::HelloReply, false);
  EXPECT_NE(hello.find("server  fanout-dataplane 0.1.0"), std::string::npos) << hello;
  EXPECT_NE(hello.find("net_tap0"), std::string::npos);
  EXPECT_NE(hello.find("40000-49999"), std::string::npos);
  EXPECT_EQ(render(fi::Body::Error, false), "error: NotFound: transport 7 does not exist\n");
  EXPECT_EQ(render(fi::Body::Ok, false), "ok\n");
  EXPECT_EQ(render(fi::Body::KeyFrameRequested, false),
            "keyframe-requested producer=20 consumer=30\n");
}

TEST(CtlFormat, JsonIsQuotedAndNamed) {
  auto json = render(fi::Body::Error, true);
  EXPECT_NE(json.find("\"id\": 5"), std::string::npos) << json;
  EXPECT_NE(json.find("\"body_type\": \"Error\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"code\": \"NotFound\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"reason\": \"transport 7 does not exist\""), std::string::npos) << json;
  // Every body renders (BatchReply and friends fall back to JSON in text mode).
  for (int i = 1; i <= static_cast<int>(fi::Body::MAX); ++i) {
    EXPECT_FALSE(render(static_cast<fi::Body>(i), false).empty());
    EXPECT_EQ(render(static_cast<fi::Body>(i), true).front(), '{');
  }
}

}  // namespace
}  // namespace fanout::dp::ctl

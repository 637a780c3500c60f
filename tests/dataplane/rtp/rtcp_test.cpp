#include "dataplane/rtp/rtcp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/dataplane/rtp/test_bytes.hpp"

namespace fanout::dp::rtp {
namespace {

using test::hex_bytes;

// A browser's SR (one report block) + SDES CNAME compound, as sent without rtcp-rsize.
std::vector<uint8_t> sr_sdes() {
  return hex_bytes(
      "81 c8 00 0c  5d 93 15 34"                            // SR, RC=1, 13 words, SSRC
      "dd 3a c1 b4  76 54 71 71  00 08 cf 00"               // NTP sec, frac, RTP ts 577280
      "00 00 0e 18  00 08 cf 00"                            // 3608 packets, 577280 octets
      "02 d0 37 02  0a ff ff fe  00 01 12 34  00 00 00 2a"  // report block: lost 10/256, -2
      "c1 b4 76 54  00 01 00 00"                            // LSR, DLSR
      "81 ca 00 06  5d 93 15 34  01 10"                     // SDES, SC=1, CNAME len 16
      "61 62 63 64 45 46 47 48 31 32 33 34 35 36 37 38  00 00");
}
// Reduced-size (RFC 5506) feedback as Chrome sends it with rtcp-rsize.
std::vector<uint8_t> pli() {
  return hex_bytes("81 ce 00 02  00 00 00 01  12 34 56 78");
}
std::vector<uint8_t> fir() {
  return hex_bytes("84 ce 00 04  fa 17 fa 17  00 00 00 00  02 d0 37 02  04 00 00 00");
}
std::vector<uint8_t> nack() {
  return hex_bytes("81 cd 00 04  00 00 00 01  12 34 56 78  04 d2 00 05  ff ff 80 00");
}
std::vector<uint8_t> remb() {
  return hex_bytes(
      "8f ce 00 06  fa 17 fa 17  00 00 00 00  52 45 4d 42"  // AFB, "REMB"
      "02 01 df 82  02 d0 37 02  04 a7 67 47");             // 2 SSRCs, exp 0, mantissa 122754
}
std::vector<uint8_t> twcc() {
  return hex_bytes(
      "8f cd 00 07  fa 17 fa 17  09 fa ff 67  00 27 00 0d"    // base seq 39, 13 statuses
      "5f c2 f1 03  bf 8e 10 00  00 00 00 00  00 1c 04 00");  // ref time, fb count 3, chunks
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<RtcpPacket> walk(std::vector<uint8_t>& buf, RtcpStatus* status = nullptr) {
  RtcpIterator it(buf.data(), buf.size());
  std::vector<RtcpPacket> out;
  RtcpPacket p;
  while (it.next(p)) out.push_back(p);
  if (status) *status = it.status();
  return out;
}

TEST(Rtcp, SrSdesCompound) {
  auto buf = sr_sdes();
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  ASSERT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_TRUE(starts_with_report(buf.data(), buf.size()));

  SrView sr;
  ASSERT_EQ(sr.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_EQ(sr.sender_ssrc(), 0x5d931534u);
  EXPECT_EQ(sr.ntp_sec(), 3711615412u);
  EXPECT_EQ(sr.ntp_frac(), 1985245553u);
  EXPECT_EQ(sr.rtp_timestamp(), 577280u);
  EXPECT_EQ(sr.packet_count(), 3608u);
  EXPECT_EQ(sr.octet_count(), 577280u);
  ASSERT_EQ(sr.report_count(), 1);
  auto rb = sr.report(0);
  EXPECT_EQ(rb.ssrc(), 0x02d03702u);
  EXPECT_EQ(rb.fraction_lost(), 10);
  EXPECT_EQ(rb.cumulative_lost(), -2);
  EXPECT_EQ(rb.highest_seq(), 0x11234u);
  EXPECT_EQ(rb.jitter(), 42u);
  EXPECT_EQ(rb.lsr(), 0xc1b47654u);
  EXPECT_EQ(rb.dlsr(), 65536u);

  SdesView sdes;
  ASSERT_EQ(sdes.parse(pkts[1]), RtcpStatus::kOk);
  auto chunks = sdes.chunks();
  SdesChunk c;
  ASSERT_TRUE(chunks.next(c));
  EXPECT_EQ(c.ssrc, 0x5d931534u);
  SdesItemIterator items(c.items);
  SdesItem item;
  ASSERT_TRUE(items.next(item));
  EXPECT_EQ(item.type, static_cast<uint8_t>(SdesItemType::kCname));
  EXPECT_EQ(std::string(item.value.begin(), item.value.end()), "abcdEFGH12345678");
  EXPECT_FALSE(items.next(item));
  EXPECT_FALSE(chunks.next(c));
  EXPECT_EQ(sr.parse(pkts[1]), RtcpStatus::kWrongType);
}

TEST(Rtcp, Pli) {
  auto buf = pli();
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_FALSE(starts_with_report(buf.data(), buf.size()));
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_FALSE(fb.is_transport());
  EXPECT_EQ(fb.fmt(), kFmtPli);
  EXPECT_EQ(fb.sender_ssrc(), 1u);
  EXPECT_EQ(fb.media_ssrc(), 0x12345678u);
  EXPECT_TRUE(fb.fci().empty());
}

TEST(Rtcp, Fir) {
  auto buf = fir();
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_EQ(fb.fmt(), kFmtFir);
  EXPECT_EQ(fb.sender_ssrc(), 0xfa17fa17u);
  EXPECT_EQ(fb.media_ssrc(), 0u);
  FirView f;
  ASSERT_EQ(f.parse(fb), RtcpStatus::kOk);
  ASSERT_EQ(f.entry_count(), 1u);
  EXPECT_EQ(f.entry_ssrc(0), 0x02d03702u);
  EXPECT_EQ(f.entry_seq(0), 4);
  NackView n;
  EXPECT_EQ(n.parse(fb), RtcpStatus::kWrongType);
}

TEST(Rtcp, Nack) {
  auto buf = nack();
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_TRUE(fb.is_transport());
  NackView n;
  ASSERT_EQ(n.parse(fb), RtcpStatus::kOk);
  ASSERT_EQ(n.item_count(), 2u);
  EXPECT_EQ(n.pid(0), 1234);
  EXPECT_EQ(n.blp(0), 5);
  std::vector<uint16_t> lost;
  for (size_t i = 0; i < n.item_count(); ++i)
    n.for_each_lost(i, [&](uint16_t s) { lost.push_back(s); });
  // PID 1234 + bits 0, 2; PID 65535 + bit 15 wraps to 15.
  EXPECT_EQ(lost, (std::vector<uint16_t>{1234, 1235, 1237, 65535, 15}));
}

TEST(Rtcp, Remb) {
  auto buf = remb();
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_EQ(fb.fmt(), kFmtAfb);
  RembView r;
  ASSERT_EQ(r.parse(fb), RtcpStatus::kOk);
  EXPECT_EQ(r.bitrate(), 122754u);
  ASSERT_EQ(r.ssrc_count(), 2);
  EXPECT_EQ(r.ssrc(0), 0x02d03702u);
  EXPECT_EQ(r.ssrc(1), 0x04a76747u);
}

TEST(Rtcp, RembBitrateExponentAndSaturation) {
  auto buf = remb();
  buf[17] = 0x08 << 2 | 0x01;  // exp 8, mantissa high bits 01
  FeedbackView fb;
  RembView r;
  auto pkts = walk(buf);
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  ASSERT_EQ(r.parse(fb), RtcpStatus::kOk);
  EXPECT_EQ(r.bitrate(), uint64_t{122754} << 8);
  buf[17] = 0xff;  // exp 63, mantissa 0x3df82
  EXPECT_EQ(r.bitrate(), UINT64_MAX);
  buf[17] = 0xfc;  // exp 63, mantissa 0x0df82: still overflows
  EXPECT_EQ(r.bitrate(), UINT64_MAX);
  buf[17] = 0xb8;  // exp 46, mantissa 0x0df82 fits in 64 bits
  EXPECT_EQ(r.bitrate(), uint64_t{0xdf82} << 46);
}

TEST(Rtcp, TransportCc) {
  auto buf = twcc();
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_EQ(fb.fmt(), kFmtTransportCc);
  EXPECT_EQ(fb.media_ssrc(), 0x09faff67u);
  TransportCcView t;
  ASSERT_EQ(t.parse(fb), RtcpStatus::kOk);
  EXPECT_EQ(t.base_seq(), 39);
  EXPECT_EQ(t.status_count(), 13);
  EXPECT_EQ(t.reference_time(), 0x5fc2f1);
  EXPECT_EQ(t.feedback_count(), 3);
  EXPECT_EQ(t.chunks_and_deltas().size(), 12u);
}

TEST(Rtcp, TransportCcNegativeReferenceTime) {
  auto buf = hex_bytes("8f cd 00 04 fa 17 fa 17 09 fa ff 67 00 27 00 00 ff ff fe 01");
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  FeedbackView fb;
  TransportCcView t;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  ASSERT_EQ(t.parse(fb), RtcpStatus::kOk);
  EXPECT_EQ(t.reference_time(), -2);
}

TEST(Rtcp, RrRembNackCompound) {
  auto buf = concat({hex_bytes("80 c9 00 01 00 00 00 01"), remb(), nack()});
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  ASSERT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 3u);
  RrView rr;
  ASSERT_EQ(rr.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_EQ(rr.sender_ssrc(), 1u);
  EXPECT_EQ(rr.report_count(), 0);
  EXPECT_EQ(pkts[1].packet_type(), 206);
  EXPECT_EQ(pkts[2].packet_type(), 205);
  EXPECT_EQ(validate_compound(buf.data(), buf.size()), RtcpStatus::kOk);
}

// A receiver's RR with two blocks: what the data plane keeps about its consumers' SSRCs.
TEST(Rtcp, RrReportBlocksAndTheirSignedCumulativeLoss) {
  auto buf = hex_bytes(
      "82 c9 00 0d  00 00 00 01"                            // RR, RC=2, 14 words, reporter
      "00 00 08 ae  40 00 00 05  00 01 00 10  00 00 00 64"  // 2222: 64/256, 5 lost, jitter 100
      "00 00 00 00  00 00 00 00"                            // LSR, DLSR
      "00 00 0d 05  00 80 00 00  00 00 ff ff  ff ff ff ff"  // 3333: -2^23 lost, jitter max
      "00 00 00 00  00 00 00 00");
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  ASSERT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 1u);
  RrView rr;
  ASSERT_EQ(rr.parse(pkts[0]), RtcpStatus::kOk);
  ASSERT_EQ(rr.report_count(), 2);
  EXPECT_EQ(rr.report(0).ssrc(), 2222u);
  EXPECT_EQ(rr.report(0).fraction_lost(), 64);
  EXPECT_EQ(rr.report(0).cumulative_lost(), 5);
  EXPECT_EQ(rr.report(0).jitter(), 100u);
  EXPECT_EQ(rr.report(1).ssrc(), 3333u);
  EXPECT_EQ(rr.report(1).cumulative_lost(), -8388608);
  EXPECT_EQ(rr.report(1).jitter(), 0xffffffffu);
  // The same RR claiming 3 blocks, or cut inside its second block, is refused whole.
  auto more = buf;
  more[0] = 0x83;
  EXPECT_EQ(validate_compound(more.data(), more.size()), RtcpStatus::kCountOverrun);
  auto cut = buf;
  cut.resize(cut.size() - 4);
  cut[3] = 0x0c;
  EXPECT_EQ(validate_compound(cut.data(), cut.size()), RtcpStatus::kCountOverrun);
}

TEST(Rtcp, ByeWithReasonAndApp) {
  auto buf = hex_bytes(
      "81 cb 00 03  11 22 33 44  04 62 79 65 21 00 00 00"     // BYE SSRC, reason "bye!"
      "82 cc 00 03  11 22 33 44  54 45 53 54  01 02 03 04");  // APP subtype 2 "TEST"
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  ASSERT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 2u);
  ByeView bye;
  ASSERT_EQ(bye.parse(pkts[0]), RtcpStatus::kOk);
  ASSERT_EQ(bye.ssrc_count(), 1);
  EXPECT_EQ(bye.ssrc(0), 0x11223344u);
  EXPECT_EQ(std::string(bye.reason().begin(), bye.reason().end()), "bye!");
  AppView app;
  ASSERT_EQ(app.parse(pkts[1]), RtcpStatus::kOk);
  EXPECT_EQ(app.subtype(), 2);
  EXPECT_EQ(app.ssrc(), 0x11223344u);
  EXPECT_EQ(std::string(app.name().begin(), app.name().end()), "TEST");
  EXPECT_EQ(app.app_data().size(), 4u);
}

TEST(Rtcp, PaddingOnLastPacket) {
  // RR followed by a padded PLI: 4 octets of padding counted in the length.
  auto buf = hex_bytes("80 c9 00 01 00 00 00 01  a1 ce 00 03 00 00 00 01 12 34 56 78 00 00 00 04");
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  ASSERT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(pkts[1].padding, 4u);
  EXPECT_EQ(pkts[1].body_size(), 8u);
}

TEST(Rtcp, SdesMultipleChunksAndItems) {
  auto buf = hex_bytes(
      "82 ca 00 06"
      "00 00 00 01  01 01 61  06 02 66 66  00"   // chunk 1: CNAME "a", TOOL "ff", null: 12 bytes
      "00 00 00 02  01 03 62 62 62  00 00 00");  // chunk 2: CNAME "bbb", null + pad: 12 bytes
  auto pkts = walk(buf);
  ASSERT_EQ(pkts.size(), 1u);
  SdesView s;
  ASSERT_EQ(s.parse(pkts[0]), RtcpStatus::kOk);
  auto it = s.chunks();
  SdesChunk c;
  ASSERT_TRUE(it.next(c));
  EXPECT_EQ(c.ssrc, 1u);
  SdesItemIterator items(c.items);
  SdesItem item;
  ASSERT_TRUE(items.next(item));
  EXPECT_EQ(item.type, 1);
  ASSERT_TRUE(items.next(item));
  EXPECT_EQ(item.type, 6);
  EXPECT_EQ(item.value.size(), 2u);
  EXPECT_FALSE(items.next(item));
  ASSERT_TRUE(it.next(c));
  EXPECT_EQ(c.ssrc, 2u);
  EXPECT_FALSE(it.next(c));
}

struct Hostile {
  const char* name;
  const char* hex;
  RtcpStatus want;
};

TEST(Rtcp, HostileInputRejected) {
  const Hostile cases[] = {
      {"empty", "", RtcpStatus::kTooShort},
      {"short header", "80 c9 00", RtcpStatus::kTooShort},
      {"version 1", "40 c9 00 01 00 00 00 01", RtcpStatus::kBadVersion},
      {"length overrun", "80 c9 00 07 00 00 00 01", RtcpStatus::kLengthOverrun},
      {"max length", "80 c9 ff ff 00 00 00 01", RtcpStatus::kLengthOverrun},
      {"zero-length RR then data", "80 c9 00 00 80 c9 00 01 00 00 00 01", RtcpStatus::kTooShort},
      {"zero-length PSFB", "81 ce 00 00 00 00 00 01", RtcpStatus::kTooShort},
      {"trailing bytes", "80 c9 00 01 00 00 00 01 80 c9", RtcpStatus::kTooShort},
      {"padding not last", "a0 c9 00 01 00 00 00 01 80 c9 00 01 00 00 00 01",
       RtcpStatus::kPaddingNotLast},
      {"padding zero", "a0 c9 00 02 00 00 00 01 00 00 00 00", RtcpStatus::kBadPadding},
      {"padding too big", "a0 c9 00 02 00 00 00 01 00 00 00 09", RtcpStatus::kBadPadding},
      {"padding eats ssrc", "a0 c9 00 01 00 00 00 04", RtcpStatus::kTooShort},
      {"SR RC=31 in 6 words",
       "9f c8 00 06 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
       "00 00 00 00 00 00",
       RtcpStatus::kCountOverrun},
      {"SR without sender info", "80 c8 00 01 00 00 00 01", RtcpStatus::kTooShort},
      {"RR RC=1 without block", "81 c9 00 01 00 00 00 01", RtcpStatus::kCountOverrun},
      {"SDES SC=2 one chunk", "82 ca 00 02 00 00 00 01 01 01 61 00", RtcpStatus::kCountOverrun},
      {"SDES item overrun", "81 ca 00 02 00 00 00 01 01 09 61 00", RtcpStatus::kBadSdes},
      {"SDES no terminator", "81 ca 00 02 00 00 00 01 01 02 61 62", RtcpStatus::kBadSdes},
      {"BYE SC=2 one SSRC", "82 cb 00 01 00 00 00 01", RtcpStatus::kCountOverrun},
      {"BYE reason overrun", "81 cb 00 02 00 00 00 01 09 61 62 63", RtcpStatus::kCountOverrun},
      {"APP too short", "80 cc 00 01 00 00 00 01", RtcpStatus::kTooShort},
      {"NACK without FCI", "81 cd 00 02 00 00 00 01 00 00 00 02", RtcpStatus::kBadFeedback},
      {"TWCC short FCI", "8f cd 00 03 00 00 00 01 00 00 00 02 00 01 00 01",
       RtcpStatus::kBadFeedback},
      {"FIR half entry", "84 ce 00 03 00 00 00 01 00 00 00 00 00 00 00 02",
       RtcpStatus::kBadFeedback},
      {"REMB SSRC count overrun",
       "8f ce 00 05 00 00 00 01 00 00 00 00 52 45 4d 42 05 01 df 82 00 00 00 02",
       RtcpStatus::kCountOverrun},
  };
  for (const auto& c : cases) {
    auto buf = hex_bytes(c.hex);
    EXPECT_EQ(validate_compound(buf.data(), buf.size()), c.want) << c.name;
  }
}

TEST(Rtcp, StopsAtFirstBadPacketAfterGoodOnes) {
  auto buf = concat({pli(), hex_bytes("80 c9 00 05 00 00 00 01")});
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  EXPECT_EQ(pkts.size(), 1u);
  EXPECT_EQ(st, RtcpStatus::kLengthOverrun);
}

TEST(Rtcp, UnknownTypesPassThrough) {
  // XR (207) and an AFB that is not REMB are walked over, not interpreted.
  auto buf = hex_bytes(
      "80 cf 00 02 00 00 00 01 00 00 00 00"
      "8f ce 00 03 00 00 00 01 00 00 00 00 41 42 43 44");
  RtcpStatus st;
  auto pkts = walk(buf, &st);
  EXPECT_EQ(st, RtcpStatus::kOk);
  ASSERT_EQ(pkts.size(), 2u);
  FeedbackView fb;
  RembView r;
  ASSERT_EQ(fb.parse(pkts[1]), RtcpStatus::kOk);
  EXPECT_EQ(r.parse(fb), RtcpStatus::kWrongType);
}

TEST(RtcpRewrite, SrForConsumer) {
  auto buf = sr_sdes();
  auto pkts = walk(buf);
  SrView sr;
  ASSERT_EQ(sr.parse(pkts[0]), RtcpStatus::kOk);
  sr.rewrite_for_consumer(0xc0ffee00, 0xfff00000);
  sr.set_packet_count(10);
  sr.set_octet_count(20);
  EXPECT_EQ(load_be32(buf.data() + 4), 0xc0ffee00u);
  EXPECT_EQ(load_be32(buf.data() + 16), 577280u + 0xfff00000u);
  EXPECT_EQ(load_be32(buf.data() + 20), 10u);
  EXPECT_EQ(load_be32(buf.data() + 24), 20u);
  EXPECT_EQ(load_be32(buf.data() + 8), 3711615412u);  // NTP untouched
  ASSERT_EQ(sr.strip_report_blocks(), 28u);
  RtcpStatus st;
  RtcpIterator it(buf.data(), 28);
  RtcpPacket p;
  ASSERT_TRUE(it.next(p));
  SrView again;
  ASSERT_EQ(again.parse(p), RtcpStatus::kOk);
  EXPECT_EQ(again.report_count(), 0);
  EXPECT_EQ(again.sender_ssrc(), 0xc0ffee00u);
  EXPECT_FALSE(it.next(p));
  st = it.status();
  EXPECT_EQ(st, RtcpStatus::kOk);
}

TEST(RtcpRewrite, PliToProducer) {
  auto buf = pli();
  auto pkts = walk(buf);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  EXPECT_FALSE(rewrite_keyframe_request(fb, 0xaaaa, 0x99999999, 0xbbbb));
  ASSERT_TRUE(rewrite_keyframe_request(fb, 0xaaaa, 0x12345678, 0xbbbb));
  EXPECT_EQ(buf, hex_bytes("81 ce 00 02 00 00 aa aa 00 00 bb bb"));
}

TEST(RtcpRewrite, FirToProducer) {
  auto buf = fir();
  auto pkts = walk(buf);
  FeedbackView fb;
  ASSERT_EQ(fb.parse(pkts[0]), RtcpStatus::kOk);
  ASSERT_TRUE(rewrite_keyframe_request(fb, 0x01, 0x02d03702, 0x0a0b0c0d));
  EXPECT_EQ(buf, hex_bytes("84 ce 00 04 00 00 00 01 00 00 00 00 0a 0b 0c 0d 04 00 00 00"));
}

// Every prefix of real compounds, in a buffer of exactly that size: walking it either stops with
// an error or yields packets inside the prefix; every typed view stays in bounds.
TEST(Rtcp, EveryPrefixRejectedOrConsistent) {
  auto full = concat({sr_sdes(), remb(), nack(), fir(), twcc(), pli()});
  int ok = 0;
  for (size_t n = 0; n <= full.size(); ++n) {
    std::vector<uint8_t> buf(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
    RtcpIterator it(buf.data(), buf.size());
    RtcpPacket p;
    size_t total = 0;
    while (it.next(p)) {
      ASSERT_LE(p.data + p.size, buf.data() + n);
      total += p.size;
      FeedbackView fb;
      SdesView sdes;
      if (fb.parse(p) == RtcpStatus::kOk) {
        ASSERT_LE(fb.fci().data() + fb.fci().size(), buf.data() + n);
      }
      if (sdes.parse(p) == RtcpStatus::kOk) {
        auto chunks = sdes.chunks();
        SdesChunk c;
        while (chunks.next(c)) ASSERT_LE(c.items.data() + c.items.size(), buf.data() + n);
      }
    }
    if (it.status() == RtcpStatus::kOk) {
      EXPECT_EQ(total, n);
      ++ok;
    }
  }
  EXPECT_EQ(ok, 7);  // each of the 7 packet boundaries; the empty prefix is an error
}

}  // namespace
}  // namespace fanout::dp::rtp

#include "dataplane/rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "tests/dataplane/rtp/test_bytes.hpp"

namespace fanout::dp::rtp {
namespace {

using test::hex_bytes;

// A Chrome-style VP8 packet: marker, PT 96, one-byte extensions abs-send-time (id 2),
// transport-cc (id 3) and mid (id 4), then padding to the 32-bit boundary.
std::vector<uint8_t> video_packet() {
  return hex_bytes(
      "90 e0 12 34  11 22 33 44  de ad be ef"   // V=2 X=1, M=1 PT=96, seq, ts, ssrc
      "be de 00 03"                             // one-byte profile, 3 words
      "22 12 34 56  31 00 2a  40 30  00 00 00"  // abs-send-time, twcc seq 42, mid "0", padding
      "90 01 02 03 04 05");                     // payload
}

// Opus with two CSRCs, audio-level (id 1) and 4 bytes of RTP padding.
std::vector<uint8_t> audio_packet() {
  return hex_bytes(
      "b2 6f ff ff  00 00 03 c0  00 00 00 01"  // V=2 P=1 X=1 CC=2, PT=111, seq 65535
      "00 00 00 0a  00 00 00 0b"               // CSRCs
      "be de 00 01  10 7f 00 00"               // audio-level: V=0, level 127
      "fc ff fe"                               // payload
      "00 00 00 04");                          // padding, count 4
}

// Two-byte form (RFC 8285 §4.3), appbits 0x5: id 1 empty, id 16 "abc", padding.
std::vector<uint8_t> two_byte_packet() {
  return hex_bytes(
      "90 60 00 07  00 00 00 01  00 00 00 02"
      "10 05 00 02  01 00 10 03  61 62 63 00"
      "aa bb");
}

TEST(RtpView, ParsesVideoWithOneByteExtensions) {
  auto p = video_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_TRUE(v.marker());
  EXPECT_EQ(v.payload_type(), 96);
  EXPECT_EQ(v.sequence(), 0x1234);
  EXPECT_EQ(v.timestamp(), 0x11223344u);
  EXPECT_EQ(v.ssrc(), 0xdeadbeefu);
  EXPECT_EQ(v.csrc_count(), 0);
  EXPECT_EQ(v.header_size(), 28u);
  EXPECT_EQ(v.payload_offset(), 28u);
  EXPECT_EQ(v.payload_size(), 6u);
  EXPECT_EQ(v.padding_size(), 0u);
  EXPECT_EQ(v.extension_form(), ExtensionForm::kOneByte);

  RtpExtension e;
  ASSERT_TRUE(v.find_extension(2, e));
  ASSERT_EQ(e.value.size(), 3u);
  EXPECT_EQ(e.value[0], 0x12);
  EXPECT_EQ(e.value[2], 0x56);
  ASSERT_TRUE(v.find_extension(3, e));
  EXPECT_EQ(load_be16(e.value.data()), 42);
  ASSERT_TRUE(v.find_extension(4, e));
  ASSERT_EQ(e.value.size(), 1u);
  EXPECT_EQ(e.value[0], '0');
  EXPECT_FALSE(v.find_extension(5, e));
  EXPECT_FALSE(v.find_extension(0, e));
  EXPECT_FALSE(v.find_extension(15, e));
}

TEST(RtpView, ParsesAudioWithCsrcsAndPadding) {
  auto p = audio_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_FALSE(v.marker());
  EXPECT_EQ(v.payload_type(), 111);
  EXPECT_EQ(v.sequence(), 65535);
  EXPECT_EQ(v.timestamp(), 960u);
  EXPECT_EQ(v.csrc_count(), 2);
  EXPECT_EQ(v.csrc(0), 10u);
  EXPECT_EQ(v.csrc(1), 11u);
  EXPECT_EQ(v.header_size(), 12u + 8 + 8);
  EXPECT_EQ(v.padding_size(), 4u);
  EXPECT_EQ(v.payload_size(), 3u);
  EXPECT_EQ(v.payload()[0], 0xfc);
  RtpExtension e;
  ASSERT_TRUE(v.find_extension(1, e));
  EXPECT_EQ(e.value.size(), 1u);
  EXPECT_EQ(e.value[0], 0x7f);
}

TEST(RtpView, ParsesTwoByteExtensions) {
  auto p = two_byte_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_EQ(v.extension_form(), ExtensionForm::kTwoByte);
  EXPECT_EQ(v.extension_profile(), 0x1005);
  RtpExtension e;
  ASSERT_TRUE(v.find_extension(1, e));
  EXPECT_EQ(e.value.size(), 0u);
  ASSERT_TRUE(v.find_extension(16, e));
  ASSERT_EQ(e.value.size(), 3u);
  EXPECT_EQ(std::memcmp(e.value.data(), "abc", 3), 0);
  EXPECT_FALSE(v.find_extension(2, e));
  EXPECT_EQ(v.payload_size(), 2u);
}

TEST(RtpView, UnknownProfileHasNoElements) {
  auto p = hex_bytes("90 60 00 07 00 00 00 01 00 00 00 02 ab cd 00 01 22 11 22 33 ff");
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_EQ(v.extension_form(), ExtensionForm::kOther);
  RtpExtension e;
  EXPECT_FALSE(v.find_extension(2, e));
  EXPECT_EQ(v.header_size(), 20u);
}

TEST(RtpView, OneByteId15StopsProcessing) {
  // RFC 8285 §4.2: id 15 ends the walk; the element after it is not seen.
  auto p = hex_bytes("90 60 00 07 00 00 00 01 00 00 00 02 be de 00 01 f0 10 55 00");
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  RtpExtension e;
  EXPECT_FALSE(v.find_extension(1, e));
}

TEST(RtpView, ElementOverrunningTheBlockIsNotReturned) {
  // id 1 claims 4 bytes but only 3 remain in the block.
  auto p = hex_bytes("90 60 00 07 00 00 00 01 00 00 00 02 be de 00 01 21 aa 13 00 bb");
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  RtpExtension e;
  EXPECT_TRUE(v.find_extension(2, e));
  EXPECT_FALSE(v.find_extension(1, e));
}

TEST(RtpView, RejectsHostileHeaders) {
  RtpView v;
  auto p = video_packet();
  EXPECT_EQ(v.parse(p.data(), 11), RtpStatus::kTooShort);
  auto bad_version = p;
  bad_version[0] = 0x50;
  EXPECT_EQ(v.parse(bad_version.data(), bad_version.size()), RtpStatus::kBadVersion);
  // CC=15 needs 72 header bytes.
  auto many_csrcs = hex_bytes("8f 60 00 01 00 00 00 01 00 00 00 02 00 00 00 03");
  EXPECT_EQ(v.parse(many_csrcs.data(), many_csrcs.size()), RtpStatus::kCsrcOverrun);
  // Extension length 0xffff words.
  auto big_ext = hex_bytes("90 60 00 01 00 00 00 01 00 00 00 02 be de ff ff 00 00 00 00");
  EXPECT_EQ(v.parse(big_ext.data(), big_ext.size()), RtpStatus::kExtensionOverrun);
  // X bit but no room for the extension header.
  auto no_ext = hex_bytes("90 60 00 01 00 00 00 01 00 00 00 02 be de");
  EXPECT_EQ(v.parse(no_ext.data(), no_ext.size()), RtpStatus::kExtensionOverrun);
  // Padding count larger than the payload, and a count of zero.
  auto big_pad = hex_bytes("a0 60 00 01 00 00 00 01 00 00 00 02 aa bb 05");
  EXPECT_EQ(v.parse(big_pad.data(), big_pad.size()), RtpStatus::kBadPadding);
  auto zero_pad = hex_bytes("a0 60 00 01 00 00 00 01 00 00 00 02 aa bb 00");
  EXPECT_EQ(v.parse(zero_pad.data(), zero_pad.size()), RtpStatus::kBadPadding);
  // P bit on a packet with no bytes after the header.
  auto empty_pad = hex_bytes("a0 60 00 01 00 00 00 01 00 00 00 02");
  EXPECT_EQ(v.parse(empty_pad.data(), empty_pad.size()), RtpStatus::kBadPadding);
}

TEST(RtpView, PaddingOnlyPacketHasEmptyPayload) {
  auto p = hex_bytes("a0 60 00 01 00 00 00 01 00 00 00 02 00 00 00 04");
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_EQ(v.payload_size(), 0u);
  EXPECT_EQ(v.padding_size(), 4u);
}

TEST(RtpView, SettersRewriteInPlace) {
  auto p = video_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  v.set_ssrc(0x01020304);
  v.set_payload_type(100);
  v.set_sequence(0xfffe);
  v.set_timestamp(0xa0b0c0d0);
  EXPECT_TRUE(v.marker());  // the PT setter keeps the marker
  v.set_marker(false);
  EXPECT_EQ(p[0], 0x90);
  EXPECT_EQ(p[1], 100);
  EXPECT_EQ(p[2], 0xff);
  EXPECT_EQ(p[3], 0xfe);
  EXPECT_EQ(load_be32(p.data() + 4), 0xa0b0c0d0u);
  EXPECT_EQ(load_be32(p.data() + 8), 0x01020304u);
  v.set_marker(true);
  EXPECT_EQ(p[1], 0x80 | 100);
  v.set_payload_type(0xff);  // only 7 bits are written
  EXPECT_EQ(p[1], 0xff);
  EXPECT_EQ(v.payload_type(), 0x7f);
}

TEST(RtpView, SetExtensionWhenLengthMatches) {
  auto p = video_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  const uint8_t twcc[2] = {0xbe, 0xef};
  EXPECT_TRUE(v.set_extension(3, twcc, 2));
  EXPECT_EQ(p[21], 0xbe);
  EXPECT_EQ(p[22], 0xef);
  EXPECT_FALSE(v.set_extension(3, twcc, 1));
  EXPECT_FALSE(v.set_extension(9, twcc, 2));
  RtpExtension e;
  ASSERT_TRUE(v.find_extension(3, e));
  EXPECT_EQ(load_be16(e.value.data()), 0xbeef);
}

TEST(RtpView, NeutraliseTurnsElementIntoPadding) {
  auto p = video_packet();
  auto before = p;
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_TRUE(v.neutralise_extension(2));
  EXPECT_FALSE(v.neutralise_extension(2));
  EXPECT_EQ(p.size(), before.size());
  for (int i = 16; i < 20; ++i) EXPECT_EQ(p[i], 0) << i;
  RtpExtension e;
  EXPECT_FALSE(v.find_extension(2, e));
  ASSERT_TRUE(v.find_extension(3, e));
  EXPECT_EQ(load_be16(e.value.data()), 42);
  ASSERT_TRUE(v.find_extension(4, e));
  // A re-parse of the rewritten bytes sees the same thing.
  RtpView again;
  ASSERT_EQ(again.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_FALSE(again.find_extension(2, e));
  EXPECT_TRUE(again.find_extension(4, e));
}

TEST(RtpView, NeutraliseTwoByteElement) {
  auto p = two_byte_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  EXPECT_TRUE(v.neutralise_extension(16));
  RtpExtension e;
  EXPECT_FALSE(v.find_extension(16, e));
  EXPECT_TRUE(v.find_extension(1, e));
  for (int i = 18; i < 23; ++i) EXPECT_EQ(p[i], 0) << i;
}

TEST(RtpView, RemapExtensionIdsOneByte) {
  auto p = video_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  std::array<uint8_t, 256> map{};
  map[2] = 4;   // abs-send-time 2 → 4
  map[3] = 5;   // transport-cc 3 → 5
  map[4] = 15;  // mid → 15 does not fit the one-byte form: neutralised
  EXPECT_EQ(v.remap_extensions(map), 1u);
  RtpExtension e;
  ASSERT_TRUE(v.find_extension(4, e));
  EXPECT_EQ(e.value.size(), 3u);
  EXPECT_EQ(e.value[0], 0x12);
  ASSERT_TRUE(v.find_extension(5, e));
  EXPECT_EQ(load_be16(e.value.data()), 42);
  EXPECT_FALSE(v.find_extension(2, e));
  EXPECT_FALSE(v.find_extension(3, e));
  EXPECT_EQ(p[16], 0x42);  // length nibble kept
  EXPECT_EQ(p[23], 0);
  EXPECT_EQ(p[24], 0);
}

TEST(RtpView, RemapExtensionIdsTwoByte) {
  auto p = two_byte_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  std::array<uint8_t, 256> map{};
  map[16] = 200;  // id 1 unmapped: neutralised
  EXPECT_EQ(v.remap_extensions(map), 1u);
  RtpExtension e;
  ASSERT_TRUE(v.find_extension(200, e));
  EXPECT_EQ(std::memcmp(e.value.data(), "abc", 3), 0);
  EXPECT_FALSE(v.find_extension(1, e));
}

TEST(RtpExtensionIterator, WalksAllElementsInOrder) {
  auto p = video_packet();
  RtpView v;
  ASSERT_EQ(v.parse(p.data(), p.size()), RtpStatus::kOk);
  RtpExtensionIterator it(v);
  RtpExtension e;
  std::vector<int> ids;
  while (it.next(e)) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<int>{2, 3, 4}));
  EXPECT_FALSE(it.next(e));
}

// Every prefix of a valid packet, in a buffer of exactly that size (ASan catches a read past it):
// parse either rejects it or yields offsets inside the prefix.
void check_all_prefixes(const std::vector<uint8_t>& full) {
  int accepted = 0;
  for (size_t n = 0; n <= full.size(); ++n) {
    std::vector<uint8_t> buf(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
    RtpView v;
    if (v.parse(buf.data(), buf.size()) != RtpStatus::kOk) continue;
    ++accepted;
    ASSERT_LE(v.header_size() + v.padding_size(), n);
    ASSERT_EQ(v.header_size() + v.payload_size() + v.padding_size(), n);
    RtpExtensionIterator it(v);
    RtpExtension e;
    while (it.next(e)) {
      ASSERT_GE(e.value.data(), buf.data());
      ASSERT_LE(e.value.data() + e.value.size(), buf.data() + n);
    }
    std::array<uint8_t, 256> map{};
    for (size_t id = 0; id < map.size(); ++id) map[id] = static_cast<uint8_t>(id * 7);
    v.remap_extensions(map);
    for (uint8_t id = 0; id < 20; ++id) v.neutralise_extension(id);
  }
  EXPECT_GT(accepted, 0);
}

TEST(RtpView, EveryPrefixRejectedOrConsistent) {
  check_all_prefixes(video_packet());
  check_all_prefixes(audio_packet());
  check_all_prefixes(two_byte_packet());
}

TEST(RtpView, ExactPrefixBoundaries) {
  auto p = video_packet();
  RtpView v;
  // The header with its extension block ends at byte 28: shorter is an overrun.
  EXPECT_EQ(v.parse(p.data(), 27), RtpStatus::kExtensionOverrun);
  EXPECT_EQ(v.parse(p.data(), 28), RtpStatus::kOk);
  EXPECT_EQ(v.payload_size(), 0u);
}

}  // namespace
}  // namespace fanout::dp::rtp

#include "dataplane/srtp/srtp_session.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tests/dataplane/srtp/hex.hpp"
#include "tests/dataplane/srtp/libsrtp_oracle.hpp"

namespace fanout::dp::srtp {
namespace {

using test::hex;
using test::LibSrtp;
using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------------------------------------
// RFC 7714 §16 / §17 known answers. The vectors give session keys directly (no KDF).

const Bytes kGcmKey128 = hex("000102030405060708090a0b0c0d0e0f");
const Bytes kGcmKey256 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const Bytes kGcmSalt = hex("517569642070726f2071756f");  // "Quid pro quo"
const Bytes kRfc7714Rtp =
    hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 "
        "61727465 73207472"
        " 6573");
const Bytes kRfc7714Rtcp =
    hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef "
        "deadbeef deadbeef"
        " deadbeef");

std::unique_ptr<SrtpSession> rfc7714_session(Profile profile) {
  SessionKeys keys{};
  const Bytes& key = profile == Profile::kAeadAes256Gcm ? kGcmKey256 : kGcmKey128;
  std::memcpy(keys.rtp_key, key.data(), key.size());
  std::memcpy(keys.rtcp_key, key.data(), key.size());
  std::memcpy(keys.rtp_salt, kGcmSalt.data(), kGcmSalt.size());
  std::memcpy(keys.rtcp_salt, kGcmSalt.data(), kGcmSalt.size());
  std::string error;
  auto s = SrtpSession::create_from_session_keys(profile, keys, &error);
  EXPECT_TRUE(s) << error;
  return s;
}

void expect_rtp_vector(Profile profile, const Bytes& expected) {
  auto s = rfc7714_session(profile);
  Bytes out(kRfc7714Rtp.size() + kMaxSrtpOverhead);
  size_t out_len = 0;
  SrtpSendState tx{};
  ASSERT_EQ(
      s->protect_rtp(kRfc7714Rtp.data(), kRfc7714Rtp.size(), out.data(), out.size(), &out_len, tx),
      Status::kOk);
  out.resize(out_len);
  EXPECT_EQ(out, expected);

  SrtpRecvState rx{};
  Bytes pkt = expected;
  ASSERT_EQ(s->unprotect_rtp(pkt.data(), pkt.size(), &out_len, rx), Status::kOk);
  pkt.resize(out_len);
  EXPECT_EQ(pkt, kRfc7714Rtp);
}

TEST(Rfc7714, Rtp128) {  // §16.1
  expect_rtp_vector(Profile::kAeadAes128Gcm,
                    hex("8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 "
                        "0d294e6f 42a5f47a"
                        "51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce"));
}

TEST(Rfc7714, Rtp256) {  // §16.2
  expect_rtp_vector(Profile::kAeadAes256Gcm,
                    hex("8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 "
                        "9a58e2f3 b50b2a02"
                        "76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13"));
}

void expect_rtcp_vector(Profile profile, const Bytes& expected) {
  auto s = rfc7714_session(profile);
  Bytes out(kRfc7714Rtcp.size() + kMaxSrtcpOverhead);
  size_t out_len = 0;
  SrtcpSendState tx{0x5d4};
  ASSERT_EQ(s->protect_rtcp(kRfc7714Rtcp.data(), kRfc7714Rtcp.size(), out.data(), out.size(),
                            &out_len, tx),
            Status::kOk);
  out.resize(out_len);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(tx.next_index, 0x5d5u);

  SrtcpRecvState rx{};
  Bytes pkt = expected;
  ASSERT_EQ(s->unprotect_rtcp(pkt.data(), pkt.size(), &out_len, rx), Status::kOk);
  pkt.resize(out_len);
  EXPECT_EQ(pkt, kRfc7714Rtcp);
  EXPECT_EQ(rx.highest, 0x5d4u);
}

TEST(Rfc7714, Rtcp128) {  // §17.1
  expect_rtcp_vector(
      Profile::kAeadAes128Gcm,
      hex("81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 "
          "730d6fda"
          "4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4"));
}

TEST(Rfc7714, Rtcp256) {  // §17.2
  expect_rtcp_vector(
      Profile::kAeadAes256Gcm,
      hex("81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 "
          "110555be"
          "8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4"));
}

// §17.3 / §17.4: E = 0, the whole packet is AAD. We never send these but must accept them.
void expect_rtcp_auth_only_vector(Profile profile, const Bytes& wire) {
  auto s = rfc7714_session(profile);
  SrtcpRecvState rx{};
  Bytes pkt = wire;
  size_t out_len = 0;
  ASSERT_EQ(s->unprotect_rtcp(pkt.data(), pkt.size(), &out_len, rx), Status::kOk);
  pkt.resize(out_len);
  EXPECT_EQ(pkt, kRfc7714Rtcp);
  Bytes bad = wire;
  bad[10] ^= 0x01;  // cleartext payload is authenticated too
  SrtcpRecvState rx2{};
  EXPECT_EQ(s->unprotect_rtcp(bad.data(), bad.size(), &out_len, rx2), Status::kAuthFail);
}

TEST(Rfc7714, RtcpAuthOnly128) {
  expect_rtcp_auth_only_vector(
      Profile::kAeadAes128Gcm,
      hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef "
          "deadbeef deadbeef"
          "deadbeef deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4"));
}

TEST(Rfc7714, RtcpAuthOnly256) {
  expect_rtcp_auth_only_vector(
      Profile::kAeadAes256Gcm,
      hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef "
          "deadbeef deadbeef"
          "deadbeef deadbeef 91db4afb feee5a97 8fab4393 ed2615fe 000005d4"));
}

// ---------------------------------------------------------------------------------------------
// Packets of every shape the data plane forwards.

struct RtpShape {
  uint8_t csrc_count;
  bool extension;
  bool padding;
  size_t payload;
};

Bytes make_rtp(uint16_t seq, uint32_t ssrc, const RtpShape& shape, uint8_t fill) {
  Bytes p;
  p.push_back(static_cast<uint8_t>(0x80 | (shape.padding ? 0x20 : 0) |
                                   (shape.extension ? 0x10 : 0) | shape.csrc_count));
  p.push_back(111);
  p.push_back(static_cast<uint8_t>(seq >> 8));
  p.push_back(static_cast<uint8_t>(seq));
  const uint32_t ts = 960u * seq;
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(ts >> (8 * i)));
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(ssrc >> (8 * i)));
  for (uint8_t c = 0; c < shape.csrc_count; ++c) {
    for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>((0x1000 + c) >> (8 * i)));
  }
  if (shape.extension) {
    // One-byte header extension (RFC 8285): mid "0" and an abs-send-time, padded to 2 words.
    const uint8_t ext[] = {0xbe, 0xde, 0x00, 0x02, 0x10, '0', 0x32, 0x12, 0x34, 0x56, 0x00, 0x00};
    p.insert(p.end(), ext, ext + sizeof(ext));
  }
  for (size_t i = 0; i < shape.payload; ++i) p.push_back(static_cast<uint8_t>(fill + i * 7));
  if (shape.padding) {
    p.insert(p.end(), 3, 0);
    p.push_back(4);
  }
  return p;
}

Bytes make_rtcp(uint32_t ssrc, size_t report_blocks, uint8_t fill) {
  // Receiver report: header, sender SSRC, then 24-byte report blocks.
  Bytes p;
  const uint16_t words = static_cast<uint16_t>(1 + 6 * report_blocks);
  p.push_back(static_cast<uint8_t>(0x80 | report_blocks));
  p.push_back(201);
  p.push_back(static_cast<uint8_t>(words >> 8));
  p.push_back(static_cast<uint8_t>(words));
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(ssrc >> (8 * i)));
  for (size_t i = 0; i < 24 * report_blocks; ++i) p.push_back(static_cast<uint8_t>(fill ^ i));
  return p;
}

const RtpShape kShapes[] = {
    {0, false, false, 160}, {2, false, false, 100}, {0, true, false, 1200}, {3, true, true, 57},
    {0, false, true, 20},   {0, false, false, 0},   {15, true, false, 1},   {1, false, false, 1},
};

class SessionTest : public ::testing::TestWithParam<Profile> {
 protected:
  void SetUp() override {
    const Profile p = GetParam();
    key_.resize(master_key_length(p));
    salt_.resize(master_salt_length(p));
    for (size_t i = 0; i < key_.size(); ++i) key_[i] = static_cast<uint8_t>(0x30 + 3 * i);
    for (size_t i = 0; i < salt_.size(); ++i) salt_[i] = static_cast<uint8_t>(0xa0 + i);
    std::string error;
    ours_ = SrtpSession::create(p, key_, salt_, &error);
    ASSERT_TRUE(ours_) << error;
  }

  Bytes protect(const Bytes& in, SrtpSendState& st) {
    Bytes out(in.size() + kMaxSrtpOverhead);
    size_t n = 0;
    EXPECT_EQ(ours_->protect_rtp(in.data(), in.size(), out.data(), out.size(), &n, st),
              Status::kOk);
    out.resize(n);
    return out;
  }
  Bytes protect_rtcp(const Bytes& in, SrtcpSendState& st) {
    Bytes out(in.size() + kMaxSrtcpOverhead);
    size_t n = 0;
    EXPECT_EQ(ours_->protect_rtcp(in.data(), in.size(), out.data(), out.size(), &n, st),
              Status::kOk);
    out.resize(n);
    return out;
  }
  Status unprotect(Bytes& pkt, SrtpRecvState& st) {
    size_t n = 0;
    const Status s = ours_->unprotect_rtp(pkt.data(), pkt.size(), &n, st);
    if (s == Status::kOk) pkt.resize(n);
    return s;
  }
  Status unprotect_rtcp(Bytes& pkt, SrtcpRecvState& st) {
    size_t n = 0;
    const Status s = ours_->unprotect_rtcp(pkt.data(), pkt.size(), &n, st);
    if (s == Status::kOk) pkt.resize(n);
    return s;
  }

  Bytes key_;
  Bytes salt_;
  std::unique_ptr<SrtpSession> ours_;
};

INSTANTIATE_TEST_SUITE_P(AllProfiles, SessionTest,
                         ::testing::Values(Profile::kAesCm128HmacSha1_80,
                                           Profile::kAesCm128HmacSha1_32, Profile::kAeadAes128Gcm,
                                           Profile::kAeadAes256Gcm),
                         [](const auto& info) { return std::string(profile_name(info.param)); });

// Every packet shape, across a sequence number wrap: our bytes == libsrtp's, and each side reads
// the other's packets.
TEST_P(SessionTest, RtpMatchesLibsrtpAcrossWrap) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  LibSrtp lib_rx(GetParam(), key_, salt_, false);
  SrtpSendState tx{};
  SrtpRecvState rx{};
  const uint32_t ssrc = 0x11223344;
  uint16_t seq = 65500;
  for (int i = 0; i < 200; ++i, ++seq) {
    const RtpShape& shape = kShapes[i % std::size(kShapes)];
    const Bytes plain = make_rtp(seq, ssrc, shape, static_cast<uint8_t>(i));
    Bytes theirs = plain;
    ASSERT_EQ(lib_tx.protect(theirs), srtp_err_status_ok);
    const Bytes mine = protect(plain, tx);
    ASSERT_EQ(mine, theirs) << "packet " << i << " seq " << seq;

    Bytes back = theirs;
    ASSERT_EQ(unprotect(back, rx), Status::kOk) << i;
    ASSERT_EQ(back, plain);
    Bytes lib_back = mine;
    ASSERT_EQ(lib_rx.unprotect(lib_back), srtp_err_status_ok) << i;
    ASSERT_EQ(lib_back, plain);
  }
  EXPECT_EQ(tx.roc, 1u);
  EXPECT_EQ(rx.roc, 1u);
  EXPECT_EQ(rx.s_l, static_cast<uint16_t>(seq - 1));
}

// 70,000 packets from seq 0: the ROC must increment exactly when libsrtp's does.
TEST_P(SessionTest, RtpSeventyThousandPackets) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  SrtpSendState tx{};
  SrtpRecvState rx{};
  const RtpShape shape{0, false, false, 20};
  for (uint32_t i = 0; i < 70000; ++i) {
    const Bytes plain = make_rtp(static_cast<uint16_t>(i), 0xcafe, shape, static_cast<uint8_t>(i));
    Bytes theirs = plain;
    ASSERT_EQ(lib_tx.protect(theirs), srtp_err_status_ok);
    ASSERT_EQ(protect(plain, tx), theirs) << i;
    ASSERT_EQ(unprotect(theirs, rx), Status::kOk) << i;
  }
  EXPECT_EQ(tx.roc, 1u);
  EXPECT_EQ(rx.roc, 1u);
  EXPECT_EQ(rx.s_l, static_cast<uint16_t>(69999));
}

// Reordering around the wrap on receive: packets from before and after the rollover interleave.
TEST_P(SessionTest, RtpReorderedAcrossWrap) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  const RtpShape shape{0, false, false, 50};
  std::vector<Bytes> wire;
  std::vector<Bytes> plain;
  for (uint16_t seq = 65530, n = 0; n < 12; ++seq, ++n) {
    plain.push_back(make_rtp(seq, 7, shape, static_cast<uint8_t>(n)));
    wire.push_back(plain.back());
    ASSERT_EQ(lib_tx.protect(wire.back()), srtp_err_status_ok);
  }
  SrtpRecvState rx{};
  for (size_t i : {0u, 1u, 7u, 2u, 6u, 3u, 8u, 5u, 4u, 11u, 9u, 10u}) {
    Bytes pkt = wire[i];
    ASSERT_EQ(unprotect(pkt, rx), Status::kOk) << i;
    EXPECT_EQ(pkt, plain[i]) << i;
  }
  EXPECT_EQ(rx.roc, 1u);
  for (size_t i = 0; i < wire.size(); ++i) {
    Bytes pkt = wire[i];
    EXPECT_EQ(unprotect(pkt, rx), Status::kReplay) << i;
  }
}

// A retransmission of an older sequence number (NACK answered from a cache) keeps the ROC it was
// first sent with, also just after a wrap, as libsrtp does with allow_repeat_tx.
TEST_P(SessionTest, RtpResendOlderSequenceMatchesLibsrtp) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  SrtpSendState tx{};
  const RtpShape shape{0, false, false, 80};
  for (uint16_t seq : {65533, 65534, 65535, 0, 1, 2, 65534, 65535, 1, 3, 0}) {
    const Bytes plain = make_rtp(seq, 0x77, shape, static_cast<uint8_t>(seq));
    Bytes theirs = plain;
    ASSERT_EQ(lib_tx.protect(theirs), srtp_err_status_ok) << seq;
    ASSERT_EQ(protect(plain, tx), theirs) << seq;
  }
  EXPECT_EQ(tx.roc, 1u);
  EXPECT_EQ(tx.last_seq, 3);
}

// A stream joined mid-session (ROC signalled out of band): the receiver's preset ROC must match
// the sender's, and a wrong ROC fails authentication rather than decrypting to garbage.
TEST_P(SessionTest, PresetRocOnReceive) {
  SrtpSendState tx{5, 0, false};
  const Bytes plain = make_rtp(4000, 0x99, {0, false, false, 64}, 3);
  const Bytes wire = protect(plain, tx);
  EXPECT_EQ(tx.roc, 5u);
  SrtpRecvState wrong{};
  Bytes p = wire;
  EXPECT_EQ(unprotect(p, wrong), Status::kAuthFail);
  EXPECT_FALSE(wrong.started);
  SrtpRecvState right{};
  right.roc = 5;
  p = wire;
  ASSERT_EQ(unprotect(p, right), Status::kOk);
  EXPECT_EQ(p, plain);
  EXPECT_EQ(right.roc, 5u);
  EXPECT_EQ(right.s_l, 4000);
}

TEST_P(SessionTest, InPlaceProtectMatchesOutOfPlace) {
  SrtpSendState a{}, b{};
  for (const RtpShape& shape : kShapes) {
    const Bytes plain = make_rtp(1000, 99, shape, 5);
    const Bytes expect = protect(plain, a);
    a = SrtpSendState{};
    Bytes buf = plain;
    buf.resize(plain.size() + srtp_overhead(GetParam()));
    size_t n = 0;
    ASSERT_EQ(ours_->protect_rtp(buf.data(), plain.size(), buf.data(), buf.size(), &n, b),
              Status::kOk);
    EXPECT_EQ(n, buf.size());
    EXPECT_EQ(buf, expect);
    b = SrtpSendState{};
  }
}

TEST_P(SessionTest, RtpReplayAndWindow) {
  SrtpSendState tx{};
  std::vector<Bytes> wire;
  for (uint16_t seq = 100; seq < 400; ++seq)
    wire.push_back(protect(make_rtp(seq, 5, {0, false, false, 30}, 1), tx));
  SrtpRecvState rx{};
  Bytes p = wire[200];
  ASSERT_EQ(unprotect(p, rx), Status::kOk);
  p = wire[200];
  EXPECT_EQ(unprotect(p, rx), Status::kReplay);
  // Out of order inside the window.
  p = wire[200 - 127];
  EXPECT_EQ(unprotect(p, rx), Status::kOk);
  p = wire[150];
  EXPECT_EQ(unprotect(p, rx), Status::kOk);
  p = wire[150];
  EXPECT_EQ(unprotect(p, rx), Status::kReplay);
  // 128 behind the highest is outside the window.
  p = wire[200 - 128];
  EXPECT_EQ(unprotect(p, rx), Status::kReplay);
  p = wire[201];
  EXPECT_EQ(unprotect(p, rx), Status::kOk);
  EXPECT_EQ(rx.s_l, 301);
}

TEST_P(SessionTest, TamperedPacketRejectedStateUnchanged) {
  SrtpSendState tx{};
  const Bytes first = protect(make_rtp(10, 5, {1, true, false, 200}, 1), tx);
  const Bytes second = protect(make_rtp(11, 5, {1, true, false, 200}, 2), tx);
  SrtpRecvState rx{};
  Bytes p = first;
  ASSERT_EQ(unprotect(p, rx), Status::kOk);
  const SrtpRecvState saved = rx;
  // Flip one bit at a time in the header, the payload and the tag.
  for (size_t pos :
       {size_t{1}, size_t{3}, size_t{9}, size_t{20}, second.size() / 2, second.size() - 1}) {
    p = second;
    p[pos] ^= 0x04;
    EXPECT_EQ(unprotect(p, rx), Status::kAuthFail) << pos;
    EXPECT_EQ(0, std::memcmp(&saved, &rx, sizeof(rx))) << pos;
  }
  p = second;
  EXPECT_EQ(unprotect(p, rx), Status::kOk);
  EXPECT_EQ(rx.s_l, 11);
}

TEST_P(SessionTest, TruncatedRejected) {
  SrtpSendState tx{};
  const Bytes wire = protect(make_rtp(10, 5, {2, true, false, 40}, 1), tx);
  for (size_t len = 0; len < wire.size(); ++len) {
    SrtpRecvState rx{};
    Bytes p(wire.begin(), wire.begin() + static_cast<long>(len));
    size_t n = 0;
    EXPECT_NE(ours_->unprotect_rtp(p.data(), p.size(), &n, rx), Status::kOk) << len;
    EXPECT_FALSE(rx.started) << len;
  }
  Bytes p(wire.begin(), wire.begin() + 5);
  SrtpRecvState rx{};
  EXPECT_EQ(unprotect(p, rx), Status::kTooShort);
}

TEST_P(SessionTest, RejectsBadInput) {
  SrtpSendState tx{};
  Bytes plain = make_rtp(1, 2, {0, false, false, 10}, 0);
  Bytes out(plain.size() + srtp_overhead(GetParam()) - 1);
  size_t n = 0;
  EXPECT_EQ(ours_->protect_rtp(plain.data(), plain.size(), out.data(), out.size(), &n, tx),
            Status::kBufferTooSmall);
  EXPECT_FALSE(tx.started);
  plain[0] = 0x40;  // version 1
  out.resize(100);
  EXPECT_EQ(ours_->protect_rtp(plain.data(), plain.size(), out.data(), out.size(), &n, tx),
            Status::kMalformed);
  EXPECT_EQ(ours_->protect_rtp(plain.data(), 11, out.data(), out.size(), &n, tx),
            Status::kTooShort);
  Bytes csrcs = make_rtp(1, 2, {15, false, false, 0}, 0);
  csrcs.resize(30);  // CSRC list runs past the end
  EXPECT_EQ(ours_->protect_rtp(csrcs.data(), csrcs.size(), out.data(), out.size(), &n, tx),
            Status::kMalformed);

  SrtpRecvState rx{};
  Bytes wire = protect(make_rtp(1, 2, {0, false, false, 10}, 0), tx);
  wire[0] = 0x40;
  EXPECT_EQ(unprotect(wire, rx), Status::kMalformed);
}

// Different SSRCs on one session keep independent state.
TEST_P(SessionTest, IndependentStreams) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  SrtpSendState tx_a{}, tx_b{};
  SrtpRecvState rx_a{}, rx_b{};
  for (uint16_t i = 0; i < 20; ++i) {
    for (uint32_t ssrc : {0xaaaa0001u, 0xbbbb0002u}) {
      const uint16_t seq = static_cast<uint16_t>((ssrc == 0xaaaa0001u ? 65530 : 300) + i);
      const Bytes plain = make_rtp(seq, ssrc, {0, false, false, 64}, static_cast<uint8_t>(i));
      Bytes theirs = plain;
      ASSERT_EQ(lib_tx.protect(theirs), srtp_err_status_ok);
      SrtpSendState& tx = ssrc == 0xaaaa0001u ? tx_a : tx_b;
      ASSERT_EQ(protect(plain, tx), theirs);
      ASSERT_EQ(unprotect(theirs, ssrc == 0xaaaa0001u ? rx_a : rx_b), Status::kOk);
    }
  }
  EXPECT_EQ(rx_a.roc, 1u);
  EXPECT_EQ(rx_b.roc, 0u);
}

TEST_P(SessionTest, RtcpMatchesLibsrtp) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  LibSrtp lib_rx(GetParam(), key_, salt_, false);
  // libsrtp's first SRTCP index is 1; start ours there to compare byte for byte.
  SrtcpSendState tx{1};
  SrtcpRecvState rx{};
  for (int i = 0; i < 50; ++i) {
    const Bytes plain = make_rtcp(0x55667788, static_cast<size_t>(i % 4), static_cast<uint8_t>(i));
    Bytes theirs = plain;
    ASSERT_EQ(lib_tx.protect_rtcp(theirs), srtp_err_status_ok);
    const Bytes mine = protect_rtcp(plain, tx);
    ASSERT_EQ(mine, theirs) << i;
    Bytes back = theirs;
    ASSERT_EQ(unprotect_rtcp(back, rx), Status::kOk) << i;
    ASSERT_EQ(back, plain);
    Bytes lib_back = mine;
    ASSERT_EQ(lib_rx.unprotect_rtcp(lib_back), srtp_err_status_ok) << i;
    ASSERT_EQ(lib_back, plain);
  }
  EXPECT_EQ(tx.next_index, 51u);
  EXPECT_EQ(rx.highest, 50u);
}

TEST_P(SessionTest, RtcpUnencryptedFromLibsrtp) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true, /*rtcp_encrypt=*/false);
  SrtcpRecvState rx{};
  for (int i = 0; i < 5; ++i) {
    const Bytes plain = make_rtcp(42, 1, static_cast<uint8_t>(i));
    Bytes wire = plain;
    ASSERT_EQ(lib_tx.protect_rtcp(wire), srtp_err_status_ok);
    // E flag clear, payload in the clear.
    EXPECT_EQ(std::memcmp(wire.data(), plain.data(), plain.size()), 0);
    ASSERT_EQ(unprotect_rtcp(wire, rx), Status::kOk) << i;
    EXPECT_EQ(wire, plain);
  }
}

TEST_P(SessionTest, RtcpInPlaceAndReplay) {
  SrtcpSendState tx{};
  const Bytes plain = make_rtcp(9, 2, 3);
  const Bytes expect = protect_rtcp(plain, tx);
  EXPECT_EQ(expect.size(), plain.size() + srtcp_overhead(GetParam()));
  Bytes buf = plain;
  buf.resize(expect.size());
  SrtcpSendState tx2{};
  size_t n = 0;
  ASSERT_EQ(ours_->protect_rtcp(buf.data(), plain.size(), buf.data(), buf.size(), &n, tx2),
            Status::kOk);
  EXPECT_EQ(buf, expect);

  std::vector<Bytes> wire;
  for (int i = 0; i < 300; ++i) wire.push_back(protect_rtcp(plain, tx));  // indices 1..300
  SrtcpRecvState rx{};
  Bytes p = wire[250];
  ASSERT_EQ(unprotect_rtcp(p, rx), Status::kOk);
  p = wire[250];
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kReplay);
  p = wire[250 - 127];
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kOk);
  p = wire[250 - 128];
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kReplay);
  p = wire[299];
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kOk);
  EXPECT_EQ(rx.highest, 300u);
}

TEST_P(SessionTest, RtcpTamperedAndTruncated) {
  SrtcpSendState tx{};
  const Bytes wire = protect_rtcp(make_rtcp(9, 1, 3), tx);
  SrtcpRecvState rx{};
  for (size_t pos = 0; pos < wire.size(); pos += 3) {
    Bytes p = wire;
    p[pos] ^= 0x10;
    const Status s = unprotect_rtcp(p, rx);
    // Flipping the version bits is malformed; anything else fails authentication.
    EXPECT_TRUE(s == Status::kAuthFail || (pos == 0 && s == Status::kMalformed)) << pos;
    EXPECT_FALSE(rx.started) << pos;
  }
  for (size_t len = 0; len < wire.size(); ++len) {
    Bytes p(wire.begin(), wire.begin() + static_cast<long>(len));
    EXPECT_NE(unprotect_rtcp(p, rx), Status::kOk) << len;
    EXPECT_FALSE(rx.started);
  }
  Bytes p = wire;
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kOk);
}

TEST_P(SessionTest, RtcpIndexExhausted) {
  SrtcpSendState tx{0x7fffffff};
  const Bytes plain = make_rtcp(9, 0, 0);
  const Bytes last = protect_rtcp(plain, tx);
  EXPECT_EQ(tx.next_index, 0x80000000u);
  Bytes out(plain.size() + kMaxSrtcpOverhead);
  size_t n = 0;
  EXPECT_EQ(ours_->protect_rtcp(plain.data(), plain.size(), out.data(), out.size(), &n, tx),
            Status::kIndexExhausted);
  SrtcpRecvState rx{};
  Bytes p = last;
  EXPECT_EQ(unprotect_rtcp(p, rx), Status::kOk);
  EXPECT_EQ(rx.highest, 0x7fffffffu);
}

TEST(SrtpSession, CreateRejectsBadKeys) {
  std::string error;
  const Bytes key(16), salt(14);
  EXPECT_FALSE(SrtpSession::create(Profile::kAeadAes256Gcm, key, salt, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(SrtpSession::create(static_cast<Profile>(5), key, salt, &error));
  auto s = SrtpSession::create(Profile::kAesCm128HmacSha1_80, key, salt, &error);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->profile(), Profile::kAesCm128HmacSha1_80);
}

// Keys from the wrong master key must not authenticate.
TEST(SrtpSession, WrongKeyFailsAuth) {
  Bytes key(16, 1), salt(14, 2);
  auto tx_session = SrtpSession::create(Profile::kAesCm128HmacSha1_80, key, salt, nullptr);
  key[0] ^= 1;
  auto rx_session = SrtpSession::create(Profile::kAesCm128HmacSha1_80, key, salt, nullptr);
  Bytes pkt(100, 0);
  pkt[0] = 0x80;
  pkt.resize(100 + 10);
  SrtpSendState tx{};
  size_t n = 0;
  ASSERT_EQ(tx_session->protect_rtp(pkt.data(), 100, pkt.data(), pkt.size(), &n, tx), Status::kOk);
  SrtpRecvState rx{};
  EXPECT_EQ(rx_session->unprotect_rtp(pkt.data(), n, &n, rx), Status::kAuthFail);
}

}  // namespace
}  // namespace fanout::dp::srtp

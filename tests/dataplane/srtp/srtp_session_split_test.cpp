// SrtpSession::protect_rtp_split: the fan-out form of protect_rtp (header already at out, payload
// read from elsewhere). It must be indistinguishable from protect_rtp and from libsrtp on the wire,
// and advance the send state exactly as protect_rtp does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "dataplane/srtp/srtp_session.hpp"
#include "tests/dataplane/srtp/libsrtp_oracle.hpp"

namespace fanout::dp::srtp {
namespace {

using test::LibSrtp;
using Bytes = std::vector<uint8_t>;

constexpr uint8_t kSentinel = 0xee;
constexpr size_t kMaxPayload = 1400;

void push_be32(Bytes& p, uint32_t v) {
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A random RTP header: any CSRC count, with or without a header extension (one-byte, two-byte or
// an arbitrary profile, 0..8 words of random data), random marker, PT, padding bit and timestamp.
Bytes random_header(std::mt19937& rng, uint16_t seq, uint32_t ssrc) {
  const uint8_t cc = static_cast<uint8_t>(rng() % 16);
  const bool ext = rng() % 2 == 0;
  Bytes h;
  h.push_back(static_cast<uint8_t>(0x80 | (rng() % 2 ? 0x20 : 0) | (ext ? 0x10 : 0) | cc));
  h.push_back(static_cast<uint8_t>(rng() % 256));  // marker and PT
  h.push_back(static_cast<uint8_t>(seq >> 8));
  h.push_back(static_cast<uint8_t>(seq));
  push_be32(h, static_cast<uint32_t>(rng()));
  push_be32(h, ssrc);
  for (uint8_t c = 0; c < cc; ++c) push_be32(h, static_cast<uint32_t>(rng()));
  if (ext) {
    static constexpr uint16_t kProfiles[] = {0xbede, 0x1000, 0x1234};
    const uint16_t profile = kProfiles[rng() % 3];
    const uint16_t words = static_cast<uint16_t>(rng() % 9);
    h.push_back(static_cast<uint8_t>(profile >> 8));
    h.push_back(static_cast<uint8_t>(profile));
    h.push_back(static_cast<uint8_t>(words >> 8));
    h.push_back(static_cast<uint8_t>(words));
    for (size_t i = 0; i < 4u * words; ++i) h.push_back(static_cast<uint8_t>(rng()));
  }
  return h;
}

Bytes random_bytes(std::mt19937& rng, size_t n) {
  Bytes b(n);
  for (uint8_t& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

void expect_same_state(const SrtpSendState& a, const SrtpSendState& b) {
  EXPECT_EQ(a.roc, b.roc);
  EXPECT_EQ(a.last_seq, b.last_seq);
  EXPECT_EQ(a.started, b.started);
}

class SplitTest : public ::testing::TestWithParam<Profile> {
 protected:
  void SetUp() override {
    const Profile p = GetParam();
    key_.resize(master_key_length(p));
    salt_.resize(master_salt_length(p));
    for (size_t i = 0; i < key_.size(); ++i) key_[i] = static_cast<uint8_t>(0x5c ^ (7 * i));
    for (size_t i = 0; i < salt_.size(); ++i) salt_[i] = static_cast<uint8_t>(0x21 + 11 * i);
    std::string error;
    session_ = SrtpSession::create(p, key_, salt_, &error);
    ASSERT_TRUE(session_) << error;
    tag_ = srtp_overhead(p);
  }

  // protect_rtp_split into a buffer at a given misalignment, with the payload in a separate
  // buffer at another; returns the packet, or an empty vector after a failed assertion.
  Bytes split(const Bytes& header, const Bytes& payload, SrtpSendState& st, size_t out_shift,
              size_t in_shift) {
    Bytes src(in_shift + payload.size() + 1, kSentinel);
    std::copy(payload.begin(), payload.end(), src.begin() + static_cast<ptrdiff_t>(in_shift));
    const Bytes src_before = src;
    const size_t total = header.size() + payload.size() + tag_;
    Bytes buf(out_shift + total + 32, kSentinel);
    uint8_t* out = buf.data() + out_shift;
    std::copy(header.begin(), header.end(), out);
    size_t n = 0;
    const Status s = session_->protect_rtp_split(out, header.size(), src.data() + in_shift,
                                                 payload.size(), total, &n, st);
    EXPECT_EQ(s, Status::kOk);
    EXPECT_EQ(n, total);
    EXPECT_EQ(src, src_before) << "payload source modified";
    // Nothing before out or past the packet is touched.
    for (size_t i = 0; i < out_shift; ++i) EXPECT_EQ(buf[i], kSentinel) << i;
    for (size_t i = out_shift + total; i < buf.size(); ++i) EXPECT_EQ(buf[i], kSentinel) << i;
    if (s != Status::kOk || n != total) return {};
    return Bytes(out, out + n);
  }

  Bytes key_;
  Bytes salt_;
  size_t tag_ = 0;
  std::unique_ptr<SrtpSession> session_;
};

INSTANTIATE_TEST_SUITE_P(AllProfiles, SplitTest,
                         ::testing::Values(Profile::kAesCm128HmacSha1_80,
                                           Profile::kAesCm128HmacSha1_32, Profile::kAeadAes128Gcm,
                                           Profile::kAeadAes256Gcm),
                         [](const auto& info) { return std::string(profile_name(info.param)); });

// Every payload size 0..1400 with a random header, on several streams whose sequence numbers walk
// forward across a wrap with occasional retransmissions of older ones: the split output equals
// protect_rtp's and libsrtp's byte for byte, the states advance identically, and libsrtp reads
// every packet that is not a resend.
TEST_P(SplitTest, MatchesProtectRtpAndLibsrtp) {
  LibSrtp lib_tx(GetParam(), key_, salt_, true);
  LibSrtp lib_rx(GetParam(), key_, salt_, false);
  std::mt19937 rng(0x5a17u + static_cast<uint32_t>(GetParam()));
  struct Stream {
    uint32_t ssrc;
    uint16_t seq;
    SrtpSendState whole;
    SrtpSendState split;
  };
  Stream streams[] = {{0x01020304, 64900, {}, {}},
                      {0xdeadbeef, 65500, {}, {}},
                      {0x00000001, 0, {}, {}},
                      {0xfffffffe, 30000, {}, {}}};
  for (size_t payload_len = 0; payload_len <= kMaxPayload; ++payload_len) {
    Stream& s = streams[rng() % std::size(streams)];
    // Mostly forward, sometimes a jump, sometimes a resend of one up to 40 back (NACK).
    const uint32_t r = rng() % 16;
    const uint16_t seq = r == 0   ? static_cast<uint16_t>(s.seq - rng() % 40)
                         : r == 1 ? static_cast<uint16_t>(s.seq + 1 + rng() % 200)
                                  : static_cast<uint16_t>(s.seq + 1);
    if (r != 0) s.seq = seq;
    SCOPED_TRACE(::testing::Message()
                 << "payload " << payload_len << " ssrc " << s.ssrc << " seq " << seq);

    const Bytes header = random_header(rng, seq, s.ssrc);
    const Bytes payload = random_bytes(rng, payload_len);
    Bytes plain = header;
    plain.insert(plain.end(), payload.begin(), payload.end());

    Bytes whole(plain.size() + kMaxSrtpOverhead);
    size_t n = 0;
    ASSERT_EQ(
        session_->protect_rtp(plain.data(), plain.size(), whole.data(), whole.size(), &n, s.whole),
        Status::kOk);
    whole.resize(n);

    const Bytes mine = split(header, payload, s.split, rng() % 16, rng() % 16);
    ASSERT_EQ(mine, whole);
    expect_same_state(s.split, s.whole);

    Bytes theirs = plain;
    ASSERT_EQ(lib_tx.protect(theirs), srtp_err_status_ok);
    ASSERT_EQ(mine, theirs);
    // A resend may be a replay to the receiver; everything else must authenticate and decrypt.
    Bytes back = mine;
    const srtp_err_status_t rx = lib_rx.unprotect(back);
    if (r == 0 && rx == srtp_err_status_replay_fail) continue;
    ASSERT_EQ(rx, srtp_err_status_ok);
    ASSERT_EQ(back, plain);
  }
  // The walk crossed the wrap on the streams that started near it.
  EXPECT_EQ(streams[1].split.roc, 1u);
}

// The payload may also sit right after the header in out (in place): same bytes.
TEST_P(SplitTest, InPlacePayloadMatches) {
  std::mt19937 rng(77);
  for (size_t payload_len : {0u, 1u, 15u, 16u, 17u, 511u, 512u, 513u, 1200u, 1400u}) {
    const Bytes header = random_header(rng, static_cast<uint16_t>(payload_len), 0xabc);
    const Bytes payload = random_bytes(rng, payload_len);
    SrtpSendState a{};
    SrtpSendState b{};
    const Bytes expect = split(header, payload, a, 0, 0);
    Bytes buf = header;
    buf.insert(buf.end(), payload.begin(), payload.end());
    buf.resize(buf.size() + tag_);
    size_t n = 0;
    ASSERT_EQ(session_->protect_rtp_split(buf.data(), header.size(), buf.data() + header.size(),
                                          payload_len, buf.size(), &n, b),
              Status::kOk);
    EXPECT_EQ(n, buf.size());
    EXPECT_EQ(buf, expect) << payload_len;
    expect_same_state(a, b);
  }
}

// out_cap one byte short, or anything down to the header alone: kBufferTooSmall, not one byte of
// out (header included) or of the state changed, *out_len untouched.
TEST_P(SplitTest, BufferTooSmallWritesNothing) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    const size_t payload_len = rng() % (kMaxPayload + 1);
    const Bytes header = random_header(rng, static_cast<uint16_t>(i), 0x55);
    const Bytes payload = random_bytes(rng, payload_len);
    const size_t need = header.size() + payload_len + tag_;
    const size_t cap = i % 2 == 0 ? need - 1 : need - 1 - rng() % (payload_len + tag_);
    Bytes buf(need + 16, kSentinel);
    std::copy(header.begin(), header.end(), buf.begin());
    const Bytes before = buf;
    SrtpSendState st{7, 123, true};
    size_t n = 999;
    EXPECT_EQ(session_->protect_rtp_split(buf.data(), header.size(), payload.data(), payload_len,
                                          cap, &n, st),
              Status::kBufferTooSmall)
        << cap << " of " << need;
    EXPECT_EQ(buf, before);
    EXPECT_EQ(n, 999u);
    expect_same_state(st, SrtpSendState{7, 123, true});
  }
}

// header_len must agree with the header it describes, or the receiver would split the packet at
// another place: such calls are refused without writing anything.
TEST_P(SplitTest, RejectsInconsistentHeaderLength) {
  std::mt19937 rng(99);
  const Bytes payload = random_bytes(rng, 100);
  Bytes header = random_header(rng, 1, 2);
  header[0] = static_cast<uint8_t>(0x90 | 2);  // 2 CSRCs + extension
  header.resize(12 + 8);
  const uint8_t ext[] = {0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00};
  header.insert(header.end(), ext, ext + sizeof(ext));
  ASSERT_EQ(header.size(), 28u);

  auto call = [&](const Bytes& h, size_t header_len) {
    Bytes buf(h.size() + payload.size() + kMaxSrtpOverhead + 8, kSentinel);
    std::copy(h.begin(), h.end(), buf.begin());
    const Bytes before = buf;
    SrtpSendState st{};
    size_t n = 0;
    const Status s = session_->protect_rtp_split(buf.data(), header_len, payload.data(),
                                                 payload.size(), buf.size(), &n, st);
    if (s != Status::kOk) {
      EXPECT_EQ(buf, before);
      EXPECT_FALSE(st.started);
    }
    return s;
  };
  EXPECT_EQ(call(header, 28), Status::kOk);
  EXPECT_EQ(call(header, 24), Status::kMalformed);  // extension runs past header_len
  EXPECT_EQ(call(header, 32), Status::kMalformed);  // header_len past the header's own end
  EXPECT_EQ(call(header, 11), Status::kTooShort);
  Bytes v1 = header;
  v1[0] = static_cast<uint8_t>((v1[0] & 0x3f) | 0x40);  // version 1
  EXPECT_EQ(call(v1, 28), Status::kMalformed);
  // Packets over 65535 bytes are refused like protect_rtp refuses them.
  Bytes buf(64, 0);
  std::copy(header.begin(), header.end(), buf.begin());
  SrtpSendState st{};
  size_t n = 0;
  EXPECT_EQ(
      session_->protect_rtp_split(buf.data(), 28, payload.data(), 0xffff - 27, SIZE_MAX, &n, st),
      Status::kMalformed);
}

}  // namespace
}  // namespace fanout::dp::srtp

// Shared by the media EAL tests (RTCP, lifecycle): three browsers with libsrtp on both sides,
// a producer on worker 0 and consumers on worker 1 (AES-CM) and worker 0 (GCM), in-process.
#pragma once

#include <gtest/gtest.h>
#include <chrono>
#include <map>
#include <thread>
#include "dataplane/net/packet.hpp"
#include "tests/common/srtp_peer.hpp"
#include "tests/dataplane/engine/harness.hpp"

namespace fanout::dp::test {

const std::string kPwd = "0123456789abcdefghijklmn";  // 24 characters

constexpr uint32_t kProducerSsrc = 1111;
constexpr uint32_t kSsrcB = 2222, kSsrcC = 3333;

// RFC 5761 §4: RTCP packet types 192..223 share the RTP port; RTP payload types stay below.
inline bool is_rtcp(const std::vector<uint8_t>& p) {
  return p.size() >= 2 && p[1] >= 192 && p[1] <= 223;
}

// One browser: its transport, its remote tuple and both SRTP directions as libsrtp sees them.
struct Browser {
  uint32_t transport = 0;
  net::Tuple tuple{};
  std::unique_ptr<SrtpPeer> send;  // browser -> data plane (the transport's inbound keys)
  std::unique_ptr<SrtpPeer> recv;  // data plane -> browser (the transport's outbound keys)
};

// What a browser received, decrypted by libsrtp (a packet that does not decrypt is a failure).
struct Received {
  std::vector<std::vector<uint8_t>> rtp, rtcp;
};

class MediaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    init_eal("fanout_eal_media");
    srtp_init();
  }

  void SetUp() override {
    h_ = std::make_unique<Harness>(3, "media" + std::to_string(++n_));
    // Producer on worker 0; consumer B on another worker, consumer C next to the producer (GCM).
    add_browser(a_, 1, 0, 10, 1);
    add_browser(b_, 2, 1, 11, 1);
    add_browser(c_, 3, 0, 12, 7);
    ProducerParams pp;
    pp.id = 10;
    pp.transport = 1;
    pp.streams.push_back(StreamParams{kProducerSsrc, 0, 96, 0, 90000, ""});
    ASSERT_TRUE(h_->ctl().create_producer(pp).ok());
    ConsumerParams cb;
    cb.id = 20, cb.producer = 10, cb.transport = 2, cb.ssrc = kSsrcB,
    cb.payload_types = {{96, 101}};
    ASSERT_TRUE(h_->ctl().create_consumer(cb).ok());
    ConsumerParams cc;
    cc.id = 30, cc.producer = 10, cc.transport = 3, cc.ssrc = kSsrcC, cc.payload_types = {{96, 96}};
    ASSERT_TRUE(h_->ctl().create_consumer(cc).ok());
    h_->run();
    ASSERT_TRUE(h_->ctl().idle());
  }
  void TearDown() override { h_.reset(); }

  const uint8_t* our_mac() { return h_->dp().engine().ports[0].mac.addr_bytes; }

  static std::vector<uint8_t> key_material(uint8_t seed, size_t n) {
    std::vector<uint8_t> k(n);
    for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed * 13 + i * 7);
    return k;
  }

  // Creates the transport, passes an ICE check from the browser's tuple and sets SRTP keys in
  // both directions (`profile`: 1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM).
  void add_browser(Browser& b, uint32_t id, uint16_t worker, uint8_t host, uint16_t profile) {
    TransportParams p;
    p.id = id;
    p.worker = worker;
    p.ice_ufrag = "uf" + std::to_string(id) + "x";
    p.ice_pwd = kPwd;
    TransportCreated out;
    Status s = h_->ctl().create_transport(p, &out);
    ASSERT_TRUE(s.ok()) << s.reason;
    b.transport = id;
    // Routes are published once the owner worker attached the transport.
    h_->run();
    b.tuple.local = h_->our_ip();
    b.tuple.local_port = h_->ice_port();
    uint8_t ip[4] = {198, 18, 0, host};
    b.tuple.remote = net::IpAddr::v4(ip);
    b.tuple.remote_port = static_cast<uint16_t>(5000 + host);
    h_->inject(2, udp_frame(b.tuple, stun_request(p.ice_ufrag + ":peer", kPwd, true), our_mac()));
    h_->run();
    ASSERT_EQ(h_->take_tx().size(), 1u) << "ICE check of transport " << id;
    const size_t key_len = 16, salt_len = profile == 7 ? 12 : 14;
    auto in = key_material(static_cast<uint8_t>(id * 2), key_len + salt_len);
    auto out_keys = key_material(static_cast<uint8_t>(id * 2 + 1), key_len + salt_len);
    auto key = [&](const std::vector<uint8_t>& k) { return std::span(k.data(), key_len); };
    auto salt = [&](const std::vector<uint8_t>& k) {
      return std::span(k.data() + key_len, salt_len);
    };
    ASSERT_TRUE(h_->ctl().set_srtp_keys(id, true, profile, key(in), salt(in)).ok());
    ASSERT_TRUE(h_->ctl().set_srtp_keys(id, false, profile, key(out_keys), salt(out_keys)).ok());
    b.send = std::make_unique<SrtpPeer>(profile, in, false);
    b.recv = std::make_unique<SrtpPeer>(profile, out_keys, true);
  }

  void send_rtp(Browser& b, uint16_t via, uint16_t seq, uint32_t ts, size_t payload = 200) {
    h_->inject(via,
               udp_frame(b.tuple, b.send->protect(rtp_packet(seq, ts, kProducerSsrc, 96, payload)),
                         our_mac()));
    h_->run(2);
  }
  void send_rtcp(Browser& b, uint16_t via, const std::vector<uint8_t>& rtcp) {
    h_->inject(via, udp_frame(b.tuple, b.send->protect_rtcp(rtcp), our_mac()));
    h_->run();
  }

  // Everything sent since the last call, by browser, decrypted.
  std::map<uint32_t, Received> collect() {
    h_->run();
    std::map<uint32_t, Received> out;
    for (auto& f : h_->take_tx()) {
      net::PacketView v;
      EXPECT_FALSE(net::parse_frame(f.data(), f.size(), v).has_value());
      std::vector<uint8_t> p(f.begin() + v.payload_offset,
                             f.begin() + v.payload_offset + v.payload_len);
      Browser* to = nullptr;
      for (Browser* b : {&a_, &b_, &c_}) {
        if (b->tuple.remote == v.dst && b->tuple.remote_port == v.dst_port) to = b;
      }
      if (!to) {
        ADD_FAILURE() << "a packet to " << net::format_endpoint(v.dst, v.dst_port);
        continue;
      }
      if (is_rtcp(p)) {
        EXPECT_TRUE(to->recv->unprotect_rtcp(p)) << "SRTCP to transport " << to->transport;
        out[to->transport].rtcp.push_back(std::move(p));
      } else {
        EXPECT_TRUE(to->recv->unprotect(p)) << "SRTP to transport " << to->transport;
        out[to->transport].rtp.push_back(std::move(p));
      }
    }
    return out;
  }

  const LcoreCounters counters() { return h_->dp().total_counters(); }
  uint64_t drops(Drop d) { return counters().drops[static_cast<size_t>(d)]; }
  void set_keyframe_interval_ms(uint32_t ms) {
    h_->dp().engine().cfg.keyframe_min_interval_ms = ms;
  }

  // Checks a PLI or FIR to the producer's browser about the producer's SSRC.
  void expect_keyframe_request(const std::vector<uint8_t>& p, bool fir, uint8_t fir_seq = 0) {
    ASSERT_EQ(p.size(), fir ? 20u : 12u);
    EXPECT_EQ(p[0], fir ? 0x84 : 0x81);  // V=2, FMT 4 (FIR) or 1 (PLI)
    EXPECT_EQ(p[1], 206);                // PSFB (RFC 4585 §6.1)
    EXPECT_EQ(be16(p.data() + 2), fir ? 4 : 2);
    EXPECT_NE(be32(p.data() + 4), 0u);  // our sender SSRC
    if (fir) {
      EXPECT_EQ(be32(p.data() + 8), 0u);  // RFC 5104 §4.3.1.2: media source SSRC unused
      EXPECT_EQ(be32(p.data() + 12), kProducerSsrc);
      EXPECT_EQ(p[16], fir_seq);
    } else {
      EXPECT_EQ(be32(p.data() + 8), kProducerSsrc);
    }
  }

  std::unique_ptr<Harness> h_;
  Browser a_, b_, c_;
  static inline int n_ = 0;
};

}  // namespace fanout::dp::test

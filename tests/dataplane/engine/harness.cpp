#include "tests/dataplane/engine/harness.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "dataplane/ice/crc32.hpp"
#include "dataplane/net/builder.hpp"

namespace fanout::dp::test {

void init_eal(const char* file_prefix) {
  static bool done = false;
  if (done) return;
  std::string prefix = std::string("--file-prefix=") + file_prefix;
  const char* args[] = {"fanout-test", "--no-huge", "-m",          "512",
                        "--no-shconf", "--no-pci",  "--lcores",    "0@0",
                        "--log-level", "*:warning", prefix.c_str()};
  int argc = sizeof(args) / sizeof(args[0]);
  ASSERT_GE(rte_eal_init(argc, const_cast<char**>(args)), 0) << "rte_eal_init failed";
  done = true;
}

Harness::Harness(uint16_t workers, const std::string& name) {
  for (uint16_t w = 0; w < workers; ++w) {
    rx_.push_back(rte_ring_create((name + "_rx" + std::to_string(w)).c_str(), 1024, 0,
                                  RING_F_SP_ENQ | RING_F_SC_DEQ));
    tx_.push_back(rte_ring_create((name + "_tx" + std::to_string(w)).c_str(), 1024, 0,
                                  RING_F_SP_ENQ | RING_F_SC_DEQ));
  }
  int port = rte_eth_from_rings(name.c_str(), rx_.data(), workers, tx_.data(), workers, 0);
  EXPECT_GE(port, 0);
  char dev_name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(static_cast<uint16_t>(port), dev_name);
  pool_ =
      rte_pktmbuf_pool_create((name + "_inject").c_str(), 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
  DataplaneConfig cfg;
  cfg.mbufs = 8191;
  cfg.max_transports = 64;
  cfg.max_producers = 64;
  cfg.max_consumers = 256;
  PortConfig pc;
  pc.device = dev_name;
  pc.ipv4 = {"198.18.0.2"};
  pc.ipv6 = {"2001:db8::2"};
  pc.ice_port = 40000;
  cfg.ports.push_back(pc);
  setenv("FANOUT_TEST_WORKERS", std::to_string(workers).c_str(), 1);
  dp_ = std::make_unique<Dataplane>(cfg);
  std::string error;
  EXPECT_TRUE(dp_->setup(&error, /*manual=*/true)) << error;
}

Harness::~Harness() {
  take_tx();
  dp_.reset();
  for (rte_ring* r : rx_) {
    void* m;
    while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    rte_ring_free(r);
  }
  for (rte_ring* r : tx_) rte_ring_free(r);
  rte_mempool_free(pool_);
}

void Harness::inject(uint16_t w, const std::vector<uint8_t>& frame) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(m, nullptr);
  char* d = rte_pktmbuf_append(m, static_cast<uint16_t>(frame.size()));
  ASSERT_NE(d, nullptr);
  std::memcpy(d, frame.data(), frame.size());
  ASSERT_EQ(rte_ring_enqueue(rx_[w], m), 0);
}

void Harness::run(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    ctl().poll();
    dp_->poll_workers();
  }
  ctl().poll();
}

std::vector<std::vector<uint8_t>> Harness::take_tx() {
  std::vector<std::vector<uint8_t>> out;
  for (rte_ring* r : tx_) {
    void* obj;
    while (rte_ring_dequeue(r, &obj) == 0) {
      auto* m = static_cast<rte_mbuf*>(obj);
      std::vector<uint8_t> f(rte_pktmbuf_pkt_len(m));
      auto* p = static_cast<const uint8_t*>(rte_pktmbuf_read(m, 0, f.size(), f.data()));
      if (p != f.data()) std::memcpy(f.data(), p, f.size());
      out.push_back(std::move(f));
      rte_pktmbuf_free(m);
    }
  }
  return out;
}

net::IpAddr Harness::our_ip() const {
  return *net::parse_addr("198.18.0.2");
}

std::vector<uint8_t> udp_frame(const net::Tuple& t, const std::vector<uint8_t>& payload,
                               const uint8_t* dst_mac) {
  // The frame travels remote -> local: build it with the tuple reversed.
  net::Tuple wire{t.remote, t.local, t.remote_port, t.local_port};
  net::TxL2 l2;
  std::memcpy(l2.dst_mac, dst_mac, 6);
  std::memcpy(l2.src_mac, kPeerMac, 6);
  size_t hl = net::udp_headers_size(t.local.family);
  std::vector<uint8_t> f(hl + payload.size());
  std::memcpy(f.data() + hl, payload.data(), payload.size());
  EXPECT_EQ(net::build_udp_headers(f.data(), hl, wire, l2, f.data() + hl, payload.size()), hl);
  return f;
}

namespace {
void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void attr(std::vector<uint8_t>& m, uint16_t type, const void* data, size_t len) {
  size_t at = m.size();
  m.resize(at + 4 + ((len + 3) & ~size_t{3}), 0);
  put16(m, at, type);
  put16(m, at + 2, static_cast<uint16_t>(len));
  if (len) std::memcpy(m.data() + at + 4, data, len);
  put16(m, 2, static_cast<uint16_t>(m.size() - 20));
}
}  // namespace

std::vector<uint8_t> stun_request(const std::string& username, const std::string& pwd,
                                  bool use_candidate, uint8_t txid_seed) {
  std::vector<uint8_t> m(20, 0);
  put16(m, 0, 0x0001);
  m[4] = 0x21, m[5] = 0x12, m[6] = 0xa4, m[7] = 0x42;
  for (int i = 0; i < 12; ++i) m[8 + i] = static_cast<uint8_t>(txid_seed * 31 + i);
  attr(m, 0x0006, username.data(), username.size());
  uint8_t prio[4] = {0x6e, 0x00, 0x01, 0xff};
  attr(m, 0x0024, prio, 4);
  uint8_t tie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  attr(m, 0x802a, tie, 8);
  if (use_candidate) attr(m, 0x0025, nullptr, 0);
  // MESSAGE-INTEGRITY covers the header with the length including itself (RFC 5389 §15.4).
  put16(m, 2, static_cast<uint16_t>(m.size() - 20 + 24));
  HmacSha1Key key(reinterpret_cast<const uint8_t*>(pwd.data()), pwd.size());
  uint8_t mac[20];
  key.mac(m.data(), m.size(), mac);
  attr(m, 0x0008, mac, 20);
  put16(m, 2, static_cast<uint16_t>(m.size() - 20 + 8));
  uint32_t crc = ice::crc32(0, m.data(), m.size()) ^ 0x5354554e;
  uint8_t fp[4] = {static_cast<uint8_t>(crc >> 24), static_cast<uint8_t>(crc >> 16),
                   static_cast<uint8_t>(crc >> 8), static_cast<uint8_t>(crc)};
  attr(m, 0x8028, fp, 4);
  return m;
}

}  // namespace fanout::dp::test

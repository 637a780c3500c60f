#include "tests/dataplane/engine/harness.hpp"

#include <gtest/gtest.h>

#include <cstring>

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

Harness::Harness(uint16_t workers, const std::string& name,
                 const std::function<void(DataplaneConfig&)>& tweak) {
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
  if (tweak) tweak(cfg);
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

}  // namespace fanout::dp::test

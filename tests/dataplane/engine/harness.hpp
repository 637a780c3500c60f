// An in-process data plane for EAL tests: EAL without hugepages or PCI, one net_ring port whose
// RX rings the test fills with real Ethernet frames and whose TX rings it drains, and workers
// polled from the test thread (deterministic; several workers on one core).
#pragma once

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/engine/dataplane.hpp"
#include "dataplane/net/address.hpp"
#include "tests/common/packets.hpp"

namespace fanout::dp::test {

// Starts EAL once per process (EAL cannot restart).
void init_eal(const char* file_prefix);

class Harness {
 public:
  explicit Harness(uint16_t workers, const std::string& name = "ring_port",
                   const std::function<void(DataplaneConfig&)>& tweak = {});
  ~Harness();

  Dataplane& dp() { return *dp_; }
  Controller& ctl() { return dp_->controller(); }

  // Injects a frame into worker `w`'s RX queue.
  void inject(uint16_t w, const std::vector<uint8_t>& frame);
  // Polls the controller and every worker `rounds` times.
  void run(int rounds = 4);
  // Frames the data plane transmitted (from every TX queue), in order of queue.
  std::vector<std::vector<uint8_t>> take_tx();

  net::IpAddr our_ip() const;
  uint16_t ice_port() const { return 40000; }

 private:
  std::vector<rte_ring*> rx_, tx_;
  std::unique_ptr<Dataplane> dp_;
  rte_mempool* pool_ = nullptr;
};

}  // namespace fanout::dp::test

// State shared by every lcore of the data plane: ports, pools, rings, dispatch tables. Set up by
// the main lcore before the workers start and read-only afterwards (except the rings and the
// dispatch tables, which have their own concurrency rules).
#pragma once

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "dataplane/engine/config.hpp"
#include "dataplane/engine/dispatch.hpp"
#include "dataplane/engine/limits.hpp"
#include "dataplane/net/address.hpp"

namespace fanout::dp {

class Worker;

struct PortInfo {
  uint16_t port_id = 0;  // DPDK port id
  rte_ether_addr mac{};
  std::vector<net::IpAddr> addrs;  // ours, for ARP/ND and "is this for us"
  net::IpAddr ipv4{};              // first IPv4 (or family 0)
  net::IpAddr ipv6{};              // first IPv6 (or family 0)
  uint16_t ice_port = 0;
  bool rx_ip_cksum_offload = false;
  bool rx_udp_cksum_offload = false;
  bool multi_seg_tx = false;
  bool tx_cksum_offload = false;  // IPv4 header and UDP checksums computed by the port
};

struct Engine {
  DataplaneConfig cfg;
  uint16_t n_workers = 0;
  uint16_t n_ports = 0;
  PortInfo ports[kMaxPorts];
  std::vector<unsigned> worker_lcores;  // worker index -> lcore id
  rte_mempool* pool = nullptr;          // packet buffers (priv area = PktMeta)
  rte_rcu_qsbr* rcu = nullptr;
  DispatchTables tables;
  uint64_t tsc_hz = 0;

  // rings: handoff[src][dst] (src in [0, n_workers], n_workers = main), to_main[w], cmd[w], done[w]
  rte_ring* handoff[kMaxWorkers + 1][kMaxWorkers] = {};
  rte_ring* to_main[kMaxWorkers] = {};
  rte_ring* cmd[kMaxWorkers] = {};
  rte_ring* done[kMaxWorkers] = {};

  Worker* workers[kMaxWorkers] = {};
  std::atomic<bool> quit{false};

};

}  // namespace fanout::dp

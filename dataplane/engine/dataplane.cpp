#include "dataplane/engine/dataplane.hpp"

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <cstring>

#include "dataplane/engine/mbuf_meta.hpp"

namespace fanout::dp {
namespace {

std::string err(const std::string& what, int code) {
  return what + ": " + rte_strerror(code < 0 ? -code : code);
}

}  // namespace

Dataplane::Dataplane(DataplaneConfig cfg) : engine_(std::make_unique<Engine>()) {
  engine_->cfg = std::move(cfg);
}

Dataplane::~Dataplane() {
  stop_workers();
  shutdown();
  Engine& e = *engine_;
  for (auto& row : e.handoff) {
    for (rte_ring*& r : row) {
      rte_ring_free(r);
      r = nullptr;
    }
  }
  for (uint16_t w = 0; w < kMaxWorkers; ++w) {
    // Commands still queued own what they carry.
    void* obj;
    while (e.cmd[w] && rte_ring_dequeue(e.cmd[w], &obj) == 0) delete static_cast<Command*>(obj);
    while (e.done[w] && rte_ring_dequeue(e.done[w], &obj) == 0) delete static_cast<Command*>(obj);
    rte_ring_free(e.to_main[w]);
    rte_ring_free(e.cmd[w]);
    rte_ring_free(e.done[w]);
  }
  controller_.reset();
  workers_.clear();
  // The hashes hold RCU defer queues: free them before the RCU variable, and buffers last.
  rte_rcu_qsbr* rcu = e.rcu;
  rte_mempool* pool = e.pool;
  engine_.reset();
  rte_free(rcu);
  rte_mempool_free(pool);
}

bool Dataplane::setup(std::string* error, bool manual) {
  Engine& e = *engine_;
  manual_ = manual;
  e.tsc_hz = rte_get_tsc_hz();
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) e.worker_lcores.push_back(lcore);
  if (manual) {
    // Tests may ask for more workers than lcores: they are polled from the main thread.
    unsigned want = e.worker_lcores.empty() ? 1 : e.worker_lcores.size();
    const char* env = getenv("FANOUT_TEST_WORKERS");
    if (env) want = static_cast<unsigned>(atoi(env));
    e.worker_lcores.assign(want, rte_get_main_lcore());
  }
  if (e.worker_lcores.empty()) {
    *error =
        "no worker lcore: give EAL at least two lcores (e.g. -l 0-1); the main lcore runs "
        "IPC and timers, the others forward packets";
    return false;
  }
  if (e.worker_lcores.size() > kMaxWorkers) {
    *error = "at most " + std::to_string(kMaxWorkers) + " worker lcores are supported";
    return false;
  }
  e.n_workers = static_cast<uint16_t>(e.worker_lcores.size());
  if (e.cfg.ports.size() > kMaxPorts) {
    *error = "at most " + std::to_string(kMaxPorts) + " ports are supported";
    return false;
  }
  if (!setup_pool(error) || !setup_rcu(error) || !setup_rings(error)) return false;
  if (!e.tables.init("fanout", e.cfg.max_transports, static_cast<uint16_t>(e.cfg.ports.size()),
                     e.rcu, error)) {
    return false;
  }
  for (const PortConfig& pc : e.cfg.ports) {
    if (!setup_port(pc, error)) return false;
  }
  for (uint16_t w = 0; w < e.n_workers; ++w) {
    workers_.push_back(std::make_unique<Worker>(e, w));
    if (!workers_.back()->init(error)) return false;
    e.workers[w] = workers_.back().get();
    if (manual_) rte_rcu_qsbr_thread_online(e.rcu, w);
  }
  controller_ = std::make_unique<Controller>(e);
  return true;
}

bool Dataplane::setup_pool(std::string* error) {
  Engine& e = *engine_;
  // A unique name: tests and benchmarks create several data planes in one process.
  static int instance = 0;
  std::string name = "fanout_mbufs_" + std::to_string(instance++);
  e.pool = rte_pktmbuf_pool_create(name.c_str(), e.cfg.mbufs, e.cfg.mbuf_cache, kMbufPrivSize,
                                   RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id()));
  if (!e.pool) {
    *error = err("cannot create the mbuf pool of " + std::to_string(e.cfg.mbufs) +
                     " buffers (lower dataplane.mbufs, give EAL more memory with -m, or reserve "
                     "hugepages)",
                 rte_errno);
    return false;
  }
  return true;
}

bool Dataplane::setup_rcu(std::string* error) {
  Engine& e = *engine_;
  size_t sz = rte_rcu_qsbr_get_memsize(e.n_workers);
  e.rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc("fanout_rcu", sz, RTE_CACHE_LINE_SIZE));
  if (!e.rcu || rte_rcu_qsbr_init(e.rcu, e.n_workers) != 0) {
    *error = "cannot set up RCU for " + std::to_string(e.n_workers) + " workers";
    return false;
  }
  for (uint16_t w = 0; w < e.n_workers; ++w) rte_rcu_qsbr_thread_register(e.rcu, w);
  return true;
}

bool Dataplane::setup_rings(std::string* error) {
  Engine& e = *engine_;
  auto make = [&](const std::string& name, unsigned size) -> rte_ring* {
    rte_ring* r = rte_ring_create(name.c_str(), size, static_cast<int>(rte_socket_id()),
                                  RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!r) *error = err("rte_ring_create(" + name + ")", rte_errno);
    return r;
  };
  for (uint16_t dst = 0; dst < e.n_workers; ++dst) {
    for (uint16_t src = 0; src <= e.n_workers; ++src) {
      if (src == dst) continue;  // a worker never hands off to itself
      e.handoff[src][dst] =
          make("ho_" + std::to_string(src) + "_" + std::to_string(dst), e.cfg.ring_size);
      if (!e.handoff[src][dst]) return false;
    }
    std::string w = std::to_string(dst);
    if (!(e.to_main[dst] = make("to_main_" + w, e.cfg.ring_size)) ||
        !(e.cmd[dst] = make("cmd_" + w, 4096)) || !(e.done[dst] = make("done_" + w, 4096))) {
      return false;
    }
  }
  return true;
}

bool Dataplane::setup_port(const PortConfig& pc, std::string* error) {
  Engine& e = *engine_;
  const std::string key = "port." + std::to_string(pc.index) + ".device";
  uint16_t port_id;
  if (rte_eth_dev_get_port_by_name(pc.device.c_str(), &port_id) != 0) {
    if (pc.device.rfind("net_", 0) == 0) {
      int rc = rte_vdev_init(pc.device.c_str(), pc.devargs.c_str());
      if (rc != 0) {
        *error = key + ": cannot create virtual device " + pc.device + " (" + pc.devargs +
                 "): " + rte_strerror(-rc) +
                 " — is the driver's PMD installed (dpdk package) and the name of the form "
                 "net_tap0, net_memif0, net_ring0, net_null0?";
        return false;
      }
    }
    if (rte_eth_dev_get_port_by_name(pc.device.c_str(), &port_id) != 0) {
      *error = key + ": no DPDK port named " + pc.device +
               " (for a NIC give its PCI address and bind it to vfio-pci; run dpdk-devbind.py "
               "--status)";
      return false;
    }
  }
  rte_eth_dev_info info;
  int rc = rte_eth_dev_info_get(port_id, &info);
  if (rc != 0) {
    *error = err(key + ": rte_eth_dev_info_get", rc);
    return false;
  }
  const uint16_t q = e.n_workers;
  if (q > info.max_rx_queues || q > info.max_tx_queues) {
    *error = key + ": " + pc.device + " has " + std::to_string(info.max_rx_queues) +
             " RX queues, " + std::to_string(q) + " workers need one each (use fewer lcores)";
    return false;
  }
  rte_eth_conf conf{};
  if (q > 1 && info.flow_type_rss_offloads != 0) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  PortInfo& pi = e.ports[pc.index];
  const uint64_t cksum = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
  if ((info.rx_offload_capa & cksum) == cksum) {
    conf.rxmode.offloads |= cksum;
    pi.rx_ip_cksum_offload = pi.rx_udp_cksum_offload = true;
  }
  const uint64_t tx_cksum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
  if ((info.tx_offload_capa & tx_cksum) == tx_cksum) {
    conf.txmode.offloads |= tx_cksum;
    pi.tx_cksum_offload = true;
  }
  if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
    conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    pi.multi_seg_tx = true;
  }
  if ((rc = rte_eth_dev_configure(port_id, q, q, &conf)) != 0) {
    *error = err(key + ": rte_eth_dev_configure", rc);
    return false;
  }
  uint16_t rxd = e.cfg.rx_desc, txd = e.cfg.tx_desc;
  rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
  int socket = rte_eth_dev_socket_id(port_id);
  if (socket < 0) socket = static_cast<int>(rte_socket_id());
  for (uint16_t i = 0; i < q; ++i) {
    if ((rc = rte_eth_rx_queue_setup(port_id, i, rxd, socket, nullptr, e.pool)) != 0 ||
        (rc = rte_eth_tx_queue_setup(port_id, i, txd, socket, nullptr)) != 0) {
      *error = err(key + ": queue " + std::to_string(i) + " setup", rc);
      return false;
    }
  }
  rte_eth_dev_set_mtu(port_id, pc.mtu);  // best effort: virtual devices may not support it
  if ((rc = rte_eth_dev_start(port_id)) != 0) {
    *error = err(key + ": rte_eth_dev_start", rc);
    return false;
  }
  if (pc.promiscuous) rte_eth_promiscuous_enable(port_id);
  pi.port_id = port_id;
  rte_eth_macaddr_get(port_id, &pi.mac);
  pi.ice_port = pc.ice_port;
  for (const std::string& a : pc.ipv4) {
    auto ip = net::parse_addr(a);
    pi.addrs.push_back(*ip);
    if (!pi.ipv4.family) pi.ipv4 = *ip;
  }
  for (const std::string& a : pc.ipv6) {
    auto ip = net::parse_addr(a);
    pi.addrs.push_back(*ip);
    if (!pi.ipv6.family) pi.ipv6 = *ip;
  }
  e.n_ports = static_cast<uint16_t>(pc.index + 1);
  ports_started_ = true;
  return true;
}

void Dataplane::start_workers() {
  if (manual_ || running_) return;
  engine_->quit = false;
  for (uint16_t w = 0; w < engine_->n_workers; ++w) {
    Worker* worker = workers_[w].get();
    rte_eal_remote_launch([](void* arg) { return static_cast<Worker*>(arg)->run(); }, worker,
                          engine_->worker_lcores[w]);
  }
  running_ = true;
}

void Dataplane::stop_workers() {
  if (!running_) return;
  engine_->quit = true;
  rte_eal_mp_wait_lcore();
  running_ = false;
}

void Dataplane::poll_workers() {
  for (auto& w : workers_) w->poll_once();
}

void Dataplane::shutdown() {
  if (!ports_started_) return;
  for (uint16_t p = 0; p < engine_->n_ports; ++p) {
    rte_eth_dev_stop(engine_->ports[p].port_id);
    rte_eth_dev_close(engine_->ports[p].port_id);
  }
  ports_started_ = false;
}

LcoreCounters Dataplane::total_counters() const {
  LcoreCounters sum;
  for (const auto& w : workers_) sum.add(w->counters());
  if (controller_) sum.add(controller_->main_counters());
  return sum;
}

}  // namespace fanout::dp

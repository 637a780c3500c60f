// The data plane process: EAL is up; this sets up pools, ports, rings, RCU, dispatch tables and
// workers, runs the main lcore's loop, and shuts everything down in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataplane/engine/controller.hpp"
#include "dataplane/engine/engine.hpp"
#include "dataplane/engine/worker.hpp"

namespace fanout::dp {

class Dataplane {
 public:
  explicit Dataplane(DataplaneConfig cfg);
  ~Dataplane();

  // After rte_eal_init. `workers`: lcore ids to use as workers (default: every worker lcore EAL
  // has). With `manual`, workers are not launched: the caller drives them with poll_workers()
  // on the main thread (deterministic tests).
  bool setup(std::string* error, bool manual = false);
  void start_workers();
  void stop_workers();  // sets quit and waits for the lcores
  void poll_workers();  // manual mode: one iteration of every worker
  void shutdown();      // ports stopped and closed (idempotent)

  Engine& engine() { return *engine_; }
  Controller& controller() { return *controller_; }
  Worker& worker(uint16_t i) { return *workers_[i]; }
  uint16_t worker_count() const { return engine_->n_workers; }
  LcoreCounters total_counters() const;

 private:
  bool setup_pool(std::string* error);
  bool setup_port(const PortConfig& pc, std::string* error);
  bool setup_rings(std::string* error);
  bool setup_rcu(std::string* error);

  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Controller> controller_;
  bool manual_ = false;
  bool running_ = false;
  bool ports_started_ = false;
};

}  // namespace fanout::dp

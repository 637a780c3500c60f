// DPDK telemetry endpoints (read with dpdk-telemetry.py or any client of the telemetry socket):
//   /fanout/counters   ports, events and drops summed over every lcore
//   /fanout/drops      non-zero drop reasons only
//   /fanout/lcores     per-worker packets in/out and handoffs
// The callbacks run on DPDK's telemetry thread and only read single-writer counters.
#pragma once

namespace fanout::dp {

class Dataplane;

// Registers the endpoints for `dp` (one data plane per process). Call after setup().
void register_telemetry(Dataplane* dp);

}  // namespace fanout::dp

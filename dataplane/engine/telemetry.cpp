#include "dataplane/engine/telemetry.hpp"

#include <rte_telemetry.h>

#include <string>

#include "dataplane/engine/dataplane.hpp"

namespace fanout::dp {
namespace {

Dataplane* g_dp = nullptr;

int counters(const char*, const char*, rte_tel_data* d) {
  LcoreCounters c = g_dp->total_counters();
  rte_tel_data_start_dict(d);
  for (uint16_t p = 0; p < g_dp->engine().n_ports; ++p) {
    std::string pre = "port" + std::to_string(p) + "_";
    rte_tel_data_add_dict_u64(d, (pre + "rx_packets").c_str(), c.ports[p].rx_packets);
    rte_tel_data_add_dict_u64(d, (pre + "rx_bytes").c_str(), c.ports[p].rx_bytes);
    rte_tel_data_add_dict_u64(d, (pre + "tx_packets").c_str(), c.ports[p].tx_packets);
    rte_tel_data_add_dict_u64(d, (pre + "tx_bytes").c_str(), c.ports[p].tx_bytes);
  }
#define FANOUT_TEL_EVENT(name, help) rte_tel_data_add_dict_u64(d, #name, c.name);
  FANOUT_LCORE_EVENTS(FANOUT_TEL_EVENT)
#undef FANOUT_TEL_EVENT
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    std::string name = "drop_" + std::string(kDropNames[i]);
    rte_tel_data_add_dict_u64(d, name.c_str(), c.drops[i]);
  }
  return 0;
}

int drops(const char*, const char*, rte_tel_data* d) {
  LcoreCounters c = g_dp->total_counters();
  rte_tel_data_start_dict(d);
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    if (c.drops[i]) rte_tel_data_add_dict_u64(d, std::string(kDropNames[i]).c_str(), c.drops[i]);
  }
  return 0;
}

int lcores(const char*, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  for (uint16_t w = 0; w < g_dp->worker_count(); ++w) {
    const LcoreCounters& c = g_dp->worker(w).counters();
    uint64_t rx = 0, tx = 0;
    for (uint16_t p = 0; p < g_dp->engine().n_ports; ++p) {
      rx += c.ports[p].rx_packets;
      tx += c.ports[p].tx_packets;
    }
    std::string pre = "worker" + std::to_string(w) + "_";
    rte_tel_data_add_dict_u64(d, (pre + "rx_packets").c_str(), rx);
    rte_tel_data_add_dict_u64(d, (pre + "tx_packets").c_str(), tx);
    rte_tel_data_add_dict_u64(d, (pre + "handoff_in").c_str(), c.handoff_in);
    rte_tel_data_add_dict_u64(d, (pre + "handoff_out").c_str(), c.handoff_out);
  }
  return 0;
}

}  // namespace

void register_telemetry(Dataplane* dp) {
  g_dp = dp;
  rte_telemetry_register_cmd("/fanout/counters", counters,
                             "Packets, events and drops summed over every lcore. No parameters.");
  rte_telemetry_register_cmd("/fanout/drops", drops, "Non-zero drop reasons. No parameters.");
  rte_telemetry_register_cmd("/fanout/lcores", lcores, "Per-worker packets and handoffs.");
}

}  // namespace fanout::dp

// fanout-pktgen: the perf suite's load generator. Connects to a running fanout-dataplane's IPC
// socket, creates each scenario there (Plain transports with static remotes, SRTP keys,
// producers, consumers), drives real (S)RTP through one DPDK port (net_memif client facing the
// data plane's memif server, or a NIC) and reports, per scenario: the no-drop rate (RFC 2544
// binary search, bounded), packets/s in and out per data-plane worker, Gbit/s, latency
// percentiles at 10/50/90 % of that rate, drops by reason, and the crypto bound of this machine.
//
//   fanout-pktgen <EAL args> -- --socket /path/dataplane.sock --scenario 1x10:cm80:1200 ...
// Options: --help. Method and how to read the figures: perf/README.md.
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_version.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "perf/pktgen/crypto_bound.hpp"
#include "perf/pktgen/generator.hpp"
#include "perf/pktgen/scenario.hpp"

namespace fanout::dp::pktgen {
namespace {

namespace fb = fanout::ipc;

struct Options {
  std::string socket;
  std::string port;  // DPDK port name; default: the first port
  std::string address = "198.18.0.1";
  std::vector<std::string> scenarios;  // NAME:PROFILE:SIZE
  std::string mode = "search";         // search | fixed
  double rate = 10000;                 // fixed mode: input packets/s
  double duration = 1;                 // seconds per trial
  int max_trials = 8;
  double tolerance = 1e-4;  // 0.01 %
  double bound_seconds = 0.3;
  std::string json;
  bool check = false;     // fixed mode: exit 1 unless out == in * N and every sample verified
  bool loopback = false;  // no data plane: the port returns our frames (dpdk-testpmd io)
  int latency_burst = 1;  // packets per TX burst in the 10/50/90 % latency trials
};

const char* kUsage =
    "usage: fanout-pktgen <EAL args> -- --socket PATH --scenario NAME:PROFILE:SIZE [...]\n"
    "  --scenario S   MxN (M producers, N consumer transports each consuming all M: 1x10) or\n"
    "                 roomsRxP (R rooms of P participants, each consuming the others), profile\n"
    "                 none|cm80|gcm128, RTP size in bytes; repeatable\n"
    "  --socket PATH  the data plane's IPC socket\n"
    "  --port NAME    DPDK port (default: the first one, e.g. the --vdev net_memif0)\n"
    "  --address IP   our IPv4 address (default 198.18.0.1)\n"
    "  --mode M       search (no-drop rate + latency, default) or fixed (one trial at --rate)\n"
    "  --rate PPS     fixed mode: input packets/s (default 10000)\n"
    "  --duration S   seconds per trial (default 1)\n"
    "  --trials N     search: at most N trials (default 8)\n"
    "  --bound-seconds S  crypto bound loop time per implementation (default 0.3; 0: skip)\n"
    "  --json FILE    write the results as JSON\n"
    "  --latency-burst N  packets per TX burst in the latency trials at 10/50/90 % of the\n"
    "                 no-drop rate (default 1: packets arrive one by one, as from browsers; the\n"
    "                 search itself sends bursts of up to 32)\n"
    "  --check        fixed mode: exit 1 unless out == in * fan-out and every sample verified\n"
    "  --loopback     no data plane and no --socket: the port sends our frames back unchanged\n"
    "                 (dpdk-testpmd io forwarding on the memif server); scenarios 1x1:none:SIZE\n";

bool parse_options(int argc, char** argv, Options* o, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *error = a + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--socket") {
      if (!value(&o->socket)) return false;
    } else if (a == "--port") {
      if (!value(&o->port)) return false;
    } else if (a == "--address") {
      if (!value(&o->address)) return false;
    } else if (a == "--scenario") {
      if (!value(&v)) return false;
      o->scenarios.push_back(v);
    } else if (a == "--mode") {
      if (!value(&o->mode)) return false;
      if (o->mode != "search" && o->mode != "fixed") return *error = "--mode search|fixed", false;
    } else if (a == "--rate") {
      if (!value(&v)) return false;
      o->rate = std::atof(v.c_str());
    } else if (a == "--duration") {
      if (!value(&v)) return false;
      o->duration = std::atof(v.c_str());
    } else if (a == "--trials") {
      if (!value(&v)) return false;
      o->max_trials = std::max(2, std::atoi(v.c_str()));
    } else if (a == "--bound-seconds") {
      if (!value(&v)) return false;
      o->bound_seconds = std::atof(v.c_str());
    } else if (a == "--json") {
      if (!value(&o->json)) return false;
    } else if (a == "--latency-burst") {
      if (!value(&v)) return false;
      o->latency_burst = std::clamp(std::atoi(v.c_str()), 1, 32);
    } else if (a == "--check") {
      o->check = true;
    } else if (a == "--loopback") {
      o->loopback = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      *error = "unknown option " + a;
      return false;
    }
  }
  if (o->socket.empty() && !o->loopback) return *error = "--socket is required", false;
  if (o->scenarios.empty()) return *error = "at least one --scenario is required", false;
  if (o->duration <= 0 || (o->mode == "fixed" && o->rate <= 0)) {
    return *error = "--duration and --rate must be positive", false;
  }
  return true;
}

// Counters of the data plane at one instant, for deltas around a trial.
struct Snapshot {
  std::map<std::string, uint64_t> drops;
  struct Lcore {
    uint16_t lcore = 0, worker = 0;
    uint64_t rx = 0, tx = 0, busy = 0, total = 0;
  };
  std::vector<Lcore> lcores;
  uint64_t rx_missed = 0, tx_errors = 0;
  bool ok = false;
};

Snapshot snapshot(DataplaneSession& dp) {
  Snapshot s;
  ipc::ClientResult r = dp.counters();
  if (!r.ok() || r.reply.error()) return s;
  const fb::Counters* c = r.reply->body_as_Counters();
  if (!c) return s;
  if (c->drops()) {
    for (const fb::DropCount* d : *c->drops()) s.drops[d->reason()->str()] = d->count();
  }
  if (c->lcores()) {
    for (const fb::LcoreCounters* l : *c->lcores()) {
      s.lcores.push_back({l->lcore_id(), l->worker(), l->rx_packets(), l->tx_packets(),
                          l->busy_cycles(), l->total_cycles()});
    }
  }
  if (c->ports()) {
    for (const fb::PortCounters* p : *c->ports()) {
      s.rx_missed += p->rx_missed();
      s.tx_errors += p->tx_errors();
    }
  }
  s.ok = true;
  return s;
}

struct Trial {
  TrialResult r;
  bool pass = false;
  std::map<std::string, uint64_t> drops;  // non-zero deltas
  std::vector<Snapshot::Lcore> lcores;    // deltas, workers only
  uint64_t rx_missed = 0, tx_errors = 0;
};

Trial run(Generator& gen, DataplaneSession& dp, double rate, double seconds, double tolerance,
          uint16_t burst = 0) {
  Trial t;
  Snapshot a = snapshot(dp);
  t.r = gen.run_trial(rate, seconds, burst);
  Snapshot b = snapshot(dp);
  t.pass = t.r.passed(tolerance) && t.r.verify_failures == 0;
  for (const auto& [k, v] : b.drops) {
    uint64_t d = v - (a.drops.count(k) ? a.drops[k] : 0);
    if (d) t.drops[k] = d;
  }
  for (const Snapshot::Lcore& l : b.lcores) {
    Snapshot::Lcore d = l;
    for (const Snapshot::Lcore& o : a.lcores) {
      if (o.lcore == l.lcore) {
        d.rx -= o.rx, d.tx -= o.tx, d.busy -= o.busy, d.total -= o.total;
      }
    }
    t.lcores.push_back(d);
  }
  t.rx_missed = b.rx_missed - a.rx_missed;
  t.tx_errors = b.tx_errors - a.tx_errors;
  return t;
}

std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof(b), "%.6g", v);
  return b;
}
std::string quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

std::string trial_json(const Trial& t, double wire_overhead) {
  const TrialResult& r = t.r;
  const double s = r.seconds > 0 ? r.seconds : 1;
  std::ostringstream o;
  o << "{\"target_pps\":" << num(r.target_pps) << ",\"seconds\":" << num(r.seconds)
    << ",\"offered\":" << r.offered << ",\"sent\":" << r.sent
    << ",\"tx_rejected\":" << r.tx_rejected << ",\"expected\":" << r.expected
    << ",\"received\":" << r.received << ",\"in_pps\":" << num(static_cast<double>(r.sent) / s)
    << ",\"out_pps\":" << num(static_cast<double>(r.received) / s) << ",\"out_gbps\":"
    << num((static_cast<double>(r.received_bytes) +
            wire_overhead * static_cast<double>(r.received)) *
           8 / s / 1e9)
    << ",\"other\":" << r.other << ",\"verified\":" << r.verified
    << ",\"verify_failures\":" << r.verify_failures << ",\"pass\":" << (t.pass ? "true" : "false")
    << ",\"generator_limited\":" << (r.generator_limited ? "true" : "false")
    << ",\"latency_us\":{\"samples\":" << r.latency_samples
    << ",\"unmatched\":" << r.latency_unmatched << ",\"p50\":" << num(r.latency_p50_us)
    << ",\"p99\":" << num(r.latency_p99_us) << ",\"p99_9\":" << num(r.latency_p999_us)
    << ",\"max\":" << num(r.latency_max_us) << ",\"mean\":" << num(r.latency_mean_us)
    << ",\"quantiles\":[";
  for (size_t i = 0; i < r.latency_quantiles.size(); ++i) {
    o << (i ? "," : "") << "[" << num(r.latency_quantiles[i].first) << ","
      << num(r.latency_quantiles[i].second) << "]";
  }
  o << "]}"
    << ",\"drops\":{";
  bool first = true;
  for (const auto& [k, v] : t.drops) {
    o << (first ? "" : ",") << quote(k) << ":" << v;
    first = false;
  }
  o << "},\"port_rx_missed\":" << t.rx_missed << ",\"port_tx_errors\":" << t.tx_errors
    << ",\"workers\":[";
  first = true;
  for (const Snapshot::Lcore& l : t.lcores) {
    o << (first ? "" : ",") << "{\"worker\":" << l.worker << ",\"lcore\":" << l.lcore
      << ",\"rx_pps\":" << num(static_cast<double>(l.rx) / s)
      << ",\"tx_pps\":" << num(static_cast<double>(l.tx) / s) << ",\"busy\":"
      << num(l.total ? static_cast<double>(l.busy) / static_cast<double>(l.total) : 0) << "}";
    first = false;
  }
  o << "]}";
  return o.str();
}

void print_trial(const char* what, const Trial& t) {
  const TrialResult& r = t.r;
  const double s = r.seconds > 0 ? r.seconds : 1;
  std::printf(
      "  %-9s target %10.0f pps: in %10.0f pps, out %10.0f pps (%llu/%llu)%s%s, verified %llu "
      "fail %llu, latency p50 %.1f p99 %.1f p99.9 %.1f us\n",
      what, r.target_pps, static_cast<double>(r.sent) / s, static_cast<double>(r.received) / s,
      static_cast<unsigned long long>(r.received), static_cast<unsigned long long>(r.expected),
      t.pass ? " PASS" : " FAIL", r.generator_limited ? " (generator-limited)" : "",
      static_cast<unsigned long long>(r.verified),
      static_cast<unsigned long long>(r.verify_failures), r.latency_p50_us, r.latency_p99_us,
      r.latency_p999_us);
  for (const auto& [k, v] : t.drops) {
    std::printf("            drop %s: %llu\n", k.c_str(), static_cast<unsigned long long>(v));
  }
  std::fflush(stdout);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

int run_all(const Options& o, uint16_t port_id) {
  DataplaneSession dp;
  DataplaneInfo info;
  if (o.loopback) {
    rte_ether_addr a;
    rte_eth_macaddr_get(port_id, &a);
    info = loopback_info(o.address, a.addr_bytes);
  } else if (std::string e = dp.connect(o.socket); !e.empty()) {
    std::fprintf(stderr, "fanout-pktgen: %s\n", e.c_str());
    return 2;
  } else {
    info = dp.info();
  }
  const uint16_t workers = static_cast<uint16_t>(info.worker_lcores.size());
  rte_eth_dev_info dev{};
  rte_eth_dev_info_get(port_id, &dev);
  char port_name[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(port_id, port_name);
  std::printf("fanout-pktgen: %s, %u worker(s), data plane at %s; our port %s (%s)\n",
              info.server.c_str(), workers, info.address.c_str(), port_name, dev.driver_name);
  if (workers > 8) {
    std::fprintf(stderr, "fanout-pktgen: at most 8 data plane workers (queues) are supported\n");
    return 2;
  }
  rte_mempool* pool = rte_pktmbuf_pool_create("pktgen_pool", 16383, 256, 0,
                                              RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
  if (!pool) {
    std::fprintf(stderr, "fanout-pktgen: mbuf pool: %s\n", rte_strerror(rte_errno));
    return 2;
  }
  Generator gen(port_id, workers, pool);
  if (std::string e = gen.start_port(); !e.empty()) {
    std::fprintf(stderr, "fanout-pktgen: %s\n", e.c_str());
    return 2;
  }
  // Ethernet preamble + start delimiter + FCS + inter-frame gap: bits on a real wire.
  const double wire_overhead = 24;
  std::map<std::string, CryptoBound> bounds;
  std::ostringstream js;
  js << "{\"machine\":{\"cpu\":" << quote(cpu_model())
     << ",\"cpus_online\":" << std::thread::hardware_concurrency()
     << ",\"tsc_hz\":" << rte_get_tsc_hz() << ",\"dpdk\":" << quote(rte_version())
     << ",\"pmd\":" << quote(dev.driver_name ? dev.driver_name : "?")
     << ",\"port\":" << quote(port_name) << ",\"dataplane\":" << quote(info.server)
     << ",\"dataplane_workers\":" << workers << "},\"scenarios\":[";
  int rc = 0;
  bool first_scenario = true;
  for (const std::string& text : o.scenarios) {
    // NAME:PROFILE:SIZE
    size_t c1 = text.find(':'), c2 = text.rfind(':');
    SrtpProfile profile;
    ScenarioSpec spec;
    std::string error;
    if (c1 == std::string::npos || c2 == c1 ||
        !parse_profile(text.substr(c1 + 1, c2 - c1 - 1), &profile) ||
        !ScenarioSpec::parse(text.substr(0, c1), profile,
                             static_cast<size_t>(std::atoi(text.c_str() + c2 + 1)), &spec,
                             &error)) {
      std::fprintf(stderr, "fanout-pktgen: --scenario %s: %s\n", text.c_str(),
                   error.empty() ? "expected NAME:none|cm80|gcm128:SIZE" : error.c_str());
      return 2;
    }
    Scenario s;
    if (o.loopback) {
      if (spec.receivers != 1 || spec.senders != 1 || spec.profile != SrtpProfile::kNone) {
        std::fprintf(stderr, "fanout-pktgen: --loopback: only 1x1:none:SIZE\n");
        return 2;
      }
      s = loopback_scenario(spec);
    } else if (std::string e = dp.create(spec, o.address, &s); !e.empty()) {
      std::fprintf(stderr, "fanout-pktgen: %s: setup: %s\n", spec.label().c_str(), e.c_str());
      dp.destroy(s);
      return 2;
    }
    const double fan =
        static_cast<double>(s.total_fanout()) / static_cast<double>(s.producers.size());
    std::printf("%s: %zu producer(s), %zu consumer(s) on %zu+%zu transports, %s, %zu B RTP\n",
                spec.label().c_str(), s.producers.size(), s.consumers.size(),
                s.producer_transports.size(), s.consumer_transports.size(),
                profile_name(spec.profile), spec.rtp_size);
    std::string e = gen.load(s, info, o.address);
    if (e.empty()) e = gen.prime();
    if (!e.empty()) {
      std::fprintf(stderr, "fanout-pktgen: %s: %s\n", spec.label().c_str(), e.c_str());
      dp.destroy(s);
      return 1;
    }
    std::vector<Trial> trials;
    std::vector<std::pair<int, Trial>> latency;
    double ndr = 0;
    int ndr_trial = -1;
    if (o.mode == "fixed") {
      trials.push_back(run(gen, dp, o.rate, o.duration, o.tolerance));
      print_trial("fixed", trials.back());
      const Trial& t = trials.back();
      if (t.pass) ndr = o.rate, ndr_trial = 0;
      if (o.check && (!t.pass || t.r.verified == 0 || t.r.verify_failures != 0)) rc = 1;
    } else {
      // RFC 2544-style: the first trial unpaced gives the forwarding capacity; then bisection
      // between the best passing and the lowest failing rate, at most max_trials in all.
      trials.push_back(run(gen, dp, 0, o.duration, o.tolerance));
      print_trial("unpaced", trials.back());
      const Trial& t0 = trials.back();
      const double d = t0.r.seconds;
      if (t0.pass) {
        ndr = static_cast<double>(t0.r.sent) / d, ndr_trial = 0;
      } else {
        const double cap = static_cast<double>(t0.r.received) / fan / d;
        double lo = 0, hi = std::min(static_cast<double>(t0.r.offered) / d, cap * 1.02);
        double rate = cap * 0.98;
        for (int k = 1; k < o.max_trials && rate > 0; ++k) {
          trials.push_back(run(gen, dp, rate, o.duration, o.tolerance));
          const Trial& t = trials.back();
          print_trial("search", t);
          // A trial the generator could not offer in full says nothing about higher rates.
          if (t.pass) {
            lo = rate, ndr = rate, ndr_trial = static_cast<int>(trials.size() - 1);
            if (t.r.generator_limited) break;
          } else {
            hi = rate;
          }
          if (hi - lo <= 0.01 * hi) break;
          rate = (lo + hi) / 2;
        }
      }
      if (ndr > 0) {
        for (int pct : {10, 50, 90}) {
          latency.emplace_back(pct, run(gen, dp, ndr * pct / 100.0, o.duration, o.tolerance,
                                                  static_cast<uint16_t>(o.latency_burst)));
          print_trial((std::to_string(pct) + "% ndr").c_str(), latency.back().second);
        }
      }
    }
    if (!bounds.count(std::string(profile_label(profile)) + std::to_string(spec.rtp_size)) &&
        o.bound_seconds > 0) {
      bounds[std::string(profile_label(profile)) + std::to_string(spec.rtp_size)] =
          measure_crypto_bound(profile, spec.rtp_size, o.bound_seconds);
    }
    const CryptoBound bound =
        bounds[std::string(profile_label(profile)) + std::to_string(spec.rtp_size)];
    double out_per_core = 0;
    if (ndr_trial >= 0) {
      const Trial& t = trials[static_cast<size_t>(ndr_trial)];
      out_per_core = static_cast<double>(t.r.received) / t.r.seconds / workers;
      std::printf("  => no-drop rate %.0f pps in, %.0f pps out (%.0f per worker core)", ndr,
                  ndr * fan, out_per_core);
      if (bound.evp_pps > 0) {
        std::printf(", %.2f of the EVP bound (%.0f pps), %.2f of libsrtp (%.0f)",
                    out_per_core / bound.evp_pps, bound.evp_pps,
                    bound.libsrtp_pps > 0 ? out_per_core / bound.libsrtp_pps : 0,
                    bound.libsrtp_pps);
      }
      std::printf("\n");
    } else {
      std::printf("  => no passing trial\n");
    }
    if (!first_scenario) js << ",";
    first_scenario = false;
    js << "{\"scenario\":" << quote(spec.name) << ",\"profile\":" << quote(profile_label(profile))
       << ",\"profile_name\":" << quote(profile_name(profile)) << ",\"rtp_bytes\":" << spec.rtp_size
       << ",\"rooms\":" << spec.rooms << ",\"producers\":" << s.producers.size()
       << ",\"consumers\":" << s.consumers.size()
       << ",\"transports\":" << s.producer_transports.size() + s.consumer_transports.size()
       << ",\"fanout\":" << num(fan) << ",\"mode\":" << quote(o.mode)
       << ",\"trial_seconds\":" << num(o.duration)
       << ",\"latency_burst\":" << o.latency_burst << ",\"ndr_in_pps\":" << num(ndr)
       << ",\"ndr_out_pps\":" << num(ndr * fan)
       << ",\"ndr_out_pps_per_worker\":" << num(out_per_core) << ",\"ndr\":"
       << (ndr_trial >= 0 ? trial_json(trials[static_cast<size_t>(ndr_trial)], wire_overhead)
                          : "null")
       << ",\"crypto_bound\":{\"evp_pps\":" << num(bound.evp_pps)
       << ",\"evp_cycles\":" << num(bound.evp_cycles)
       << ",\"libsrtp_pps\":" << num(bound.libsrtp_pps) << ",\"ours_pps\":" << num(bound.ours_pps)
       << "}"
       << ",\"ratio_to_evp_bound\":" << num(bound.evp_pps > 0 ? out_per_core / bound.evp_pps : 0)
       << ",\"ratio_to_libsrtp\":"
       << num(bound.libsrtp_pps > 0 ? out_per_core / bound.libsrtp_pps : 0) << ",\"latency\":[";
    for (size_t i = 0; i < latency.size(); ++i) {
      js << (i ? "," : "") << "{\"percent_of_ndr\":" << latency[i].first
         << ",\"trial\":" << trial_json(latency[i].second, wire_overhead) << "}";
    }
    js << "],\"trials\":[";
    for (size_t i = 0; i < trials.size(); ++i) {
      js << (i ? "," : "") << trial_json(trials[i], wire_overhead);
    }
    js << "]}";
    if (std::string e = o.loopback ? "" : dp.destroy(s); !e.empty()) {
      std::fprintf(stderr, "fanout-pktgen: teardown: %s\n", e.c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the workers detach
  }
  js << "]}\n";
  if (!o.json.empty()) {
    std::ofstream(o.json) << js.str();
  }
  rte_eth_dev_stop(port_id);
  return rc;
}

}  // namespace
}  // namespace fanout::dp::pktgen

int main(int argc, char** argv) {
  using namespace fanout::dp::pktgen;
  int n = rte_eal_init(argc, argv);
  if (n < 0) {
    std::fprintf(stderr, "fanout-pktgen: rte_eal_init failed (EAL arguments come first)\n");
    return 2;
  }
  argc -= n;
  argv += n;
  Options o;
  std::string error;
  if (!parse_options(argc, argv, &o, &error)) {
    std::fprintf(stderr, "fanout-pktgen: %s\n%s", error.c_str(), kUsage);
    return 2;
  }
  if (srtp_init() != srtp_err_status_ok) {
    std::fprintf(stderr, "fanout-pktgen: srtp_init failed\n");
    return 2;
  }
  uint16_t port = 0;
  if (!o.port.empty()) {
    if (rte_eth_dev_get_port_by_name(o.port.c_str(), &port) != 0) {
      std::fprintf(stderr, "fanout-pktgen: no DPDK port %s\n", o.port.c_str());
      return 2;
    }
  } else if (rte_eth_dev_count_avail() == 0) {
    std::fprintf(stderr, "fanout-pktgen: no DPDK port (give --vdev net_memif0,... or a NIC)\n");
    return 2;
  } else {
    RTE_ETH_FOREACH_DEV(port) break;
  }
  int rc = run_all(o, port);
  rte_eal_cleanup();
  return rc;
}

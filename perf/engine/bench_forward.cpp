// The forwarding path end to end, in process: one producer transport sends SRTP (or plain RTP) to
// N consumer transports through a real Dataplane with a net_ring port. Per iteration a burst of
// 32 frames is put on the RX ring and the workers are polled (from this thread) until every one
// of the 32 * N output frames is on the TX rings. Measures TSC cycles per input and per output
// packet (median over bursts); everything happens on one core, so packets/s per core follow.
// Also the classify + dispatch + drop path alone (RTP for a transport without a producer).
//
// Run: ninja -C <build> perf/engine/bench_forward && <build>/perf/engine/bench_forward
// Figures and how to read them: perf/README.md.
#include <benchmark/benchmark.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_version.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_forward_commit.hpp"
#include "dataplane/engine/dataplane.hpp"
#include "dataplane/net/packet.hpp"
#include "dataplane/srtp/srtp_session.hpp"
#include "perf/engine/frames.hpp"

#include "perf/engine/forward_rig.hpp"

namespace fanout::dp::bench {
namespace {

void BM_Forward(benchmark::State& state, uint16_t workers, int consumers, Prof prof,
                size_t rtp_size) {
  Rig* rig = Rig::get(workers);
  if (!rig->ok()) return state.SkipWithError(("data plane setup: " + rig->error()).c_str());
  std::string error;
  auto scenario = std::make_unique<Scenario>(*rig, prof);
  const bool plain = prof == Prof::kNone;
  net::Tuple producer_tuple = remote_tuple(1, 0);
  if (!scenario->add_transport(0, producer_tuple, plain, true, false, &error) ||
      !scenario->add_producer(scenario->peers()[0].id, &error)) {
    return state.SkipWithError(error.c_str());
  }
  for (int i = 0; i < consumers; ++i) {
    uint16_t w = consumer_worker(workers, i);
    if (!scenario->add_transport(w, remote_tuple(2, static_cast<uint16_t>(i)), plain, false, true,
                                 &error) ||
        !scenario->add_consumer(scenario->peers().back().id, 0x20000u + static_cast<uint32_t>(i),
                                &error)) {
      return state.SkipWithError(error.c_str());
    }
  }
  const uint16_t rx_worker = workers > 1 ? 1 : 0;
  Sender sender(prof, scenario->peers()[0].key, scenario->peers()[0].tuple, rig->our_mac(),
                rtp_size);
  if (!sender.ok()) return state.SkipWithError("producer SRTP session");
  // Checked: the first and the last consumer (different workers when there are two).
  std::vector<std::unique_ptr<Receiver>> receivers;
  for (int i : {0, consumers - 1}) {
    const Peer& c = scenario->peers()[static_cast<size_t>(1 + i)];
    receivers.push_back(std::make_unique<Receiver>(prof, c.key, 0x20000u + static_cast<uint32_t>(i),
                                                   c.tuple.remote_port));
    if (consumers == 1) break;
  }

  const size_t expect = size_t{kBurstIn} * static_cast<size_t>(consumers);
  std::vector<rte_mbuf*> out(expect + 64);
  std::vector<const std::vector<uint8_t>*> burst;
  uint64_t verified = 0;
  bool failed = false;

  // One burst: inject (not timed: the NIC's work), poll until all output is on the TX rings
  // (timed), then free or check it (not timed).
  auto run_burst = [&](bool verify, uint64_t* ticks) -> bool {
    uint16_t first_seq;
    sender.next_burst(&burst, &first_seq);
    if (!rig->inject(rx_worker, burst)) {
      error = "inject failed (pool or RX ring exhausted)";
      return false;
    }
    size_t got = 0;
    int polls = 0;
    const uint64_t t0 = rte_rdtsc_precise();
    while (got < expect) {
      rig->dp().poll_workers();
      for (uint16_t w = 0; w < workers; ++w) {
        got += rte_ring_dequeue_burst(rig->tx(w), reinterpret_cast<void**>(out.data() + got),
                                      static_cast<unsigned>(out.size() - got), nullptr);
      }
      if (++polls == kMaxPollsPerBurst) break;
    }
    const uint64_t t1 = rte_rdtsc_precise();
    *ticks = t1 - t0;
    bool good = got == expect;
    if (!good) error = "burst output: " + std::to_string(got) + " of " + std::to_string(expect);
    if (verify && good) {
      for (auto& r : receivers) {
        uint16_t k = 0;
        for (size_t i = 0; i < got; ++i) {
          net::PacketView v;
          const uint8_t* f = rte_pktmbuf_mtod(out[i], const uint8_t*);
          if (rte_pktmbuf_is_contiguous(out[i]) == 0 ||
              net::parse_frame(f, rte_pktmbuf_data_len(out[i]), v).has_value()) {
            error = "output frame does not parse";
            good = false;
            break;
          }
          if (v.dst_port != r->port()) continue;
          if (!r->check(f + v.payload_offset, v.payload_len, static_cast<uint16_t>(first_seq + k),
                        rtp_size)) {
            error = "output to port " + std::to_string(r->port()) + " does not decrypt or differs";
            good = false;
            break;
          }
          ++k;
          ++verified;
        }
        if (good && k != kBurstIn) {
          error = "consumer got " + std::to_string(k) + " packets of a burst";
          good = false;
        }
      }
    }
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(got));
    return good;
  };

  uint64_t ticks = 0;
  for (int i = 0; i < kWarmupBursts && !failed; ++i) failed = !run_burst(true, &ticks);
  rig->settle(2);
  const uint64_t drops_before = total_drops(rig->dp());
  const double tsc_hz = static_cast<double>(rte_get_tsc_hz());
  Samples samples;
  samples.ticks.reserve(static_cast<size_t>(state.max_iterations));
  int64_t n = 0;
  for (auto _ : state) {
    if (failed) break;
    failed = !run_burst(n % kVerifyEvery == 0, &ticks);
    samples.ticks.push_back(ticks);
    state.SetIterationTime(static_cast<double>(ticks) / tsc_hz);
    ++n;
  }
  if (!failed) failed = !run_burst(true, &ticks);  // the last burst is checked too
  const uint64_t drops = total_drops(rig->dp()) - drops_before;
  scenario.reset();
  if (failed) return state.SkipWithError(error.c_str());

  const double med = static_cast<double>(samples.quantile(0.5));
  const double p90 = static_cast<double>(samples.quantile(0.9));
  const double outs = static_cast<double>(expect);
  state.counters["cyc/pkt_in"] = med / kBurstIn;
  state.counters["cyc/pkt_in_p90"] = p90 / kBurstIn;
  state.counters["cyc/pkt_out"] = med / outs;
  state.counters["pkts_in/s"] = tsc_hz * kBurstIn / med;
  state.counters["pkts_out/s"] = tsc_hz * outs / med;
  state.counters["verified"] = static_cast<double>(verified);
  state.counters["drops"] = static_cast<double>(drops);
  state.SetItemsProcessed(n * kBurstIn);
  state.SetLabel(std::string(prof_label(prof)) + " " + std::to_string(rtp_size) + "B 1->" +
                 std::to_string(consumers) + " on " + std::to_string(workers) + " worker" +
                 (workers > 1 ? "s" : ""));
}

// RX, classify, dispatch (by 5-tuple) and the drop of RTP whose SSRC belongs to no producer: the
// floor under every packet. On 2 workers the frames arrive on the non-owner and are handed off.
void BM_DispatchDrop(benchmark::State& state, uint16_t workers) {
  Rig* rig = Rig::get(workers);
  if (!rig->ok()) return state.SkipWithError(("data plane setup: " + rig->error()).c_str());
  std::string error;
  auto scenario = std::make_unique<Scenario>(*rig, Prof::kCm80);
  net::Tuple tuple = remote_tuple(3, 0);
  if (!scenario->add_transport(0, tuple, false, true, true, &error)) {
    return state.SkipWithError(error.c_str());
  }
  std::vector<std::vector<uint8_t>> frames(kBurstIn);
  std::vector<const std::vector<uint8_t>*> burst;
  std::vector<uint8_t> rtp(160);
  for (uint16_t i = 0; i < kBurstIn; ++i) {
    rtp_packet(rtp.data(), rtp.size(), i, i * 3000u, 0xdead0000u + i, kPt);
    frames[i] = udp_frame(tuple, rtp.data(), rtp.size(), rig->our_mac());
    burst.push_back(&frames[i]);
  }
  const uint16_t rx_worker = workers > 1 ? 1 : 0;
  const uint64_t& dropped =
      rig->dp().worker(0).counters().drops[static_cast<size_t>(Drop::kUnknownSsrc)];
  const double tsc_hz = static_cast<double>(rte_get_tsc_hz());
  Samples samples;
  samples.ticks.reserve(static_cast<size_t>(state.max_iterations));
  bool failed = false;
  int64_t n = 0;
  const uint64_t at_start = dropped;
  for (auto _ : state) {
    if (!rig->inject(rx_worker, burst)) {
      failed = true, error = "inject failed";
      break;
    }
    const uint64_t want = dropped + kBurstIn;
    int polls = 0;
    const uint64_t t0 = rte_rdtsc_precise();
    while (dropped < want && ++polls < kMaxPollsPerBurst) rig->dp().poll_workers();
    const uint64_t t1 = rte_rdtsc_precise();
    if (dropped != want) {
      failed = true, error = "the burst was not dropped as unknown_ssrc";
      break;
    }
    samples.ticks.push_back(t1 - t0);
    state.SetIterationTime(static_cast<double>(t1 - t0) / tsc_hz);
    ++n;
  }
  const uint64_t counted = dropped - at_start;
  const size_t sent = rig->drain_tx();
  scenario.reset();
  if (failed) return state.SkipWithError(error.c_str());
  if (sent != 0) return state.SkipWithError("the drop path transmitted something");
  const double med = static_cast<double>(samples.quantile(0.5));
  state.counters["cyc/pkt"] = med / kBurstIn;
  state.counters["cyc/pkt_p90"] = static_cast<double>(samples.quantile(0.9)) / kBurstIn;
  state.counters["pkts/s"] = tsc_hz * kBurstIn / med;
  state.counters["dropped"] = static_cast<double>(counted);
  state.SetItemsProcessed(n * kBurstIn);
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

// Fixed burst counts rather than a minimum time: the fan-out to 100 costs 100x the fan-out to 1
// per burst, and a fixed count keeps the whole run bounded (run-micro) with enough samples for a
// stable median.
int64_t bursts_for(int consumers) {
  return std::max<int64_t>(150, 3000 / consumers);
}

void register_all() {
  for (uint16_t workers : {1, 2}) {
    std::string w = "/workers:" + std::to_string(workers);
    benchmark::RegisterBenchmark(("engine_dispatch_drop" + w).c_str(), BM_DispatchDrop, workers)
        ->UseManualTime()
        ->Iterations(3000)
        ->Unit(benchmark::kMicrosecond);
    for (Prof prof : {Prof::kNone, Prof::kCm80, Prof::kGcm128}) {
      for (size_t size : {160, 1200}) {
        for (int consumers : {1, 10, 100}) {
          std::string name = std::string("engine_forward") + w +
                             "/consumers:" + std::to_string(consumers) +
                             "/srtp:" + prof_label(prof) + "/bytes:" + std::to_string(size);
          benchmark::RegisterBenchmark(name.c_str(), BM_Forward, workers, consumers, prof, size)
              ->UseManualTime()
              ->Iterations(bursts_for(consumers))
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
}

}  // namespace
}  // namespace fanout::dp::bench

int main(int argc, char** argv) {
  using namespace fanout::dp::bench;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const char* eal_args[] = {"bench_forward", "--no-huge",     "-m",          "1024",
                            "--no-shconf",   "--no-pci",      "--lcores",    "0@0",
                            "--file-prefix", "bench_forward", "--log-level", "*:warning"};
  int eal_argc = sizeof(eal_args) / sizeof(eal_args[0]);
  if (rte_eal_init(eal_argc, const_cast<char**>(eal_args)) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    return 1;
  }
  if (srtp_init() != srtp_err_status_ok) {
    std::fprintf(stderr, "srtp_init failed\n");
    return 1;
  }
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("cpus_online", std::to_string(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("tsc_hz", std::to_string(rte_get_tsc_hz()));
  benchmark::AddCustomContext("dpdk", rte_version());
  benchmark::AddCustomContext("commit", FANOUT_BENCH_COMMIT);
  benchmark::AddCustomContext(
      "method",
      "in-process Dataplane, net_ring port, EAL --no-huge --lcores 0@0, workers polled from the "
      "benchmark thread (all on one core). Per iteration: 32 pre-built frames are copied into "
      "mbufs from the engine's pool and put on the RX ring (not timed); timed with rdtsc: the "
      "workers are polled until all 32 x N outputs are on the TX rings (RX burst, classify, "
      "dispatch, handoff, SRTP unprotect once, per consumer rewrite + SRTP protect, TX burst). "
      "cyc/pkt_in and cyc/pkt_out: median TSC cycles per burst / 32 and / (32 x N); pkts/s per "
      "core = TSC Hz / those. Every 64th burst the outputs of the first and last consumer are "
      "decrypted with libsrtp and compared with the plaintext (not timed). Setup: real ICE "
      "checks, keys through the Controller, as the control plane does.");
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  Rig::release();
  rte_eal_cleanup();
  return 0;
}

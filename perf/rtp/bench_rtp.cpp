// Per-packet cost of the RTP fast path: parse a producer packet, then rewrite SSRC, PT, sequence
// number and timestamp for each consumer, over bursts of 32 (perf/rtp/bench_rtp).
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <array>
#include <cstring>
#include <vector>

#include "dataplane/rtp/rtp_packet.hpp"
#include "dataplane/rtp/seq_manager.hpp"
#include "dataplane/rtp/ts_rewriter.hpp"
#include "perf/rtp/bench_main.hpp"

namespace {

using namespace fanout::dp::rtp;
namespace bench = fanout::dp::rtp::bench;

constexpr size_t kBurst = 32;
constexpr size_t kPacketSize = 1200;

// A Chrome-like VP8 packet: abs-send-time, transport-cc and mid one-byte extensions.
std::vector<uint8_t> make_packet() {
  const uint8_t header[] = {0x90, 0xe0, 0x12, 0x34, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad,
                            0xbe, 0xef, 0xbe, 0xde, 0x00, 0x03, 0x22, 0x12, 0x34, 0x56,
                            0x31, 0x00, 0x2a, 0x40, 0x30, 0x00, 0x00, 0x00};
  std::vector<uint8_t> p(kPacketSize, 0x5a);
  std::memcpy(p.data(), header, sizeof(header));
  return p;
}

struct Consumer {
  uint32_t ssrc;
  uint8_t pt;
  SeqManager seq;
  TsRewriter ts;
};

void BM_ParseAndRewrite(benchmark::State& state) {
  const size_t consumers = static_cast<size_t>(state.range(0));
  std::array<std::vector<uint8_t>, kBurst> burst;
  for (auto& p : burst) p = make_packet();
  std::vector<Consumer> cons;
  for (size_t c = 0; c < consumers; ++c)
    cons.push_back({static_cast<uint32_t>(0x1000 + c), 101, SeqManager(static_cast<uint16_t>(c)),
                    TsRewriter(static_cast<uint32_t>(c))});
  uint16_t in_seq = 0;
  uint32_t in_ts = 0;
  uint64_t now_us = 0;
  bench::CycleSamples cycles(state);
  for (auto _ : state) {
    uint64_t t0 = __rdtsc();
    for (auto& p : burst) {
      // A new producer packet arrives (sequence and timestamp advance).
      store_be16(p.data() + 2, in_seq++);
      store_be32(p.data() + 4, in_ts += 3000);
      RtpView v;
      if (v.parse(p.data(), p.size()) != RtpStatus::kOk) state.SkipWithError("parse");
      RtpExtension twcc;
      benchmark::DoNotOptimize(v.find_extension(3, twcc));
      uint16_t seq = v.sequence();
      uint32_t ts = v.timestamp();
      for (auto& c : cons) {
        uint16_t out;
        if (!c.seq.input(seq, out)) continue;
        v.set_sequence(out);
        v.set_timestamp(c.ts.rewrite(ts, now_us, 90000));
        v.set_ssrc(c.ssrc);
        v.set_payload_type(c.pt);
        benchmark::ClobberMemory();
      }
      now_us += 1000;
    }
    cycles.add(__rdtsc() - t0);
  }
  cycles.report(state, "cycles/pkt", kBurst);
  cycles.report(state, "cycles/pkt/consumer", static_cast<double>(kBurst * consumers));
  state.counters["pkts/s"] = benchmark::Counter(static_cast<double>(kBurst),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ParseAndRewrite)->Arg(1)->Arg(8)->Arg(32);

void BM_ParseOnly(benchmark::State& state) {
  std::array<std::vector<uint8_t>, kBurst> burst;
  for (auto& p : burst) p = make_packet();
  bench::CycleSamples cycles(state);
  for (auto _ : state) {
    uint64_t t0 = __rdtsc();
    for (auto& p : burst) {
      RtpView v;
      benchmark::DoNotOptimize(v.parse(p.data(), p.size()));
      benchmark::DoNotOptimize(v.payload_size());
    }
    cycles.add(__rdtsc() - t0);
  }
  cycles.report(state, "cycles/pkt", kBurst);
}
BENCHMARK(BM_ParseOnly);

}  // namespace

FANOUT_RTP_BENCH_MAIN("__rdtsc around each burst of 32 packets; cycles/pkt = TSC ticks / packets")

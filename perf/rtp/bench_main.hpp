// Shared main for the rtp benchmarks: prints the commit and the method with the figures.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_commit.hpp"

namespace fanout::dp::rtp::bench {

// TSC ticks per measured unit, one sample per iteration: the median resists the preemptions of a
// shared machine that inflate the mean.
class CycleSamples {
 public:
  explicit CycleSamples(benchmark::State& state) { samples_.reserve(state.max_iterations); }
  void add(uint64_t ticks) { samples_.push_back(ticks); }
  // Sets "<name>" (mean) and "<name>_p50" (median), both divided by `per` units per sample.
  void report(benchmark::State& state, const char* name, double per) {
    if (samples_.empty()) return;
    double sum = 0;
    for (uint64_t s : samples_) sum += static_cast<double>(s);
    auto mid = samples_.begin() + static_cast<std::ptrdiff_t>(samples_.size() / 2);
    std::nth_element(samples_.begin(), mid, samples_.end());
    state.counters[name] = sum / static_cast<double>(samples_.size()) / per;
    state.counters[std::string(name) + "_p50"] = static_cast<double>(*mid) / per;
  }

 private:
  std::vector<uint64_t> samples_;
};

}  // namespace fanout::dp::rtp::bench

#define FANOUT_RTP_BENCH_MAIN(method)                                 \
  int main(int argc, char** argv) {                                   \
    benchmark::AddCustomContext("commit", FANOUT_BENCH_COMMIT);       \
    benchmark::AddCustomContext("method", method);                    \
    benchmark::Initialize(&argc, argv);                               \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    benchmark::RunSpecifiedBenchmarks();                              \
    benchmark::Shutdown();                                            \
    return 0;                                                         \
  }

// Per-request cost of answering an ICE connectivity check: parse + FINGERPRINT + MESSAGE-INTEGRITY
// on a browser-shaped Binding request, and building the success response (MI + FINGERPRINT).
// Run: ninja -C build perf/ice/bench_stun && build/perf/ice/bench_stun
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "dataplane/ice/crc32.hpp"
#include "dataplane/ice/stun.hpp"
#include "dataplane/ice/stun_response.hpp"
#include "dataplane/net/bytes.hpp"

namespace fanout::dp::ice {
namespace {

constexpr size_t kBatch = 32;

class CycleMeter {
 public:
  void add(uint64_t cycles) { samples_.push_back(cycles); }
  void report(benchmark::State& state) {
    state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(kBatch),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    if (samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    state.counters["cyc/msg"] = static_cast<double>(samples_[samples_.size() / 2]) / kBatch;
    state.counters["cyc/msg_p90"] =
        static_cast<double>(samples_[samples_.size() * 9 / 10]) / kBatch;
  }

 private:
  std::vector<uint64_t> samples_;
};

constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBtVOkJxbRl";

const HmacSha1Key& key() {
  static const HmacSha1Key k(reinterpret_cast<const uint8_t*>(kPassword.data()), kPassword.size());
  return k;
}

// A Chrome-shaped nominating request: USERNAME (4+4 ufrags), GOOG-NETWORK-INFO, ICE-CONTROLLING,
// USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT: 104 bytes. Built with our own response
// writer's primitives would be circular, so it is assembled here field by field.
std::vector<uint8_t> request() {
  std::vector<uint8_t> m = {0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1,  2,
                            3,    4,    5, 6, 7,    8,    9,    10,   11, 12};
  auto attr = [&](uint16_t t, std::vector<uint8_t> v) {
    m.push_back(static_cast<uint8_t>(t >> 8));
    m.push_back(static_cast<uint8_t>(t));
    m.push_back(0);
    m.push_back(static_cast<uint8_t>(v.size()));
    m.insert(m.end(), v.begin(), v.end());
    while (m.size() % 4) m.push_back(0);
  };
  attr(kAttrUsername, {'a', 'b', 'c', 'd', ':', 'w', 'x', 'y', 'z'});
  attr(0xc057, {0, 1, 0, 10});
  attr(kAttrIceControlling, {1, 2, 3, 4, 5, 6, 7, 8});
  attr(kAttrUseCandidate, {});
  attr(kAttrPriority, {0x6e, 0x7f, 0x1e, 0xff});
  const size_t mi = m.size();
  net::store_be16(m.data() + 2, static_cast<uint16_t>(mi + 24 - 20));
  attr(kAttrMessageIntegrity, std::vector<uint8_t>(20));
  key().mac(m.data(), mi, m.data() + mi + 4);
  net::store_be16(m.data() + 2, static_cast<uint16_t>(m.size() + 8 - 20));
  const size_t fp = m.size();
  attr(kAttrFingerprint, {0, 0, 0, 0});
  net::store_be32(m.data() + fp + 4, crc32(0, m.data(), fp) ^ kFingerprintXor);
  return m;
}

void BM_ParseAndVerify(benchmark::State& state) {
  const auto req = request();
  CycleMeter meter;
  size_t ok = 0;
  for (auto _ : state) {
    const uint64_t t0 = __rdtsc();
    for (size_t i = 0; i < kBatch; ++i) {
      StunMessage m;
      if (parse_stun(req.data(), req.size(), m) == StunStatus::kOk && verify_fingerprint(m) &&
          verify_message_integrity(m, key()) && local_ufrag(m.username()).size() == 4) {
        ++ok;
      }
    }
    meter.add(__rdtsc() - t0);
  }
  if (ok != state.iterations() * kBatch) state.SkipWithError("request did not verify");
  state.SetLabel(std::to_string(req.size()) + "B request");
  meter.report(state);
}

void BM_ParseOnly(benchmark::State& state) {
  const auto req = request();
  CycleMeter meter;
  for (auto _ : state) {
    const uint64_t t0 = __rdtsc();
    for (size_t i = 0; i < kBatch; ++i) {
      StunMessage m;
      benchmark::DoNotOptimize(parse_stun(req.data(), req.size(), m));
      benchmark::DoNotOptimize(m);
    }
    meter.add(__rdtsc() - t0);
  }
  meter.report(state);
}

void BM_BuildSuccess(benchmark::State& state) {
  const auto req = request();
  const bool v6 = state.range(0) != 0;
  const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const net::IpAddr mapped = v6 ? net::IpAddr::v6(a6) : net::IpAddr::v4_host(0xc0000201);
  uint8_t out[kMaxStunResponseLen];
  CycleMeter meter;
  for (auto _ : state) {
    const uint64_t t0 = __rdtsc();
    for (size_t i = 0; i < kBatch; ++i) {
      benchmark::DoNotOptimize(
          build_binding_success(out, sizeof(out), req.data() + 8, mapped, 50000, key()));
    }
    meter.add(__rdtsc() - t0);
  }
  state.SetLabel(v6 ? "ipv6" : "ipv4");
  meter.report(state);
}

BENCHMARK(BM_ParseAndVerify);
BENCHMARK(BM_ParseOnly);
BENCHMARK(BM_BuildSuccess)->Arg(0)->Arg(1);

}  // namespace
}  // namespace fanout::dp::ice

BENCHMARK_MAIN();

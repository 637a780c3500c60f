// Per-packet cost of the receive classification: Ethernet/IP/UDP parse (checksums in software or
// left to the NIC) + RFC 7983 demux, over a burst of 32 mixed frames (STUN, DTLS, RTP audio and
// video, RTCP; IPv4 and IPv6; one VLAN-tagged), and of building TX headers.
// Run: ninja -C build perf/net/bench_classify && build/perf/net/bench_classify
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "dataplane/net/builder.hpp"
#include "dataplane/net/demux.hpp"
#include "dataplane/net/packet.hpp"

namespace fanout::dp::net {
namespace {

constexpr size_t kBurst = 32;

// Median and p90 TSC cycles per packet over bursts: robust to preemption on a shared machine.
class CycleMeter {
 public:
  void add(uint64_t cycles) { samples_.push_back(cycles); }
  void report(benchmark::State& state, size_t per_sample) {
    state.counters["pkts/s"] = benchmark::Counter(static_cast<double>(per_sample),
                                                  benchmark::Counter::kIsIterationInvariantRate);
    if (samples_.empty()) return;
    std::sort(samples_.begin(), samples_.end());
    const double n = static_cast<double>(per_sample);
    state.counters["cyc/pkt"] = static_cast<double>(samples_[samples_.size() / 2]) / n;
    state.counters["cyc/pkt_p90"] = static_cast<double>(samples_[samples_.size() * 9 / 10]) / n;
  }

 private:
  std::vector<uint64_t> samples_;
};

std::vector<uint8_t> frame(bool v6, bool vlan, std::vector<uint8_t> payload) {
  Tuple t;
  if (v6) {
    const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    t = Tuple{IpAddr::v6(a), IpAddr::v6(b), 50000, 4443};
  } else {
    t = Tuple{IpAddr::v4_host(0xc6120001), IpAddr::v4_host(0xc6120002), 50000, 4443};
  }
  TxL2 l2;
  l2.vlan = vlan;
  const size_t hdr = udp_headers_size(v6 ? kFamilyV6 : kFamilyV4, vlan);
  std::vector<uint8_t> f(hdr + payload.size());
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(hdr));
  build_udp_headers(f.data(), hdr, t, l2, f.data() + hdr, payload.size());
  return f;
}

std::vector<uint8_t> rtp(size_t n) {
  std::vector<uint8_t> p(n, 0x5a);
  p[0] = 0x90;
  p[1] = 0x6f;
  return p;
}

// A realistic mix: mostly media, some RTCP, a little STUN and DTLS.
std::vector<std::vector<uint8_t>> burst() {
  std::vector<std::vector<uint8_t>> b;
  std::vector<uint8_t> stun(108, 0);
  stun[1] = 0x01;
  std::vector<uint8_t> dtls(120, 0);
  dtls[0] = 22;
  std::vector<uint8_t> rtcp(80, 0);
  rtcp[0] = 0x81;
  rtcp[1] = 201;
  for (size_t i = 0; i < kBurst; ++i) {
    const bool v6 = (i % 4) == 3;
    const bool vlan = (i % 8) == 5;
    switch (i % 8) {
      case 0:
        b.push_back(frame(v6, vlan, i == 0 ? stun : rtcp));
        break;
      case 1:
      case 2:
        b.push_back(frame(v6, vlan, rtp(160)));  // Opus
        break;
      case 7:
        b.push_back(frame(v6, vlan, i == 31 ? dtls : rtp(1200)));
        break;
      default:
        b.push_back(frame(v6, vlan, rtp(1200)));  // video
        break;
    }
  }
  return b;
}

void run_classify(benchmark::State& state, uint32_t flags) {
  const auto frames = burst();
  CycleMeter meter;
  uint64_t kinds[5] = {};
  for (auto _ : state) {
    const uint64_t t0 = __rdtsc();
    for (const auto& f : frames) {
      PacketView v;
      if (parse_frame(f.data(), f.size(), v, flags)) continue;
      const PayloadKind k = classify_payload(f.data() + v.payload_offset, v.payload_len);
      if (!check_payload(k, v.payload_len)) ++kinds[static_cast<size_t>(k)];
    }
    meter.add(__rdtsc() - t0);
  }
  benchmark::DoNotOptimize(kinds);
  if (kinds[static_cast<size_t>(PayloadKind::kRtp)] == 0) state.SkipWithError("no RTP classified");
  meter.report(state, kBurst);
}

void BM_ClassifySoftwareChecksums(benchmark::State& state) {
  run_classify(state, kParseDefault);
}
void BM_ClassifyNicChecksums(benchmark::State& state) {
  run_classify(state, kSkipIpv4Checksum | kSkipL4Checksum);
}

void BM_BuildHeaders(benchmark::State& state) {
  const bool v6 = state.range(0) != 0;
  const uint32_t flags = state.range(1) ? kOffloadIpv4Checksum | kOffloadUdpChecksum : 0;
  auto f = frame(v6, false, rtp(1200));
  const size_t hdr = udp_headers_size(v6 ? kFamilyV6 : kFamilyV4);
  Tuple t{IpAddr::v4_host(0xc6120002), IpAddr::v4_host(0xc6120001), 4443, 50000};
  if (v6) {
    PacketView v;
    parse_frame(f.data(), f.size(), v);
    t = Tuple{v.dst, v.src, v.dst_port, v.src_port};
  }
  TxL2 l2;
  CycleMeter meter;
  for (auto _ : state) {
    const uint64_t t0 = __rdtsc();
    for (size_t i = 0; i < kBurst; ++i) {
      benchmark::DoNotOptimize(
          build_udp_headers(f.data(), hdr, t, l2, f.data() + hdr, 1200, flags));
    }
    meter.add(__rdtsc() - t0);
  }
  state.SetLabel(std::string(v6 ? "ipv6" : "ipv4") + (flags ? " offload" : " sw-checksum") +
                 " 1200B");
  meter.report(state, kBurst);
}

BENCHMARK(BM_ClassifySoftwareChecksums);
BENCHMARK(BM_ClassifyNicChecksums);
BENCHMARK(BM_BuildHeaders)->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({1, 1});

}  // namespace
}  // namespace fanout::dp::net

BENCHMARK_MAIN();

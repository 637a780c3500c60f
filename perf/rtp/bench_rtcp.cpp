// Cost of walking typical RTCP compounds with their typed views, and of the rewrites the SFU
// applies when it forwards SR and PLI (perf/rtp/bench_rtcp).
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <vector>

#include "dataplane/rtp/rtcp.hpp"
#include "perf/rtp/bench_main.hpp"

namespace {

using namespace fanout::dp::rtp;
namespace bench = fanout::dp::rtp::bench;

// SR (1 report block) + SDES CNAME, as a browser sends them.
const std::vector<uint8_t> kSrSdes = {
    0x81, 0xc8, 0x00, 0x0c, 0x5d, 0x93, 0x15, 0x34, 0xdd, 0x3a, 0xc1, 0xb4, 0x76, 0x54, 0x71, 0x71,
    0x00, 0x08, 0xcf, 0x00, 0x00, 0x00, 0x0e, 0x18, 0x00, 0x08, 0xcf, 0x00, 0x02, 0xd0, 0x37, 0x02,
    0x0a, 0xff, 0xff, 0xfe, 0x00, 0x01, 0x12, 0x34, 0x00, 0x00, 0x00, 0x2a, 0xc1, 0xb4, 0x76, 0x54,
    0x00, 0x01, 0x00, 0x00, 0x81, 0xca, 0x00, 0x06, 0x5d, 0x93, 0x15, 0x34, 0x01, 0x10, 0x61, 0x62,
    0x63, 0x64, 0x45, 0x46, 0x47, 0x48, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x00, 0x00};
// RR + REMB + NACK, a receiver's compound.
const std::vector<uint8_t> kRrRembNack = {
    0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x8f, 0xce, 0x00, 0x06, 0xfa, 0x17,
    0xfa, 0x17, 0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0x4d, 0x42, 0x02, 0x01, 0xdf, 0x82,
    0x02, 0xd0, 0x37, 0x02, 0x04, 0xa7, 0x67, 0x47, 0x81, 0xcd, 0x00, 0x04, 0x00, 0x00,
    0x00, 0x01, 0x12, 0x34, 0x56, 0x78, 0x04, 0xd2, 0x00, 0x05, 0xff, 0xff, 0x80, 0x00};
const std::vector<uint8_t> kPli = {0x81, 0xce, 0x00, 0x02, 0x00, 0x00,
                                   0x00, 0x01, 0x12, 0x34, 0x56, 0x78};

// Walks the compound and reads what the engine reads from each packet.
uint64_t consume(uint8_t* data, size_t len) {
  uint64_t acc = 0;
  RtcpIterator it(data, len);
  RtcpPacket p;
  while (it.next(p)) {
    switch (static_cast<RtcpType>(p.packet_type())) {
      case RtcpType::kSr: {
        SrView sr;
        sr.parse(p);
        acc += sr.sender_ssrc() + sr.rtp_timestamp();
        for (size_t i = 0; i < sr.report_count(); ++i) acc += sr.report(i).ssrc();
        break;
      }
      case RtcpType::kRr: {
        RrView rr;
        rr.parse(p);
        acc += rr.sender_ssrc();
        break;
      }
      case RtcpType::kSdes: {
        SdesView s;
        s.parse(p);
        auto chunks = s.chunks();
        SdesChunk c;
        while (chunks.next(c)) acc += c.ssrc;
        break;
      }
      case RtcpType::kRtpfb:
      case RtcpType::kPsfb: {
        FeedbackView fb;
        fb.parse(p);
        acc += fb.media_ssrc();
        NackView n;
        if (n.parse(fb) == RtcpStatus::kOk) acc += n.pid(0);
        RembView r;
        if (r.parse(fb) == RtcpStatus::kOk) acc += r.bitrate();
        break;
      }
      default:
        break;
    }
  }
  return acc + static_cast<uint64_t>(it.status());
}

void run(benchmark::State& state, const std::vector<uint8_t>& pkt) {
  std::vector<uint8_t> buf = pkt;
  bench::CycleSamples cycles(state);
  for (auto _ : state) {
    uint64_t t0 = __rdtsc();
    benchmark::DoNotOptimize(consume(buf.data(), buf.size()));
    cycles.add(__rdtsc() - t0);
  }
  cycles.report(state, "cycles/compound", 1);
  state.counters["compounds/s"] =
      benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SrSdes(benchmark::State& state) {
  run(state, kSrSdes);
}
void BM_RrRembNack(benchmark::State& state) {
  run(state, kRrRembNack);
}
BENCHMARK(BM_SrSdes);
BENCHMARK(BM_RrRembNack);

// Producer SR → consumer: validate, rewrite SSRC and timestamp, strip the report blocks.
void BM_RewriteSrForConsumer(benchmark::State& state) {
  std::vector<uint8_t> buf = kSrSdes;
  bench::CycleSamples cycles(state);
  for (auto _ : state) {
    uint64_t t0 = __rdtsc();
    RtcpIterator it(buf.data(), buf.size());
    RtcpPacket p;
    SrView sr;
    if (it.next(p) && sr.parse(p) == RtcpStatus::kOk) {
      sr.rewrite_for_consumer(0xc0ffee, 1234);
      benchmark::DoNotOptimize(sr.strip_report_blocks());
    }
    cycles.add(__rdtsc() - t0);
    buf[0] = 0x81;  // restore RC=1 and the length for the next round
    buf[3] = 0x0c;
  }
  cycles.report(state, "cycles/pkt", 1);
}
BENCHMARK(BM_RewriteSrForConsumer);

// Consumer PLI → producer.
void BM_RewritePli(benchmark::State& state) {
  std::vector<uint8_t> buf = kPli;
  bench::CycleSamples cycles(state);
  for (auto _ : state) {
    uint64_t t0 = __rdtsc();
    RtcpIterator it(buf.data(), buf.size());
    RtcpPacket p;
    FeedbackView fb;
    if (it.next(p) && fb.parse(p) == RtcpStatus::kOk)
      benchmark::DoNotOptimize(rewrite_keyframe_request(fb, 1, fb.media_ssrc(), 2));
    cycles.add(__rdtsc() - t0);
  }
  cycles.report(state, "cycles/pkt", 1);
}
BENCHMARK(BM_RewritePli);

}  // namespace

FANOUT_RTP_BENCH_MAIN("__rdtsc around each compound; cycles = TSC ticks")

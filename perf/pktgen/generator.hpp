// The traffic side of fanout-pktgen, on one DPDK port and one lcore: sends the producers' RTP
// (SRTP-protected with their inbound keys by dataplane/srtp, live, so the ROC and replay state
// are real) at a TSC-paced rate in bursts of 32, each packet carrying its producer, extended
// sequence number and TSC in the payload; receives the data plane's output, maps every packet to
// its consumer (by SSRC and UDP port), measures its latency (TX burst TSC -> RX burst TSC, by the
// input sequence number recovered from the rewritten one) and checks 1 in 64 packets per consumer
// end to end: checksums, SRTP authentication and decryption with the consumer's outbound key by
// libsrtp (an independent implementation), SSRC, payload type, length and every payload byte.
#pragma once

#include <rte_mbuf.h>
#include <srtp2/srtp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/net/address.hpp"
#include "dataplane/srtp/srtp_session.hpp"
#include "perf/pktgen/histogram.hpp"
#include "perf/pktgen/scenario.hpp"

namespace fanout::dp::pktgen {

inline constexpr uint16_t kBurst = 32;
inline constexpr uint32_t kSampleEvery = 64;

struct TrialResult {
  double target_pps = 0;        // 0: unpaced (as fast as the port takes them)
  double seconds = 0;           // the TX window
  uint64_t offered = 0;         // packets built for the port
  uint64_t sent = 0;            // accepted by the port's TX queue
  uint64_t tx_rejected = 0;     // offered - sent: the port's ring was full (the data plane lags)
  uint64_t expected = 0;        // outputs the offered packets should make (fan-out of each)
  uint64_t received = 0;        // RTP outputs mapped to a consumer
  uint64_t received_bytes = 0;  // their frame bytes (Ethernet header to the end)
  uint64_t other = 0;           // frames that are not consumer RTP (RTCP, ARP, unknown)
  uint64_t verified = 0;        // sampled outputs that passed every check
  uint64_t verify_failures = 0;
  uint64_t latency_unmatched = 0;  // outputs whose input was no longer in the TX record
  bool generator_limited = false;  // the pktgen could not offer the target rate (>1% short)
  double latency_p50_us = 0, latency_p99_us = 0, latency_p999_us = 0, latency_max_us = 0,
         latency_mean_us = 0;
  uint64_t latency_samples = 0;
  std::vector<std::pair<double, double>> latency_quantiles;  // (q, µs): the distribution's shape
  bool passed(double tolerance) const;  // out == offered * fan-out within the tolerance
};

class Generator {
 public:
  Generator(uint16_t port, uint16_t queues, rte_mempool* pool);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Configures and starts the port (queues = the data plane's workers: with memif, queue i of
  // ours is queue i of the data plane's, so packets go straight to their owner) and waits for the
  // link.
  std::string start_port();
  const uint8_t* mac() const { return mac_; }

  // Per-scenario state: SRTP sessions, templates, verification sessions, TX records.
  std::string load(const Scenario& s, const DataplaneInfo& dp, const std::string& our_address);
  // One packet from every consumer transport's remote, so that the data plane learns where to
  // send (a Plain transport answers the MAC it heard from); then a short low-rate warm-up until
  // every consumer has delivered a verified packet. "" or what is missing.
  std::string prime();

  // burst: packets per TX burst for this trial (0: the scenario's, up to kBurst). Latency trials
  // send fewer at a time: a burst of 32 measures mostly the time the data plane takes to work
  // through the 31 packets ahead of each one, which browsers' packets arriving one by one do not
  // see.
  TrialResult run_trial(double rate_pps, double seconds, uint16_t burst = 0);

 private:
  struct ProducerState;
  struct ConsumerState;
  // hold: keep what the port refused and retry it first (unpaced trials); else count it lost.
  void send_burst(uint64_t now, bool hold, uint16_t count, TrialResult& r);
  bool retry_pending(TrialResult& r);
  void poll_rx(TrialResult& r);
  void handle_rx(rte_mbuf* m, uint64_t rx_tsc, TrialResult& r);
  bool verify(ConsumerState& c, uint8_t* frame, size_t len);
  std::string send_latch();

  uint16_t port_;
  uint16_t queues_;
  rte_mempool* pool_;
  uint8_t mac_[6] = {};
  uint8_t dp_mac_[6] = {};
  net::IpAddr our_ip_{}, dp_ip_{};
  const Scenario* scenario_ = nullptr;
  std::vector<std::unique_ptr<ProducerState>> producers_;
  std::vector<ConsumerState> consumers_;
  std::vector<srtp_t> verify_sessions_;   // per consumer transport
  std::vector<uint32_t> producer_order_;  // the round-robin over producers
  size_t rr_ = 0;
  uint16_t burst_ = kBurst;  // packets per TX burst: fewer for large fan-outs (load())
  uint64_t tsc_hz_;
  LatencyHistogram hist_;
  bool record_latency_ = true;
  struct Pending {
    rte_mbuf* m[kBurst];
    uint16_t n = 0, at = 0;
  };
  Pending pending_[8];
};

}  // namespace fanout::dp::pktgen

#include "perf/pktgen/generator.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "dataplane/net/builder.hpp"
#include "dataplane/net/packet.hpp"

namespace fanout::dp::pktgen {

namespace {

constexpr uint32_t kRing = 4096;         // TX records per producer (power of two)
constexpr uint32_t kMagic = 0x464f5047;  // "FOPG"
constexpr size_t kHdr = 14 + 20 + 8;     // Ethernet + IPv4 + UDP
constexpr uint16_t kDesc = 1024;
// Payload (after the 12-byte RTP header): magic, producer index, extended sequence, TSC.
constexpr size_t kMagicAt = 12, kProducerAt = 16, kSeqAt = 20, kTscAt = 24, kFillAt = 32;

inline void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24), p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8), p[3] = static_cast<uint8_t>(v);
}
inline uint32_t get32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
inline uint16_t get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint8_t fill_byte(uint32_t producer, size_t i) {
  return static_cast<uint8_t>(producer * 7 + i * 13);
}

}  // namespace

bool TrialResult::passed(double tolerance) const {
  if (expected == 0 || received > expected) return false;  // more out than in: duplicates
  return static_cast<double>(expected - received) <= static_cast<double>(expected) * tolerance;
}

struct Generator::ProducerState {
  uint32_t index = 0;
  uint16_t queue = 0;
  uint32_t fanout = 0;
  net::Tuple tuple{};  // local = ours, remote = the data plane's (the direction we send)
  std::unique_ptr<srtp::SrtpSession> session;
  srtp::SrtpSendState state{};
  std::vector<uint8_t> rtp;  // the plaintext packet, rewritten in place per packet
  uint32_t ext_seq = 0;
  uint32_t ts = 0;
  std::vector<uint64_t> ring_tsc = std::vector<uint64_t>(kRing, 0);
  std::vector<uint16_t> ring_seq = std::vector<uint16_t>(kRing, 0);
  std::vector<uint8_t> ring_valid = std::vector<uint8_t>(kRing, 0);
};

struct Generator::ConsumerState {
  uint32_t producer = 0;
  uint32_t transport = 0;
  uint32_t ssrc = 0;
  uint16_t remote_port = 0;
  uint64_t rx = 0;
  bool offset_known = false;
  uint16_t offset = 0;  // output sequence - input sequence
};

Generator::Generator(uint16_t port, uint16_t queues, rte_mempool* pool)
    : port_(port), queues_(queues), pool_(pool), tsc_hz_(rte_get_tsc_hz()), hist_(tsc_hz_) {}

Generator::~Generator() {
  for (srtp_t s : verify_sessions_) {
    if (s) srtp_dealloc(s);
  }
}

std::string Generator::start_port() {
  rte_eth_conf conf{};
  int rc = rte_eth_dev_configure(port_, queues_, queues_, &conf);
  if (rc != 0) return "rte_eth_dev_configure: " + std::string(rte_strerror(-rc));
  uint16_t rxd = kDesc, txd = kDesc;
  rte_eth_dev_adjust_nb_rx_tx_desc(port_, &rxd, &txd);
  int socket = rte_eth_dev_socket_id(port_);
  if (socket < 0) socket = 0;
  for (uint16_t q = 0; q < queues_; ++q) {
    if ((rc = rte_eth_rx_queue_setup(port_, q, rxd, socket, nullptr, pool_)) != 0 ||
        (rc = rte_eth_tx_queue_setup(port_, q, txd, socket, nullptr)) != 0) {
      return "queue setup: " + std::string(rte_strerror(-rc));
    }
  }
  if ((rc = rte_eth_dev_start(port_)) != 0) {
    return "rte_eth_dev_start: " + std::string(rte_strerror(-rc));
  }
  rte_ether_addr a;
  rte_eth_macaddr_get(port_, &a);
  std::memcpy(mac_, a.addr_bytes, 6);
  for (int i = 0; i < 100; ++i) {
    rte_eth_link link{};
    rte_eth_link_get_nowait(port_, &link);
    if (link.link_status == RTE_ETH_LINK_UP) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "the port's link did not come up in 10 s (is the data plane's memif server running?)";
}

std::string Generator::load(const Scenario& s, const DataplaneInfo& dp,
                            const std::string& our_address) {
  scenario_ = &s;
  producers_.clear();
  consumers_.clear();
  for (srtp_t v : verify_sessions_) {
    if (v) srtp_dealloc(v);
  }
  verify_sessions_.clear();
  std::memcpy(dp_mac_, dp.mac, 6);
  auto ours = net::parse_addr(our_address);
  auto theirs = net::parse_addr(dp.address);
  if (!ours || !theirs) return "bad address " + our_address + " or " + dp.address;
  our_ip_ = *ours;
  dp_ip_ = *theirs;
  const size_t size = s.spec.rtp_size;
  for (size_t i = 0; i < s.producers.size(); ++i) {
    const ProducerObj& p = s.producers[i];
    const PeerTransport& t = s.producer_transports[p.transport];
    auto ps = std::make_unique<ProducerState>();
    ps->index = static_cast<uint32_t>(i);
    ps->queue = static_cast<uint16_t>(t.worker % queues_);
    ps->fanout = p.fanout;
    ps->tuple = net::Tuple{our_ip_, dp_ip_, t.remote_port, t.dp_port};
    if (s.spec.profile != SrtpProfile::kNone) {
      std::string error;
      ps->session = srtp::SrtpSession::create(static_cast<srtp::Profile>(s.spec.profile),
                                              t.keys.key, t.keys.salt, &error);
      if (!ps->session) return "producer SRTP session: " + error;
    }
    ps->rtp.assign(size, 0);
    uint8_t* r = ps->rtp.data();
    r[0] = 0x80;
    r[1] = kPayloadType;
    put32(r + 8, p.ssrc);
    put32(r + kMagicAt, kMagic);
    put32(r + kProducerAt, ps->index);
    for (size_t k = kFillAt; k < size; ++k) r[k] = fill_byte(ps->index, k);
    // Starts near the wrap: the ROC moves from 0 to 1 within the first trial.
    ps->ext_seq = 65536 - 2000 + static_cast<uint32_t>(i * 101 % 1000);
    ps->ts = static_cast<uint32_t>(i * 12345);
    producers_.push_back(std::move(ps));
  }
  for (const ConsumerObj& c : s.consumers) {
    ConsumerState cs;
    cs.producer = c.producer;
    cs.transport = c.transport;
    cs.ssrc = c.ssrc;
    cs.remote_port = s.consumer_transports[c.transport].remote_port;
    consumers_.push_back(cs);
  }
  for (const PeerTransport& t : s.consumer_transports) {
    srtp_t session = nullptr;
    if (s.spec.profile != SrtpProfile::kNone) {
      srtp_policy_t policy{};
      if (s.spec.profile == SrtpProfile::kCm80) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      } else {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      }
      std::vector<uint8_t> ks = t.keys.concat();
      policy.ssrc.type = ssrc_any_inbound;
      policy.key = ks.data();
      policy.window_size = 1024;
      if (srtp_create(&session, &policy) != srtp_err_status_ok) return "libsrtp srtp_create";
    }
    verify_sessions_.push_back(session);
  }
  // Producers interleaved so that each burst spreads over all of them.
  producer_order_.resize(producers_.size());
  for (size_t i = 0; i < producers_.size(); ++i) producer_order_[i] = static_cast<uint32_t>(i);
  rr_ = 0;
  // A burst's outputs (inputs x fan-out) leave the data plane at once: keep them within half of
  // a 1024-slot ring, or large fan-outs overflow the port at any rate (tx_full).
  uint32_t fan = 1;
  for (const auto& p : producers_) fan = std::max(fan, p->fanout);
  burst_ = static_cast<uint16_t>(std::clamp<uint32_t>(512 / fan, 1, kBurst));
  return "";
}

std::string Generator::send_latch() {
  const Scenario& s = *scenario_;
  // An RTP packet of an SSRC nobody produces: the data plane latches the transport's MAC on it
  // and drops it (unknown_ssrc).
  uint8_t rtp[40] = {0x80, kPayloadType};
  put32(rtp + 8, 0x0feedu);
  std::vector<rte_mbuf*> ms;
  for (const PeerTransport& t : s.consumer_transports) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (!m) return "mbuf pool exhausted";
    auto* d = rte_pktmbuf_mtod(m, uint8_t*);
    m->data_len = m->pkt_len = static_cast<uint32_t>(kHdr + sizeof(rtp));
    std::memcpy(d + kHdr, rtp, sizeof(rtp));
    net::TxL2 l2;
    std::memcpy(l2.dst_mac, dp_mac_, 6);
    std::memcpy(l2.src_mac, mac_, 6);
    net::Tuple tuple{our_ip_, dp_ip_, t.remote_port, t.dp_port};
    net::build_udp_headers(d, kHdr, tuple, l2, d + kHdr, sizeof(rtp));
    uint16_t q = static_cast<uint16_t>(t.worker % queues_);
    for (int tries = 0; rte_eth_tx_burst(port_, q, &m, 1) == 0; ++tries) {
      if (tries > 100000) {
        rte_pktmbuf_free(m);
        return "the port does not take the latch packets";
      }
      rte_pause();
    }
  }
  return "";
}

std::string Generator::prime() {
  // The data plane attaches transports on its workers asynchronously: latch, settle, repeat.
  for (int round = 0; round < 5; ++round) {
    if (std::string e = send_latch(); !e.empty()) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    record_latency_ = false;
    const double rate = std::min(20000.0, 2000.0 * static_cast<double>(producers_.size()));
    TrialResult r = run_trial(rate, 0.2);
    record_latency_ = true;
    size_t missing = 0;
    for (const ConsumerState& c : consumers_) missing += c.offset_known ? 0 : 1;
    if (r.verify_failures != 0) {
      return "warm-up: " + std::to_string(r.verify_failures) + " outputs failed verification";
    }
    if (missing == 0) return "";
    if (round == 4) {
      return "warm-up: " + std::to_string(missing) + " of " + std::to_string(consumers_.size()) +
             " consumers delivered no verified packet (received " + std::to_string(r.received) +
             " of " + std::to_string(r.expected) + ", other " + std::to_string(r.other) + ")";
    }
  }
  return "";
}

bool Generator::retry_pending(TrialResult& r) {
  for (uint16_t q = 0; q < queues_; ++q) {
    Pending& p = pending_[q];
    if (p.n == p.at) continue;
    const uint16_t sent = rte_eth_tx_burst(port_, q, p.m + p.at, static_cast<uint16_t>(p.n - p.at));
    p.at = static_cast<uint16_t>(p.at + sent);
    r.sent += sent;
    if (p.at != p.n) return false;
  }
  return true;
}

void Generator::send_burst(uint64_t now, bool hold, uint16_t count, TrialResult& r) {
  if (hold && !retry_pending(r)) return;
  rte_mbuf* burst[8][kBurst];
  uint32_t who[8][kBurst];
  uint16_t seqs[8][kBurst];
  uint16_t n[8] = {};
  rte_mbuf* ms[kBurst];
  if (rte_pktmbuf_alloc_bulk(pool_, ms, count) != 0) return;  // the pool refills as RX frees
  const size_t size = scenario_->spec.rtp_size;
  net::TxL2 l2;
  std::memcpy(l2.dst_mac, dp_mac_, 6);
  std::memcpy(l2.src_mac, mac_, 6);
  for (uint16_t i = 0; i < count; ++i) {
    const uint32_t pi = producer_order_[rr_];
    if (++rr_ == producer_order_.size()) rr_ = 0;
    ProducerState& p = *producers_[pi];
    uint8_t* rtp = p.rtp.data();
    const uint16_t seq = static_cast<uint16_t>(p.ext_seq);
    rtp[2] = static_cast<uint8_t>(seq >> 8), rtp[3] = static_cast<uint8_t>(seq);
    put32(rtp + 4, p.ts);
    put32(rtp + kSeqAt, p.ext_seq);
    std::memcpy(rtp + kTscAt, &now, 8);
    rte_mbuf* m = ms[i];
    uint8_t* d = rte_pktmbuf_mtod(m, uint8_t*);
    size_t len = size;
    if (p.session) {
      p.session->protect_rtp(rtp, size, d + kHdr, rte_pktmbuf_tailroom(m) - kHdr, &len, p.state);
    } else {
      std::memcpy(d + kHdr, rtp, size);
    }
    net::build_udp_headers(d, kHdr, p.tuple, l2, d + kHdr, len);
    m->data_len = m->pkt_len = static_cast<uint32_t>(kHdr + len);
    ++p.ext_seq;
    p.ts += 3000;
    const uint16_t q = p.queue;
    burst[q][n[q]] = m;
    seqs[q][n[q]] = seq;
    who[q][n[q]++] = pi;
  }
  r.offered += count;
  const uint64_t t = rte_rdtsc();
  for (uint16_t q = 0; q < queues_; ++q) {
    if (n[q] == 0) continue;
    const uint16_t sent = rte_eth_tx_burst(port_, q, burst[q], n[q]);
    for (uint16_t i = 0; i < n[q]; ++i) {
      ProducerState& p = *producers_[who[q][i]];
      r.expected += p.fanout;
      const uint16_t seq = seqs[q][i];
      const uint32_t slot = seq & (kRing - 1);
      if (i >= sent) {
        // Not sent now (held or lost): an older record in the slot must not match it later.
        p.ring_valid[slot] = 0;
        continue;
      }
      p.ring_tsc[slot] = t;
      p.ring_seq[slot] = seq;
      p.ring_valid[slot] = 1;
    }
    if (sent < n[q] && hold) {
      // Unpaced: the port's back-pressure paces us; the packets go out on the next tries.
      // (Their TX records were not written: their latency is not measured.)
      Pending& p = pending_[q];
      p.n = static_cast<uint16_t>(n[q] - sent);
      p.at = 0;
      std::memcpy(p.m, burst[q] + sent, p.n * sizeof(rte_mbuf*));
    } else if (sent < n[q]) {
      rte_pktmbuf_free_bulk(burst[q] + sent, n[q] - sent);
      r.tx_rejected += n[q] - sent;
    }
    r.sent += sent;
  }
}

bool Generator::verify(ConsumerState& c, uint8_t* frame, size_t len) {
  net::PacketView v;
  if (net::parse_frame(frame, len, v).has_value()) return false;  // checksums included
  if (v.dst_port != c.remote_port || !(v.dst == our_ip_)) return false;
  uint8_t* pkt = frame + v.payload_offset;
  int n = v.payload_len;
  srtp_t session = verify_sessions_[c.transport];
  if (session && srtp_unprotect(session, pkt, &n) != srtp_err_status_ok) return false;
  const size_t size = scenario_->spec.rtp_size;
  if (static_cast<size_t>(n) != size || (pkt[0] & 0xc0) != 0x80 ||
      (pkt[1] & 0x7f) != (scenario_->spec.loopback ? kPayloadType : kOutPayloadType) ||
      get32(pkt + 8) != c.ssrc || get32(pkt + kMagicAt) != kMagic ||
      get32(pkt + kProducerAt) != c.producer) {
    return false;
  }
  for (size_t k = kFillAt; k < size; ++k) {
    if (pkt[k] != fill_byte(c.producer, k)) return false;
  }
  const uint16_t in_seq = static_cast<uint16_t>(get32(pkt + kSeqAt));
  const uint16_t out_seq = get16(pkt + 2);
  if (!c.offset_known) {
    c.offset = static_cast<uint16_t>(out_seq - in_seq);
    c.offset_known = true;
    return true;
  }
  return static_cast<uint16_t>(out_seq - c.offset) == in_seq;
}

void Generator::handle_rx(rte_mbuf* m, uint64_t rx_tsc, TrialResult& r) {
  uint8_t* d = rte_pktmbuf_mtod(m, uint8_t*);
  const size_t len = rte_pktmbuf_data_len(m);
  // Fast classification at fixed offsets (IPv4 without options, no VLAN: what the data plane
  // sends); the sampled packets get the full parse with checksums.
  if (len < kHdr + 12 || d[12] != 0x08 || d[13] != 0x00 || d[14] != 0x45 || d[23] != 17 ||
      (d[kHdr] & 0xc0) != 0x80 || rte_pktmbuf_is_contiguous(m) == 0) {
    ++r.other;
    return;
  }
  const uint8_t pt = d[kHdr + 1] & 0x7f;
  const uint32_t ci = get32(d + kHdr + 8) - 0x20000000u;
  const uint16_t dst_port = get16(d + 36);
  if ((pt >= 72 && pt <= 76) || ci >= consumers_.size() || consumers_[ci].remote_port != dst_port) {
    ++r.other;  // RTCP (PT 200-204 with the marker bit's place), or not ours
    return;
  }
  ConsumerState& c = consumers_[ci];
  ++r.received;
  r.received_bytes += len;
  const uint16_t out_seq = get16(d + kHdr + 2);
  if (record_latency_ && c.offset_known) {
    ProducerState& p = *producers_[c.producer];
    const uint16_t in_seq = static_cast<uint16_t>(out_seq - c.offset);
    const uint32_t slot = in_seq & (kRing - 1);
    if (p.ring_valid[slot] && p.ring_seq[slot] == in_seq) {
      hist_.add(rx_tsc - p.ring_tsc[slot]);
    } else {
      ++r.latency_unmatched;
    }
  }
  if (c.rx++ % kSampleEvery == 0 || !c.offset_known) {
    if (verify(c, d, len))
      ++r.verified;
    else
      ++r.verify_failures;
  }
}

void Generator::poll_rx(TrialResult& r) {
  rte_mbuf* ms[kBurst];
  for (uint16_t q = 0; q < queues_; ++q) {
    const uint16_t n = rte_eth_rx_burst(port_, q, ms, kBurst);
    if (n == 0) continue;
    const uint64_t t = rte_rdtsc();
    for (uint16_t i = 0; i < n; ++i) handle_rx(ms[i], t, r);
    rte_pktmbuf_free_bulk(ms, n);
  }
}

TrialResult Generator::run_trial(double rate_pps, double seconds, uint16_t burst) {
  const uint16_t count = burst == 0 ? burst_ : std::min(burst, burst_);
  TrialResult r;
  r.target_pps = rate_pps;
  hist_.clear();
  for (auto& p : producers_) std::fill(p->ring_valid.begin(), p->ring_valid.end(), 0);
  const double hz = static_cast<double>(tsc_hz_);
  const double interval = rate_pps > 0 ? count * hz / rate_pps : 0;
  const uint64_t start = rte_rdtsc();
  const uint64_t end = start + static_cast<uint64_t>(seconds * hz);
  const uint64_t max_lag = tsc_hz_ / 1000;  // 1 ms behind the schedule: give up catching up
  double next = static_cast<double>(start);
  uint64_t now = start;
  uint64_t late = 0;
  while ((now = rte_rdtsc()) < end) {
    if (interval == 0 || static_cast<double>(now) >= next) {
      send_burst(now, interval == 0, count, r);
      next += interval;
      if (interval > 0 && static_cast<double>(now) - next > static_cast<double>(max_lag)) {
        late += static_cast<uint64_t>((static_cast<double>(now) - next) / interval);
        next = static_cast<double>(now);
      }
    }
    poll_rx(r);
  }
  r.seconds = static_cast<double>(now - start) / hz;
  for (uint16_t q = 0; q < queues_; ++q) {
    Pending& p = pending_[q];
    if (p.n != p.at) {
      rte_pktmbuf_free_bulk(p.m + p.at, p.n - p.at);
      r.tx_rejected += p.n - p.at;
    }
    p.n = p.at = 0;
  }
  // Drain: until nothing has arrived for 20 ms (at most 5 s: an unpaced trial of a large fan-out
  // leaves seconds of work queued in the data plane, which must not count in the next trial).
  const uint64_t quiet = tsc_hz_ / 50;
  uint64_t last = rte_rdtsc(), seen = r.received + r.other;
  const uint64_t drain_end = last + 5 * tsc_hz_;
  while ((now = rte_rdtsc()) < drain_end && now - last < quiet) {
    poll_rx(r);
    if (r.received + r.other != seen) seen = r.received + r.other, last = now;
  }
  if (rate_pps > 0) {
    r.generator_limited = static_cast<double>(r.offered) < 0.99 * rate_pps * r.seconds;
  }
  r.latency_samples = hist_.count();
  r.latency_p50_us = hist_.quantile_us(0.5);
  r.latency_p99_us = hist_.quantile_us(0.99);
  r.latency_p999_us = hist_.quantile_us(0.999);
  r.latency_max_us = hist_.max_us();
  r.latency_mean_us = hist_.mean_us();
  for (double q : {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999}) {
    r.latency_quantiles.emplace_back(q, hist_.quantile_us(q));
  }
  (void)late;
  return r;
}

}  // namespace fanout::dp::pktgen

// The in-process data plane rig of bench_forward: a Dataplane on a net_ring port (Rig), the
// transports, producer and consumers of a scenario set up through its Controller as a control
// plane would (Scenario), pre-encrypted input bursts (Sender) and the libsrtp check of outputs
// (Receiver). The benchmarks themselves are in bench_forward.cpp.
#pragma once

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
#include "dataplane/engine/dataplane.hpp"
#include "dataplane/net/packet.hpp"
#include "dataplane/srtp/srtp_session.hpp"
#include "perf/engine/frames.hpp"

namespace fanout::dp::bench {

constexpr uint16_t kBurstIn = 32;
constexpr uint16_t kIcePort = 40000;
constexpr uint32_t kProducerSsrc = 0x1111;
constexpr uint8_t kPt = 96;
constexpr int kVerifyEvery = 64;  // bursts between two output checks (outside the timed region)
constexpr int kWarmupBursts = 16;
constexpr int kMaxPollsPerBurst = 10000;  // a burst whose output never arrives is an error
inline const std::string kPwd = "0123456789abcdefghijklmn";
inline constexpr const char* kOurIp = "198.18.0.2";

// kNone: plain RTP between Plain transports (own local ports, no ICE, no keys); else the IANA
// DTLS-SRTP profile, on WebRtc transports.
enum class Prof : uint16_t { kNone = 0, kCm80 = 1, kGcm128 = 7 };

inline const char* prof_label(Prof p) {
  switch (p) {
    case Prof::kNone:
      return "none";
    case Prof::kCm80:
      return "cm80";
    case Prof::kGcm128:
      return "gcm128";
  }
  return "?";
}

// Master key || salt as libsrtp wants it; the engine takes the two halves.
inline std::vector<uint8_t> key_material(Prof p, uint32_t seed) {
  size_t n = 16 + (p == Prof::kGcm128 ? 12 : 14);
  std::vector<uint8_t> k(n);
  for (size_t i = 0; i < n; ++i) k[i] = static_cast<uint8_t>(seed * 37 + i * 7 + 1);
  return k;
}

// A Dataplane on a net_ring port. EAL allows one at a time here (its pool has a fixed name), so
// the benchmarks are ordered by worker count and the data plane is rebuilt when that changes.
class Rig {
 public:
  explicit Rig(uint16_t workers) : workers_(workers) {
    std::string name = "bfwd" + std::to_string(++generation_);
    for (uint16_t w = 0; w < workers; ++w) {
      // TX rings hold a whole burst's fan-out (32 x 100 consumers on one worker).
      rx_.push_back(rte_ring_create((name + "_rx" + std::to_string(w)).c_str(), 1024, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ));
      tx_.push_back(rte_ring_create((name + "_tx" + std::to_string(w)).c_str(), 8192, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ));
    }
    int port = rte_eth_from_rings(name.c_str(), rx_.data(), workers, tx_.data(), workers, 0);
    if (port < 0) return;
    char dev_name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(static_cast<uint16_t>(port), dev_name);
    DataplaneConfig cfg;
    cfg.mbufs = 16383;  // 32 x 100 outputs in flight, plus caches
    cfg.max_transports = 512;
    cfg.max_producers = 64;
    cfg.max_consumers = 1024;
    // Every repetition checks ICE again from the same 200-per-address remotes within a second:
    // the per-source STUN limit (200/s, a defence against floods) would refuse the later ones.
    cfg.stun_per_source_pps = 0;
    PortConfig pc;
    pc.device = dev_name;
    pc.ipv4 = {kOurIp};
    pc.ice_port = kIcePort;
    cfg.ports.push_back(pc);
    setenv("FANOUT_TEST_WORKERS", std::to_string(workers).c_str(), 1);
    dp_ = std::make_unique<Dataplane>(cfg);
    ok_ = dp_->setup(&error_, /*manual=*/true);
  }
  ~Rig() {
    drain_tx();
    dp_.reset();
    for (rte_ring* r : rx_) {
      void* m;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
    }
    for (rte_ring* r : tx_) rte_ring_free(r);
  }

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  uint16_t workers() const { return workers_; }
  Dataplane& dp() { return *dp_; }
  Controller& ctl() { return dp_->controller(); }
  rte_mempool* pool() { return dp_->engine().pool; }
  const uint8_t* our_mac() { return dp_->engine().ports[0].mac.addr_bytes; }
  rte_ring* rx(uint16_t w) { return rx_[w]; }
  rte_ring* tx(uint16_t w) { return tx_[w]; }

  // Slow path: until the workers have applied every command and the main lcore its completions.
  void settle(int extra_rounds = 2) {
    for (int i = 0; i < 1000 && !ctl().idle(); ++i) {
      dp_->poll_workers();
      ctl().poll();
    }
    for (int i = 0; i < extra_rounds; ++i) {
      dp_->poll_workers();
      ctl().poll();
    }
  }
  size_t drain_tx() {
    size_t n = 0;
    for (rte_ring* r : tx_) {
      void* objs[64];
      unsigned k;
      while ((k = rte_ring_dequeue_burst(r, objs, 64, nullptr)) > 0) {
        rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(objs), k);
        n += k;
      }
    }
    return n;
  }
  // Frames copied into fresh mbufs from the engine's pool (as a PMD's RX would hand them over),
  // then put on worker w's RX ring. False if the pool or the ring is exhausted.
  bool inject(uint16_t w, const std::vector<const std::vector<uint8_t>*>& frames) {
    rte_mbuf* ms[kBurstIn];
    unsigned n = static_cast<unsigned>(frames.size());
    if (n > kBurstIn || rte_pktmbuf_alloc_bulk(pool(), ms, n) != 0) return false;
    for (unsigned i = 0; i < n; ++i) {
      char* d = rte_pktmbuf_append(ms[i], static_cast<uint16_t>(frames[i]->size()));
      std::memcpy(d, frames[i]->data(), frames[i]->size());
    }
    if (rte_ring_enqueue_bulk(rx_[w], reinterpret_cast<void**>(ms), n, nullptr) != n) {
      rte_pktmbuf_free_bulk(ms, n);
      return false;
    }
    return true;
  }

  static Rig* get(uint16_t workers) {
    if (!current_ || current_->workers() != workers) {
      current_.reset();
      current_ = std::make_unique<Rig>(workers);
    }
    return current_.get();
  }
  static void release() { current_.reset(); }

 private:
  uint16_t workers_;
  std::vector<rte_ring*> rx_, tx_;
  std::unique_ptr<Dataplane> dp_;
  bool ok_ = false;
  std::string error_ = "net_ring port creation failed";
  static inline int generation_ = 0;
  static inline std::unique_ptr<Rig> current_;
};

inline net::Tuple remote_tuple(uint8_t subnet, uint16_t index) {
  net::Tuple t{};
  t.local = *net::parse_addr(kOurIp);
  t.local_port = kIcePort;
  uint8_t ip[4] = {198, 18, subnet, static_cast<uint8_t>(1 + index / 200)};
  t.remote = net::IpAddr::v4(ip);
  t.remote_port = static_cast<uint16_t>(6000 + index);
  return t;
}

// One transport's setup as the control plane would do it: create, ICE check, keys.
struct Peer {
  uint32_t id = 0;
  uint16_t worker = 0;
  net::Tuple tuple{};
  std::vector<uint8_t> key;  // key || salt
};

// The scenario's objects, created per benchmark run and deleted after it.
class Scenario {
 public:
  Scenario(Rig& rig, Prof prof) : rig_(rig), prof_(prof) {}
  ~Scenario() {
    for (const Peer& p : peers_) rig_.ctl().delete_transport(p.id);
    rig_.settle(4);
    rig_.drain_tx();
  }

  // A transport on `worker`; with `ice`, validated by a real STUN check (USE-CANDIDATE) and
  // routed by its tuple once the main lcore has published it. Plain: static remote instead.
  bool add_transport(uint16_t worker, const net::Tuple& tuple, bool plain, bool inbound_key,
                     bool outbound_key, std::string* error) {
    Peer peer;
    peer.id = ++next_id_;
    peer.worker = worker;
    peer.tuple = tuple;
    TransportParams p;
    p.id = peer.id;
    p.worker = worker;
    std::string ufrag = "bfwd" + std::to_string(peer.id);
    if (plain) {
      // No ICE demultiplexes a plain transport: it has its own local port.
      p.kind = TransportKind::kPlain;
      p.local_port = static_cast<uint16_t>(kIcePort + 1 + plain_ports_++);
      peer.tuple.local_port = p.local_port;
      p.plain_remote = Endpoint{net::format_addr(tuple.remote), tuple.remote_port};
    } else {
      p.ice_ufrag = ufrag;
      p.ice_pwd = kPwd;
    }
    TransportCreated out;
    Status s = rig_.ctl().create_transport(p, &out);
    if (!s.ok()) return fail(error, "create_transport: " + s.reason);
    peers_.push_back(peer);
    rig_.settle();
    if (plain) {
      // A plain transport sends once it has heard from its remote (the MAC to answer to): one
      // RTP packet of an unknown SSRC, counted and dropped after the latch.
      std::vector<uint8_t> rtp(40);
      rtp_packet(rtp.data(), rtp.size(), 1, 1, 0xfeedu, kPt);
      auto frame = udp_frame(peer.tuple, rtp.data(), rtp.size(), rig_.our_mac());
      if (!rig_.inject(worker, {&frame})) return fail(error, "inject latch packet");
      rig_.settle(4);
    } else {
      auto req = stun_request(ufrag + ":browser", kPwd, static_cast<uint8_t>(peer.id));
      auto frame = udp_frame(tuple, req.data(), req.size(), rig_.our_mac());
      if (!rig_.inject(worker, {&frame})) return fail(error, "inject STUN");
      rig_.settle(4);
      if (rig_.drain_tx() != 1) return fail(error, "no STUN response for " + ufrag);
      auto info = rig_.ctl().transport(peer.id);
      if (!info || !info->selected || !(*info->selected == tuple)) {
        return fail(error, "ICE check did not select the tuple of " + ufrag);
      }
    }
    if (prof_ != Prof::kNone) {
      peers_.back().key = key_material(prof_, peer.id);
      const auto& k = peers_.back().key;
      std::span<const uint8_t> key(k.data(), 16), salt(k.data() + 16, k.size() - 16);
      uint16_t profile = static_cast<uint16_t>(prof_);
      if (inbound_key && !rig_.ctl().set_srtp_keys(peer.id, true, profile, key, salt).ok()) {
        return fail(error, "inbound keys");
      }
      if (outbound_key && !rig_.ctl().set_srtp_keys(peer.id, false, profile, key, salt).ok()) {
        return fail(error, "outbound keys");
      }
      rig_.settle();
    }
    return true;
  }

  bool add_producer(uint32_t transport, std::string* error) {
    ProducerParams pp;
    pp.id = ++next_id_;
    pp.transport = transport;
    pp.streams.push_back(StreamParams{kProducerSsrc, 0, kPt, 0, 90000, ""});
    Status s = rig_.ctl().create_producer(pp);
    if (!s.ok()) return fail(error, "create_producer: " + s.reason);
    producer_ = pp.id;
    rig_.settle();
    return true;
  }

  bool add_consumer(uint32_t transport, uint32_t ssrc, std::string* error) {
    ConsumerParams cp;
    cp.id = ++next_id_;
    cp.producer = producer_;
    cp.transport = transport;
    cp.ssrc = ssrc;
    cp.payload_types = {{kPt, kPt}};
    Status s = rig_.ctl().create_consumer(cp);
    if (!s.ok()) return fail(error, "create_consumer: " + s.reason);
    rig_.settle();
    return true;
  }

  const std::vector<Peer>& peers() const { return peers_; }

 private:
  static bool fail(std::string* error, std::string what) {
    *error = std::move(what);
    return false;
  }
  Rig& rig_;
  Prof prof_;
  std::vector<Peer> peers_;
  uint32_t producer_ = 0;
  int plain_ports_ = 0;
  static inline uint32_t next_id_ = 0;
};

// The producer's browser: RTP packets of one size, SRTP-protected with the producer's inbound key
// in order (one SrtpSendState, so the ROC follows the sequence numbers across refills), framed.
class Sender {
 public:
  Sender(Prof prof, const std::vector<uint8_t>& key, const net::Tuple& tuple, const uint8_t* mac,
         size_t size)
      : prof_(prof), tuple_(tuple), size_(size) {
    std::memcpy(mac_, mac, 6);
    if (prof != Prof::kNone) {
      std::string error;
      session_ = srtp::SrtpSession::create(
          static_cast<srtp::Profile>(prof), std::span<const uint8_t>(key.data(), 16),
          std::span<const uint8_t>(key.data() + 16, key.size() - 16), &error);
    }
    frames_.resize(kPool);
    seqs_.resize(kPool);
  }
  bool ok() const { return prof_ == Prof::kNone || session_ != nullptr; }

  // The next burst of frames (refilled outside the timed region when the pool runs out).
  void next_burst(std::vector<const std::vector<uint8_t>*>* burst, uint16_t* first_seq) {
    if (pos_ + kBurstIn > frames_.size() || !filled_) refill();
    burst->clear();
    *first_seq = seqs_[pos_];
    for (uint16_t i = 0; i < kBurstIn; ++i) burst->push_back(&frames_[pos_ + i]);
    pos_ += kBurstIn;
  }

 private:
  static constexpr size_t kPool = 4096;  // 128 bursts of pre-encrypted frames
  void refill() {
    std::vector<uint8_t> rtp(size_), srtp(size_ + srtp::kMaxSrtpOverhead);
    for (size_t i = 0; i < kPool; ++i) {
      rtp_packet(rtp.data(), size_, seq_, ts_, kProducerSsrc, kPt);
      seqs_[i] = seq_;
      size_t len = size_;
      const uint8_t* payload = rtp.data();
      if (session_) {
        session_->protect_rtp(rtp.data(), size_, srtp.data(), srtp.size(), &len, state_);
        payload = srtp.data();
      }
      frames_[i] = udp_frame(tuple_, payload, len, mac_);
      ++seq_;  // wraps: the ROC in state_ follows
      ts_ += 3000;
    }
    pos_ = 0;
    filled_ = true;
  }
  Prof prof_;
  net::Tuple tuple_;
  uint8_t mac_[6];
  size_t size_;
  std::unique_ptr<srtp::SrtpSession> session_;
  srtp::SrtpSendState state_{};
  std::vector<std::vector<uint8_t>> frames_;
  std::vector<uint16_t> seqs_;
  size_t pos_ = 0;
  bool filled_ = false;
  uint16_t seq_ = 65000;  // wraps within the first bursts: ROC 0 -> 1 is on the measured path
  uint32_t ts_ = 1000;
};

// A consumer's browser, for the check: libsrtp (the reference implementation) with the
// consumer's key, so that the engine's SRTP is checked by an independent implementation.
class Receiver {
 public:
  Receiver(Prof prof, std::vector<uint8_t> key, uint32_t ssrc, uint16_t port)
      : prof_(prof), key_(std::move(key)), ssrc_(ssrc), port_(port) {
    if (prof == Prof::kNone) return;
    srtp_policy_t policy{};
    if (prof == Prof::kCm80) {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    }
    policy.ssrc.type = ssrc_any_inbound;
    policy.key = key_.data();
    policy.window_size = 1024;
    if (srtp_create(&session_, &policy) != srtp_err_status_ok) session_ = nullptr;
  }
  ~Receiver() {
    if (session_) srtp_dealloc(session_);
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  uint16_t port() const { return port_; }

  // The k-th packet of a burst this consumer received must be input first_seq + k, rewritten.
  bool check(const uint8_t* udp_payload, size_t len, uint16_t in_seq, size_t rtp_size) {
    std::vector<uint8_t> p(udp_payload, udp_payload + len);
    if (prof_ != Prof::kNone) {
      if (!session_) return false;
      int n = static_cast<int>(p.size());
      if (srtp_unprotect(session_, p.data(), &n) != srtp_err_status_ok) return false;
      p.resize(static_cast<size_t>(n));
    }
    if (p.size() != rtp_size || be32(p.data() + 8) != ssrc_ || (p[1] & 0x7f) != kPt) return false;
    for (size_t i = 12; i < rtp_size; ++i) {
      if (p[i] != payload_byte(in_seq, i - 12)) return false;
    }
    return true;
  }

 private:
  Prof prof_;
  std::vector<uint8_t> key_;
  uint32_t ssrc_;
  uint16_t port_;
  srtp_t session_ = nullptr;
};

// TSC ticks per burst; the median resists the preemptions of a shared machine.
struct Samples {
  std::vector<uint64_t> ticks;
  uint64_t quantile(double q) {
    if (ticks.empty()) return 0;
    auto at =
        ticks.begin() + static_cast<std::ptrdiff_t>(static_cast<double>(ticks.size() - 1) * q);
    std::nth_element(ticks.begin(), at, ticks.end());
    return *at;
  }
};

inline uint64_t total_drops(Dataplane& dp) {
  LcoreCounters c = dp.total_counters();
  uint64_t n = 0;
  for (uint64_t d : c.drops) n += d;
  return n;
}

// Placement: the producer's transport is on worker 0. On 1 worker everything is local. On 2
// workers the frames arrive on worker 1's queue (as RSS would spread them), are handed to the
// owner, and consumer i lives on worker (i + 1) % 2: consumer 0, and half of the others, get the
// fan-out reference through a handoff ring.
inline uint16_t consumer_worker(uint16_t workers, int i) {
  return static_cast<uint16_t>((i + 1) % workers);
}

}  // namespace fanout::dp::bench

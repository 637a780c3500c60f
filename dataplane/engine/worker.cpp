#include "dataplane/engine/worker.hpp"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include <cstring>
#include <string>

#include "dataplane/ice/stun.hpp"
#include "dataplane/net/arp.hpp"
#include "dataplane/net/demux.hpp"
#include "dataplane/net/echo.hpp"
#include "dataplane/net/neighbor.hpp"

namespace fanout::dp {

Worker::Worker(Engine& engine, uint16_t index) : e_(engine), index_(index) {}

Worker::~Worker() {
  if (ssrcs_) rte_hash_free(ssrcs_);
}

bool Worker::init(std::string* error) {
  transports_.assign(e_.cfg.max_transports, nullptr);
  producers_.assign(e_.cfg.max_producers, nullptr);
  consumers_.assign(e_.cfg.max_consumers, nullptr);
  fanout_.assign(e_.cfg.max_producers, LocalFanout{});
  producer_owner_.assign(e_.cfg.max_producers, 0);
  std::string name = "ssrcs_w" + std::to_string(index_);
  rte_hash_parameters p{};
  p.name = name.c_str();
  // Producers have up to 2 SSRCs per stream, consumers one; only this lcore reads and writes it.
  p.entries = (e_.cfg.max_producers * 2 + e_.cfg.max_consumers) / e_.n_workers + 1024;
  p.key_len = sizeof(SsrcKey);
  p.socket_id = static_cast<int>(rte_lcore_to_socket_id(e_.worker_lcores[index_]));
  ssrcs_ = rte_hash_create(&p);
  if (!ssrcs_) {
    *error = "rte_hash_create(" + name + "): " + rte_strerror(rte_errno);
    return false;
  }
  unknown_tokens_ = e_.cfg.unknown_source_pps;
  stun_limiter_.init(e_.cfg.stun_per_source_pps, e_.tsc_hz);
  unknown_limiter_.init(e_.cfg.unknown_source_per_source_pps, e_.tsc_hz);
  return true;
}

int Worker::run() {
  if (e_.rcu) rte_rcu_qsbr_thread_online(e_.rcu, index_);
  while (!e_.quit.load(std::memory_order_relaxed)) poll_once();
  if (e_.rcu) rte_rcu_qsbr_thread_offline(e_.rcu, index_);
  return 0;
}

void Worker::poll_once() {
  now_tsc_ = rte_rdtsc();
  // Split so that tsc * 10^6 cannot overflow (it would after ~2 h of TSC at 2.6 GHz).
  now_us_ = now_tsc_ / e_.tsc_hz * 1000000 + now_tsc_ % e_.tsc_hz * 1000000 / e_.tsc_hz;
  ++counters_.loop_iterations;

  // What the main lcore sent on the data path (DTLS records, keyframe requests) before the
  // commands: a close_notify followed by a DeleteTransport must leave before the detach. (A create
  // is answered only after its attach completed, so nothing is sent for an object not yet here.)
  drain_handoff(e_.n_workers);
  // Commands next, all of them, so that a packet is never processed before a command the main
  // lcore sent before it arrived (a plain transport's new remote, the objects an attach brings).
  // Only take one when its completion can be returned (the worker never blocks on the main lcore).
  void* cmds[8];
  unsigned room = rte_ring_free_count(e_.done[index_]);
  unsigned n;
  while (room > 0 &&
         (n = rte_ring_dequeue_burst(e_.cmd[index_], cmds, room < 8 ? room : 8, nullptr)) > 0) {
    for (unsigned i = 0; i < n; ++i) {
      Command* c = static_cast<Command*>(cmds[i]);
      apply(c);
      rte_ring_enqueue(e_.done[index_], c);
    }
    room -= n;
  }

  for (uint16_t p = 0; p < e_.n_ports; ++p) rx_burst(p);

  // Packets other workers handed to us.
  for (uint16_t src = 0; src < e_.n_workers; ++src) drain_handoff(src);

  flush_handoffs();
  flush_tx();
  if (now_tsc_ >= next_sweep_tsc_) {
    sweep_consent();
    next_sweep_tsc_ = now_tsc_ + e_.tsc_hz / 4;
  }
  if (e_.rcu) rte_rcu_qsbr_quiescent(e_.rcu, index_);
}

void Worker::drain_handoff(uint16_t src) {
  rte_ring* r = e_.handoff[src][index_];
  if (!r) return;
  void* objs[kBurst];
  unsigned k = rte_ring_dequeue_burst(r, objs, kBurst, nullptr);
  counters_.handoff_in += k;
  for (unsigned i = 0; i < k; ++i) handle_handoff(static_cast<rte_mbuf*>(objs[i]));
}

void Worker::rx_burst(uint16_t port) {
  rte_mbuf* pkts[kBurst];
  uint16_t n = rte_eth_rx_burst(e_.ports[port].port_id, index_, pkts, kBurst);
  if (n == 0) return;
  PortCounters& pc = counters_.ports[port];
  pc.rx_packets += n;
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) {
    rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  }
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    pc.rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
    classify(pkts[i], port);
  }
}

void Worker::drop(rte_mbuf* m, Drop reason) {
  counters_.drop(reason);
  rte_pktmbuf_free(m);
}

void Worker::classify(rte_mbuf* m, uint16_t port) {
  if (m->nb_segs != 1) return drop(m, Drop::kEthMalformed);  // jumbo chains are not media
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  uint32_t len = rte_pktmbuf_data_len(m);
  uint32_t flags = net::kParseDefault;
  uint64_t ol = m->ol_flags;
  if ((ol & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD) {
    return drop(m, Drop::kIpv4BadChecksum);
  }
  if ((ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD) {
    return drop(m, Drop::kUdpBadChecksum);
  }
  if ((ol & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD) {
    flags |= net::kSkipIpv4Checksum;
  }
  if ((ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
    flags |= net::kSkipL4Checksum;
  }
  net::PacketView v;
  if (auto bad = net::parse_frame(frame, len, v, flags)) return drop(m, *bad);

  const PortInfo& pi = e_.ports[port];
  if (v.kind != net::FrameKind::kUdp) return answer_control(m, port, v);

  if (!net::contains(std::span<const net::IpAddr>(pi.addrs.data(), pi.addrs.size()), v.dst)) {
    return drop(m, Drop::kNotOurAddress);
  }
  const uint8_t* payload = frame + v.payload_offset;
  net::PayloadKind kind = net::classify_payload(payload, v.payload_len);
  if (auto bad = net::check_payload(kind, v.payload_len)) return drop(m, *bad);

  PktMeta* pm = meta(m);
  pm->kind = PktKind::kRaw;
  pm->payload = static_cast<PayloadKind>(kind);
  pm->port = static_cast<uint8_t>(port);
  pm->from = index_;
  pm->payload_off = v.payload_offset;
  pm->payload_len = v.payload_len;
  pm->tuple = v.rx_tuple();
  std::memcpy(pm->src_mac, frame + 6, 6);

  Route route;
  if (kind == net::PayloadKind::kStun) {
    // Bounds what one source can make us spend on HMACs (and answers), before any lookup.
    if (!stun_limiter_.allow(v.src, now_tsc_)) return drop(m, Drop::kStunRateLimited);
    if (v.dst_port != pi.ice_port) {
      route = e_.tables.by_port(port, v.dst_port);
    } else {
      // ICE-lite: the local ufrag (before ':' in USERNAME) names the transport.
      ice::StunMessage msg;
      if (ice::parse_stun(payload, v.payload_len, msg) != ice::StunStatus::kOk) {
        return drop(m, Drop::kStunMalformed);
      }
      std::string_view ufrag = ice::local_ufrag(msg.username());
      if (!ufrag.empty()) route = e_.tables.by_ufrag(ufrag);
    }
    if (!route.valid()) return drop(m, Drop::kStunUnknownUsername);
  } else {
    route = e_.tables.by_tuple(pm->tuple);
    if (!route.valid()) return punt_unknown(m);
  }
  dispatch(m, route);
}

void Worker::answer_control(rte_mbuf* m, uint16_t port, const net::PacketView& v) {
  // ARP, ICMP echo and IPv6 neighbor discovery are answered from this lcore's TX queue, so that
  // the data plane's addresses resolve and can be pinged.
  const PortInfo& pi = e_.ports[port];
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  const size_t len = rte_pktmbuf_data_len(m);
  const std::span<const net::IpAddr> ours(pi.addrs.data(), pi.addrs.size());
  std::optional<Drop> bad;
  switch (v.kind) {
    case net::FrameKind::kArp:
      bad = net::arp_reply_in_place(frame, len, v, pi.mac.addr_bytes, ours);
      if (!bad) ++counters_.arp_replies;
      break;
    case net::FrameKind::kIcmpv4:
      bad = net::echo_reply_in_place(frame, len, v, pi.mac.addr_bytes, ours);
      if (!bad) ++counters_.icmp_echo_replies;
      break;
    case net::FrameKind::kIcmpv6:
      if (v.l4_len > 0 && frame[v.l4_offset] == net::kIcmpv6NeighborSolicit) {
        rte_mbuf* out = alloc();
        if (!out) return drop(m, Drop::kMbufAllocFail);
        size_t cap = rte_pktmbuf_tailroom(out);
        uint8_t* dst = rte_pktmbuf_mtod(out, uint8_t*);
        size_t out_len = 0;
        bad = net::neighbor_advert_for(frame, len, v, pi.mac.addr_bytes, ours, dst, cap, out_len);
        if (bad) {
          rte_pktmbuf_free(out);
          return drop(m, *bad);
        }
        rte_pktmbuf_append(out, static_cast<uint16_t>(out_len));
        ++counters_.nd_replies;
        rte_pktmbuf_free(m);
        return tx(port, out);
      }
      bad = net::echo_reply_in_place(frame, len, v, pi.mac.addr_bytes, ours);
      if (!bad) ++counters_.icmp_echo_replies;
      break;
    case net::FrameKind::kUdp:
      break;
  }
  if (bad) return drop(m, *bad);
  m->ol_flags = 0;
  tx(port, m);
}

void Worker::dispatch(rte_mbuf* m, Route route) {
  PktMeta* pm = meta(m);
  pm->transport = route.slot;
  pm->transport_gen = route.gen;
  if (route.worker == index_) return handle_owned(m);
  handoff(m, route.worker);
}

Transport* Worker::owned_transport(uint32_t slot, uint32_t gen) const {
  if (slot >= transports_.size()) return nullptr;
  Transport* t = transports_[slot];
  return (t && (t->gen & 0xffffff) == (gen & 0xffffff)) ? t : nullptr;
}

void Worker::handle_owned(rte_mbuf* m) {
  PktMeta* pm = meta(m);
  Transport* t = owned_transport(pm->transport, pm->transport_gen);
  if (!t) return drop(m, Drop::kTransportGone);
  if (t->kind == TransportKind::kPlain && t->selected < 0) {
    // A plain transport has no ICE: the dispatch table routed this packet here because its tuple
    // is the configured remote (or the comedia latch); send back to it, to the MAC it came from.
    // After a remote change, a packet of the old remote may still be in a ring: it must not
    // select the old remote again.
    if (!t->comedia && t->plain_remote.remote.family && !(pm->tuple == t->plain_remote)) {
      return drop(m, Drop::kUnknownSource);
    }
    ValidatedTuple& v = t->validated[0];
    v.tuple = pm->tuple;
    std::memcpy(v.mac, pm->src_mac, 6);
    v.last_check_tsc = now_tsc_;
    t->validated_count = 1;
    t->selected = 0;
  }
  ++t->counters.rx_packets;
  t->counters.rx_bytes += pm->payload_len;
  switch (pm->payload) {
    case PayloadKind::kStun:
      return handle_stun(*t, m);
    case PayloadKind::kDtls:
      return handle_dtls(*t, m);
    case PayloadKind::kRtp:
      return handle_rtp(*t, m);
    case PayloadKind::kRtcp:
      return handle_rtcp(*t, m);
  }
}

void Worker::handle_handoff(rte_mbuf* m) {
  PktMeta* pm = meta(m);
  switch (pm->kind) {
    case PktKind::kRaw:
      return handle_owned(m);
    case PktKind::kRtpFanout: {
      LocalFanout& f = fanout_[pm->producer];
      if (f.gen == pm->producer_gen) {
        FanoutInput in{m, pm->rtp_hdr_len};
        for (uint32_t c = f.head; c != kInvalidSlot; c = consumers_[c]->next_local) {
          forward_rtp(*consumers_[c], in);
        }
      }
      rte_pktmbuf_free(m);  // our reference
      return;
    }
    case PktKind::kSenderReport:
      forward_sr(pm->producer, pm->producer_gen, *pm);
      rte_pktmbuf_free(m);
      return;
    case PktKind::kKeyFrameRequest: {
      Producer* p = pm->producer < producers_.size() ? producers_[pm->producer] : nullptr;
      if (p && p->gen == pm->producer_gen) send_keyframe_request(*p, pm->fir != 0);
      rte_pktmbuf_free(m);
      return;
    }
    case PktKind::kTxDtls:
      return send_dtls(m);
    default:
      return drop(m, Drop::kTransportGone);
  }
}

void Worker::handoff(rte_mbuf* m, uint16_t worker) {
  meta(m)->from = index_;
  TxQueue& q = handoff_[worker];
  q.pkts[q.n++] = m;
  if (q.n == kBurst) flush_handoffs();
}

void Worker::flush_handoffs() {
  for (uint16_t w = 0; w < e_.n_workers; ++w) {
    TxQueue& q = handoff_[w];
    if (q.n == 0) continue;
    unsigned sent = rte_ring_enqueue_burst(e_.handoff[index_][w], reinterpret_cast<void**>(q.pkts),
                                           q.n, nullptr);
    counters_.handoff_out += sent;
    for (unsigned i = sent; i < q.n; ++i) drop(q.pkts[i], Drop::kHandoffRingFull);
    q.n = 0;
  }
}

void Worker::to_main(rte_mbuf* m) {
  if (rte_ring_enqueue(e_.to_main[index_], m) != 0) return drop(m, Drop::kSlowPathRingFull);
  ++counters_.slowpath_punts;
}

void Worker::punt_unknown(rte_mbuf* m) {
  // A token bucket per lcore bounds what unknown sources cost the main lcore; the packets that
  // pass are re-looked-up there (they may belong to a tuple whose ICE check just passed).
  if (now_tsc_ - unknown_refill_tsc_ > e_.tsc_hz) {
    unknown_tokens_ = e_.cfg.unknown_source_pps;
    unknown_refill_tsc_ = now_tsc_;
  }
  if (unknown_tokens_ == 0 || !unknown_limiter_.allow(meta(m)->tuple.remote, now_tsc_)) {
    return drop(m, Drop::kUnknownSourceRateLimited);
  }
  --unknown_tokens_;
  meta(m)->kind = PktKind::kPuntUnknown;
  to_main(m);
}

void Worker::apply(Command* c) {
  switch (c->type) {
    case CmdType::kAttachTransport: {
      Transport* t = c->transport;
      transports_[c->slot] = t;
      t->owned_prev = nullptr;
      t->owned_next = owned_head_;
      if (owned_head_) owned_head_->owned_prev = t;
      owned_head_ = t;
      break;
    }
    case CmdType::kDetachTransport: {
      Transport* t = c->transport;
      if (t->owned_prev) t->owned_prev->owned_next = t->owned_next;
      if (t->owned_next) t->owned_next->owned_prev = t->owned_prev;
      if (owned_head_ == t) owned_head_ = t->owned_next;
      transports_[c->slot] = nullptr;
      break;
    }
    case CmdType::kSetSrtp:
      std::swap(c->flag ? c->transport->srtp_in : c->transport->srtp_out, c->session);
      break;
    case CmdType::kAttachProducer: {
      Producer* p = c->producer;
      producers_[c->slot] = p;
      for (uint8_t s = 0; s < p->stream_count; ++s) {
        add_ssrc(p->transport, p->streams[s].ssrc, SsrcRole::kProducer, p->slot, s);
        if (p->streams[s].rtx_ssrc) {
          add_ssrc(p->transport, p->streams[s].rtx_ssrc, SsrcRole::kProducerRtx, p->slot, s);
        }
      }
      break;
    }
    case CmdType::kDetachProducer: {
      Producer* p = c->producer;
      for (uint8_t s = 0; s < p->stream_count; ++s) {
        remove_ssrc(p->transport, p->streams[s].ssrc);
        if (p->streams[s].rtx_ssrc) remove_ssrc(p->transport, p->streams[s].rtx_ssrc);
      }
      producers_[c->slot] = nullptr;
      break;
    }
    case CmdType::kSetProducerPaused:
      c->producer->paused = c->flag;
      break;
    case CmdType::kAddRemoteWorker:
      c->producer->remote_workers |= uint64_t{1} << c->worker;
      break;
    case CmdType::kRemoveRemoteWorker:
      c->producer->remote_workers &= ~(uint64_t{1} << c->worker);
      break;
    case CmdType::kAttachConsumer: {
      Consumer* con = c->consumer;
      consumers_[c->slot] = con;
      add_ssrc(con->transport, con->ssrc, SsrcRole::kConsumer, con->slot, 0);
      producer_owner_[con->producer] = c->producer->worker;
      LocalFanout& f = fanout_[con->producer];
      if (f.gen != c->producer->gen) f = LocalFanout{kInvalidSlot, c->producer->gen};
      con->next_local = f.head;
      f.head = con->slot;
      break;
    }
    case CmdType::kDetachConsumer: {
      Consumer* con = c->consumer;
      remove_ssrc(con->transport, con->ssrc);
      LocalFanout& f = fanout_[con->producer];
      for (uint32_t* link = &f.head; *link != kInvalidSlot; link = &consumers_[*link]->next_local) {
        if (*link == con->slot) {
          *link = con->next_local;
          break;
        }
      }
      consumers_[c->slot] = nullptr;
      break;
    }
    case CmdType::kSyncConsumer:
      c->consumer->seq.sync();
      c->consumer->ts.sync();
      break;
    case CmdType::kSetIce: {
      // ICE restart: checks must carry the new credentials from now on. Validated tuples stay:
      // media keeps flowing to the selected one until the browser's new checks select again.
      Transport* t = c->transport;
      std::swap(t->ufrag, c->ice_ufrag);
      std::swap(t->pwd, c->ice_pwd);
      std::swap(t->ice_key, c->ice_key);
      break;
    }
    case CmdType::kSetPlainRemote: {
      // A new remote: forget where we sent (and the MAC learnt from it); the next packet from
      // the new remote (or, with comedia, the next packet the main lcore latched) selects again.
      Transport* t = c->transport;
      t->plain_remote = c->tuple;
      t->comedia = c->flag;
      t->selected = -1;
      t->validated_count = 0;
      break;
    }
    case CmdType::kSetConsumerPaused: {
      Consumer* con = c->consumer;
      bool resumed = con->paused && !c->flag;
      con->paused = c->flag;
      if (resumed) {
        // Continue the consumer's sequence numbers and timestamps where they stopped, and ask
        // for a keyframe so the decoder can start again.
        con->seq.sync();
        con->ts.sync();
        request_keyframe(con->producer, fanout_[con->producer].gen, false);
      }
      break;
    }
  }
}

bool Worker::add_ssrc(uint32_t transport_slot, uint32_t ssrc, SsrcRole role, uint32_t slot,
                      uint8_t stream) {
  SsrcKey key{transport_slot, ssrc};
  uint64_t v = (uint64_t{static_cast<uint8_t>(role)} << 40) | (uint64_t{stream} << 32) | slot;
  return rte_hash_add_key_data(ssrcs_, &key, reinterpret_cast<void*>(v)) == 0;
}

void Worker::remove_ssrc(uint32_t transport_slot, uint32_t ssrc) {
  SsrcKey key{transport_slot, ssrc};
  rte_hash_del_key(ssrcs_, &key);
}

bool Worker::lookup_ssrc(uint32_t transport_slot, uint32_t ssrc, SsrcRole* role, uint32_t* slot,
                         uint8_t* stream) const {
  SsrcKey key{transport_slot, ssrc};
  void* data;
  if (rte_hash_lookup_data(ssrcs_, &key, &data) < 0) return false;
  uint64_t v = reinterpret_cast<uintptr_t>(data);
  *slot = static_cast<uint32_t>(v);
  *stream = static_cast<uint8_t>(v >> 32);
  *role = static_cast<SsrcRole>(v >> 40);
  return true;
}

}  // namespace fanout::dp

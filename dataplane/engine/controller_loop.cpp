// The main lcore's side of the Controller that is not object creation: reading the model back
// (lists, flush by epoch) and the main-loop duty (command completions, worker events and punts,
// deferred slot reuse).
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>

#include "dataplane/engine/controller.hpp"
#include "dataplane/engine/mbuf_meta.hpp"

namespace fanout::dp {

size_t Controller::flush(uint64_t keep) {
  size_t n = 0;
  std::vector<uint32_t> ids;
  for (auto& [id, c] : consumers_)
    if (c.epoch != keep) ids.push_back(id);
  for (uint32_t id : ids) n += delete_consumer(id).ok();
  ids.clear();
  for (auto& [id, p] : producers_)
    if (p.epoch != keep) ids.push_back(id);
  for (uint32_t id : ids) n += delete_producer(id).ok();
  ids.clear();
  for (auto& [id, t] : transports_)
    if (t.epoch != keep) ids.push_back(id);
  for (uint32_t id : ids) n += delete_transport(id).ok();
  return n;
}

// What a listing shows of one transport (credentials left out).
TransportInfo Controller::info_of(const TransportEntry& t) {
  TransportInfo i;
  i.params = t.params;
  i.params.ice_pwd.clear();  // never echo credentials
  i.created = t.created;
  i.epoch = t.epoch;
  i.srtp_in_profile = t.srtp_in_profile;
  i.srtp_out_profile = t.srtp_out_profile;
  i.selected = t.selected;
  i.counters = t.obj->counters;
  return i;
}

std::vector<TransportInfo> Controller::transports() const {
  std::vector<TransportInfo> out;
  out.reserve(transports_.size());
  for (const auto& [id, t] : transports_) out.push_back(info_of(t));
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.params.id < b.params.id; });
  return out;
}

// One lookup, not a listing: CreateTransport's reply reads it, and a listing per request made
// creating the 10,000th transport cost milliseconds.
std::optional<TransportInfo> Controller::transport(uint32_t id) const {
  auto it = transports_.find(id);
  if (it == transports_.end()) return std::nullopt;
  return info_of(it->second);
}

// Counters written by the owner worker, read here as aligned 64-bit loads (never torn on the
// targets we build for); a value may be a loop behind, which stats tolerate.
namespace {

ProducerInfo producer_info(const ProducerParams& params, uint64_t epoch, const Producer& p) {
  ProducerInfo out{params, epoch, p.rtp_packets, p.rtp_bytes, {}};
  out.streams.reserve(p.stream_count);
  for (uint8_t s = 0; s < p.stream_count; ++s) {
    const rtp::ReceiveStats& r = p.streams[s].received;
    out.streams.push_back(ProducerStreamInfo{p.streams[s].ssrc, r.packets(), r.expected()});
  }
  return out;
}

ConsumerInfo consumer_info(const ConsumerParams& params, uint64_t epoch, const Consumer& c) {
  return ConsumerInfo{params,    epoch,           c.packets,      c.bytes,
                      c.reports, c.fraction_lost, c.packets_lost, c.jitter};
}

}  // namespace

std::optional<ProducerInfo> Controller::producer(uint32_t id) const {
  auto it = producers_.find(id);
  if (it == producers_.end()) return std::nullopt;
  const ProducerEntry& p = it->second;
  return producer_info(p.params, p.epoch, *p.obj);
}

std::optional<ConsumerInfo> Controller::consumer(uint32_t id) const {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return std::nullopt;
  const ConsumerEntry& c = it->second;
  return consumer_info(c.params, c.epoch, *c.obj);
}

std::vector<ProducerInfo> Controller::producers() const {
  std::vector<ProducerInfo> out;
  for (const auto& [id, p] : producers_) out.push_back(producer_info(p.params, p.epoch, *p.obj));
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.params.id < b.params.id; });
  return out;
}

std::vector<ConsumerInfo> Controller::consumers() const {
  std::vector<ConsumerInfo> out;
  for (const auto& [id, c] : consumers_) out.push_back(consumer_info(c.params, c.epoch, *c.obj));
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.params.id < b.params.id; });
  return out;
}

void Controller::publish_routes(TransportEntry& t) {
  const Transport& obj = *t.obj;
  Route route{obj.slot, obj.gen, obj.worker};
  t.attached = true;
  if (t.params.kind == TransportKind::kWebRtc && !e_.tables.add_ufrag(t.params.ice_ufrag, route)) {
    counters_.drop(Drop::kSlowPathRingFull);  // cannot happen: the table has 2x max_transports
  }
  if (t.params.local_port != 0) e_.tables.set_port(t.params.port, t.params.local_port, route);
  // Main's copy of the plain remote: the worker owns obj.plain_remote once attached.
  if (t.plain_tuple.remote.family && e_.tables.add_tuple(t.plain_tuple, route)) {
    if (std::find(t.tuples.begin(), t.tuples.end(), t.plain_tuple) == t.tuples.end()) {
      t.tuples.push_back(t.plain_tuple);
    }
  }
}

void Controller::complete(Command* raw) {
  std::unique_ptr<Command> cmd(raw);
  --in_flight_;
  uint64_t token = e_.rcu ? rte_rcu_qsbr_start(e_.rcu) : 0;
  switch (cmd->type) {
    case CmdType::kAttachTransport: {
      auto it = transports_.find(cmd->transport->id);
      if (it != transports_.end() && it->second.obj.get() == cmd->transport) {
        publish_routes(it->second);
      }
      // Also when it was deleted meanwhile: whoever waits for it must not wait forever.
      if (sink_) sink_->on_transport_ready(cmd->transport->id);
      break;
    }
    case CmdType::kDetachTransport:
      transport_ids_by_slot_[cmd->slot] = 0;
      transport_slots_.release_after(cmd->slot, token);
      break;
    case CmdType::kDetachProducer:
      producer_slots_.release_after(cmd->slot, token);
      break;
    case CmdType::kDetachConsumer:
      consumer_slots_.release_after(cmd->slot, token);
      break;
    default:
      break;
  }
  // cmd (and whatever it retired: objects, an old SRTP session) is freed here.
}

void Controller::handle_from_worker(rte_mbuf* m) {
  PktMeta* pm = meta(m);
  const TransportEntry* t = find_transport_slot(pm->transport, pm->transport_gen);
  switch (pm->kind) {
    case PktKind::kEvent: {
      if (t) {
        auto* te = const_cast<TransportEntry*>(t);
        bool known = std::find(te->tuples.begin(), te->tuples.end(), pm->tuple) != te->tuples.end();
        if (!known &&
            e_.tables.add_tuple(pm->tuple, Route{t->obj->slot, t->obj->gen, t->obj->worker})) {
          te->tuples.push_back(pm->tuple);
        }
        if (pm->event == EventKind::kConsentExpired) {
          te->selected.reset();
          if (sink_) sink_->on_consent_expired(t->params.id);
          break;
        }
        if (pm->selected && (!te->selected || !(*te->selected == pm->tuple))) {
          te->selected = pm->tuple;
          if (sink_) sink_->on_tuple_selected(t->params.id, pm->tuple, pm->port);
        }
      }
      break;
    }
    case PktKind::kPuntDtls:
      if (t && sink_) {
        const uint8_t* data = rte_pktmbuf_mtod_offset(m, const uint8_t*, pm->payload_off);
        sink_->on_dtls(t->params.id, pm->tuple, std::span<const uint8_t>(data, pm->payload_len));
      }
      break;
    case PktKind::kPuntUnknown: {
      // The worker missed the tuple; an event that adds it may have been drained just now.
      Route r = e_.tables.by_tuple(pm->tuple);
      if (r.valid()) {
        pm->kind = PktKind::kRaw;
        pm->transport = r.slot;
        pm->transport_gen = r.gen;
        enqueue_to_worker(r.worker, m);
        return;
      }
      // comedia: a plain transport with no remote yet latches on the first packet to its port.
      Route pr = e_.tables.by_port(pm->port, pm->tuple.local_port);
      const TransportEntry* pt = pr.valid() ? find_transport_slot(pr.slot, pr.gen) : nullptr;
      if (pt && pt->params.kind == TransportKind::kPlain && pt->params.comedia &&
          pt->tuples.empty() && pm->payload != PayloadKind::kStun &&
          e_.tables.add_tuple(pm->tuple, pr)) {
        auto* te = const_cast<TransportEntry*>(pt);
        te->tuples.push_back(pm->tuple);
        te->selected = pm->tuple;
        if (sink_) sink_->on_tuple_selected(te->params.id, pm->tuple, pm->port);
        pm->kind = PktKind::kRaw;
        pm->transport = pr.slot;
        pm->transport_gen = pr.gen;
        enqueue_to_worker(pr.worker, m);
        return;
      }
      counters_.drop(Drop::kUnknownSource);
      break;
    }
    default:
      break;
  }
  rte_pktmbuf_free(m);
}

void Controller::poll() {
  void* objs[kBurst];
  for (uint16_t w = 0; w < e_.n_workers; ++w) {
    unsigned n;
    while ((n = rte_ring_dequeue_burst(e_.done[w], objs, kBurst, nullptr)) > 0) {
      for (unsigned i = 0; i < n; ++i) complete(static_cast<Command*>(objs[i]));
    }
    // Events before punts of the same burst: a punted packet may need the tuple just added.
    while ((n = rte_ring_dequeue_burst(e_.to_main[w], objs, kBurst, nullptr)) > 0) {
      for (unsigned i = 0; i < n; ++i) handle_from_worker(static_cast<rte_mbuf*>(objs[i]));
    }
  }
  transport_slots_.reclaim(e_.rcu);
  producer_slots_.reclaim(e_.rcu);
  consumer_slots_.reclaim(e_.rcu);
}

}  // namespace fanout::dp

// The restart journal of a Node: the object model as a Journal (controlplane/core/journal.hpp) and
// the adoption by a restarted control plane of what its reconciliation with the data plane's Dump
// keeps. Reload, not flush: the data plane keeps forwarding between connected transports while no
// control plane runs, and a restarted one must carry on with the same objects under the same
// string ids.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "controlplane/core/journal.hpp"
#include "controlplane/core/node.hpp"
#include "controlplane/rtp/ortc.hpp"

namespace fanout::cp {

namespace json = boost::json;

std::optional<JournalTransport> Node::journal_transport(const std::string& id,
                                                        const TransportEntry& e) const {
  JournalTransport o;
  o.id = id;
  o.router_id = e.router_id;
  o.dataplane_id = e.dataplane_id;
  o.own_port = e.own_port;
  o.app_data = e.app_data;
  o.next_consumer_mid = e.next_consumer_mid;
  if (e.plain) {
    auto p = plain_transports_.find(e.dataplane_id);
    if (p == plain_transports_.end()) return std::nullopt;
    o.plain = true;
    o.comedia = p->second->comedia();
    o.connected = p->second->connected();
    if (!o.comedia && o.connected) o.remote = p->second->remote();
    o.local_srtp = p->second->srtp_parameters();
    return o;
  }
  auto found = transports_.find(e.dataplane_id);
  if (found == transports_.end()) return std::nullopt;
  const WebRtcTransport& t = *found->second;
  o.ice_ufrag = t.ice_parameters().username_fragment;
  o.ice_pwd = t.ice_parameters().password;
  o.role = t.dtls_role();
  o.remote_role = t.remote_dtls_role();
  o.remote_fingerprint = t.remote_fingerprint();
  o.dtls_ended = t.dtls_state() == DtlsState::kFailed || t.dtls_state() == DtlsState::kClosed;
  return o;
}

Journal Node::journal() const {
  Journal j;
  j.epoch = link_.epoch();
  for (const auto& [id, r] : routers_) j.routers.push_back({id, r.media_codecs});
  for (const auto& [id, e] : entries_) {
    if (auto o = journal_transport(id, e)) j.transports.push_back(std::move(*o));
  }
  for (const auto& [id, p] : producers_) {
    j.producers.push_back({id, p.dataplane_id, p.transport_id, p.kind, p.rtp_parameters,
                           p.rtp_mapping, p.paused, p.app_data});
  }
  for (const auto& [id, c] : consumers_) {
    j.consumers.push_back(
        {id, c.dataplane_id, c.producer_id, c.transport_id, c.kind, c.rtp_parameters, c.paused});
  }
  return j;
}

Node::JournalChanges Node::take_journal_changes() {
  JournalChanges out;
  out.full = journal_full_;
  journal_full_ = false;
  if (out.full) {
    journal_dirty_.clear();
    return out;
  }
  // The changed objects as a journal of their own, serialized by the same code as a snapshot;
  // each of its entries is one put. What no longer exists is a delete.
  Journal changed;
  std::vector<std::pair<const char*, std::string>> deleted;
  for (const auto& [kind, id] : journal_dirty_) {
    switch (kind) {
      case JournalKind::kRouter:
        if (auto r = routers_.find(id); r != routers_.end()) {
          changed.routers.push_back({id, r->second.media_codecs});
        } else {
          deleted.emplace_back("routers", id);
        }
        break;
      case JournalKind::kTransport: {
        auto e = entries_.find(id);
        std::optional<JournalTransport> o;
        if (e != entries_.end()) o = journal_transport(id, e->second);
        if (o) {
          changed.transports.push_back(std::move(*o));
        } else {
          deleted.emplace_back("transports", id);
        }
        break;
      }
      case JournalKind::kProducer:
        if (auto p = producers_.find(id); p != producers_.end()) {
          const Producer& x = p->second;
          changed.producers.push_back({id, x.dataplane_id, x.transport_id, x.kind, x.rtp_parameters,
                                       x.rtp_mapping, x.paused, x.app_data});
        } else {
          deleted.emplace_back("producers", id);
        }
        break;
      case JournalKind::kConsumer:
        if (auto c = consumers_.find(id); c != consumers_.end()) {
          const Consumer& x = c->second;
          changed.consumers.push_back({id, x.dataplane_id, x.producer_id, x.transport_id, x.kind,
                                       x.rtp_parameters, x.paused});
        } else {
          deleted.emplace_back("consumers", id);
        }
        break;
    }
  }
  journal_dirty_.clear();
  json::value as_json = to_json(changed);
  for (const char* list : {"routers", "transports", "producers", "consumers"}) {
    for (json::value& v : as_json.as_object()[list].as_array()) {
      out.records.push_back(json::object{{"put", list}, {"value", std::move(v)}});
    }
  }
  for (auto& [list, id] : deleted) out.records.push_back(json::object{{"del", list}, {"id", id}});
  return out;
}

json::value Node::snapshot() const {
  return to_json(journal());
}

std::string Node::RestoreSummary::describe() const {
  std::string s = stale.empty() ? "" : "stale restart journal (" + stale + "); ";
  // The first part's shape is what operators and tests/e2e grep for.
  s += "restored " + std::to_string(routers) + " routers, " + std::to_string(transports) +
       " transports, " + std::to_string(producers) + " producers, " + std::to_string(consumers) +
       " consumers; dropped " + std::to_string(dropped);
  // One line even after a large room was lost: the first few say what happened.
  constexpr size_t kListed = 10;
  for (size_t i = 0; i < dropped_details.size() && i < kListed; ++i)
    s += (i == 0 ? " (" : ", ") + dropped_details[i];
  if (dropped_details.size() > kListed)
    s += ", and " + std::to_string(dropped_details.size() - kListed) + " more";
  if (!dropped_details.empty()) s += ")";
  s += "; deleted " + std::to_string(orphans_deleted) + " orphans of the data plane";
  if (orphans_deleted != 0) {
    s += " (" + std::to_string(orphan_transports) + " transports, " +
         std::to_string(orphan_producers) + " producers, " + std::to_string(orphan_consumers) +
         " consumers)";
  }
  if (orphans_failed != 0) s += "; " + std::to_string(orphans_failed) + " deletes refused";
  if (transports != 0) {
    s += "; transports: " + std::to_string(transports_keyed) + " DTLS connected (media flowing), " +
         std::to_string(transports_rehandshaking) + " handshaking again";
  }
  return s;
}

Node::RestoreSummary Node::restore(const json::value* journal_json) {
  if (!routers_.empty() || !entries_.empty() || !transports_.empty() || !plain_transports_.empty())
    throw std::logic_error("Node::restore on a node that already has objects");
  // Parsed before anything changes: a journal that is not one leaves the node empty.
  std::optional<Journal> journal;
  if (journal_json != nullptr) journal = parse_journal(*journal_json);
  auto dumped = link_.dump();
  if (!dumped.ok()) throw std::runtime_error(dumped.status.error());
  const DataplaneDump& dump = dumped.value;
  std::map<uint32_t, const DataplaneDump::Transport*> dp_transports;
  for (const auto& t : dump.transports) dp_transports[t.id] = &t;
  const fanout::ipc::HelloReply* hello = link_.hello_reply();
  ReconcilePlan plan =
      reconcile(journal ? &*journal : nullptr, dump, hello != nullptr ? hello->epoch() : 0);

  RestoreSummary summary;
  summary.stale = plan.stale;
  summary.dropped = plan.dropped.size();
  summary.dropped_details = plan.dropped;
  if (journal) {
    std::set<std::string> transports, producers, consumers;
    for (const auto& t : plan.adopt.transports) transports.insert(t.id);
    for (const auto& p : plan.adopt.producers) producers.insert(p.id);
    for (const auto& c : plan.adopt.consumers) consumers.insert(c.id);
    for (const auto& t : journal->transports)
      if (!transports.count(t.id)) summary.lost_transports.push_back(t.id);
    for (const auto& p : journal->producers)
      if (!producers.count(p.id)) summary.lost_producers.push_back(p.id);
    for (const auto& c : journal->consumers)
      if (!consumers.count(c.id)) summary.lost_consumers.push_back(c.id);
  }
  for (const JournalRouter& r : plan.adopt.routers) {
    create_router(r.id, r.media_codecs);
    ++summary.routers;
  }
  for (const JournalTransport& o : plan.adopt.transports) {
    const DataplaneDump::Transport& d = *dp_transports.at(o.dataplane_id);
    if (o.plain) {
      PlainTransport::Adopted adopted;
      adopted.created = d.created;
      adopted.connected = o.connected;
      adopted.remote = o.remote;
      adopted.local_srtp = o.local_srtp;
      // The placeholder remote of one not connected is not a tuple.
      if (o.comedia || o.connected) adopted.selected_tuple = d.selected_tuple;
      PlainTransportOptions options;
      options.worker = d.created.worker;
      options.port = options_.port;
      options.local_port = o.own_port;
      options.comedia = o.comedia;
      if (o.local_srtp) options.srtp = o.local_srtp->crypto_suite;
      plain_transports_.emplace(o.dataplane_id, std::make_unique<PlainTransport>(
                                                    link_, o.dataplane_id, options, adopted));
      TransportEntry entry;
      entry.id = o.id;
      entry.router_id = o.router_id;
      entry.dataplane_id = o.dataplane_id;
      entry.plain = true;
      entry.own_port = o.own_port;
      entry.app_data = o.app_data;
      entry.next_consumer_mid = o.next_consumer_mid;
      own_ports_in_use_.insert(entry.own_port);
      routers_.at(o.router_id).transports.insert(o.id);
      entries_.emplace(o.id, std::move(entry));
      next_id_ = std::max(next_id_, o.dataplane_id + 1);
      ++summary.transports;
      continue;
    }
    WebRtcTransport::Adopted adopted;
    adopted.created = d.created;
    adopted.ice_parameters = {o.ice_ufrag, o.ice_pwd, true};
    adopted.role = o.role;
    adopted.selected_tuple = d.selected_tuple;
    if (d.srtp_inbound_profile != 0 && d.srtp_inbound_profile == d.srtp_outbound_profile)
      adopted.srtp_profile = srtp_profile_from_id(d.srtp_inbound_profile);
    adopted.remote_role = o.remote_role;
    adopted.remote_fingerprint = o.remote_fingerprint;
    adopted.dtls_ended = o.dtls_ended;
    WebRtcTransportOptions options;
    options.port = options_.port;
    options.worker = d.created.worker;
    options.local_port = o.own_port;
    auto t =
        std::make_unique<WebRtcTransport>(link_, dtls_context_, o.dataplane_id, options, adopted);
    if (t->srtp_profile()) {
      ++summary.transports_keyed;
    } else if (t->remote_fingerprint() && t->dtls_state() != DtlsState::kFailed) {
      ++summary.transports_rehandshaking;
    }
    watch_transport(o.id, *t);
    transports_.emplace(o.dataplane_id, std::move(t));
    TransportEntry entry;
    entry.id = o.id;
    entry.router_id = o.router_id;
    entry.dataplane_id = o.dataplane_id;
    entry.own_port = o.own_port;
    entry.app_data = o.app_data;
    entry.next_consumer_mid = o.next_consumer_mid;
    if (entry.own_port) own_ports_in_use_.insert(entry.own_port);
    routers_.at(o.router_id).transports.insert(o.id);
    entries_.emplace(o.id, std::move(entry));
    next_id_ = std::max(next_id_, o.dataplane_id + 1);
    ++summary.transports;
  }
  for (const JournalProducer& o : plan.adopt.producers) {
    TransportEntry& e = entries_.at(o.transport_id);
    Producer p;
    p.id = o.id;
    p.dataplane_id = o.dataplane_id;
    p.kind = o.kind;
    p.rtp_parameters = o.rtp_parameters;
    p.rtp_mapping = o.rtp_mapping;
    const Router& r = routers_.at(e.router_id);
    p.consumable_rtp_parameters =
        get_consumable_rtp_parameters(p.kind, p.rtp_parameters, r.rtp_capabilities, p.rtp_mapping);
    p.paused = o.paused;
    p.transport_id = e.id;
    p.router_id = e.router_id;
    p.app_data = o.app_data;
    e.producers.insert(p.id);
    next_producer_id_ = std::max(next_producer_id_, o.dataplane_id + 1);
    producers_.emplace(p.id, std::move(p));
    ++summary.producers;
  }
  for (const JournalConsumer& o : plan.adopt.consumers) {
    Producer& p = producers_.at(o.producer_id);
    Consumer c;
    c.id = o.id;
    c.dataplane_id = o.dataplane_id;
    c.producer_id = o.producer_id;
    c.transport_id = o.transport_id;
    c.kind = o.kind;
    c.rtp_parameters = o.rtp_parameters;
    c.paused = o.paused;
    c.producer_paused = p.paused;
    entries_.at(o.transport_id).consumers.insert(c.id);
    p.consumers.insert(c.id);
    next_consumer_id_ = std::max(next_consumer_id_, o.dataplane_id + 1);
    consumers_.emplace(c.id, std::move(c));
    ++summary.consumers;
  }
  // What the journal does not know would forward with no one to close it: delete it, consumers
  // first (the data plane deletes a producer's consumers with it, and a transport's producers and
  // consumers: a refusal for one already gone is harmless). Orphans' ids are never reused either.
  for (uint32_t id : plan.orphan_consumers) {
    next_consumer_id_ = std::max(next_consumer_id_, id + 1);
    if (link_.delete_consumer(id).ok()) {
      ++summary.orphan_consumers;
    } else {
      ++summary.orphans_failed;
    }
  }
  for (uint32_t id : plan.orphan_producers) {
    next_producer_id_ = std::max(next_producer_id_, id + 1);
    if (link_.delete_producer(id).ok()) {
      ++summary.orphan_producers;
    } else {
      ++summary.orphans_failed;
    }
  }
  for (uint32_t id : plan.orphan_transports) {
    next_id_ = std::max(next_id_, id + 1);
    if (link_.delete_transport(id).ok()) {
      ++summary.orphan_transports;
    } else {
      ++summary.orphans_failed;
    }
  }
  summary.orphans_deleted =
      summary.orphan_consumers + summary.orphan_producers + summary.orphan_transports;
  ++model_version_;
  journal_full_ = true;
  return summary;
}

}  // namespace fanout::cp

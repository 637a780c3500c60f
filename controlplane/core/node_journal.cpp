// The restart journal: the object model as JSON (Node::snapshot) and its adoption by a restarted
// control plane (Node::restore), reconciled with what the data plane still holds. Reload, not
// flush: the data plane keeps forwarding between connected transports while no control plane
// runs, and a restarted one must carry on with the same objects under the same string ids.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/json.hpp>

#include "controlplane/core/node.hpp"
#include "controlplane/rtp/ortc.hpp"

namespace fanout::cp {

namespace json = boost::json;

namespace {

constexpr int64_t kJournalVersion = 1;

[[noreturn]] void bad_journal(const std::string& what) {
  throw CpError(CpError::Code::kInvalidArgument, "journal: " + what);
}

const json::value& member(const json::object& o, std::string_view key, const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) bad_journal(path + "." + std::string(key) + ": missing");
  return *v;
}

std::string string_of(const json::object& o, std::string_view key, const std::string& path) {
  const json::value& v = member(o, key, path);
  if (!v.is_string()) bad_journal(path + "." + std::string(key) + ": expected a string");
  return std::string(v.get_string());
}

uint64_t uint_of(const json::object& o, std::string_view key, const std::string& path) {
  const json::value& v = member(o, key, path);
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
  bad_journal(path + "." + std::string(key) + ": expected an unsigned integer");
}

bool bool_of(const json::object& o, std::string_view key, const std::string& path) {
  const json::value& v = member(o, key, path);
  if (!v.is_bool()) bad_journal(path + "." + std::string(key) + ": expected a boolean");
  return v.get_bool();
}

const json::array& array_of(const json::object& o, std::string_view key, const std::string& path) {
  const json::value& v = member(o, key, path);
  if (!v.is_array()) bad_journal(path + "." + std::string(key) + ": expected an array");
  return v.get_array();
}

const json::object& object_at(const json::value& v, const std::string& path) {
  if (!v.is_object()) bad_journal(path + ": expected an object");
  return v.get_object();
}

RtpMapping mapping_from_json(const json::value& v, const std::string& path) {
  const json::object& o = object_at(v, path);
  RtpMapping m;
  for (const json::value& c : array_of(o, "codecs", path)) {
    const json::object& co = object_at(c, path + ".codecs[]");
    m.codecs.push_back(
        {static_cast<uint8_t>(uint_of(co, "payloadType", path + ".codecs[]")),
         static_cast<uint8_t>(uint_of(co, "mappedPayloadType", path + ".codecs[]"))});
  }
  for (const json::value& e : array_of(o, "encodings", path)) {
    const json::object& eo = object_at(e, path + ".encodings[]");
    RtpMapping::Encoding enc;
    enc.mapped_ssrc = static_cast<uint32_t>(uint_of(eo, "mappedSsrc", path + ".encodings[]"));
    if (eo.contains("ssrc")) {
      enc.ssrc = static_cast<uint32_t>(uint_of(eo, "ssrc", path + ".encodings[]"));
    }
    if (eo.contains("rid")) enc.rid = string_of(eo, "rid", path + ".encodings[]");
    if (eo.contains("scalabilityMode")) {
      enc.scalability_mode = string_of(eo, "scalabilityMode", path + ".encodings[]");
    }
    m.encodings.push_back(std::move(enc));
  }
  return m;
}

MediaKind kind_of(const json::object& o, const std::string& path) {
  auto kind = parse_media_kind(string_of(o, "kind", path));
  if (!kind) bad_journal(path + ".kind: not audio or video");
  return *kind;
}

}  // namespace

json::value Node::snapshot() const {
  json::array routers;
  for (const auto& [id, r] : routers_) {
    json::object o{{"id", id}};
    if (r.media_codecs) {
      json::array codecs;
      for (const auto& c : *r.media_codecs) codecs.push_back(to_json(c));
      o["mediaCodecs"] = std::move(codecs);
    }
    routers.push_back(std::move(o));
  }
  json::array transports;
  for (const auto& [id, e] : entries_) {
    const WebRtcTransport* t =
        transports_.count(e.dataplane_id) ? transports_.at(e.dataplane_id).get() : nullptr;
    if (t == nullptr) continue;
    json::object o{{"id", id},
                   {"routerId", e.router_id},
                   {"dataplaneId", e.dataplane_id},
                   {"ownPort", e.own_port},
                   {"appData", e.app_data},
                   {"nextConsumerMid", e.next_consumer_mid},
                   {"iceUfrag", t->ice_parameters().username_fragment},
                   {"icePwd", t->ice_parameters().password}};
    if (t->dtls_role()) o["dtlsRole"] = dtls_role_name(*t->dtls_role());
    transports.push_back(std::move(o));
  }
  json::array producers;
  for (const auto& [id, p] : producers_) {
    producers.push_back(json::object{{"id", id},
                                     {"dataplaneId", p.dataplane_id},
                                     {"transportId", p.transport_id},
                                     {"kind", to_string(p.kind)},
                                     {"rtpParameters", to_json(p.rtp_parameters)},
                                     {"rtpMapping", to_json(p.rtp_mapping)},
                                     {"paused", p.paused},
                                     {"appData", p.app_data}});
  }
  json::array consumers;
  for (const auto& [id, c] : consumers_) {
    consumers.push_back(json::object{{"id", id},
                                     {"dataplaneId", c.dataplane_id},
                                     {"producerId", c.producer_id},
                                     {"transportId", c.transport_id},
                                     {"kind", to_string(c.kind)},
                                     {"rtpParameters", to_json(c.rtp_parameters)},
                                     {"paused", c.paused}});
  }
  return json::object{{"version", kJournalVersion},
                      {"routers", std::move(routers)},
                      {"transports", std::move(transports)},
                      {"producers", std::move(producers)},
                      {"consumers", std::move(consumers)}};
}

std::string Node::RestoreSummary::describe() const {
  return "restored " + std::to_string(routers) + " routers, " + std::to_string(transports) +
         " transports, " + std::to_string(producers) + " producers, " + std::to_string(consumers) +
         " consumers; dropped " + std::to_string(dropped) +
         " the data plane no longer had; deleted " + std::to_string(orphans_deleted) +
         " data plane objects the journal did not know";
}

Node::RestoreSummary Node::restore(const json::value* journal) {
  if (!routers_.empty() || !entries_.empty() || !transports_.empty())
    throw std::logic_error("Node::restore on a node that already has objects");
  auto dumped = link_.dump();
  if (!dumped.ok()) throw std::runtime_error(dumped.status.error());
  const DataplaneDump& dump = dumped.value;
  std::map<uint32_t, const DataplaneDump::Transport*> dp_transports;
  for (const auto& t : dump.transports) dp_transports[t.id] = &t;
  const std::set<uint32_t> dp_producers(dump.producers.begin(), dump.producers.end());
  const std::set<uint32_t> dp_consumers(dump.consumers.begin(), dump.consumers.end());

  RestoreSummary summary;
  std::set<uint32_t> kept_transports, kept_producers, kept_consumers;
  if (journal != nullptr) {
    const json::object& root = object_at(*journal, "journal");
    if (uint_of(root, "version", "journal") != kJournalVersion)
      bad_journal("version: not " + std::to_string(kJournalVersion));
    for (const json::value& v : array_of(root, "routers", "journal")) {
      const json::object& o = object_at(v, "routers[]");
      std::optional<std::vector<RtpCodecCapability>> codecs;
      if (o.contains("mediaCodecs")) {
        codecs.emplace();
        for (const json::value& c : array_of(o, "mediaCodecs", "routers[]"))
          codecs->push_back(parse_rtp_codec_capability(c, "routers[].mediaCodecs[]"));
      }
      create_router(string_of(o, "id", "routers[]"), codecs);
      ++summary.routers;
    }
    for (const json::value& v : array_of(root, "transports", "journal")) {
      const std::string path = "transports[]";
      const json::object& o = object_at(v, path);
      const auto dp_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
      const std::string id = string_of(o, "id", path);
      const std::string router_id = string_of(o, "routerId", path);
      auto found = dp_transports.find(dp_id);
      auto router = routers_.find(router_id);
      if (found == dp_transports.end() || router == routers_.end() ||
          found->second->ice_ufrag != string_of(o, "iceUfrag", path)) {
        ++summary.dropped;
        continue;
      }
      const DataplaneDump::Transport& d = *found->second;
      WebRtcTransport::Adopted adopted;
      adopted.created = d.created;
      adopted.ice_parameters = {d.ice_ufrag, string_of(o, "icePwd", path), true};
      if (o.contains("dtlsRole")) adopted.role = parse_dtls_role(string_of(o, "dtlsRole", path));
      adopted.selected_tuple = d.selected_tuple;
      if (d.srtp_inbound_profile != 0 && d.srtp_inbound_profile == d.srtp_outbound_profile)
        adopted.srtp_profile = srtp_profile_from_id(d.srtp_inbound_profile);
      WebRtcTransportOptions options;
      options.port = options_.port;
      options.worker = d.created.worker;
      options.local_port = static_cast<uint16_t>(uint_of(o, "ownPort", path));
      auto t = std::make_unique<WebRtcTransport>(link_, dtls_context_, dp_id, options, adopted);
      t->set_state_callback([this, id](WebRtcTransport& tr) {
        if (observer_) observer_->on_transport_state(id, tr);
      });
      transports_.emplace(dp_id, std::move(t));
      TransportEntry entry;
      entry.id = id;
      entry.router_id = router_id;
      entry.dataplane_id = dp_id;
      entry.own_port = options.local_port;
      entry.app_data = member(o, "appData", path);
      entry.next_consumer_mid = static_cast<uint32_t>(uint_of(o, "nextConsumerMid", path));
      if (entry.own_port) own_ports_in_use_.insert(entry.own_port);
      router->second.transports.insert(id);
      entries_.emplace(id, std::move(entry));
      kept_transports.insert(dp_id);
      next_id_ = std::max(next_id_, dp_id + 1);
      ++summary.transports;
    }
    for (const json::value& v : array_of(root, "producers", "journal")) {
      const std::string path = "producers[]";
      const json::object& o = object_at(v, path);
      const auto dp_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
      auto e = entries_.find(string_of(o, "transportId", path));
      if (!dp_producers.count(dp_id) || e == entries_.end()) {
        ++summary.dropped;
        continue;
      }
      Producer p;
      p.id = string_of(o, "id", path);
      p.dataplane_id = dp_id;
      p.kind = kind_of(o, path);
      p.rtp_parameters = parse_rtp_parameters(member(o, "rtpParameters", path), path);
      p.rtp_mapping = mapping_from_json(member(o, "rtpMapping", path), path + ".rtpMapping");
      const Router& r = routers_.at(e->second.router_id);
      p.consumable_rtp_parameters = get_consumable_rtp_parameters(
          p.kind, p.rtp_parameters, r.rtp_capabilities, p.rtp_mapping);
      p.paused = bool_of(o, "paused", path);
      p.transport_id = e->first;
      p.router_id = e->second.router_id;
      p.app_data = member(o, "appData", path);
      e->second.producers.insert(p.id);
      kept_producers.insert(dp_id);
      next_producer_id_ = std::max(next_producer_id_, dp_id + 1);
      producers_.emplace(p.id, std::move(p));
      ++summary.producers;
    }
    for (const json::value& v : array_of(root, "consumers", "journal")) {
      const std::string path = "consumers[]";
      const json::object& o = object_at(v, path);
      const auto dp_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
      auto e = entries_.find(string_of(o, "transportId", path));
      auto p = producers_.find(string_of(o, "producerId", path));
      if (!dp_consumers.count(dp_id) || e == entries_.end() || p == producers_.end()) {
        ++summary.dropped;
        continue;
      }
      Consumer c;
      c.id = string_of(o, "id", path);
      c.dataplane_id = dp_id;
      c.producer_id = p->first;
      c.transport_id = e->first;
      c.kind = kind_of(o, path);
      c.rtp_parameters = parse_rtp_parameters(member(o, "rtpParameters", path), path);
      c.paused = bool_of(o, "paused", path);
      c.producer_paused = p->second.paused;
      e->second.consumers.insert(c.id);
      p->second.consumers.insert(c.id);
      kept_consumers.insert(dp_id);
      next_consumer_id_ = std::max(next_consumer_id_, dp_id + 1);
      consumers_.emplace(c.id, std::move(c));
      ++summary.consumers;
    }
  }
  // What the journal does not know would forward with no one to close it: delete it, consumers
  // first (the data plane deletes a producer's consumers with it; a failure here is harmless).
  for (uint32_t id : dump.consumers) {
    if (!kept_consumers.count(id) && link_.delete_consumer(id).ok()) ++summary.orphans_deleted;
  }
  for (uint32_t id : dump.producers) {
    if (!kept_producers.count(id) && link_.delete_producer(id).ok()) ++summary.orphans_deleted;
  }
  for (const auto& t : dump.transports) {
    if (!kept_transports.count(t.id) && link_.delete_transport(t.id).ok())
      ++summary.orphans_deleted;
  }
  ++model_version_;
  return summary;
}

}  // namespace fanout::cp

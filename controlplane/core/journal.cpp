#include "controlplane/core/journal.hpp"

#include <map>
#include <set>

#include <boost/json.hpp>

#include "controlplane/core/errors.hpp"

namespace fanout::cp {

namespace json = boost::json;

namespace {

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

uint64_t uint_of(const json::object& o, std::string_view key, const std::string& path,
                 uint64_t max = UINT32_MAX) {
  const json::value& v = member(o, key, path);
  uint64_t n = 0;
  if (v.is_uint64()) {
    n = v.get_uint64();
  } else if (v.is_int64() && v.get_int64() >= 0) {
    n = static_cast<uint64_t>(v.get_int64());
  } else {
    bad_journal(path + "." + std::string(key) + ": expected an unsigned integer");
  }
  if (n > max) bad_journal(path + "." + std::string(key) + ": out of range");
  return n;
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

json::value optional_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? *v : json::value();
}

DtlsRole role_of(const json::object& o, std::string_view key, const std::string& path) {
  auto role = parse_dtls_role(string_of(o, key, path));
  if (!role) bad_journal(path + "." + std::string(key) + ": not a DTLS role");
  return *role;
}

MediaKind kind_of(const json::object& o, const std::string& path) {
  auto kind = parse_media_kind(string_of(o, "kind", path));
  if (!kind) bad_journal(path + ".kind: not audio or video");
  return *kind;
}

RtpMapping mapping_from_json(const json::value& v, const std::string& path) {
  const json::object& o = object_at(v, path);
  RtpMapping m;
  for (const json::value& c : array_of(o, "codecs", path)) {
    const json::object& co = object_at(c, path + ".codecs[]");
    m.codecs.push_back(
        {static_cast<uint8_t>(uint_of(co, "payloadType", path + ".codecs[]", 127)),
         static_cast<uint8_t>(uint_of(co, "mappedPayloadType", path + ".codecs[]", 127))});
  }
  for (const json::value& e : array_of(o, "encodings", path)) {
    const std::string epath = path + ".encodings[]";
    const json::object& eo = object_at(e, epath);
    RtpMapping::Encoding enc;
    enc.mapped_ssrc = static_cast<uint32_t>(uint_of(eo, "mappedSsrc", epath));
    if (eo.contains("ssrc")) enc.ssrc = static_cast<uint32_t>(uint_of(eo, "ssrc", epath));
    if (eo.contains("rid")) enc.rid = string_of(eo, "rid", epath);
    if (eo.contains("scalabilityMode")) {
      enc.scalability_mode = string_of(eo, "scalabilityMode", epath);
    }
    m.encodings.push_back(std::move(enc));
  }
  return m;
}

// The RTP parsers throw RtpError; the journal reports every defect as one CpError.
RtpParameters rtp_parameters_of(const json::object& o, const std::string& path) {
  try {
    return parse_rtp_parameters(member(o, "rtpParameters", path), path + ".rtpParameters");
  } catch (const RtpError& e) {
    bad_journal(e.what());
  }
}

// A plain transport of the journal and the data plane's transport under its id are the same one.
bool same_plain(const JournalTransport& t, const DataplaneDump::Transport& d) {
  if (!d.plain || d.created.local_port != t.own_port || d.comedia != t.comedia) return false;
  if (t.comedia) return true;
  // Not connected: the placeholder remote; connected: connect's.
  const UdpEndpoint expected = t.connected && t.remote ? *t.remote : kUnconnectedRemote;
  return d.plain_remote && d.plain_remote->address == expected.address &&
         d.plain_remote->port == expected.port;
}

}  // namespace

json::value to_json(const Journal& journal) {
  json::array routers;
  for (const JournalRouter& r : journal.routers) {
    json::object o{{"id", r.id}};
    if (r.media_codecs) {
      json::array codecs;
      for (const auto& c : *r.media_codecs) codecs.push_back(to_json(c));
      o["mediaCodecs"] = std::move(codecs);
    }
    routers.push_back(std::move(o));
  }
  json::array transports;
  for (const JournalTransport& t : journal.transports) {
    if (t.plain) {
      json::object o{{"id", t.id},
                     {"type", "plain"},
                     {"routerId", t.router_id},
                     {"dataplaneId", t.dataplane_id},
                     {"ownPort", t.own_port},
                     {"appData", t.app_data},
                     {"nextConsumerMid", t.next_consumer_mid},
                     {"comedia", t.comedia},
                     {"connected", t.connected}};
      if (t.remote) o["remote"] = json::object{{"ip", t.remote->address}, {"port", t.remote->port}};
      if (t.local_srtp) {
        o["srtpParameters"] =
            json::object{{"cryptoSuite", srtp_profile_name(t.local_srtp->crypto_suite)},
                         {"keyBase64", t.local_srtp->key_base64()}};
      }
      transports.push_back(std::move(o));
      continue;
    }
    json::object o{{"id", t.id},
                   {"routerId", t.router_id},
                   {"dataplaneId", t.dataplane_id},
                   {"ownPort", t.own_port},
                   {"appData", t.app_data},
                   {"nextConsumerMid", t.next_consumer_mid},
                   {"iceUfrag", t.ice_ufrag},
                   {"icePwd", t.ice_pwd},
                   {"dtlsEnded", t.dtls_ended}};
    if (t.role) o["dtlsRole"] = dtls_role_name(*t.role);
    if (t.remote_role) o["remoteDtlsRole"] = dtls_role_name(*t.remote_role);
    if (t.remote_fingerprint) {
      o["remoteFingerprint"] =
          json::object{{"algorithm", hash_algorithm_name(t.remote_fingerprint->algorithm)},
                       {"value", t.remote_fingerprint->value}};
    }
    transports.push_back(std::move(o));
  }
  json::array producers;
  for (const JournalProducer& p : journal.producers) {
    producers.push_back(json::object{{"id", p.id},
                                     {"dataplaneId", p.dataplane_id},
                                     {"transportId", p.transport_id},
                                     {"kind", to_string(p.kind)},
                                     {"rtpParameters", to_json(p.rtp_parameters)},
                                     {"rtpMapping", to_json(p.rtp_mapping)},
                                     {"paused", p.paused},
                                     {"appData", p.app_data}});
  }
  json::array consumers;
  for (const JournalConsumer& c : journal.consumers) {
    consumers.push_back(json::object{{"id", c.id},
                                     {"dataplaneId", c.dataplane_id},
                                     {"producerId", c.producer_id},
                                     {"transportId", c.transport_id},
                                     {"kind", to_string(c.kind)},
                                     {"rtpParameters", to_json(c.rtp_parameters)},
                                     {"paused", c.paused}});
  }
  return json::object{{"version", kJournalVersion},        {"epoch", journal.epoch},
                      {"routers", std::move(routers)},     {"transports", std::move(transports)},
                      {"producers", std::move(producers)}, {"consumers", std::move(consumers)}};
}

Journal parse_journal(const json::value& value) {
  const json::object& root = object_at(value, "journal");
  // Version 1 lacked the browser's DTLS parameters and dtlsEnded: its transports without keys
  // are adopted as new, as that version did. Version 2 had no plain transports.
  const uint64_t version = uint_of(root, "version", "journal");
  if (version < 1 || version > static_cast<uint64_t>(kJournalVersion))
    bad_journal("version: not 1.." + std::to_string(kJournalVersion));
  Journal j;
  if (version >= 2) j.epoch = uint_of(root, "epoch", "journal", UINT64_MAX);
  for (const json::value& v : array_of(root, "routers", "journal")) {
    const std::string path = "routers[" + std::to_string(j.routers.size()) + "]";
    const json::object& o = object_at(v, path);
    JournalRouter r;
    r.id = string_of(o, "id", path);
    if (o.contains("mediaCodecs")) {
      r.media_codecs.emplace();
      try {
        for (const json::value& c : array_of(o, "mediaCodecs", path))
          r.media_codecs->push_back(parse_rtp_codec_capability(c, path + ".mediaCodecs[]"));
      } catch (const RtpError& e) {
        bad_journal(e.what());
      }
    }
    j.routers.push_back(std::move(r));
  }
  for (const json::value& v : array_of(root, "transports", "journal")) {
    const std::string path = "transports[" + std::to_string(j.transports.size()) + "]";
    const json::object& o = object_at(v, path);
    JournalTransport t;
    t.id = string_of(o, "id", path);
    t.router_id = string_of(o, "routerId", path);
    t.dataplane_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
    t.own_port = static_cast<uint16_t>(uint_of(o, "ownPort", path, UINT16_MAX));
    t.app_data = optional_member(o, "appData");
    t.next_consumer_mid = static_cast<uint32_t>(uint_of(o, "nextConsumerMid", path));
    if (o.contains("type")) {
      if (string_of(o, "type", path) != "plain") bad_journal(path + ".type: not \"plain\"");
      t.plain = true;
      t.comedia = bool_of(o, "comedia", path);
      t.connected = bool_of(o, "connected", path);
      if (o.contains("remote")) {
        const std::string rpath = path + ".remote";
        const json::object& ro = object_at(member(o, "remote", path), rpath);
        t.remote = UdpEndpoint{string_of(ro, "ip", rpath),
                               static_cast<uint16_t>(uint_of(ro, "port", rpath, UINT16_MAX))};
      }
      if (o.contains("srtpParameters")) {
        const std::string spath = path + ".srtpParameters";
        const json::object& so = object_at(member(o, "srtpParameters", path), spath);
        try {
          t.local_srtp = parse_srtp_parameters(string_of(so, "cryptoSuite", spath),
                                               string_of(so, "keyBase64", spath),
                                               spath + ".cryptoSuite", spath + ".keyBase64");
        } catch (const CpError& e) {
          bad_journal(e.what());
        }
      }
      j.transports.push_back(std::move(t));
      continue;
    }
    t.ice_ufrag = string_of(o, "iceUfrag", path);
    t.ice_pwd = string_of(o, "icePwd", path);
    if (version >= 2) t.dtls_ended = bool_of(o, "dtlsEnded", path);
    if (o.contains("dtlsRole")) t.role = role_of(o, "dtlsRole", path);
    if (o.contains("remoteDtlsRole")) t.remote_role = role_of(o, "remoteDtlsRole", path);
    if (o.contains("remoteFingerprint")) {
      const std::string fpath = path + ".remoteFingerprint";
      const json::object& fo = object_at(member(o, "remoteFingerprint", path), fpath);
      auto algorithm = parse_hash_algorithm(string_of(fo, "algorithm", fpath));
      if (!algorithm) bad_journal(fpath + ".algorithm: unknown");
      t.remote_fingerprint = Fingerprint{*algorithm, string_of(fo, "value", fpath)};
    }
    j.transports.push_back(std::move(t));
  }
  for (const json::value& v : array_of(root, "producers", "journal")) {
    const std::string path = "producers[" + std::to_string(j.producers.size()) + "]";
    const json::object& o = object_at(v, path);
    JournalProducer p;
    p.id = string_of(o, "id", path);
    p.dataplane_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
    p.transport_id = string_of(o, "transportId", path);
    p.kind = kind_of(o, path);
    p.rtp_parameters = rtp_parameters_of(o, path);
    p.rtp_mapping = mapping_from_json(member(o, "rtpMapping", path), path + ".rtpMapping");
    p.paused = bool_of(o, "paused", path);
    p.app_data = optional_member(o, "appData");
    j.producers.push_back(std::move(p));
  }
  for (const json::value& v : array_of(root, "consumers", "journal")) {
    const std::string path = "consumers[" + std::to_string(j.consumers.size()) + "]";
    const json::object& o = object_at(v, path);
    JournalConsumer c;
    c.id = string_of(o, "id", path);
    c.dataplane_id = static_cast<uint32_t>(uint_of(o, "dataplaneId", path));
    c.producer_id = string_of(o, "producerId", path);
    c.transport_id = string_of(o, "transportId", path);
    c.kind = kind_of(o, path);
    c.rtp_parameters = rtp_parameters_of(o, path);
    c.paused = bool_of(o, "paused", path);
    j.consumers.push_back(std::move(c));
  }
  return j;
}

ReconcilePlan reconcile(const Journal* journal, const DataplaneDump& dump,
                        uint64_t dataplane_epoch) {
  std::map<uint32_t, const DataplaneDump::Transport*> dp_transports;
  for (const auto& t : dump.transports) dp_transports[t.id] = &t;
  const std::set<uint32_t> dp_producers(dump.producers.begin(), dump.producers.end());
  const std::set<uint32_t> dp_consumers(dump.consumers.begin(), dump.consumers.end());

  ReconcilePlan plan;
  // By data plane id: what is adopted, so that a data plane object is claimed at most once.
  std::set<uint32_t> transports, producers, consumers;
  std::set<std::string> routers, transport_ids, producer_ids, consumer_ids;
  auto drop = [&](const std::string& what, const std::string& id, uint32_t dp_id,
                  const std::string& why) {
    plan.dropped.push_back(what + " " + id + " (data plane " + std::to_string(dp_id) + "): " + why);
  };
  if (journal != nullptr && journal->epoch != 0 && journal->epoch != dataplane_epoch) {
    plan.stale = "the journal was written under epoch " + std::to_string(journal->epoch) +
                 " but the data plane's last control plane had epoch " +
                 std::to_string(dataplane_epoch) +
                 " (the data plane restarted, or another control plane ran since)";
    // Routers stay: they are the control plane's alone (codecs, no data plane state), and
    // signaling keeps using their ids for its rooms after a data plane restart — without them
    // every transport a room asks for afterwards would be refused with "router not found".
    for (const JournalRouter& r : journal->routers) {
      if (routers.insert(r.id).second) plan.adopt.routers.push_back(r);
    }
    for (const auto& t : journal->transports) drop("transport", t.id, t.dataplane_id, "stale");
    for (const auto& p : journal->producers) drop("producer", p.id, p.dataplane_id, "stale");
    for (const auto& c : journal->consumers) drop("consumer", c.id, c.dataplane_id, "stale");
    journal = nullptr;
  }
  if (journal != nullptr) {
    plan.adopt.epoch = journal->epoch;
    for (const JournalRouter& r : journal->routers) {
      if (!routers.insert(r.id).second) continue;  // a duplicate: the first one stands
      plan.adopt.routers.push_back(r);
    }
    for (const JournalTransport& t : journal->transports) {
      auto found = dp_transports.find(t.dataplane_id);
      if (!routers.count(t.router_id)) {
        drop("transport", t.id, t.dataplane_id, "its router " + t.router_id + " is unknown");
      } else if (found == dp_transports.end()) {
        drop("transport", t.id, t.dataplane_id, "gone from the data plane");
      } else if (!t.plain && (found->second->plain || found->second->ice_ufrag != t.ice_ufrag)) {
        // The id was reused for another transport: ours is gone.
        drop("transport", t.id, t.dataplane_id, "the data plane's is another (ICE ufrag differs)");
      } else if (t.plain && !same_plain(t, *found->second)) {
        drop("transport", t.id, t.dataplane_id,
             "the data plane's is another (not a plain transport on port " +
                 std::to_string(t.own_port) + " with the same remote)");
      } else if (transports.count(t.dataplane_id) || transport_ids.count(t.id)) {
        drop("transport", t.id, t.dataplane_id, "listed twice");
      } else {
        transports.insert(t.dataplane_id);
        transport_ids.insert(t.id);
        plan.adopt.transports.push_back(t);
      }
    }
    for (const JournalProducer& p : journal->producers) {
      if (!transport_ids.count(p.transport_id)) {
        drop("producer", p.id, p.dataplane_id, "its transport " + p.transport_id + " is not kept");
      } else if (!dp_producers.count(p.dataplane_id)) {
        drop("producer", p.id, p.dataplane_id, "gone from the data plane");
      } else if (producers.count(p.dataplane_id) || producer_ids.count(p.id)) {
        drop("producer", p.id, p.dataplane_id, "listed twice");
      } else {
        producers.insert(p.dataplane_id);
        producer_ids.insert(p.id);
        plan.adopt.producers.push_back(p);
      }
    }
    for (const JournalConsumer& c : journal->consumers) {
      if (!transport_ids.count(c.transport_id)) {
        drop("consumer", c.id, c.dataplane_id, "its transport " + c.transport_id + " is not kept");
      } else if (!producer_ids.count(c.producer_id)) {
        drop("consumer", c.id, c.dataplane_id, "its producer " + c.producer_id + " is not kept");
      } else if (!dp_consumers.count(c.dataplane_id)) {
        drop("consumer", c.id, c.dataplane_id, "gone from the data plane");
      } else if (consumers.count(c.dataplane_id) || consumer_ids.count(c.id)) {
        drop("consumer", c.id, c.dataplane_id, "listed twice");
      } else {
        consumers.insert(c.dataplane_id);
        consumer_ids.insert(c.id);
        plan.adopt.consumers.push_back(c);
      }
    }
  }
  for (uint32_t id : dump.consumers) {
    if (!consumers.count(id)) plan.orphan_consumers.push_back(id);
  }
  for (uint32_t id : dump.producers) {
    if (!producers.count(id)) plan.orphan_producers.push_back(id);
  }
  for (const auto& t : dump.transports) {
    if (!transports.count(t.id)) plan.orphan_transports.push_back(t.id);
  }
  return plan;
}

}  // namespace fanout::cp

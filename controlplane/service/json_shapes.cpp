#include "controlplane/service/json_shapes.hpp"

#include <boost/json.hpp>

namespace fanout::cp {

namespace json = boost::json;

json::value ice_parameters_json(const IceParameters& ice) {
  return json::object{{"usernameFragment", ice.username_fragment},
                      {"password", ice.password},
                      {"iceLite", ice.ice_lite}};
}

json::value ice_candidates_json(const std::vector<IceCandidate>& candidates,
                                const std::string& announced_address) {
  json::array out;
  for (const IceCandidate& c : candidates) {
    const std::string& ip = announced_address.empty() ? c.address : announced_address;
    out.push_back(json::object{{"foundation", c.foundation},
                               {"priority", c.priority},
                               {"ip", ip},
                               {"address", ip},
                               {"protocol", c.protocol},
                               {"port", c.port},
                               {"type", c.type}});
  }
  return out;
}

json::value dtls_parameters_json(const DtlsParameters& dtls) {
  json::array fps;
  for (const Fingerprint& f : dtls.fingerprints) {
    fps.push_back(json::object{{"algorithm", std::string(hash_algorithm_name(f.algorithm))},
                               {"value", f.value}});
  }
  return json::object{{"role", std::string(dtls_role_name(dtls.role))},
                      {"fingerprints", std::move(fps)}};
}

RemoteDtlsParameters parse_remote_dtls_parameters(const json::value& v, const std::string& path) {
  const json::object* o = v.if_object();
  if (o == nullptr) throw_invalid(path + ": expected an object");
  RemoteDtlsParameters out;
  if (const json::value* role = o->if_contains("role")) {
    const json::string* s = role->if_string();
    if (s == nullptr) throw_invalid(path + ".role: expected a string");
    std::optional<DtlsRole> r = parse_dtls_role(std::string_view(s->data(), s->size()));
    if (!r)
      throw_invalid(path + ".role: '" + std::string(s->c_str()) +
                    "' is not auto, client or server");
    out.role = *r;
  }
  const json::value* fps = o->if_contains("fingerprints");
  if (fps == nullptr) throw_invalid(path + ".fingerprints: missing");
  const json::array* a = fps->if_array();
  if (a == nullptr) throw_invalid(path + ".fingerprints: expected an array");
  if (a->empty()) throw_invalid(path + ".fingerprints: empty");
  std::optional<Fingerprint> chosen;
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string fp = path + ".fingerprints[" + std::to_string(i) + "]";
    const json::object* f = (*a)[i].if_object();
    if (f == nullptr) throw_invalid(fp + ": expected an object");
    const json::value* alg = f->if_contains("algorithm");
    const json::value* value = f->if_contains("value");
    if (alg == nullptr || !alg->is_string()) throw_invalid(fp + ".algorithm: expected a string");
    if (value == nullptr || !value->is_string()) throw_invalid(fp + ".value: expected a string");
    if (value->as_string().empty()) throw_invalid(fp + ".value: empty");
    std::optional<HashAlgorithm> h = parse_hash_algorithm(alg->as_string().c_str());
    if (!h) continue;  // md5 and other names we cannot check: another entry may do
    Fingerprint candidate{*h, std::string(value->as_string().c_str())};
    // Browsers check sha-256, and it is the strongest one every browser signals.
    if (*h == HashAlgorithm::kSha256) {
      chosen = std::move(candidate);
      break;
    }
    if (!chosen) chosen = std::move(candidate);
  }
  if (!chosen)
    throw_unsupported(path + ".fingerprints: no algorithm this node can check (sha-256 is)");
  out.fingerprint = std::move(*chosen);
  return out;
}

json::value plain_tuple_json(const PlainTransport& t, const std::string& announced_address) {
  const std::string& ip = announced_address.empty() ? t.created().local_address : announced_address;
  json::object o{{"localIp", ip},
                 {"localAddress", ip},
                 {"localPort", t.created().local_port},
                 {"protocol", "udp"}};
  if (std::optional<UdpEndpoint> remote = t.remote()) {
    o["remoteIp"] = remote->address;
    o["remotePort"] = remote->port;
  }
  return o;
}

json::value srtp_parameters_json(const SrtpParameters& srtp) {
  return json::object{{"cryptoSuite", std::string(srtp_profile_name(srtp.crypto_suite))},
                      {"keyBase64", srtp.key_base64()}};
}

std::string ice_state_string(const WebRtcTransport& t) {
  return t.closed() ? "closed" : std::string(ice_state_name(t.ice_state()));
}

std::string dtls_state_string(const WebRtcTransport& t) {
  return std::string(dtls_state_name(t.dtls_state()));
}

namespace {

json::array string_array(const std::set<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.push_back(json::string(id));
  return out;
}

json::value endpoint_tuple_json(const IceTuple& tuple) {
  return json::object{{"localIp", tuple.local.address},
                      {"localPort", tuple.local.port},
                      {"remoteIp", tuple.remote.address},
                      {"remotePort", tuple.remote.port},
                      {"protocol", "udp"}};
}

}  // namespace

json::value dump_json(Node& node, const std::string& announced_address) {
  json::array routers, transports, producers, consumers;
  for (const auto& [id, r] : node.routers()) {
    routers.push_back(json::object{{"id", id},
                                   {"rtpCapabilities", to_json(r.rtp_capabilities)},
                                   {"transportIds", string_array(r.transports)}});
  }
  for (const auto& [id, e] : node.transport_entries()) {
    json::object o{{"id", id},
                   {"routerId", e.router_id},
                   {"dataplaneId", e.dataplane_id},
                   {"producerIds", string_array(e.producers)},
                   {"consumerIds", string_array(e.consumers)},
                   {"appData", e.app_data.is_null() ? json::value(json::object{}) : e.app_data}};
    if (const WebRtcTransport* t = node.webrtc_transport(id)) {
      o["worker"] = t->created().worker;
      o["ownPort"] = e.own_port != 0;
      o["iceRole"] = "controlled";
      o["iceParameters"] = ice_parameters_json(t->ice_parameters());
      o["iceCandidates"] = ice_candidates_json(t->ice_candidates(), announced_address);
      o["dtlsParameters"] = dtls_parameters_json(t->dtls_parameters());
      o["iceState"] = ice_state_string(*t);
      o["dtlsState"] = dtls_state_string(*t);
      if (t->dtls_role()) o["dtlsRole"] = std::string(dtls_role_name(*t->dtls_role()));
      if (t->selected_tuple()) o["iceSelectedTuple"] = endpoint_tuple_json(*t->selected_tuple());
      if (t->srtp_profile()) o["srtpProfile"] = std::string(srtp_profile_name(*t->srtp_profile()));
      if (!t->failure_reason().empty()) o["failureReason"] = t->failure_reason();
    } else if (const PlainTransport* p = node.plain_transport(id)) {
      o["type"] = "plain";
      o["worker"] = p->created().worker;
      o["ownPort"] = true;
      o["tuple"] = plain_tuple_json(*p, announced_address);
      o["comedia"] = p->comedia();
      o["rtcpMux"] = true;
      o["connected"] = p->connected();
      if (p->srtp_parameters()) o["srtpParameters"] = srtp_parameters_json(*p->srtp_parameters());
    }
    transports.push_back(std::move(o));
  }
  for (const auto& [id, p] : node.producers()) {
    producers.push_back(
        json::object{{"id", id},
                     {"dataplaneId", p.dataplane_id},
                     {"routerId", p.router_id},
                     {"transportId", p.transport_id},
                     {"kind", std::string(to_string(p.kind))},
                     {"paused", p.paused},
                     {"rtpParameters", to_json(p.rtp_parameters)},
                     {"rtpMapping", to_json(p.rtp_mapping)},
                     {"consumableRtpParameters", to_json(p.consumable_rtp_parameters)},
                     {"consumerIds", string_array(p.consumers)},
                     {"appData", p.app_data.is_null() ? json::value(json::object{}) : p.app_data}});
  }
  for (const auto& [id, c] : node.consumers()) {
    consumers.push_back(json::object{{"id", id},
                                     {"dataplaneId", c.dataplane_id},
                                     {"producerId", c.producer_id},
                                     {"transportId", c.transport_id},
                                     {"kind", std::string(to_string(c.kind))},
                                     {"paused", c.paused},
                                     {"producerPaused", c.producer_paused},
                                     {"rtpParameters", to_json(c.rtp_parameters)}});
  }
  return json::object{{"routers", std::move(routers)},
                      {"transports", std::move(transports)},
                      {"producers", std::move(producers)},
                      {"consumers", std::move(consumers)}};
}

}  // namespace fanout::cp

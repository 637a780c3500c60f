#include "perf/pktgen/scenario.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

namespace fanout::dp::pktgen {

namespace fb = fanout::ipc;
using std::chrono::milliseconds;

const char* profile_label(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kNone:
      return "none";
    case SrtpProfile::kCm80:
      return "cm80";
    case SrtpProfile::kGcm128:
      return "gcm128";
  }
  return "?";
}

const char* profile_name(SrtpProfile p) {
  switch (p) {
    case SrtpProfile::kNone:
      return "none";
    case SrtpProfile::kCm80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::kGcm128:
      return "AEAD_AES_128_GCM";
  }
  return "?";
}

bool parse_profile(const std::string& text, SrtpProfile* out) {
  if (text == "none")
    *out = SrtpProfile::kNone;
  else if (text == "cm80" || text == "AES_CM_128_HMAC_SHA1_80")
    *out = SrtpProfile::kCm80;
  else if (text == "gcm128" || text == "AEAD_AES_128_GCM")
    *out = SrtpProfile::kGcm128;
  else
    return false;
  return true;
}

bool ScenarioSpec::parse(const std::string& text, SrtpProfile profile, size_t rtp_size,
                         ScenarioSpec* out, std::string* error) {
  ScenarioSpec s;
  s.name = text;
  s.profile = profile;
  s.rtp_size = rtp_size;
  int a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "rooms%dx%d%c", &a, &b, &tail) == 2 && a > 0 && b > 1) {
    s.rooms = a;
    s.senders = s.receivers = b;
    s.exclude_self = true;
  } else if (std::sscanf(text.c_str(), "%dx%d%c", &a, &b, &tail) == 2 && a > 0 && b > 0) {
    // MxN: M producers, N consumer transports each consuming all of them (M x N consumers)
    s.senders = a;
    s.receivers = b;
  } else {
    *error = "scenario '" + text + "': expected MxN or roomsRxP";
    return false;
  }
  if (rtp_size < 12 + 24 || rtp_size > 1400) {
    *error = "size " + std::to_string(rtp_size) + ": expected 36..1400 bytes";
    return false;
  }
  *out = s;
  return true;
}

std::string ScenarioSpec::label() const {
  return name + "/" + profile_label(profile) + "/" + std::to_string(rtp_size);
}

std::vector<uint8_t> KeySalt::concat() const {
  std::vector<uint8_t> v(key);
  v.insert(v.end(), salt.begin(), salt.end());
  return v;
}

uint64_t Scenario::total_fanout() const {
  uint64_t n = 0;
  for (const ProducerObj& p : producers) n += p.fanout;
  return n;
}

Scenario loopback_scenario(ScenarioSpec spec) {
  spec.loopback = true;
  Scenario s;
  s.spec = spec;
  PeerTransport in;
  in.remote_port = kProducerPortBase;  // our source port
  in.dp_port = kConsumerPortBase;      // the destination: what the consumer expects
  PeerTransport out;
  out.remote_port = kConsumerPortBase;
  s.producer_transports.push_back(in);
  s.consumer_transports.push_back(out);
  // The consumer's SSRC is how the receive side finds it: the producer sends it.
  s.producers.push_back({1, 0, 0x20000000u, 1});
  s.consumers.push_back({2, 0, 0, 0x20000000u});
  return s;
}

DataplaneInfo loopback_info(const std::string& our_address, const uint8_t mac[6]) {
  DataplaneInfo i;
  i.server = "dpdk-testpmd io (loopback)";
  i.address = our_address;
  std::memcpy(i.mac, mac, 6);
  i.worker_lcores = {1};
  return i;
}

std::string DataplaneSession::connect(const std::string& socket_path) {
  std::string e = client_.connect(socket_path, milliseconds(3000));
  if (!e.empty()) return e;
  // A fresh epoch: our objects are ours; 0 would make us an observer.
  uint64_t epoch =
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
  ipc::ClientResult r = client_.hello("fanout-pktgen 0.1.0", epoch, milliseconds(3000));
  if (!r.ok()) return "Hello: " + r.detail;
  if (const fb::Error* err = r.reply.error()) return "Hello refused: " + err->reason()->str();
  const fb::HelloReply* h = r.reply->body_as_HelloReply();
  if (!h) return "Hello: no HelloReply";
  info_.server = h->server() ? h->server()->str() : "";
  if (h->lcores()) {
    info_.worker_lcores.resize(h->lcores()->size());
    for (const fb::WorkerInfo* w : *h->lcores()) {
      if (w->index() < info_.worker_lcores.size()) info_.worker_lcores[w->index()] = w->lcore_id();
    }
  }
  if (!h->ports() || h->ports()->size() == 0) return "the data plane has no port";
  const fb::PortInfo* p = h->ports()->Get(0);
  if (!p->addresses() || p->addresses()->size() == 0) return "port 0 has no address";
  info_.address = p->addresses()->Get(0)->str();
  unsigned m[6];
  if (!p->mac() || std::sscanf(p->mac()->c_str(), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
                               &m[4], &m[5]) != 6) {
    return "port 0 has no MAC";
  }
  for (int i = 0; i < 6; ++i) info_.mac[i] = static_cast<uint8_t>(m[i]);
  info_.udp_port_min = p->udp_port_min();
  info_.udp_port_max = p->udp_port_max();
  if (info_.worker_lcores.empty()) return "the data plane reports no worker";
  return "";
}

std::string DataplaneSession::call(const char* what, fb::Body type, flatbuffers::Offset<void> body,
                                   ipc::ClientResult* result) {
  ipc::ClientResult r = client_.request_body(type, body, milliseconds(5000));
  if (!r.ok()) return std::string(what) + ": " + r.detail;
  if (const fb::Error* e = r.reply.error()) {
    return std::string(what) + ": " + (e->reason() ? e->reason()->str() : "error");
  }
  if (result) *result = std::move(r);
  return "";
}

ipc::ClientResult DataplaneSession::counters() {
  auto& fbb = client_.builder();
  fbb.Clear();
  return client_.request_body(fb::Body::GetCounters,
                              fb::CreateGetCounters(fbb, uint32_t{0}).Union(), milliseconds(5000));
}

namespace {

KeySalt random_keys(SrtpProfile p, std::mt19937_64& rng) {
  KeySalt k;
  if (p == SrtpProfile::kNone) return k;
  k.key.resize(16);
  k.salt.resize(p == SrtpProfile::kGcm128 ? 12 : 14);
  for (auto& b : k.key) b = static_cast<uint8_t>(rng());
  for (auto& b : k.salt) b = static_cast<uint8_t>(rng());
  return k;
}

}  // namespace

std::string DataplaneSession::create(const ScenarioSpec& spec, const std::string& our_address,
                                     Scenario* out) {
  Scenario s;
  s.spec = spec;
  std::mt19937_64 rng(0x5eed0000u + next_id_);
  const uint16_t workers = static_cast<uint16_t>(info_.worker_lcores.size());
  const size_t n_transports = static_cast<size_t>(spec.rooms) * (spec.senders + spec.receivers);
  if (info_.udp_port_min + n_transports > info_.udp_port_max + 1u ||
      kConsumerPortBase + static_cast<size_t>(spec.rooms) * spec.receivers > 65535 ||
      kProducerPortBase + static_cast<size_t>(spec.rooms) * spec.senders > kConsumerPortBase) {
    return "too many transports for the port ranges";
  }
  auto& fbb = client_.builder();
  uint16_t next_local = info_.udp_port_min;
  size_t placed = 0;
  // One transport: Plain, its own data plane port, our address and port as the static remote.
  auto add_transport = [&](bool producer, uint16_t remote_port, PeerTransport* t) -> std::string {
    t->id = next_id_++;
    t->worker = static_cast<uint16_t>(placed++ % workers);
    t->dp_port = next_local++;
    t->remote_port = remote_port;
    fbb.Clear();
    auto remote = fb::CreateEndpointDirect(fbb, our_address.c_str(), remote_port);
    fb::CreateTransportBuilder b(fbb);
    b.add_id(t->id);
    b.add_worker(t->worker);
    b.add_port(0);
    b.add_local_port(t->dp_port);
    b.add_kind(fb::TransportKind::Plain);
    b.add_plain_remote(remote);
    std::string e = call("CreateTransport", fb::Body::CreateTransport, b.Finish().Union());
    if (!e.empty() || spec.profile == SrtpProfile::kNone) return e;
    t->keys = random_keys(spec.profile, rng);
    fbb.Clear();
    auto body = fb::CreateSetSrtpKeysDirect(
        fbb, t->id, producer ? fb::Direction::Inbound : fb::Direction::Outbound,
        static_cast<uint16_t>(spec.profile), &t->keys.key, &t->keys.salt);
    return call("SetSrtpKeys", fb::Body::SetSrtpKeys, body.Union());
  };

  for (int r = 0; r < spec.rooms; ++r) {
    const size_t first_producer = s.producers.size();
    for (int i = 0; i < spec.senders; ++i) {
      PeerTransport t;
      auto port = static_cast<uint16_t>(kProducerPortBase + s.producer_transports.size());
      if (std::string e = add_transport(true, port, &t); !e.empty()) return e;
      s.producer_transports.push_back(t);
      ProducerObj p;
      p.id = next_id_++;
      p.transport = static_cast<uint32_t>(s.producer_transports.size() - 1);
      p.ssrc = 0x10000000u + static_cast<uint32_t>(s.producers.size());
      fbb.Clear();
      std::vector<flatbuffers::Offset<fb::ProducerStream>> streams{
          fb::CreateProducerStreamDirect(fbb, p.ssrc, 0, kPayloadType, 0, 90000, "")};
      auto body = fb::CreateCreateProducerDirect(
          fbb, p.id, t.id, spec.rtp_size <= 200 ? fb::MediaKind::Audio : fb::MediaKind::Video,
          false, &streams);
      if (std::string e = call("CreateProducer", fb::Body::CreateProducer, body.Union());
          !e.empty()) {
        return e;
      }
      s.producers.push_back(p);
    }
    for (int j = 0; j < spec.receivers; ++j) {
      PeerTransport t;
      auto port = static_cast<uint16_t>(kConsumerPortBase + s.consumer_transports.size());
      if (std::string e = add_transport(false, port, &t); !e.empty()) return e;
      s.consumer_transports.push_back(t);
      for (int i = 0; i < spec.senders; ++i) {
        if (spec.exclude_self && i == j) continue;
        ConsumerObj c;
        c.id = next_id_++;
        c.producer = static_cast<uint32_t>(first_producer + i);
        c.transport = static_cast<uint32_t>(s.consumer_transports.size() - 1);
        c.ssrc = 0x20000000u + static_cast<uint32_t>(s.consumers.size());
        fbb.Clear();
        std::vector<flatbuffers::Offset<fb::PayloadTypeMap>> pts{
            fb::CreatePayloadTypeMap(fbb, kPayloadType, kOutPayloadType)};
        auto body = fb::CreateCreateConsumerDirect(fbb, c.id, s.producers[c.producer].id, t.id,
                                                   false, c.ssrc, 0, &pts, 90000);
        if (std::string e = call("CreateConsumer", fb::Body::CreateConsumer, body.Union());
            !e.empty()) {
          return e;
        }
        ++s.producers[c.producer].fanout;
        s.consumers.push_back(c);
      }
    }
  }
  *out = std::move(s);
  return "";
}

std::string DataplaneSession::destroy(const Scenario& s) {
  std::string first;
  auto& fbb = client_.builder();
  for (const auto* list : {&s.consumer_transports, &s.producer_transports}) {
    for (const PeerTransport& t : *list) {
      fbb.Clear();
      std::string e = call("DeleteTransport", fb::Body::DeleteTransport,
                           fb::CreateDeleteTransport(fbb, t.id).Union());
      if (first.empty()) first = e;
    }
  }
  return first;
}

}  // namespace fanout::dp::pktgen

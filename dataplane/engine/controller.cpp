#include "dataplane/engine/controller.hpp"

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

#include "dataplane/engine/mbuf_meta.hpp"

namespace fanout::dp {
namespace {

Status not_found(const char* what, uint32_t id) {
  return Status::error(ErrorCode::kNotFound,
                       std::string(what) + " " + std::to_string(id) + " does not exist");
}

Status invalid(std::string why) {
  return Status::error(ErrorCode::kInvalidArgument, std::move(why));
}

bool exists_in(const auto& map, uint32_t id, const std::unordered_map<uint32_t, bool>& overlay) {
  auto o = overlay.find(id);
  if (o != overlay.end()) return o->second;
  return map.count(id) != 0;
}

}  // namespace

Status check_ice_credentials(const std::string& ufrag, const std::string& pwd) {
  if (ufrag.size() < 4 || ufrag.size() > kMaxUfragLen) {
    return invalid("ice_ufrag must be 4.." + std::to_string(kMaxUfragLen) + " characters");
  }
  if (ufrag.find(':') != std::string::npos) return invalid("ice_ufrag must not contain ':'");
  if (pwd.size() < 22 || pwd.size() > 256) {
    return invalid("ice_pwd must be 22..256 characters (RFC 8839 §5.4)");
  }
  return {};
}

void Controller::SlotPool::init(uint32_t n) {
  free_.clear();
  gens_.assign(n, 0);
  for (uint32_t i = n; i > 0; --i) free_.push_back(i - 1);
}

bool Controller::SlotPool::alloc(uint32_t* slot, uint32_t* gen) {
  if (free_.empty()) return false;
  *slot = free_.back();
  free_.pop_back();
  *gen = ++gens_[*slot] & 0xffffff;
  if (*gen == 0) *gen = gens_[*slot] = 1;
  return true;
}

void Controller::SlotPool::release_after(uint32_t slot, uint64_t token) {
  deferred_.emplace_back(slot, token);
}

void Controller::SlotPool::reclaim(rte_rcu_qsbr* rcu) {
  while (!deferred_.empty()) {
    auto [slot, token] = deferred_.front();
    if (rcu && rte_rcu_qsbr_check(rcu, token, false) != 1) break;
    free_.push_back(slot);
    deferred_.pop_front();
  }
}

Controller::Controller(Engine& engine) : e_(engine) {
  transport_slots_.init(e_.cfg.max_transports);
  producer_slots_.init(e_.cfg.max_producers);
  consumer_slots_.init(e_.cfg.max_consumers);
  transport_ids_by_slot_.assign(e_.cfg.max_transports, 0);
}

Controller::~Controller() = default;

uint16_t Controller::pick_worker() const {
  uint16_t best = 0;
  for (uint16_t w = 1; w < e_.n_workers; ++w) {
    if (transports_on_worker_[w] < transports_on_worker_[best]) best = w;
  }
  return best;
}

void Controller::send(uint16_t worker, std::unique_ptr<Command> cmd) {
  Command* raw = cmd.release();
  // The ring is large and workers drain it every loop; if it is full, finish completions first.
  while (rte_ring_enqueue(e_.cmd[worker], raw) != 0) {
    poll();
    rte_pause();
  }
  ++in_flight_;
}

Controller::TransportEntry* Controller::find_transport(uint32_t id) {
  auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : &it->second;
}

const Controller::TransportEntry* Controller::find_transport_slot(uint32_t slot,
                                                                  uint32_t gen) const {
  if (slot >= transport_ids_by_slot_.size()) return nullptr;
  auto it = transports_.find(transport_ids_by_slot_[slot]);
  if (it == transports_.end() || it->second.obj->gen != gen) return nullptr;
  return &it->second;
}

bool Controller::transport_exists(uint32_t id, const Overlay& o) const {
  return exists_in(transports_, id, o.transports);
}
bool Controller::producer_exists(uint32_t id, const Overlay& o) const {
  return exists_in(producers_, id, o.producers);
}
bool Controller::consumer_exists(uint32_t id, const Overlay& o) const {
  return exists_in(consumers_, id, o.consumers);
}

Status Controller::check_create_transport(const TransportParams& p, const Overlay& o) const {
  if (p.id == 0) return invalid("transport id 0 is reserved");
  if (transport_exists(p.id, o)) {
    return Status::error(ErrorCode::kAlreadyExists,
                         "transport " + std::to_string(p.id) + " already exists");
  }
  if (p.port >= e_.n_ports) {
    return invalid("port " + std::to_string(p.port) + " does not exist (the data plane has " +
                   std::to_string(e_.n_ports) + ")");
  }
  if (p.worker != 0xffff && p.worker >= e_.n_workers) {
    return invalid("worker " + std::to_string(p.worker) + " does not exist (the data plane has " +
                   std::to_string(e_.n_workers) + ")");
  }
  if (p.kind == TransportKind::kWebRtc) {
    if (Status s = check_ice_credentials(p.ice_ufrag, p.ice_pwd); !s.ok()) return s;
    auto u = o.ufrags.find(p.ice_ufrag);
    bool used = u != o.ufrags.end() ? u->second : ufrags_.count(p.ice_ufrag) != 0;
    if (used) return invalid("ice_ufrag '" + p.ice_ufrag + "' is in use");
  } else if (!p.plain_remote && !p.comedia) {
    return invalid("a plain transport needs plain_remote or comedia");
  } else if (p.local_port == 0) {
    return invalid("a plain transport needs its own local_port (no ICE demultiplexes it)");
  }
  if (p.plain_remote) {
    if (!net::parse_addr(p.plain_remote->address) || p.plain_remote->port == 0) {
      return invalid("plain_remote '" + p.plain_remote->address + ":" +
                     std::to_string(p.plain_remote->port) + "' is not an address and port");
    }
  }
  const PortConfig& pc = e_.cfg.ports[p.port];
  if (p.local_port != 0) {
    if (p.local_port < pc.udp_port_min || p.local_port > pc.udp_port_max) {
      return invalid("local_port " + std::to_string(p.local_port) + " is outside " +
                     std::to_string(pc.udp_port_min) + ".." + std::to_string(pc.udp_port_max));
    }
    const uint32_t key = uint32_t{p.port} << 16 | p.local_port;
    auto k = o.ports.find(key);
    if (k != o.ports.end() ? k->second : ports_in_use_.count(key) != 0) {
      return Status::error(ErrorCode::kAlreadyExists,
                           "local_port " + std::to_string(p.local_port) + " is in use");
    }
  }
  return {};
}

Status Controller::create_transport(const TransportParams& p, TransportCreated* out) {
  Status s = check_create_transport(p, Overlay{});
  if (!s.ok()) return s;
  auto t = std::make_unique<Transport>();
  if (!transport_slots_.alloc(&t->slot, &t->gen)) {
    return Status::error(ErrorCode::kResourceExhausted,
                         "max_transports (" + std::to_string(e_.cfg.max_transports) + ") reached");
  }
  const PortInfo& port = e_.ports[p.port];
  t->id = p.id;
  t->epoch = epoch_;
  t->worker = p.worker == 0xffff ? pick_worker() : p.worker;
  t->port = static_cast<uint8_t>(p.port);
  t->kind = p.kind;
  t->shared_port = p.local_port == 0;
  t->local_port = p.local_port == 0 ? port.ice_port : p.local_port;
  t->local_addr = port.ipv4.family ? port.ipv4 : port.ipv6;
  t->ufrag = p.ice_ufrag;
  t->pwd = p.ice_pwd;
  t->ice_key.set_key(reinterpret_cast<const uint8_t*>(p.ice_pwd.data()), p.ice_pwd.size());
  t->comedia = p.comedia;
  t->rtcp_ssrc = 0x46414e00u | (t->slot & 0xff);  // "FAN" + slot: our SSRC in PLI/FIR
  TransportEntry entry;
  entry.params = p;
  entry.epoch = epoch_;
  entry.created =
      TransportCreated{p.id, t->worker, e_.cfg.ports[p.port].announced_ip, t->local_port};
  // The dispatch tables learn the transport only when its worker has attached it (complete()):
  // a packet routed earlier would find no transport on the owner.
  if (p.kind == TransportKind::kWebRtc) ufrags_[p.ice_ufrag] = p.id;
  if (p.local_port != 0) ports_in_use_[uint32_t{p.port} << 16 | p.local_port] = p.id;
  if (p.plain_remote) {
    // A plain transport's static remote is "validated" by configuration.
    net::Tuple tuple{};
    tuple.local = t->local_addr;
    tuple.local_port = t->local_port;
    tuple.remote = *net::parse_addr(p.plain_remote->address);
    tuple.remote_port = p.plain_remote->port;
    t->plain_remote = tuple;
    entry.plain_tuple = tuple;
    entry.selected = tuple;
  }
  transport_ids_by_slot_[t->slot] = p.id;
  ++transports_on_worker_[t->worker];
  *out = entry.created;
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kAttachTransport;
  cmd->slot = t->slot;
  cmd->transport = t.get();
  uint16_t worker = t->worker;
  entry.obj = std::move(t);
  transports_.emplace(p.id, std::move(entry));
  send(worker, std::move(cmd));
  return {};
}

Status Controller::delete_transport(uint32_t id) {
  TransportEntry* t = find_transport(id);
  if (!t) return not_found("transport", id);
  // Children first: consumers on it, then producers on it (and their consumers elsewhere).
  for (uint32_t c : std::vector<uint32_t>(t->consumers)) delete_consumer(c);
  for (uint32_t pr : std::vector<uint32_t>(t->producers)) delete_producer(pr);
  if (t->params.kind == TransportKind::kWebRtc) {
    e_.tables.remove_ufrag(t->params.ice_ufrag);
    ufrags_.erase(t->params.ice_ufrag);
  }
  if (t->params.local_port != 0) {
    e_.tables.set_port(t->params.port, t->params.local_port, Route{});
    ports_in_use_.erase(uint32_t{t->params.port} << 16 | t->params.local_port);
  }
  for (const net::Tuple& tuple : t->tuples) e_.tables.remove_tuple(tuple);
  uint16_t worker = t->obj->worker;
  --transports_on_worker_[worker];
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kDetachTransport;
  cmd->slot = t->obj->slot;
  cmd->transport = t->obj.get();
  cmd->retire_transport = std::move(t->obj);
  transports_.erase(id);
  send(worker, std::move(cmd));
  return {};
}

Status Controller::set_srtp_keys(uint32_t transport, bool inbound, uint16_t profile,
                                 std::span<const uint8_t> key, std::span<const uint8_t> salt) {
  TransportEntry* t = find_transport(transport);
  if (!t) return not_found("transport", transport);
  std::optional<srtp::Profile> prof = srtp::profile_from_value(profile);
  if (!prof) {
    return invalid("SRTP profile " + std::to_string(profile) +
                   " is not supported (1, 2, 7 and 8 are)");
  }
  std::string error;
  auto session = srtp::SrtpSession::create(*prof, key, salt, &error);
  if (!session) return invalid("SRTP keys: " + error);
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kSetSrtp;
  cmd->flag = inbound;
  cmd->transport = t->obj.get();
  cmd->session = std::move(session);
  (inbound ? t->srtp_in_profile : t->srtp_out_profile) = profile;
  send(t->obj->worker, std::move(cmd));
  return {};
}

Status Controller::check_create_producer(const ProducerParams& p, const Overlay& o) const {
  if (p.id == 0) return invalid("producer id 0 is reserved");
  if (producer_exists(p.id, o)) {
    return Status::error(ErrorCode::kAlreadyExists,
                         "producer " + std::to_string(p.id) + " already exists");
  }
  if (!transport_exists(p.transport, o)) return not_found("transport", p.transport);
  if (p.streams.empty() || p.streams.size() > kMaxProducerStreams) {
    return invalid("a producer has 1.." + std::to_string(kMaxProducerStreams) + " streams");
  }
  for (const StreamParams& s : p.streams) {
    if (s.ssrc == 0) return invalid("stream ssrc 0 is not allowed");
    if (s.payload_type > 127 || s.rtx_payload_type > 127) return invalid("payload type > 127");
    if (s.clock_rate == 0) return invalid("clock_rate 0");
  }
  return {};
}

Status Controller::create_producer(const ProducerParams& p) {
  Status s = check_create_producer(p, Overlay{});
  if (!s.ok()) return s;
  TransportEntry* t = find_transport(p.transport);
  auto pr = std::make_unique<Producer>();
  if (!producer_slots_.alloc(&pr->slot, &pr->gen)) {
    return Status::error(ErrorCode::kResourceExhausted,
                         "max_producers (" + std::to_string(e_.cfg.max_producers) + ") reached");
  }
  pr->id = p.id;
  pr->epoch = epoch_;
  pr->transport = t->obj->slot;
  pr->worker = t->obj->worker;
  pr->kind = p.kind;
  pr->paused = p.paused;
  pr->stream_count = static_cast<uint8_t>(p.streams.size());
  for (size_t i = 0; i < p.streams.size(); ++i) {
    ProducerStream& st = pr->streams[i];
    st.ssrc = p.streams[i].ssrc;
    st.rtx_ssrc = p.streams[i].rtx_ssrc;
    st.payload_type = p.streams[i].payload_type;
    st.rtx_payload_type = p.streams[i].rtx_payload_type;
    st.clock_rate = p.streams[i].clock_rate;
    st.rid = p.streams[i].rid;
  }
  t->producers.push_back(p.id);
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kAttachProducer;
  cmd->slot = pr->slot;
  cmd->producer = pr.get();
  cmd->transport = t->obj.get();
  uint16_t worker = pr->worker;
  ProducerEntry entry;
  entry.params = p;
  entry.epoch = epoch_;
  entry.obj = std::move(pr);
  producers_.emplace(p.id, std::move(entry));
  send(worker, std::move(cmd));
  return {};
}

Status Controller::delete_producer(uint32_t id) {
  auto it = producers_.find(id);
  if (it == producers_.end()) return not_found("producer", id);
  for (uint32_t c : std::vector<uint32_t>(it->second.consumers)) delete_consumer(c);
  TransportEntry* t = find_transport(it->second.params.transport);
  if (t) std::erase(t->producers, id);
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kDetachProducer;
  cmd->slot = it->second.obj->slot;
  cmd->producer = it->second.obj.get();
  uint16_t worker = it->second.obj->worker;
  cmd->retire_producer = std::move(it->second.obj);
  producers_.erase(it);
  send(worker, std::move(cmd));
  return {};
}

Status Controller::set_producer_paused(uint32_t id, bool paused) {
  auto it = producers_.find(id);
  if (it == producers_.end()) return not_found("producer", id);
  bool resumed = it->second.params.paused && !paused;
  it->second.params.paused = paused;
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kSetProducerPaused;
  cmd->producer = it->second.obj.get();
  cmd->flag = paused;
  send(it->second.obj->worker, std::move(cmd));
  if (resumed) {
    // The consumers missed what was dropped while paused: continue their sequence numbers and
    // timestamps without a gap (as on a consumer resume), and start with a keyframe.
    for (uint32_t cid : it->second.consumers) {
      auto c = consumers_.find(cid);
      if (c == consumers_.end()) continue;
      auto sync = std::make_unique<Command>();
      sync->type = CmdType::kSyncConsumer;
      sync->consumer = c->second.obj.get();
      send(c->second.obj->worker, std::move(sync));
    }
    request_keyframe(id);
  }
  return {};
}

Status Controller::check_create_consumer(const ConsumerParams& p, const Overlay& o) const {
  if (p.id == 0) return invalid("consumer id 0 is reserved");
  if (consumer_exists(p.id, o)) {
    return Status::error(ErrorCode::kAlreadyExists,
                         "consumer " + std::to_string(p.id) + " already exists");
  }
  if (!producer_exists(p.producer, o)) return not_found("producer", p.producer);
  if (!transport_exists(p.transport, o)) return not_found("transport", p.transport);
  if (p.ssrc == 0) return invalid("consumer ssrc 0 is not allowed");
  if (p.payload_types.empty()) return invalid("a consumer needs at least one payload type mapping");
  for (auto [from, to] : p.payload_types) {
    if (from > 127 || to > 127) return invalid("payload type > 127");
  }
  uint32_t producer_transport = 0;
  if (auto b = o.producer_transport.find(p.producer); b != o.producer_transport.end()) {
    producer_transport = b->second;
  } else if (auto pr = producers_.find(p.producer); pr != producers_.end()) {
    producer_transport = pr->second.params.transport;
  }
  if (producer_transport == p.transport) {
    return invalid("a consumer cannot be on its producer's transport");
  }
  // An SSRC names one stream on a transport (RFC 3550 §8): the browser could not tell them apart.
  if (auto t = transports_.find(p.transport); t != transports_.end()) {
    for (uint32_t cid : t->second.consumers) {
      auto c = consumers_.find(cid);
      if (c != consumers_.end() && (c->second.params.ssrc == p.ssrc ||
                                    (p.rtx_ssrc && c->second.params.rtx_ssrc == p.rtx_ssrc))) {
        return invalid("ssrc " + std::to_string(p.ssrc) + " is already used by consumer " +
                       std::to_string(cid) + " on transport " + std::to_string(p.transport));
      }
    }
  }
  return {};
}

void Controller::overlay_create_transport(const TransportParams& p, Overlay* o) const {
  o->transports[p.id] = true;
  o->created[p.id] = p;
  if (p.kind == TransportKind::kWebRtc) o->ufrags[p.ice_ufrag] = true;
  if (p.local_port) o->ports[uint32_t{p.port} << 16 | p.local_port] = true;
}

void Controller::overlay_delete_transport(uint32_t id, Overlay* o) const {
  const TransportParams* p = nullptr;
  if (auto c = o->created.find(id); c != o->created.end()) {
    p = &c->second;
  } else if (auto t = transports_.find(id); t != transports_.end()) {
    p = &t->second.params;
  }
  o->transports[id] = false;
  if (!p) return;
  if (p->kind == TransportKind::kWebRtc) o->ufrags[p->ice_ufrag] = false;
  if (p->local_port) o->ports[uint32_t{p->port} << 16 | p->local_port] = false;
}

Status Controller::create_consumer(const ConsumerParams& p) {
  Status s = check_create_consumer(p, Overlay{});
  if (!s.ok()) return s;
  TransportEntry* t = find_transport(p.transport);
  ProducerEntry& pe = producers_.at(p.producer);
  auto c = std::make_unique<Consumer>();
  if (!consumer_slots_.alloc(&c->slot, &c->gen)) {
    return Status::error(ErrorCode::kResourceExhausted,
                         "max_consumers (" + std::to_string(e_.cfg.max_consumers) + ") reached");
  }
  c->id = p.id;
  c->epoch = epoch_;
  c->producer = pe.obj->slot;
  c->producer_id = p.producer;
  c->transport = t->obj->slot;
  c->worker = t->obj->worker;
  c->ssrc = p.ssrc;
  c->rtx_ssrc = p.rtx_ssrc;
  c->clock_rate = p.clock_rate;
  c->paused = p.paused;
  // RFC 3550 §5.1: random initial sequence number and timestamp, so that a reused SSRC under
  // the same keys does not repeat SRTP indexes.
  c->seq = rtp::SeqManager(static_cast<uint16_t>(rng_()));
  c->ts = rtp::TsRewriter(static_cast<uint32_t>(rng_()));
  std::memset(c->pt_map, 0xff, sizeof(c->pt_map));
  for (auto [from, to] : p.payload_types) c->pt_map[from] = to;
  uint16_t worker = c->worker;
  t->consumers.push_back(p.id);
  pe.consumers.push_back(p.id);
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kAttachConsumer;
  cmd->slot = c->slot;
  cmd->consumer = c.get();
  cmd->transport = t->obj.get();
  cmd->producer = pe.obj.get();  // read-only on the consumer's worker: slot and generation
  ConsumerEntry entry;
  entry.params = p;
  entry.epoch = epoch_;
  entry.obj = std::move(c);
  consumers_.emplace(p.id, std::move(entry));
  send(worker, std::move(cmd));
  if (worker != pe.obj->worker && pe.consumers_on_worker[worker]++ == 0) {
    auto add = std::make_unique<Command>();
    add->type = CmdType::kAddRemoteWorker;
    add->producer = pe.obj.get();
    add->worker = worker;
    send(pe.obj->worker, std::move(add));
  }
  return {};
}

Status Controller::delete_consumer(uint32_t id) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return not_found("consumer", id);
  ConsumerEntry& ce = it->second;
  uint16_t worker = ce.obj->worker;
  auto pe = producers_.find(ce.params.producer);
  if (pe != producers_.end()) {
    std::erase(pe->second.consumers, id);
    if (worker != pe->second.obj->worker && --pe->second.consumers_on_worker[worker] == 0) {
      auto rm = std::make_unique<Command>();
      rm->type = CmdType::kRemoveRemoteWorker;
      rm->producer = pe->second.obj.get();
      rm->worker = worker;
      send(pe->second.obj->worker, std::move(rm));
    }
  }
  if (TransportEntry* t = find_transport(ce.params.transport)) std::erase(t->consumers, id);
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kDetachConsumer;
  cmd->slot = ce.obj->slot;
  cmd->consumer = ce.obj.get();
  cmd->retire_consumer = std::move(ce.obj);
  consumers_.erase(it);
  send(worker, std::move(cmd));
  return {};
}

Status Controller::set_consumer_paused(uint32_t id, bool paused) {
  auto it = consumers_.find(id);
  if (it == consumers_.end()) return not_found("consumer", id);
  it->second.params.paused = paused;
  auto cmd = std::make_unique<Command>();
  cmd->type = CmdType::kSetConsumerPaused;
  cmd->consumer = it->second.obj.get();
  cmd->flag = paused;
  send(it->second.obj->worker, std::move(cmd));
  return {};
}

bool Controller::enqueue_to_worker(uint16_t worker, rte_mbuf* m) {
  meta(m)->from = kMainIndex;
  if (rte_ring_enqueue(e_.handoff[e_.n_workers][worker], m) != 0) {
    counters_.drop(Drop::kHandoffRingFull);
    rte_pktmbuf_free(m);
    return false;
  }
  ++counters_.handoff_out;
  return true;
}

Status Controller::request_keyframe(uint32_t producer) {
  auto it = producers_.find(producer);
  if (it == producers_.end()) return not_found("producer", producer);
  rte_mbuf* m = rte_pktmbuf_alloc(e_.pool);
  if (!m) return Status::error(ErrorCode::kResourceExhausted, "mbuf pool empty");
  PktMeta* pm = meta(m);
  *pm = PktMeta{};
  pm->kind = PktKind::kKeyFrameRequest;
  pm->producer = it->second.obj->slot;
  pm->producer_gen = it->second.obj->gen;
  pm->consumer = kInvalidSlot;
  if (!enqueue_to_worker(it->second.obj->worker, m)) {
    return Status::error(ErrorCode::kResourceExhausted, "worker ring full");
  }
  return {};
}

Status Controller::send_dtls(uint32_t transport, std::span<const uint8_t> data) {
  TransportEntry* t = find_transport(transport);
  if (!t) return not_found("transport", transport);
  if (data.empty() || data.size() > e_.cfg.ports[t->params.port].mtu - 48u) {
    return invalid("DTLS record of " + std::to_string(data.size()) + " bytes does not fit the MTU");
  }
  rte_mbuf* m = rte_pktmbuf_alloc(e_.pool);
  if (!m) return Status::error(ErrorCode::kResourceExhausted, "mbuf pool empty");
  char* dst = rte_pktmbuf_append(m, static_cast<uint16_t>(data.size()));
  if (!dst) {
    rte_pktmbuf_free(m);
    return Status::error(ErrorCode::kInternal, "mbuf too small");
  }
  std::memcpy(dst, data.data(), data.size());
  PktMeta* pm = meta(m);
  *pm = PktMeta{};
  pm->kind = PktKind::kTxDtls;
  pm->transport = t->obj->slot;
  pm->transport_gen = t->obj->gen;
  if (!enqueue_to_worker(t->obj->worker, m)) {
    return Status::error(ErrorCode::kResourceExhausted, "worker ring full");
  }
  return {};
}

}  // namespace fanout::dp

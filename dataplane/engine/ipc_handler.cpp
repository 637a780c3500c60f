#include "dataplane/engine/ipc_handler.hpp"

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <cstdio>

namespace fanout::dp {
namespace fb = fanout::ipc;

namespace {

fb::ErrorCode to_fb(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk:
      return fb::ErrorCode::Unspecified;
    case ErrorCode::kInvalidArgument:
      return fb::ErrorCode::InvalidArgument;
    case ErrorCode::kNotFound:
      return fb::ErrorCode::NotFound;
    case ErrorCode::kAlreadyExists:
      return fb::ErrorCode::AlreadyExists;
    case ErrorCode::kResourceExhausted:
      return fb::ErrorCode::ResourceExhausted;
    case ErrorCode::kInternal:
      return fb::ErrorCode::Internal;
  }
  return fb::ErrorCode::Internal;
}

std::string str(const flatbuffers::String* s) {
  return s ? s->str() : std::string();
}

std::span<const uint8_t> bytes(const flatbuffers::Vector<uint8_t>* v) {
  return v ? std::span<const uint8_t>(v->data(), v->size()) : std::span<const uint8_t>();
}

std::unique_ptr<fb::EndpointT> endpoint(const net::IpAddr& a, uint16_t port) {
  auto e = std::make_unique<fb::EndpointT>();
  e->address = net::format_addr(a);
  e->port = port;
  return e;
}

std::unique_ptr<fb::TupleT> tuple(const net::Tuple& t, uint16_t port) {
  auto out = std::make_unique<fb::TupleT>();
  out->local = endpoint(t.local, t.local_port);
  out->remote = endpoint(t.remote, t.remote_port);
  out->port = port;
  return out;
}

TransportParams transport_params(const fb::CreateTransport& r) {
  TransportParams p;
  p.id = r.id();
  p.worker = r.worker();
  p.port = r.port();
  p.local_port = r.local_port();
  p.ice_ufrag = str(r.ice_ufrag());
  p.ice_pwd = str(r.ice_pwd());
  p.kind = r.kind() == fb::TransportKind::Plain ? TransportKind::kPlain : TransportKind::kWebRtc;
  if (r.plain_remote()) {
    p.plain_remote = Endpoint{str(r.plain_remote()->address()), r.plain_remote()->port()};
  }
  p.comedia = r.comedia();
  return p;
}

ProducerParams producer_params(const fb::CreateProducer& r) {
  ProducerParams p;
  p.id = r.id();
  p.transport = r.transport();
  p.kind = r.kind() == fb::MediaKind::Audio ? MediaKind::kAudio : MediaKind::kVideo;
  p.paused = r.paused();
  if (r.streams()) {
    for (const fb::ProducerStream* s : *r.streams()) {
      p.streams.push_back(StreamParams{s->ssrc(), s->rtx_ssrc(), s->payload_type(),
                                       s->rtx_payload_type(), s->clock_rate(), str(s->rid())});
    }
  }
  return p;
}

ConsumerParams consumer_params(const fb::CreateConsumer& r) {
  ConsumerParams p;
  p.id = r.id();
  p.producer = r.producer();
  p.transport = r.transport();
  p.paused = r.paused();
  p.ssrc = r.ssrc();
  p.rtx_ssrc = r.rtx_ssrc();
  p.clock_rate = r.clock_rate();
  if (r.payload_types()) {
    for (const fb::PayloadTypeMap* m : *r.payload_types())
      p.payload_types.emplace_back(m->from(), m->to());
  }
  return p;
}

std::unique_ptr<fb::TransportInfoT> transport_info(const TransportInfo& i) {
  auto o = std::make_unique<fb::TransportInfoT>();
  o->id = i.params.id;
  o->worker = i.created.worker;
  o->port = i.params.port;
  o->local_address = i.created.local_address;
  o->local_port = i.created.local_port;
  o->ice_ufrag = i.params.ice_ufrag;
  o->kind =
      i.params.kind == TransportKind::kPlain ? fb::TransportKind::Plain : fb::TransportKind::WebRtc;
  if (i.params.plain_remote) {
    o->plain_remote = std::make_unique<fb::EndpointT>();
    o->plain_remote->address = i.params.plain_remote->address;
    o->plain_remote->port = i.params.plain_remote->port;
  }
  o->comedia = i.params.comedia;
  if (i.selected) o->selected_tuple = tuple(*i.selected, i.params.port);
  o->srtp_inbound_profile = i.srtp_in_profile;
  o->srtp_outbound_profile = i.srtp_out_profile;
  o->epoch = i.epoch;
  return o;
}

std::unique_ptr<fb::ProducerInfoT> producer_info(const ProducerInfo& i) {
  auto o = std::make_unique<fb::ProducerInfoT>();
  o->id = i.params.id;
  o->transport = i.params.transport;
  o->kind = i.params.kind == MediaKind::kAudio ? fb::MediaKind::Audio : fb::MediaKind::Video;
  o->paused = i.params.paused;
  for (const StreamParams& s : i.params.streams) {
    auto st = std::make_unique<fb::ProducerStreamT>();
    st->ssrc = s.ssrc;
    st->rtx_ssrc = s.rtx_ssrc;
    st->payload_type = s.payload_type;
    st->rtx_payload_type = s.rtx_payload_type;
    st->clock_rate = s.clock_rate;
    st->rid = s.rid;
    o->streams.push_back(std::move(st));
  }
  o->epoch = i.epoch;
  return o;
}

std::unique_ptr<fb::ConsumerInfoT> consumer_info(const ConsumerInfo& i) {
  auto o = std::make_unique<fb::ConsumerInfoT>();
  o->id = i.params.id;
  o->producer = i.params.producer;
  o->transport = i.params.transport;
  o->paused = i.params.paused;
  o->ssrc = i.params.ssrc;
  o->rtx_ssrc = i.params.rtx_ssrc;
  o->clock_rate = i.params.clock_rate;
  for (auto [from, to] : i.params.payload_types) {
    auto m = std::make_unique<fb::PayloadTypeMapT>();
    m->from = from;
    m->to = to;
    o->payload_types.push_back(std::move(m));
  }
  o->epoch = i.epoch;
  return o;
}

std::unique_ptr<fb::ProducerCountersT> producer_counters(const ProducerInfo& p) {
  auto pc = std::make_unique<fb::ProducerCountersT>();
  pc->id = p.params.id;
  pc->rtp_packets = p.rtp_packets;
  pc->rtp_bytes = p.rtp_bytes;
  for (const ProducerStreamInfo& s : p.streams) {
    auto sc = std::make_unique<fb::ProducerStreamCountersT>();
    sc->ssrc = s.ssrc;
    sc->packets = s.packets;
    sc->expected = s.expected;
    pc->streams.push_back(std::move(sc));
  }
  return pc;
}

std::unique_ptr<fb::ConsumerCountersT> consumer_counters(const ConsumerInfo& x) {
  auto cc = std::make_unique<fb::ConsumerCountersT>();
  cc->id = x.params.id;
  cc->packets = x.packets;
  cc->bytes = x.bytes;
  cc->reports = x.reports;
  cc->fraction_lost = x.fraction_lost;
  cc->packets_lost = x.packets_lost;
  cc->jitter = x.jitter;
  return cc;
}

}  // namespace

void IpcHandler::describe(fb::HelloReplyT& reply) {
  reply.server = "fanout-dataplane 0.1.0";
  Engine& e = dp_.engine();
  for (uint16_t w = 0; w < e.n_workers; ++w) {
    auto wi = std::make_unique<fb::WorkerInfoT>();
    wi->index = w;
    wi->lcore_id = static_cast<uint16_t>(e.worker_lcores[w]);
    wi->socket = static_cast<int16_t>(rte_lcore_to_socket_id(e.worker_lcores[w]));
    reply.lcores.push_back(std::move(wi));
  }
  for (uint16_t p = 0; p < e.n_ports; ++p) {
    auto pi = std::make_unique<fb::PortInfoT>();
    const PortConfig& pc = e.cfg.ports[p];
    pi->id = p;
    pi->name = pc.device;
    char mac[18];
    const uint8_t* b = e.ports[p].mac.addr_bytes;
    std::snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                  b[5]);
    pi->mac = mac;
    for (const auto& a : pc.ipv4) pi->addresses.push_back(a);
    for (const auto& a : pc.ipv6) pi->addresses.push_back(a);
    pi->udp_port_min = pc.udp_port_min;
    pi->udp_port_max = pc.udp_port_max;
    reply.ports.push_back(std::move(pi));
  }
}

void IpcHandler::on_handshake(ipc::ConnectionId, const fb::Hello& hello) {
  // Objects a client creates are tagged with its epoch (Flush keeps one epoch). Epoch 0 is an
  // observer (fanoutctl) and leaves the epoch alone.
  if (hello.epoch() != 0) dp_.controller().set_epoch(hello.epoch());
}

void IpcHandler::on_request(ipc::ConnectionId conn, const fb::Envelope& request,
                            ipc::Replier& replier) {
  fb::Body type = request.body_type();
  if (type == fb::Body::Batch) return batch(conn, request, replier);
  if (type == fb::Body::GetCounters) return counters(*request.body_as_GetCounters(), replier);
  Status s = apply(type, request.body(), &replier, false, nullptr);
  if (!s.ok()) return replier.error(to_fb(s.code), s.reason);
  if (type == fb::Body::CreateTransport) {
    // Built by apply(); sent when the worker has attached the transport.
    auto& fbb = replier.builder();
    uint32_t id = request.body_as_CreateTransport()->id();
    auto created = dp_.controller().transport(id);
    auto body = fb::CreateTransportCreated(fbb, id, created->created.worker,
                                           fbb.CreateString(created->created.local_address),
                                           created->created.local_port);
    auto frame = ipc::finish_envelope(fbb, request.id(), request.epoch(), body);
    hold_reply(conn, frame, {id});
    return replier.defer();
  }
  if (!replier.answered()) replier.ok();
}

void IpcHandler::hold_reply(ipc::ConnectionId conn, std::span<const uint8_t> frame,
                            std::vector<uint32_t> transports) {
  if (transports.empty()) {
    if (server_) server_->send(conn, frame);
    return;
  }
  pending_.push_back(
      PendingReply{conn, std::vector<uint8_t>(frame.begin(), frame.end()), std::move(transports)});
}

void IpcHandler::on_transport_ready(uint32_t transport) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    std::erase(it->waiting, transport);
    if (it->waiting.empty()) {
      if (server_) server_->send(it->conn, it->frame);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

void IpcHandler::on_consent_expired(uint32_t transport) {
  if (!server_) return;
  auto& fbb = server_->event_builder();
  server_->broadcast_event(ipc::finish_envelope(fbb, 0, dp_.controller().epoch(),
                                                fb::CreateIceConsentExpired(fbb, transport)));
}

void IpcHandler::on_disconnect(ipc::ConnectionId conn) {
  std::erase_if(pending_, [conn](const PendingReply& p) { return p.conn == conn; });
}

Status IpcHandler::apply(fb::Body type, const void* body, ipc::Replier* replier, bool dry_run,
                         Controller::Overlay* o) {
  Controller& c = dp_.controller();
  Controller::Overlay empty;
  const Controller::Overlay& ov = o ? *o : empty;
  auto missing = [&](const char* what, uint32_t id) {
    return Status::error(ErrorCode::kNotFound,
                         std::string(what) + " " + std::to_string(id) + " does not exist");
  };
  switch (type) {
    case fb::Body::CreateTransport: {
      TransportParams p = transport_params(*static_cast<const fb::CreateTransport*>(body));
      if (dry_run) {
        Status s = c.check_create_transport(p, ov);
        if (s.ok()) c.overlay_create_transport(p, o);
        return s;
      }
      TransportCreated created;
      return c.create_transport(p, &created);
    }
    case fb::Body::SetSrtpKeys: {
      auto* r = static_cast<const fb::SetSrtpKeys*>(body);
      if (dry_run) {
        return c.transport_exists(r->transport(), ov) ? Status{}
                                                      : missing("transport", r->transport());
      }
      return c.set_srtp_keys(r->transport(), r->direction() == fb::Direction::Inbound, r->profile(),
                             bytes(r->master_key()), bytes(r->master_salt()));
    }
    case fb::Body::DeleteTransport: {
      uint32_t id = static_cast<const fb::DeleteTransport*>(body)->id();
      if (dry_run) {
        if (!c.transport_exists(id, ov)) return missing("transport", id);
        c.overlay_delete_transport(id, o);
        return {};
      }
      return c.delete_transport(id);
    }
    case fb::Body::CreateProducer: {
      ProducerParams p = producer_params(*static_cast<const fb::CreateProducer*>(body));
      if (dry_run) {
        Status s = c.check_create_producer(p, ov);
        if (s.ok()) {
          o->producers[p.id] = true;
          o->producer_transport[p.id] = p.transport;
        }
        return s;
      }
      return c.create_producer(p);
    }
    case fb::Body::DeleteProducer: {
      uint32_t id = static_cast<const fb::DeleteProducer*>(body)->id();
      if (dry_run) {
        if (!c.producer_exists(id, ov)) return missing("producer", id);
        o->producers[id] = false;
        return {};
      }
      return c.delete_producer(id);
    }
    case fb::Body::SetPaused: {
      auto* r = static_cast<const fb::SetPaused*>(body);
      bool producer = r->target() == fb::PauseTarget::Producer;
      if (dry_run) {
        bool ok = producer ? c.producer_exists(r->id(), ov) : c.consumer_exists(r->id(), ov);
        return ok ? Status{} : missing(producer ? "producer" : "consumer", r->id());
      }
      return producer ? c.set_producer_paused(r->id(), r->paused())
                      : c.set_consumer_paused(r->id(), r->paused());
    }
    case fb::Body::CreateConsumer: {
      ConsumerParams p = consumer_params(*static_cast<const fb::CreateConsumer*>(body));
      if (dry_run) {
        Status s = c.check_create_consumer(p, ov);
        if (s.ok()) o->consumers[p.id] = true;
        return s;
      }
      return c.create_consumer(p);
    }
    case fb::Body::DeleteConsumer: {
      uint32_t id = static_cast<const fb::DeleteConsumer*>(body)->id();
      if (dry_run) {
        if (!c.consumer_exists(id, ov)) return missing("consumer", id);
        o->consumers[id] = false;
        return {};
      }
      return c.delete_consumer(id);
    }
    case fb::Body::RequestKeyFrame: {
      uint32_t id = static_cast<const fb::RequestKeyFrame*>(body)->producer();
      if (dry_run) return c.producer_exists(id, ov) ? Status{} : missing("producer", id);
      return c.request_keyframe(id);
    }
    case fb::Body::SendDtls: {
      auto* r = static_cast<const fb::SendDtls*>(body);
      if (dry_run) {
        return c.transport_exists(r->transport(), ov) ? Status{}
                                                      : missing("transport", r->transport());
      }
      return c.send_dtls(r->transport(), bytes(r->data()));
    }
    case fb::Body::SetIceParameters: {
      auto* r = static_cast<const fb::SetIceParameters*>(body);
      if (dry_run) return Status::error(ErrorCode::kInvalidArgument, "not allowed in a batch");
      return c.set_ice_parameters(r->transport(), str(r->ice_ufrag()), str(r->ice_pwd()));
    }
    case fb::Body::SetPlainRemote: {
      auto* r = static_cast<const fb::SetPlainRemote*>(body);
      if (dry_run) return Status::error(ErrorCode::kInvalidArgument, "not allowed in a batch");
      std::optional<Endpoint> remote;
      if (r->remote()) remote = Endpoint{str(r->remote()->address()), r->remote()->port()};
      return c.set_plain_remote(r->transport(), remote, r->comedia());
    }
    case fb::Body::Flush: {
      if (dry_run) return {};
      c.flush(static_cast<const fb::Flush*>(body)->keep_epoch());
      return {};
    }
    case fb::Body::Dump:
    case fb::Body::ListTransports:
    case fb::Body::ListProducers:
    case fb::Body::ListConsumers: {
      if (dry_run || !replier) return {};
      auto& fbb = replier->builder();
      if (type == fb::Body::Dump) {
        fb::DumpReplyT d;
        for (auto& t : c.transports()) d.transports.push_back(transport_info(t));
        for (auto& p : c.producers()) d.producers.push_back(producer_info(p));
        for (auto& x : c.consumers()) d.consumers.push_back(consumer_info(x));
        replier->reply(fb::DumpReply::Pack(fbb, &d));
      } else if (type == fb::Body::ListTransports) {
        fb::TransportListT l;
        for (auto& t : c.transports()) l.transports.push_back(transport_info(t));
        replier->reply(fb::TransportList::Pack(fbb, &l));
      } else if (type == fb::Body::ListProducers) {
        fb::ProducerListT l;
        for (auto& p : c.producers()) l.producers.push_back(producer_info(p));
        replier->reply(fb::ProducerList::Pack(fbb, &l));
      } else {
        fb::ConsumerListT l;
        for (auto& x : c.consumers()) l.consumers.push_back(consumer_info(x));
        replier->reply(fb::ConsumerList::Pack(fbb, &l));
      }
      return {};
    }
    default:
      return Status::error(
          ErrorCode::kInvalidArgument,
          std::string("method ") + fb::EnumNameBody(type) + " is not served by the data plane");
  }
}

void IpcHandler::batch(ipc::ConnectionId conn, const fb::Envelope& request, ipc::Replier& replier) {
  const fb::Batch& b = *request.body_as_Batch();
  // All or nothing: every entry is checked against the model as the earlier entries would leave
  // it, and only then applied.
  Controller::Overlay overlay;
  const auto* reqs = b.requests();
  size_t n = reqs ? reqs->size() : 0;
  for (size_t i = 0; i < n; ++i) {
    const fb::Request* r = reqs->Get(static_cast<flatbuffers::uoffset_t>(i));
    fb::Body t = r->body_type();
    if (t == fb::Body::Batch || t == fb::Body::GetCounters || !r->body()) {
      return replier.error(fb::ErrorCode::InvalidArgument,
                           "request " + std::to_string(i) + ": not allowed in a batch");
    }
    Status s = apply(t, r->body(), nullptr, true, &overlay);
    if (!s.ok()) {
      return replier.error(to_fb(s.code), "request " + std::to_string(i) + ": " + s.reason);
    }
  }
  fb::BatchReplyT out;
  std::vector<uint32_t> created;
  for (size_t i = 0; i < n; ++i) {
    const fb::Request* r = reqs->Get(static_cast<flatbuffers::uoffset_t>(i));
    Status s = apply(r->body_type(), r->body(), nullptr, false, nullptr);
    if (s.ok() && r->body_type() == fb::Body::CreateTransport) {
      created.push_back(r->body_as_CreateTransport()->id());
    }
    auto reply = std::make_unique<fb::ReplyT>();
    if (s.ok()) {
      reply->body.Set(fb::OkT{});
    } else {
      // Validated above, so this is a resource limit reached mid-batch.
      fb::ErrorT err;
      err.code = to_fb(s.code);
      err.reason = "request " + std::to_string(i) + ": " + s.reason;
      reply->body.Set(std::move(err));
    }
    out.replies.push_back(std::move(reply));
  }
  auto& fbb = replier.builder();
  auto frame =
      ipc::finish_envelope(fbb, request.id(), request.epoch(), fb::BatchReply::Pack(fbb, &out));
  hold_reply(conn, frame, std::move(created));
  replier.defer();
}

void IpcHandler::counters(const fb::GetCounters& req, ipc::Replier& replier) {
  Controller& c = dp_.controller();
  Engine& e = dp_.engine();
  fb::CountersT out;
  LcoreCounters total = dp_.total_counters();
  // Naming a transport, producer or consumer asks for just those (one lookup each: the control
  // plane asks per object for stats); naming none, for the global counters and every transport.
  // all_media (minor 2): every producer and consumer, for the control plane's score timer.
  const bool scoped =
      req.transport() != 0 || req.producer() != 0 || req.consumer() != 0 || req.all_media();
  if (!scoped) {
    for (uint16_t p = 0; p < e.n_ports; ++p) {
      auto pc = std::make_unique<fb::PortCountersT>();
      pc->id = p;
      pc->rx_packets = total.ports[p].rx_packets;
      pc->rx_bytes = total.ports[p].rx_bytes;
      pc->tx_packets = total.ports[p].tx_packets;
      pc->tx_bytes = total.ports[p].tx_bytes;
      rte_eth_stats st;
      if (rte_eth_stats_get(e.ports[p].port_id, &st) == 0) {
        pc->rx_missed = st.imissed;
        pc->rx_errors = st.ierrors;
        pc->tx_errors = st.oerrors;
      }
      out.ports.push_back(std::move(pc));
    }
    for (size_t i = 0; i < kDropReasonCount; ++i) {
      auto d = std::make_unique<fb::DropCountT>();
      d->reason = std::string(kDropNames[i]);
      d->count = total.drops[i];
      out.drops.push_back(std::move(d));
    }
    for (uint16_t w = 0; w < e.n_workers; ++w) {
      const LcoreCounters& lc = dp_.worker(w).counters();
      auto l = std::make_unique<fb::LcoreCountersT>();
      l->lcore_id = static_cast<uint16_t>(e.worker_lcores[w]);
      l->worker = w;
      for (uint16_t p = 0; p < e.n_ports; ++p) {
        l->rx_packets += lc.ports[p].rx_packets;
        l->tx_packets += lc.ports[p].tx_packets;
      }
      l->handoff_in_packets = lc.handoff_in;
      l->handoff_out_packets = lc.handoff_out;
      out.lcores.push_back(std::move(l));
    }
  }
  std::vector<TransportInfo> selected;
  if (!scoped) {
    selected = c.transports();
  } else if (req.transport() != 0 && !req.all_media()) {
    auto one = c.transport(req.transport());
    if (!one) {
      return replier.error(fb::ErrorCode::NotFound,
                           "transport " + std::to_string(req.transport()) + " does not exist");
    }
    selected.push_back(std::move(*one));
  }
  for (const TransportInfo& t : selected) {
    auto tc = std::make_unique<fb::TransportCountersT>();
    tc->id = t.params.id;
    tc->rx_packets = t.counters.rx_packets;
    tc->rx_bytes = t.counters.rx_bytes;
    tc->tx_packets = t.counters.tx_packets;
    tc->tx_bytes = t.counters.tx_bytes;
    tc->srtp_auth_failures = t.counters.srtp_auth_failures;
    tc->srtp_replays = t.counters.srtp_replays;
    tc->srtcp_auth_failures = t.counters.srtcp_auth_failures;
    tc->stun_requests = t.counters.stun_requests;
    tc->dtls_punted = t.counters.dtls_punted;
    tc->rtp_forwarded = t.counters.rtp_received;
    tc->rtcp_received = t.counters.rtcp_received;
    out.transports.push_back(std::move(tc));
  }
  if (req.all_media()) {
    // Nothing else, whatever else the request names: the reply is the score timer's input.
    for (const ProducerInfo& p : c.producers()) out.producers.push_back(producer_counters(p));
    for (const ConsumerInfo& x : c.consumers()) out.consumers.push_back(consumer_counters(x));
    return replier.reply(fb::Counters::Pack(replier.builder(), &out));
  }
  if (req.producer() != 0) {
    auto p = c.producer(req.producer());
    if (!p) {
      return replier.error(fb::ErrorCode::NotFound,
                           "producer " + std::to_string(req.producer()) + " does not exist");
    }
    out.producers.push_back(producer_counters(*p));
  }
  if (req.consumer() != 0) {
    auto x = c.consumer(req.consumer());
    if (!x) {
      return replier.error(fb::ErrorCode::NotFound,
                           "consumer " + std::to_string(req.consumer()) + " does not exist");
    }
    out.consumers.push_back(consumer_counters(*x));
  }
  replier.reply(fb::Counters::Pack(replier.builder(), &out));
}

void IpcHandler::on_tuple_selected(uint32_t transport, const net::Tuple& t, uint16_t port) {
  if (!server_) return;
  auto& fbb = server_->event_builder();
  fb::IceSelectedTupleChangedT ev;
  ev.transport = transport;
  ev.tuple = tuple(t, port);
  auto frame = ipc::finish_envelope(fbb, 0, dp_.controller().epoch(),
                                    fb::IceSelectedTupleChanged::Pack(fbb, &ev));
  server_->broadcast_event(frame);
}

void IpcHandler::on_dtls(uint32_t transport, const net::Tuple& t, std::span<const uint8_t> data) {
  if (!server_) return;
  auto& fbb = server_->event_builder();
  auto remote =
      fb::CreateEndpoint(fbb, fbb.CreateString(net::format_addr(t.remote)), t.remote_port);
  auto body =
      fb::CreateDtlsReceived(fbb, transport, remote, fbb.CreateVector(data.data(), data.size()));
  server_->broadcast_event(ipc::finish_envelope(fbb, 0, dp_.controller().epoch(), body));
}

}  // namespace fanout::dp

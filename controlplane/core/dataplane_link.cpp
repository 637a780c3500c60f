#include "controlplane/core/dataplane_link.hpp"

#include <utility>
#include <vector>

namespace fanout::cp {

namespace fb = fanout::ipc;

namespace {

std::string reply_error(std::string_view what, const dp::ipc::ClientResult& r) {
  if (!r.ok()) return std::string(what) + ": " + r.detail;
  if (const fb::Error* e = r.reply.error()) {
    return std::string(what) + ": " + fb::EnumNameErrorCode(e->code()) + ": " +
           (e->reason() ? e->reason()->str() : std::string());
  }
  return {};
}

UdpEndpoint endpoint(const fb::Endpoint* e) {
  if (e == nullptr) return {};
  return {e->address() ? e->address()->str() : std::string(), e->port()};
}

flatbuffers::Offset<fb::CreateProducer> producer_body(flatbuffers::FlatBufferBuilder& fbb,
                                                      uint32_t id, uint32_t transport,
                                                      const DataplaneProducer& producer,
                                                      bool paused) {
  std::vector<flatbuffers::Offset<fb::ProducerStream>> streams;
  for (const DataplaneStream& s : producer.streams) {
    streams.push_back(fb::CreateProducerStream(
        fbb, s.ssrc, s.rtx_ssrc, s.payload_type, s.rtx_payload_type, s.clock_rate,
        s.rid.empty() ? flatbuffers::Offset<flatbuffers::String>() : fbb.CreateString(s.rid)));
  }
  return fb::CreateCreateProducer(
      fbb, id, transport,
      producer.kind == MediaKind::kAudio ? fb::MediaKind::Audio : fb::MediaKind::Video, paused,
      fbb.CreateVector(streams));
}

flatbuffers::Offset<fb::CreateConsumer> consumer_body(flatbuffers::FlatBufferBuilder& fbb,
                                                      uint32_t id, uint32_t producer,
                                                      uint32_t transport,
                                                      const DataplaneConsumer& consumer,
                                                      bool paused) {
  std::vector<flatbuffers::Offset<fb::PayloadTypeMap>> pts;
  for (auto [from, to] : consumer.payload_types)
    pts.push_back(fb::CreatePayloadTypeMap(fbb, from, to));
  return fb::CreateCreateConsumer(fbb, id, producer, transport, paused, consumer.ssrc,
                                  consumer.rtx_ssrc, fbb.CreateVector(pts), consumer.clock_rate);
}

flatbuffers::Offset<fb::CreateTransport> plain_body(flatbuffers::FlatBufferBuilder& fbb,
                                                    uint32_t id, std::optional<uint16_t> worker,
                                                    uint16_t port, uint16_t local_port,
                                                    const std::optional<UdpEndpoint>& remote,
                                                    bool comedia) {
  flatbuffers::Offset<fb::Endpoint> r;
  if (remote) r = fb::CreateEndpoint(fbb, fbb.CreateString(remote->address), remote->port);
  return fb::CreateCreateTransport(fbb, id, worker.value_or(0xFFFF), port, local_port, 0, 0,
                                   fb::TransportKind::Plain, r, comedia);
}

// A Batch is validated as a whole first; an entry can still fail on a resource limit while
// applying.
Status batch_status(std::string_view what, const dp::ipc::OwnedEnvelope& reply) {
  if (const fb::BatchReply* b = reply->body_as_BatchReply(); b && b->replies()) {
    for (const fb::Reply* r : *b->replies()) {
      if (const fb::Error* e = r->body_as_Error()) {
        return Status::failure(std::string(what) + ": " + fb::EnumNameErrorCode(e->code()) + ": " +
                               (e->reason() ? e->reason()->str() : std::string()));
      }
    }
  }
  // A refused Batch is an Error reply (call() reports it); anything else is success.
  return {};
}

}  // namespace

Status DataplaneLink::connect(const Options& options) {
  timeout_ = options.timeout;
  epoch_ = options.epoch;
  if (epoch_ == 0) {
    epoch_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  }
  if (std::string err = client_.connect(options.socket_path, timeout_); !err.empty()) {
    return Status::failure(err);
  }
  auto r = client_.hello(options.client_name, epoch_, timeout_);
  if (std::string err = reply_error("Hello", r); !err.empty()) {
    client_.close();
    return Status::failure(err);
  }
  if (r.reply->body_type() != fb::Body::HelloReply) {
    client_.close();
    return Status::failure("Hello: the data plane answered with something else than HelloReply");
  }
  return {};
}

const fb::HelloReply* DataplaneLink::hello_reply() const {
  const auto& h = client_.hello_reply();
  return h ? h->body_as_HelloReply() : nullptr;
}

template <typename Build>
StatusOr<dp::ipc::OwnedEnvelope> DataplaneLink::call(std::string_view what, Build&& build) {
  auto r = client_.request(std::forward<Build>(build), timeout_);
  StatusOr<dp::ipc::OwnedEnvelope> out;
  if (std::string err = reply_error(what, r); !err.empty()) {
    out.status = Status::failure(std::move(err));
  } else {
    out.value = std::move(r.reply);
  }
  return out;
}

StatusOr<TransportCreated> DataplaneLink::create_transport(uint32_t id, std::string_view ufrag,
                                                           std::string_view pwd,
                                                           std::optional<uint16_t> worker,
                                                           uint16_t port, uint16_t local_port) {
  StatusOr<TransportCreated> out;
  auto r = call("CreateTransport", [&](flatbuffers::FlatBufferBuilder& fbb) {
    auto u = fbb.CreateString(ufrag.data(), ufrag.size());
    auto p = fbb.CreateString(pwd.data(), pwd.size());
    return fb::CreateCreateTransport(fbb, id, worker.value_or(0xFFFF), port, local_port, u, p,
                                     fb::TransportKind::WebRtc);
  });
  if (!r.ok()) {
    out.status = r.status;
    return out;
  }
  const fb::TransportCreated* c = r.value->body_as_TransportCreated();
  if (c == nullptr || c->id() != id || c->local_address() == nullptr) {
    out.status = Status::failure("CreateTransport: the reply is not a TransportCreated for " +
                                 std::to_string(id));
    return out;
  }
  out.value = {c->worker(), c->local_address()->str(), c->local_port()};
  return out;
}

StatusOr<TransportCreated> DataplaneLink::create_plain_transport(
    uint32_t id, std::optional<uint16_t> worker, uint16_t port, uint16_t local_port,
    const std::optional<UdpEndpoint>& remote, bool comedia) {
  StatusOr<TransportCreated> out;
  auto r = call("CreateTransport", [&](flatbuffers::FlatBufferBuilder& fbb) {
    return plain_body(fbb, id, worker, port, local_port, remote, comedia);
  });
  if (!r.ok()) {
    out.status = r.status;
    return out;
  }
  const fb::TransportCreated* c = r.value->body_as_TransportCreated();
  if (c == nullptr || c->id() != id || c->local_address() == nullptr) {
    out.status = Status::failure("CreateTransport: the reply is not a TransportCreated for " +
                                 std::to_string(id));
    return out;
  }
  out.value = {c->worker(), c->local_address()->str(), c->local_port()};
  return out;
}

StatusOr<DataplaneDump> DataplaneLink::dump() {
  StatusOr<DataplaneDump> out;
  auto r = call("Dump", [](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateDump(fbb); });
  if (!r.ok()) {
    out.status = r.status;
    return out;
  }
  const fb::DumpReply* d = r.value->body_as_DumpReply();
  if (d == nullptr) {
    out.status = Status::failure("Dump: the reply is not a DumpReply");
    return out;
  }
  if (d->transports()) {
    for (const fb::TransportInfo* t : *d->transports()) {
      DataplaneDump::Transport x;
      x.id = t->id();
      x.created = {t->worker(), t->local_address() ? t->local_address()->str() : std::string(),
                   t->local_port()};
      x.ice_ufrag = t->ice_ufrag() ? t->ice_ufrag()->str() : std::string();
      if (const fb::Tuple* tuple = t->selected_tuple()) {
        x.selected_tuple =
            IceTuple{endpoint(tuple->local()), endpoint(tuple->remote()), tuple->port()};
      }
      x.srtp_inbound_profile = t->srtp_inbound_profile();
      x.srtp_outbound_profile = t->srtp_outbound_profile();
      x.plain = t->kind() == fb::TransportKind::Plain;
      if (t->plain_remote()) x.plain_remote = endpoint(t->plain_remote());
      x.comedia = t->comedia();
      out.value.transports.push_back(std::move(x));
    }
  }
  if (d->producers()) {
    for (const fb::ProducerInfo* p : *d->producers()) out.value.producers.push_back(p->id());
  }
  if (d->consumers()) {
    for (const fb::ConsumerInfo* c : *d->consumers()) out.value.consumers.push_back(c->id());
  }
  return out;
}

Status DataplaneLink::set_srtp_keys(uint32_t id, SrtpDirection direction, SrtpProfile profile,
                                    std::span<const uint8_t> key, std::span<const uint8_t> salt) {
  return call("SetSrtpKeys",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                auto k = fbb.CreateVector(key.data(), key.size());
                auto s = fbb.CreateVector(salt.data(), salt.size());
                return fb::CreateSetSrtpKeys(fbb, id,
                                             direction == SrtpDirection::kInbound
                                                 ? fb::Direction::Inbound
                                                 : fb::Direction::Outbound,
                                             static_cast<uint16_t>(profile), k, s);
              })
      .status;
}

Status DataplaneLink::set_srtp_keys(uint32_t id, SrtpProfile profile,
                                    std::span<const uint8_t> inbound_key,
                                    std::span<const uint8_t> inbound_salt,
                                    std::span<const uint8_t> outbound_key,
                                    std::span<const uint8_t> outbound_salt) {
  auto r = call("SetSrtpKeys batch", [&](flatbuffers::FlatBufferBuilder& fbb) {
    auto entry = [&](fb::Direction d, std::span<const uint8_t> key, std::span<const uint8_t> salt) {
      auto k = fbb.CreateVector(key.data(), key.size());
      auto s = fbb.CreateVector(salt.data(), salt.size());
      auto body = fb::CreateSetSrtpKeys(fbb, id, d, static_cast<uint16_t>(profile), k, s);
      return fb::CreateRequest(fbb, fb::Body::SetSrtpKeys, body.Union());
    };
    std::vector<flatbuffers::Offset<fb::Request>> requests = {
        entry(fb::Direction::Inbound, inbound_key, inbound_salt),
        entry(fb::Direction::Outbound, outbound_key, outbound_salt)};
    return fb::CreateBatch(fbb, fbb.CreateVector(requests));
  });
  if (!r.ok()) return r.status;
  return batch_status("SetSrtpKeys batch", r.value);
}

Status DataplaneLink::delete_transport(uint32_t id) {
  return call("DeleteTransport",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return fb::CreateDeleteTransport(fbb, id);
              })
      .status;
}

Status DataplaneLink::set_ice_parameters(uint32_t id, std::string_view ufrag,
                                         std::string_view pwd) {
  return call("SetIceParameters",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                auto u = fbb.CreateString(ufrag.data(), ufrag.size());
                auto p = fbb.CreateString(pwd.data(), pwd.size());
                return fb::CreateSetIceParameters(fbb, id, u, p);
              })
      .status;
}

Status DataplaneLink::set_plain_remote(uint32_t id, const std::optional<UdpEndpoint>& remote,
                                       bool comedia) {
  return call("SetPlainRemote",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                flatbuffers::Offset<fb::Endpoint> e;
                if (remote) {
                  e = fb::CreateEndpoint(fbb, fbb.CreateString(remote->address), remote->port);
                }
                return fb::CreateSetPlainRemote(fbb, id, e, comedia);
              })
      .status;
}

Status DataplaneLink::send_dtls(uint32_t id, std::span<const uint8_t> data) {
  return call("SendDtls",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return fb::CreateSendDtls(fbb, id, fbb.CreateVector(data.data(), data.size()));
              })
      .status;
}

Status DataplaneLink::create_producer(uint32_t id, uint32_t transport,
                                      const DataplaneProducer& producer, bool paused) {
  return call("CreateProducer",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return producer_body(fbb, id, transport, producer, paused);
              })
      .status;
}

Status DataplaneLink::create_consumer(uint32_t id, uint32_t producer, uint32_t transport,
                                      const DataplaneConsumer& consumer, bool paused) {
  return call("CreateConsumer",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return consumer_body(fbb, id, producer, transport, consumer, paused);
              })
      .status;
}

Status DataplaneLink::delete_producer(uint32_t id) {
  return call(
             "DeleteProducer",
             [&](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateDeleteProducer(fbb, id); })
      .status;
}

Status DataplaneLink::delete_consumer(uint32_t id) {
  return call(
             "DeleteConsumer",
             [&](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreateDeleteConsumer(fbb, id); })
      .status;
}

Status DataplaneLink::set_paused(PauseTarget target, uint32_t id, bool paused) {
  return call("SetPaused",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return fb::CreateSetPaused(fbb,
                                           target == PauseTarget::kProducer
                                               ? fb::PauseTarget::Producer
                                               : fb::PauseTarget::Consumer,
                                           id, paused);
              })
      .status;
}

Status DataplaneLink::request_key_frame(uint32_t producer) {
  return call("RequestKeyFrame",
              [&](flatbuffers::FlatBufferBuilder& fbb) {
                return fb::CreateRequestKeyFrame(fbb, producer);
              })
      .status;
}

StatusOr<dp::ipc::OwnedEnvelope> DataplaneLink::get_counters(uint32_t transport) {
  auto r = call("GetCounters", [&](flatbuffers::FlatBufferBuilder& fbb) {
    return fb::CreateGetCounters(fbb, transport);
  });
  if (r.ok() && r.value->body_as_Counters() == nullptr) {
    r.status = Status::failure("GetCounters: the reply is not Counters");
  }
  return r;
}

StatusOr<DataplaneLink::RtpCounts> DataplaneLink::producer_counters(uint32_t producer) {
  StatusOr<RtpCounts> out;
  auto r = call("GetCounters", [&](flatbuffers::FlatBufferBuilder& fbb) {
    return fb::CreateGetCounters(fbb, 0, producer, 0);
  });
  const fb::Counters* c = r.ok() ? r.value->body_as_Counters() : nullptr;
  if (!r.ok()) {
    out.status = r.status;
  } else if (c == nullptr || c->producers() == nullptr || c->producers()->size() != 1) {
    out.status = Status::failure("GetCounters: no counters for producer " +
                                 std::to_string(producer) + " in the reply");
  } else {
    out.value = {c->producers()->Get(0)->rtp_packets(), c->producers()->Get(0)->rtp_bytes()};
  }
  return out;
}

StatusOr<DataplaneLink::RtpCounts> DataplaneLink::consumer_counters(uint32_t consumer) {
  StatusOr<RtpCounts> out;
  auto r = call("GetCounters", [&](flatbuffers::FlatBufferBuilder& fbb) {
    return fb::CreateGetCounters(fbb, 0, 0, consumer);
  });
  const fb::Counters* c = r.ok() ? r.value->body_as_Counters() : nullptr;
  if (!r.ok()) {
    out.status = r.status;
  } else if (c == nullptr || c->consumers() == nullptr || c->consumers()->size() != 1) {
    out.status = Status::failure("GetCounters: no counters for consumer " +
                                 std::to_string(consumer) + " in the reply");
  } else {
    out.value = {c->consumers()->Get(0)->packets(), c->consumers()->Get(0)->bytes()};
  }
  return out;
}

StatusOr<DataplaneLink::MediaCounters> DataplaneLink::media_counters() {
  StatusOr<MediaCounters> out;
  auto r = call("GetCounters", [&](flatbuffers::FlatBufferBuilder& fbb) {
    return fb::CreateGetCounters(fbb, 0, 0, 0, /*all_media=*/true);
  });
  const fb::Counters* c = r.ok() ? r.value->body_as_Counters() : nullptr;
  if (!r.ok()) {
    out.status = r.status;
    return out;
  }
  if (c == nullptr) {
    out.status = Status::failure("GetCounters: the reply is not Counters");
    return out;
  }
  if (c->producers() != nullptr) {
    for (const fb::ProducerCounters* p : *c->producers()) {
      std::vector<MediaCounters::Stream>& streams = out.value.producers[p->id()];
      if (p->streams() == nullptr) continue;
      for (const fb::ProducerStreamCounters* s : *p->streams())
        streams.push_back({s->ssrc(), s->packets(), s->expected()});
    }
  }
  if (c->consumers() != nullptr) {
    for (const fb::ConsumerCounters* k : *c->consumers())
      out.value.consumers[k->id()] = {k->packets(), k->reports(), k->fraction_lost()};
  }
  return out;
}

void DataplaneLink::deliver(const dp::ipc::OwnedEnvelope& event, DataplaneEventHandler& handler) {
  switch (event->body_type()) {
    case fb::Body::DtlsReceived: {
      const fb::DtlsReceived* e = event->body_as_DtlsReceived();
      if (e->data() == nullptr) return;
      handler.on_dtls_received(e->transport(), endpoint(e->remote()),
                               std::span<const uint8_t>(e->data()->data(), e->data()->size()));
      return;
    }
    case fb::Body::IceSelectedTupleChanged: {
      const fb::IceSelectedTupleChanged* e = event->body_as_IceSelectedTupleChanged();
      IceTuple t;
      if (e->tuple() != nullptr) {
        t.local = endpoint(e->tuple()->local());
        t.remote = endpoint(e->tuple()->remote());
        t.port = e->tuple()->port();
      }
      handler.on_ice_selected_tuple_changed(e->transport(), t);
      return;
    }
    case fb::Body::IceConsentExpired:
      handler.on_ice_consent_expired(event->body_as_IceConsentExpired()->transport());
      return;
    default:
      return;  // informational events (KeyFrameRequested) are not for the transports
  }
}

Status DataplaneLink::drain_events(DataplaneEventHandler& handler) {
  for (;;) {
    auto r = client_.next_event(Millis(0));
    if (r.status == dp::ipc::ClientStatus::kTimeout) return {};
    if (!r.ok()) return Status::failure("data plane events: " + r.detail);
    deliver(r.reply, handler);
  }
}

}  // namespace fanout::cp

// The methods of a joined peer: each validates its fields, checks the room model (ownership,
// permissions, limits) so that a refused request costs the control plane nothing, then asks the
// control plane and records the outcome in the room.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "signaling/app/errors.hpp"
#include "signaling/app/fields.hpp"
#include "signaling/app/ids.hpp"
#include "signaling/app/room_handler.hpp"
#include "signaling/server/log.hpp"

namespace fanout::sig {

namespace json = boost::json;
using cpapi::Body;

namespace {

constexpr std::size_t kMaxParamsBytes = 48 * 1024;
constexpr std::size_t kMaxAppDataBytes = 4096;

std::optional<json::value> parse_text(const flatbuffers::String* text) {
  if (text == nullptr) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text->string_view(), ec);
  if (ec) return std::nullopt;
  return v;
}

RequestError malformed(std::string_view what) {
  return err("internal_error", "the control plane sent a malformed " + std::string(what));
}

CpBuild set_paused(cpapi::Target target, std::string id, bool paused) {
  return [target, id = std::move(id), paused](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{Body::SetPaused,
                     cpapi::CreateSetPausedDirect(fbb, target, id.c_str(), paused).Union()};
  };
}

CpBuild close_object(cpapi::Target target, std::string id) {
  return [target, id = std::move(id)](flatbuffers::FlatBufferBuilder& fbb) {
    return std::pair{Body::Close, cpapi::CreateCloseDirect(fbb, target, id.c_str()).Union()};
  };
}

// Closing something the control plane no longer has is a success.
bool closed_ok(const CpResult& r) {
  return r.ok() || (!r.error().unavailable && r.error().code == cpapi::ErrorCode::NotFound);
}

}  // namespace

void RoomHandler::get_router_rtp_capabilities(const std::shared_ptr<Session>&, const Member& m,
                                              const json::object&, Responder& respond) {
  const auto room = registry_.find(m.room_id);
  if (!room) return respond(err("room_closed", "room closed"));
  with_router(room, [respond = std::move(respond)](RouterResult r) {
    if (!r.ok()) return respond(from_cp(r.error(), "room_closed"));
    boost::system::error_code ec;
    json::value caps = json::parse(r.value(), ec);
    if (ec) return respond(malformed("rtpCapabilities"));
    respond(json::object{{"rtpCapabilities", std::move(caps)}});
  });
}

void RoomHandler::create_webrtc_transport(const std::shared_ptr<Session>&, const Member& m,
                                          const json::object& data, Responder& respond) {
  FieldReader f(data);
  const bool send = f.one_of("direction", {"send", "recv"}) == "send";
  const auto app_data = f.opt_object("appData", kMaxAppDataBytes);
  if (!f.ok()) return respond(f.error());
  const auto room = registry_.find(m.room_id);
  if (!room) return respond(err("room_closed", "room closed"));
  const std::string id = uuid_v4();
  // Reserve the slot first: the limit is checked before the control plane does any work.
  if (auto added = room->add_transport(m.peer_id, id); !added) {
    return respond(from_room(added.error()));
  }
  {
    std::lock_guard lock(mutex_);
    transports_[id] = TransportEntry{m.room_id, m.peer_id, send};
  }
  const std::string app_json = app_data ? json::serialize(*app_data) : std::string("{}");
  auto rollback = [this, room, m, id](const CpError& e) {
    {
      std::lock_guard lock(mutex_);
      transports_.erase(id);
    }
    (void)room->close_transport(m.peer_id, id);
    // It may exist if the answer was lost rather than refused.
    if (e.unavailable) close_in_cp(static_cast<int>(cpapi::Target::Transport), id);
  };
  with_router(room, [this, room, id, app_json, rollback,
                     respond = std::move(respond)](RouterResult r) mutable {
    if (!r.ok()) {
      rollback(r.error());
      return respond(from_cp(r.error(), "room_closed"));
    }
    const std::string router_id = room->router_id();
    cp_call(
        [router_id, id, app_json](flatbuffers::FlatBufferBuilder& fbb) {
          return std::pair{Body::CreateWebRtcTransport,
                           cpapi::CreateCreateWebRtcTransportDirect(
                               fbb, router_id.c_str(), id.c_str(), false, app_json.c_str())
                               .Union()};
        },
        [id, rollback, respond = std::move(respond)](CpResult r) {
          if (!r.ok()) {
            rollback(r.error());
            return respond(from_cp(r.error(), "room_closed", "too_many_transports"));
          }
          const auto* t = r.value().envelope().body_as_WebRtcTransportCreated();
          auto ice = t ? parse_text(t->ice_parameters_json()) : std::nullopt;
          auto candidates = t ? parse_text(t->ice_candidates_json()) : std::nullopt;
          auto dtls = t ? parse_text(t->dtls_parameters_json()) : std::nullopt;
          if (!ice || !candidates || !dtls) {
            rollback(CpError{.unavailable = true});
            return respond(malformed("WebRtcTransportCreated"));
          }
          respond(json::object{{"id", id},
                               {"iceParameters", std::move(*ice)},
                               {"iceCandidates", std::move(*candidates)},
                               {"dtlsParameters", std::move(*dtls)},
                               {"iceServers", json::array{}}});
        });
  });
}

void RoomHandler::connect_webrtc_transport(const std::shared_ptr<Session>&, const Member& m,
                                           const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string id = f.string("transportId", kMaxIdBytes);
  const auto dtls = f.object("dtlsParameters", kMaxParamsBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_transport(m, id)) {
    return respond(err("transport_not_found", "no such transport of this peer"));
  }
  const std::string dtls_json = json::serialize(dtls);
  cp_call(
      [id, dtls_json](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{
            Body::ConnectWebRtcTransport,
            cpapi::CreateConnectWebRtcTransportDirect(fbb, id.c_str(), dtls_json.c_str()).Union()};
      },
      [respond = std::move(respond)](CpResult r) {
        if (!r.ok()) return respond(from_cp(r.error(), "transport_not_found"));
        respond(json::object{});
      });
}

void RoomHandler::restart_ice(const std::shared_ptr<Session>&, const Member& m,
                              const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string id = f.string("transportId", kMaxIdBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_transport(m, id)) {
    return respond(err("transport_not_found", "no such transport of this peer"));
  }
  cp_call(
      [id](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::RestartIce, cpapi::CreateRestartIceDirect(fbb, id.c_str()).Union()};
      },
      [respond = std::move(respond)](CpResult r) {
        if (!r.ok()) return respond(from_cp(r.error(), "transport_not_found"));
        const auto* ice = r.value().envelope().body_as_IceRestarted();
        auto params = ice ? parse_text(ice->ice_parameters_json()) : std::nullopt;
        if (!params) return respond(malformed("IceRestarted"));
        respond(json::object{{"iceParameters", std::move(*params)}});
      });
}

void RoomHandler::produce(const std::shared_ptr<Session>&, const Member& m,
                          const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string transport_id = f.string("transportId", kMaxIdBytes);
  const MediaKind kind =
      f.one_of("kind", {"audio", "video"}) == "video" ? MediaKind::kVideo : MediaKind::kAudio;
  const auto rtp = f.object("rtpParameters", kMaxParamsBytes);
  const bool paused = f.opt_bool("paused").value_or(false);
  const auto app_data = f.opt_object("appData", kMaxAppDataBytes);
  if (!f.ok()) return respond(f.error());
  const auto room = registry_.find(m.room_id);
  if (!room) return respond(err("room_closed", "room closed"));
  if (auto ok = room->check_produce(m.peer_id, transport_id); !ok) {
    return respond(from_room(ok.error()));
  }
  bool send = false;
  if (!owns_transport(m, transport_id, &send) || !send) {
    return respond(
        err("transport_not_found", "'transportId' is not a send transport of this peer"));
  }
  const std::string id = uuid_v4();
  const std::string rtp_json = json::serialize(rtp);
  json::value app = app_data ? json::value(*app_data) : json::value(json::object{});
  const std::string app_json = json::serialize(app);
  cp_call(
      [transport_id, id, kind, rtp_json, paused, app_json](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::Produce, cpapi::CreateProduceDirect(
                                            fbb, transport_id.c_str(), id.c_str(),
                                            kind == MediaKind::kVideo ? cpapi::MediaKind::Video
                                                                      : cpapi::MediaKind::Audio,
                                            rtp_json.c_str(), paused, app_json.c_str())
                                            .Union()};
      },
      [this, room, m, transport_id, id, kind, paused, app = std::move(app),
       respond = std::move(respond)](CpResult r) mutable {
        if (!r.ok()) {
          if (r.error().unavailable) close_in_cp(static_cast<int>(cpapi::Target::Producer), id);
          return respond(from_cp(r.error(), "transport_not_found", "too_many_producers"));
        }
        {
          std::lock_guard lock(mutex_);
          producers_[id] = ProducerEntry{m.room_id, m.peer_id, kind, std::move(app)};
        }
        // The others hear newProducer from here, with the appData recorded just above.
        auto added = room->add_producer(m.peer_id, ProducerInfo{.id = id,
                                                                .peer_id = m.peer_id,
                                                                .transport_id = transport_id,
                                                                .kind = kind,
                                                                .paused = paused});
        if (!added) {
          {
            std::lock_guard lock(mutex_);
            producers_.erase(id);
          }
          close_in_cp(static_cast<int>(cpapi::Target::Producer), id);
          return respond(from_room(added.error()));
        }
        respond(json::object{{"id", id}});
      });
}

void RoomHandler::pause_producer(const std::shared_ptr<Session>&, const Member& m,
                                 const json::object& data, Responder& respond) {
  set_producer_paused(m, data, respond, true);
}

void RoomHandler::resume_producer(const std::shared_ptr<Session>&, const Member& m,
                                  const json::object& data, Responder& respond) {
  set_producer_paused(m, data, respond, false);
}

void RoomHandler::set_producer_paused(const Member& m, const json::object& data, Responder& respond,
                                      bool paused) {
  FieldReader f(data);
  const std::string id = f.string("producerId", kMaxIdBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_producer(m, id)) {
    return respond(err("producer_not_found", "no such producer of this peer"));
  }
  cp_call(set_paused(cpapi::Target::Producer, id, paused),
          [this, m, id, paused, respond = std::move(respond)](CpResult r) {
            if (!r.ok()) return respond(from_cp(r.error(), "producer_not_found"));
            const auto room = registry_.find(m.room_id);
            if (!room) return respond(err("room_closed", "room closed"));
            if (auto ok = room->set_producer_paused(m.peer_id, id, paused); !ok) {
              return respond(from_room(ok.error()));
            }
            respond(json::object{});
          });
}

void RoomHandler::close_producer(const std::shared_ptr<Session>&, const Member& m,
                                 const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string id = f.string("producerId", kMaxIdBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_producer(m, id)) {
    return respond(err("producer_not_found", "no such producer of this peer"));
  }
  cp_call(close_object(cpapi::Target::Producer, id),
          [this, m, id, respond = std::move(respond)](CpResult r) {
            if (!closed_ok(r)) return respond(from_cp(r.error(), "producer_not_found"));
            if (const auto room = registry_.find(m.room_id)) {
              // Its consumers go with it (the room tells their owners consumerClosed).
              if (auto closed = room->close_producer(m.peer_id, id)) release(closed.value());
            }
            std::lock_guard lock(mutex_);
            producers_.erase(id);
            respond(json::object{});
          });
}

void RoomHandler::consume(const std::shared_ptr<Session>&, const Member& m,
                          const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string transport_id = f.string("transportId", kMaxIdBytes);
  const std::string producer_id = f.string("producerId", kMaxIdBytes);
  const auto caps = f.object("rtpCapabilities", kMaxParamsBytes);
  if (!f.ok()) return respond(f.error());
  const auto room = registry_.find(m.room_id);
  if (!room) return respond(err("room_closed", "room closed"));
  if (auto ok = room->check_consume(m.peer_id, producer_id, transport_id); !ok) {
    return respond(from_room(ok.error()));
  }
  bool send = true;
  if (!owns_transport(m, transport_id, &send) || send) {
    return respond(
        err("transport_not_found", "'transportId' is not a recv transport of this peer"));
  }
  const std::string id = uuid_v4();
  const std::string caps_json = json::serialize(caps);
  cp_call(
      [transport_id, id, producer_id, caps_json](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::Consume,
                         cpapi::CreateConsumeDirect(fbb, transport_id.c_str(), id.c_str(),
                                                    producer_id.c_str(), caps_json.c_str(), true)
                             .Union()};
      },
      [this, room, m, transport_id, producer_id, id,
       respond = std::move(respond)](CpResult r) mutable {
        if (!r.ok()) {
          if (r.error().unavailable) close_in_cp(static_cast<int>(cpapi::Target::Consumer), id);
          return respond(from_cp(r.error(), "producer_not_found", "too_many_consumers"));
        }
        const auto* c = r.value().envelope().body_as_Consumed();
        auto rtp = c ? parse_text(c->rtp_parameters_json()) : std::nullopt;
        if (!rtp) {
          close_in_cp(static_cast<int>(cpapi::Target::Consumer), id);
          return respond(malformed("Consumed"));
        }
        json::value app_data = json::object{};
        {
          std::lock_guard lock(mutex_);
          consumers_[id] = ConsumerEntry{m.room_id, m.peer_id, producer_id};
          if (auto p = producers_.find(producer_id); p != producers_.end()) {
            app_data = p->second.app_data;
          }
        }
        if (auto added = room->add_consumer(m.peer_id, id, producer_id, transport_id); !added) {
          {
            std::lock_guard lock(mutex_);
            consumers_.erase(id);
          }
          close_in_cp(static_cast<int>(cpapi::Target::Consumer), id);
          return respond(from_room(added.error()));
        }
        respond(json::object{{"id", id},
                             {"producerId", producer_id},
                             {"kind", c->kind() == cpapi::MediaKind::Video ? "video" : "audio"},
                             {"rtpParameters", std::move(*rtp)},
                             {"producerPaused", c->producer_paused()},
                             {"appData", std::move(app_data)}});
      });
}

void RoomHandler::pause_consumer(const std::shared_ptr<Session>&, const Member& m,
                                 const json::object& data, Responder& respond) {
  set_consumer_paused(m, data, respond, true);
}

void RoomHandler::resume_consumer(const std::shared_ptr<Session>&, const Member& m,
                                  const json::object& data, Responder& respond) {
  set_consumer_paused(m, data, respond, false);
}

void RoomHandler::set_consumer_paused(const Member& m, const json::object& data, Responder& respond,
                                      bool paused) {
  FieldReader f(data);
  const std::string id = f.string("consumerId", kMaxIdBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_consumer(m, id)) {
    return respond(err("consumer_not_found", "no such consumer of this peer"));
  }
  cp_call(set_paused(cpapi::Target::Consumer, id, paused),
          [this, id, paused, respond = std::move(respond)](CpResult r) {
            if (!r.ok()) return respond(from_cp(r.error(), "consumer_not_found"));
            respond(json::object{});
            // A resumed consumer is useless until the next key frame: ask for one now.
            if (!paused) {
              cp_call(
                  [id](flatbuffers::FlatBufferBuilder& fbb) {
                    return std::pair{Body::RequestKeyFrame,
                                     cpapi::CreateRequestKeyFrameDirect(fbb, id.c_str()).Union()};
                  },
                  [](CpResult) {});
            }
          });
}

void RoomHandler::close_consumer(const std::shared_ptr<Session>&, const Member& m,
                                 const json::object& data, Responder& respond) {
  FieldReader f(data);
  const std::string id = f.string("consumerId", kMaxIdBytes);
  if (!f.ok()) return respond(f.error());
  if (!owns_consumer(m, id)) {
    return respond(err("consumer_not_found", "no such consumer of this peer"));
  }
  cp_call(close_object(cpapi::Target::Consumer, id),
          [this, m, id, respond = std::move(respond)](CpResult r) {
            if (!closed_ok(r)) return respond(from_cp(r.error(), "consumer_not_found"));
            if (const auto room = registry_.find(m.room_id)) {
              (void)room->close_consumer(m.peer_id, id);
            }
            std::lock_guard lock(mutex_);
            consumers_.erase(id);
            respond(json::object{});
          });
}

void RoomHandler::get_stats(const std::shared_ptr<Session>&, const Member& m,
                            const json::object& data, Responder& respond) {
  FieldReader f(data);
  const auto transport = f.opt_string("transportId", kMaxIdBytes);
  const auto producer = f.opt_string("producerId", kMaxIdBytes);
  const auto consumer = f.opt_string("consumerId", kMaxIdBytes);
  if (f.ok() &&
      int(transport.has_value()) + int(producer.has_value()) + int(consumer.has_value()) != 1) {
    f.fail("transportId", "or 'producerId' or 'consumerId': exactly one is required");
  }
  if (!f.ok()) return respond(f.error());
  cpapi::Target target = cpapi::Target::Transport;
  std::string id;
  std::string_view not_found;
  if (transport) {
    id = *transport;
    not_found = "transport_not_found";
    if (!owns_transport(m, id)) return respond(err(not_found, "no such transport of this peer"));
  } else if (consumer) {
    target = cpapi::Target::Consumer;
    id = *consumer;
    not_found = "consumer_not_found";
    if (!owns_consumer(m, id)) return respond(err(not_found, "no such consumer of this peer"));
  } else {
    target = cpapi::Target::Producer;
    id = *producer;
    not_found = "producer_not_found";
    bool in_room = false;
    {
      std::lock_guard lock(mutex_);
      const auto it = producers_.find(id);
      in_room = it != producers_.end() && it->second.room_id == m.room_id;
    }
    if (!in_room) return respond(err(not_found, "no such producer in this room"));
  }
  cp_call(
      [target, id](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::GetStats,
                         cpapi::CreateGetStatsDirect(fbb, target, id.c_str()).Union()};
      },
      [not_found, respond = std::move(respond)](CpResult r) {
        if (!r.ok()) return respond(from_cp(r.error(), not_found));
        const auto* s = r.value().envelope().body_as_StatsReply();
        auto stats = s ? parse_text(s->json()) : std::nullopt;
        if (!stats || !stats->is_array()) return respond(malformed("StatsReply"));
        respond(json::object{{"stats", std::move(*stats)}});
      });
}

}  // namespace fanout::sig

#include "controlplane/service/service.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>

#include <boost/json.hpp>

#include "controlplane/service/json_shapes.hpp"

namespace fanout::cp {

namespace api = fanout::cpapi;
namespace json = boost::json;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

namespace {

// A reply that is not a body: the error code and reason travel to the catch in handle().
struct ApiError {
  api::ErrorCode code;
  std::string reason;
};

[[noreturn]] void fail(api::ErrorCode code, std::string reason) {
  throw ApiError{code, std::move(reason)};
}

// A required string field: present and non-empty.
std::string required(const flatbuffers::String* s, const char* path) {
  if (s == nullptr || s->size() == 0)
    fail(api::ErrorCode::InvalidArgument, std::string(path) + ": missing");
  return s->str();
}

// app_data_json: opaque to us, but it must be JSON (it is echoed inside the dump's JSON).
json::value app_data(const flatbuffers::String* s) {
  if (s == nullptr || s->size() == 0) return json::object{};
  return parse_json_text(s->string_view(), "appData");
}

MediaKind kind_from(api::MediaKind k) {
  return k == api::MediaKind::Audio ? MediaKind::kAudio : MediaKind::kVideo;
}

api::MediaKind kind_to(MediaKind k) {
  return k == MediaKind::kAudio ? api::MediaKind::Audio : api::MediaKind::Video;
}

api::IceState ice_state_of(const WebRtcTransport& t) {
  if (t.closed()) return api::IceState::Closed;
  switch (t.ice_state()) {
    case IceState::kNew:
      return api::IceState::New;
    case IceState::kConnected:
      return api::IceState::Connected;
    case IceState::kCompleted:
      return api::IceState::Completed;
    case IceState::kDisconnected:
      return api::IceState::Disconnected;
  }
  return api::IceState::New;
}

api::DtlsState dtls_state_of(const WebRtcTransport& t) {
  switch (t.dtls_state()) {
    case DtlsState::kNew:
      return api::DtlsState::New;
    case DtlsState::kConnecting:
      return api::DtlsState::Connecting;
    case DtlsState::kConnected:
      return api::DtlsState::Connected;
    case DtlsState::kFailed:
      return api::DtlsState::Failed;
    case DtlsState::kClosed:
      return api::DtlsState::Closed;
  }
  return api::DtlsState::New;
}

std::vector<uint8_t> finish(FlatBufferBuilder& fbb, uint64_t id, api::Body type,
                            Offset<void> body) {
  api::FinishSizePrefixedEnvelopeBuffer(fbb, api::CreateEnvelope(fbb, id, type, body));
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

template <typename T>
std::vector<uint8_t> reply(FlatBufferBuilder& fbb, uint64_t id, Offset<T> body) {
  return finish(fbb, id, api::BodyTraits<T>::enum_value, body.Union());
}

std::vector<uint8_t> ok(FlatBufferBuilder& fbb, uint64_t id) {
  return reply(fbb, id, api::CreateOk(fbb));
}

std::string text(const json::value& v) {
  return json::serialize(v);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string mime_of(const RtpParameters& p) {
  return p.codecs.empty() ? std::string() : p.codecs[0].mime_type;
}

// PlainTransportCreated and PlainTransportConnected have the same fields.
template <typename T>
Offset<T> plain_reply(FlatBufferBuilder& fbb, const std::string& transport_id,
                      const PlainTransport& t, const std::string& announced_address) {
  auto tid = fbb.CreateString(transport_id);
  auto tuple = fbb.CreateString(text(plain_tuple_json(t, announced_address)));
  auto srtp = t.srtp_parameters()
                  ? fbb.CreateString(text(srtp_parameters_json(*t.srtp_parameters())))
                  : Offset<flatbuffers::String>();
  if constexpr (std::is_same_v<T, api::PlainTransportCreated>) {
    return api::CreatePlainTransportCreated(fbb, tid, tuple, srtp);
  } else {
    return api::CreatePlainTransportConnected(fbb, tid, tuple, srtp);
  }
}

}  // namespace

Service::Service(Node& node, ServiceOptions options, EventSink& events)
    : node_(node), options_(std::move(options)), events_(events) {
  node_.set_observer(this);
}

Service::~Service() {
  node_.set_observer(nullptr);
}

std::vector<uint8_t> Service::handle(const api::Envelope& request) {
  const uint64_t id = request.id();
  FlatBufferBuilder fbb;
  api::ErrorCode code = api::ErrorCode::Internal;
  std::string reason;
  try {
    // The verifier lets a union's table be absent.
    if (request.body() == nullptr && request.body_type() != api::Body::NONE)
      fail(api::ErrorCode::InvalidArgument,
           std::string(api::EnumNameBody(request.body_type())) + ": the request has no body");
    switch (request.body_type()) {
      case api::Body::CreateRouter: {
        const api::CreateRouter* r = request.body_as_CreateRouter();
        const std::string router_id = required(r->router_id(), "router_id");
        std::optional<std::vector<RtpCodecCapability>> codecs;
        if (r->media_codecs_json() && r->media_codecs_json()->size() > 0) {
          json::value v = parse_json_text(r->media_codecs_json()->string_view(), "mediaCodecs");
          const json::array* a = v.if_array();
          if (a == nullptr) throw_invalid("mediaCodecs: expected an array");
          codecs.emplace();
          for (size_t i = 0; i < a->size(); ++i)
            codecs->push_back(
                parse_rtp_codec_capability((*a)[i], "mediaCodecs[" + std::to_string(i) + "]"));
        }
        const Router& router = node_.create_router(router_id, codecs);
        return reply(
            fbb, id,
            api::CreateRouterCreated(fbb, fbb.CreateString(router.id),
                                     fbb.CreateString(text(to_json(router.rtp_capabilities)))));
      }
      case api::Body::CreateWebRtcTransport: {
        const api::CreateWebRtcTransport* r = request.body_as_CreateWebRtcTransport();
        const std::string router_id = required(r->router_id(), "router_id");
        const std::string transport_id = required(r->transport_id(), "transport_id");
        json::value data = app_data(r->app_data_json());
        node_.create_webrtc_transport(router_id, transport_id,
                                      r->own_port() || options_.default_own_port, std::move(data));
        const WebRtcTransport& t = *node_.webrtc_transport(transport_id);
        return reply(fbb, id,
                     api::CreateWebRtcTransportCreated(
                         fbb, fbb.CreateString(transport_id),
                         fbb.CreateString(text(ice_parameters_json(t.ice_parameters()))),
                         fbb.CreateString(text(
                             ice_candidates_json(t.ice_candidates(), options_.announced_address))),
                         fbb.CreateString(text(dtls_parameters_json(t.dtls_parameters())))));
      }
      case api::Body::ConnectWebRtcTransport: {
        const api::ConnectWebRtcTransport* r = request.body_as_ConnectWebRtcTransport();
        const std::string transport_id = required(r->transport_id(), "transport_id");
        const std::string dtls = required(r->dtls_parameters_json(), "dtls_parameters_json");
        if (node_.transport_entry(transport_id) == nullptr)
          fail(api::ErrorCode::NotFound, "transport '" + transport_id + "' not found");
        RemoteDtlsParameters remote =
            parse_remote_dtls_parameters(parse_json_text(dtls, "dtlsParameters"));
        node_.connect_webrtc_transport(transport_id, remote.role, remote.fingerprint);
        return ok(fbb, id);
      }
      case api::Body::CreatePlainTransport: {
        const api::CreatePlainTransport* r = request.body_as_CreatePlainTransport();
        const std::string router_id = required(r->router_id(), "router_id");
        const std::string transport_id = required(r->transport_id(), "transport_id");
        const bool suite_given = r->srtp_crypto_suite() && r->srtp_crypto_suite()->size() > 0;
        std::optional<SrtpProfile> srtp;
        if (r->enable_srtp()) {
          srtp = suite_given ? parse_srtp_crypto_suite(r->srtp_crypto_suite()->string_view())
                             : kDefaultPlainSrtpSuite;
          if (!srtp) {
            fail(api::ErrorCode::InvalidArgument,
                 "srtp_crypto_suite: '" + r->srtp_crypto_suite()->str() +
                     "' is not AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 or "
                     "AES_CM_128_HMAC_SHA1_32");
          }
        } else if (suite_given) {
          fail(api::ErrorCode::InvalidArgument, "srtp_crypto_suite: given without enable_srtp");
        }
        json::value data = app_data(r->app_data_json());
        node_.create_plain_transport(router_id, transport_id, r->comedia(), srtp, std::move(data));
        const PlainTransport& t = *node_.plain_transport(transport_id);
        return reply(fbb, id,
                     plain_reply<api::PlainTransportCreated>(fbb, transport_id, t,
                                                             options_.announced_address));
      }
      case api::Body::ConnectPlainTransport: {
        const api::ConnectPlainTransport* r = request.body_as_ConnectPlainTransport();
        const std::string transport_id = required(r->transport_id(), "transport_id");
        if (node_.transport_entry(transport_id) == nullptr)
          fail(api::ErrorCode::NotFound, "transport '" + transport_id + "' not found");
        const PlainTransport* t = node_.plain_transport(transport_id);
        if (t == nullptr) {
          fail(api::ErrorCode::InvalidArgument,
               "transport '" + transport_id +
                   "' is a WebRTC transport: ConnectWebRtcTransport connects it");
        }
        std::optional<UdpEndpoint> remote;
        if (r->ip() && r->ip()->size() > 0) {
          remote = parse_remote_endpoint(r->ip()->string_view(), r->port(),
                                         address_family(t->created().local_address), "ip", "port");
        } else if (r->port() != 0) {
          fail(api::ErrorCode::InvalidArgument, "ip: missing (port given without it)");
        }
        std::optional<SrtpParameters> remote_srtp;
        const bool suite_given = r->srtp_crypto_suite() && r->srtp_crypto_suite()->size() > 0;
        const bool key_given = r->srtp_key_base64() && r->srtp_key_base64()->size() > 0;
        if (suite_given || key_given) {
          if (!suite_given) fail(api::ErrorCode::InvalidArgument, "srtp_crypto_suite: missing");
          if (!key_given) fail(api::ErrorCode::InvalidArgument, "srtp_key_base64: missing");
          remote_srtp = parse_srtp_parameters(r->srtp_crypto_suite()->string_view(),
                                              r->srtp_key_base64()->string_view(),
                                              "srtp_crypto_suite", "srtp_key_base64");
        }
        const PlainTransport& connected =
            node_.connect_plain_transport(transport_id, remote, remote_srtp);
        return reply(fbb, id,
                     plain_reply<api::PlainTransportConnected>(fbb, transport_id, connected,
                                                               options_.announced_address));
      }
      case api::Body::RestartIce: {
        const api::RestartIce* r = request.body_as_RestartIce();
        const std::string transport_id = required(r->transport_id(), "transport_id");
        if (node_.transport_entry(transport_id) == nullptr)
          fail(api::ErrorCode::NotFound, "transport '" + transport_id + "' not found");
        const IceParameters& ice = node_.restart_ice(transport_id);
        return reply(fbb, id,
                     api::CreateIceRestarted(fbb, fbb.CreateString(transport_id),
                                             fbb.CreateString(text(ice_parameters_json(ice)))));
      }
      case api::Body::Produce: {
        const api::Produce* r = request.body_as_Produce();
        const std::string transport_id = required(r->transport_id(), "transport_id");
        const std::string producer_id = required(r->producer_id(), "producer_id");
        const std::string params = required(r->rtp_parameters_json(), "rtp_parameters_json");
        if (node_.transport_entry(transport_id) == nullptr)
          fail(api::ErrorCode::NotFound, "transport '" + transport_id + "' not found");
        RtpParameters p = parse_rtp_parameters(parse_json_text(params, "rtpParameters"));
        json::value data = app_data(r->app_data_json());
        node_.produce(transport_id, producer_id, kind_from(r->kind()), p, r->paused(),
                      std::move(data));
        return reply(fbb, id, api::CreateProduced(fbb, fbb.CreateString(producer_id)));
      }
      case api::Body::Consume: {
        const api::Consume* r = request.body_as_Consume();
        const std::string transport_id = required(r->transport_id(), "transport_id");
        const std::string consumer_id = required(r->consumer_id(), "consumer_id");
        const std::string producer_id = required(r->producer_id(), "producer_id");
        const std::string caps_text = required(r->rtp_capabilities_json(), "rtp_capabilities_json");
        if (node_.transport_entry(transport_id) == nullptr)
          fail(api::ErrorCode::NotFound, "transport '" + transport_id + "' not found");
        if (node_.producer(producer_id) == nullptr)
          fail(api::ErrorCode::NotFound, "producer '" + producer_id + "' not found");
        RtpCapabilities caps =
            parse_rtp_capabilities(parse_json_text(caps_text, "rtpCapabilities"));
        const Consumer& c =
            node_.consume(transport_id, consumer_id, producer_id, caps, r->paused());
        return reply(
            fbb, id,
            api::CreateConsumed(fbb, fbb.CreateString(c.id), fbb.CreateString(c.producer_id),
                                kind_to(c.kind), fbb.CreateString(text(to_json(c.rtp_parameters))),
                                c.producer_paused));
      }
      case api::Body::SetPaused: {
        const api::SetPaused* r = request.body_as_SetPaused();
        const std::string target_id = required(r->id(), "id");
        if (r->target() == api::Target::Producer) {
          node_.set_producer_paused(target_id, r->paused());
        } else if (r->target() == api::Target::Consumer) {
          node_.set_consumer_paused(target_id, r->paused());
        } else {
          fail(api::ErrorCode::InvalidArgument, "target: only a Producer or a Consumer pauses");
        }
        return ok(fbb, id);
      }
      case api::Body::RequestKeyFrame: {
        const api::RequestKeyFrame* r = request.body_as_RequestKeyFrame();
        node_.request_key_frame(required(r->consumer_id(), "consumer_id"));
        return ok(fbb, id);
      }
      case api::Body::Close: {
        const api::Close* r = request.body_as_Close();
        const std::string target_id = required(r->id(), "id");
        switch (r->target()) {
          case api::Target::Router:
            node_.close_router(target_id);
            break;
          case api::Target::Transport:
            node_.close_transport(target_id);
            break;
          case api::Target::Producer:
            node_.close_producer(target_id);
            break;
          case api::Target::Consumer:
            node_.close_consumer(target_id);
            break;
          default:
            fail(api::ErrorCode::InvalidArgument,
                 "target: not a Router, Transport, Producer or Consumer");
        }
        return ok(fbb, id);
      }
      case api::Body::GetStats: {
        const api::GetStats* r = request.body_as_GetStats();
        const std::string target_id = required(r->id(), "id");
        json::array stats;
        switch (r->target()) {
          case api::Target::Transport: {
            const TransportEntry* e = node_.transport_entry(target_id);
            const WebRtcTransport* t = node_.webrtc_transport(target_id);
            const PlainTransport* plain = node_.plain_transport(target_id);
            if (e == nullptr || (t == nullptr && plain == nullptr))
              fail(api::ErrorCode::NotFound, "transport '" + target_id + "' not found");
            auto counters = node_.link().get_counters(e->dataplane_id);
            if (!counters.ok()) fail(api::ErrorCode::DataplaneError, counters.status.error());
            json::object s{{"transportId", target_id}, {"timestamp", now_ms()}};
            if (plain != nullptr) {
              s["type"] = "plain-rtp-transport";
              s["tuple"] = plain_tuple_json(*plain, options_.announced_address);
              s["comedia"] = plain->comedia();
              s["rtcpMux"] = true;
            } else {
              s["type"] = "webrtc-transport";
              s["iceRole"] = "controlled";
              s["iceState"] = ice_state_string(*t);
              s["dtlsState"] = dtls_state_string(*t);
            }
            if (t != nullptr && t->selected_tuple()) {
              const IceTuple& tuple = *t->selected_tuple();
              s["iceSelectedTuple"] = json::object{{"localIp", tuple.local.address},
                                                   {"localPort", tuple.local.port},
                                                   {"remoteIp", tuple.remote.address},
                                                   {"remotePort", tuple.remote.port},
                                                   {"protocol", "udp"}};
            }
            const fanout::ipc::Counters* c = counters.value->body_as_Counters();
            if (c->transports()) {
              for (const fanout::ipc::TransportCounters* tc : *c->transports()) {
                if (tc->id() != e->dataplane_id) continue;
                s["bytesReceived"] = tc->rx_bytes();
                s["bytesSent"] = tc->tx_bytes();
                s["packetsReceived"] = tc->rx_packets();
                s["packetsSent"] = tc->tx_packets();
                s["rtpPacketsForwarded"] = tc->rtp_forwarded();
                s["rtcpPacketsReceived"] = tc->rtcp_received();
                s["srtpAuthFailures"] = tc->srtp_auth_failures();
                s["srtpReplays"] = tc->srtp_replays();
                s["srtcpAuthFailures"] = tc->srtcp_auth_failures();
                s["stunRequests"] = tc->stun_requests();
                s["dtlsPunted"] = tc->dtls_punted();
              }
            }
            stats.push_back(std::move(s));
            break;
          }
          case api::Target::Producer: {
            const Producer* p = node_.producer(target_id);
            if (p == nullptr)
              fail(api::ErrorCode::NotFound, "producer '" + target_id + "' not found");
            auto counts = node_.link().producer_counters(p->dataplane_id);
            if (!counts.ok()) fail(api::ErrorCode::DataplaneError, counts.status.error());
            // The data plane counts a producer as a whole (every stream and its RTX): the totals
            // are on the first entry, the others say what is known of their stream.
            for (const RtpEncodingParameters& e : p->rtp_parameters.encodings) {
              json::object s{{"type", "inbound-rtp"},
                             {"timestamp", now_ms()},
                             {"kind", std::string(to_string(p->kind))},
                             {"mimeType", mime_of(p->rtp_parameters)}};
              if (e.ssrc) s["ssrc"] = *e.ssrc;
              if (e.rtx) s["rtxSsrc"] = e.rtx->ssrc;
              if (e.rid) s["rid"] = *e.rid;
              if (stats.empty()) {
                s["packetCount"] = counts.value.packets;
                s["byteCount"] = counts.value.bytes;
              }
              stats.push_back(std::move(s));
            }
            break;
          }
          case api::Target::Consumer: {
            const Consumer* c = node_.consumer(target_id);
            if (c == nullptr)
              fail(api::ErrorCode::NotFound, "consumer '" + target_id + "' not found");
            json::object s{{"type", "outbound-rtp"},
                           {"timestamp", now_ms()},
                           {"kind", std::string(to_string(c->kind))},
                           {"mimeType", mime_of(c->rtp_parameters)}};
            if (!c->rtp_parameters.encodings.empty()) {
              const RtpEncodingParameters& e = c->rtp_parameters.encodings[0];
              if (e.ssrc) s["ssrc"] = *e.ssrc;
              if (e.rtx) s["rtxSsrc"] = e.rtx->ssrc;
            }
            auto counts = node_.link().consumer_counters(c->dataplane_id);
            if (!counts.ok()) fail(api::ErrorCode::DataplaneError, counts.status.error());
            s["packetCount"] = counts.value.packets;
            s["byteCount"] = counts.value.bytes;
            stats.push_back(std::move(s));
            break;
          }
          default:
            fail(api::ErrorCode::InvalidArgument,
                 "target: a router has no stats of its own; ask for its transports'");
        }
        return reply(fbb, id, api::CreateStatsReply(fbb, fbb.CreateString(text(stats))));
      }
      case api::Body::Dump:
        return reply(
            fbb, id,
            api::CreateDumpReply(
                fbb, fbb.CreateString(text(dump_json(node_, options_.announced_address)))));
      default:
        fail(api::ErrorCode::UnknownMethod,
             std::string("not a request the control plane serves: ") +
                 api::EnumNameBody(request.body_type()));
    }
  } catch (const ApiError& e) {
    code = e.code;
    reason = e.reason;
  } catch (const CpError& e) {
    switch (e.code()) {
      case CpError::Code::kNotFound:
        code = api::ErrorCode::NotFound;
        break;
      case CpError::Code::kAlreadyExists:
        code = api::ErrorCode::AlreadyExists;
        break;
      case CpError::Code::kInvalidArgument:
        code = api::ErrorCode::InvalidArgument;
        break;
      case CpError::Code::kUnsupported:
        code = api::ErrorCode::Unsupported;
        break;
      case CpError::Code::kDataplane:
        code = api::ErrorCode::DataplaneError;
        break;
    }
    reason = e.what();
  } catch (const RtpError& e) {
    code = e.kind() == RtpError::Kind::kInvalid ? api::ErrorCode::InvalidArgument
                                                : api::ErrorCode::Unsupported;
    reason = e.what();
  } catch (const std::exception& e) {
    code = api::ErrorCode::Internal;
    reason = e.what();
  } catch (...) {
    code = api::ErrorCode::Internal;
    reason = "unknown exception";
  }
  fbb.Clear();
  return reply(fbb, id, api::CreateError(fbb, code, fbb.CreateString(reason)));
}

void Service::announce_lost(const Node::RestoreSummary& restored) {
  static const std::string kReason = "lost with the data plane (it restarted)";
  for (const std::string& id : restored.lost_consumers) on_consumer_closed(id, kReason);
  for (const std::string& id : restored.lost_producers) on_producer_closed(id, kReason);
  for (const std::string& id : restored.lost_transports) {
    FlatBufferBuilder fbb;
    auto body = api::CreateTransportStateChanged(fbb, fbb.CreateString(id), api::IceState::Closed,
                                                 api::DtlsState::Closed, fbb.CreateString(kReason));
    events_.emit(reply(fbb, 0, body));
  }
}

void Service::on_transport_state(const std::string& transport_id, const WebRtcTransport& t) {
  FlatBufferBuilder fbb;
  const bool failed = t.dtls_state() == DtlsState::kFailed;
  auto body = api::CreateTransportStateChanged(
      fbb, fbb.CreateString(transport_id), ice_state_of(t), dtls_state_of(t),
      failed ? fbb.CreateString(t.failure_reason()) : Offset<flatbuffers::String>());
  events_.emit(reply(fbb, 0, body));
}

void Service::on_producer_closed(const std::string& producer_id, const std::string& reason) {
  FlatBufferBuilder fbb;
  auto body =
      api::CreateProducerClosed(fbb, fbb.CreateString(producer_id), fbb.CreateString(reason));
  events_.emit(reply(fbb, 0, body));
}

void Service::on_consumer_closed(const std::string& consumer_id, const std::string& reason) {
  FlatBufferBuilder fbb;
  auto body =
      api::CreateConsumerClosed(fbb, fbb.CreateString(consumer_id), fbb.CreateString(reason));
  events_.emit(reply(fbb, 0, body));
}

void Service::on_producer_paused_changed(const std::string& producer_id, bool paused) {
  FlatBufferBuilder fbb;
  auto body = api::CreateProducerPausedChanged(fbb, fbb.CreateString(producer_id), paused);
  events_.emit(reply(fbb, 0, body));
}

void Service::on_producer_score(const std::string& producer_id,
                                const std::vector<EncodingScore>& scores) {
  FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<api::StreamScore>> items;
  for (const EncodingScore& e : scores) {
    items.push_back(api::CreateStreamScore(fbb, e.encoding_idx, e.ssrc,
                                           e.rid.empty() ? 0 : fbb.CreateString(e.rid), e.score));
  }
  auto body = api::CreateProducerScore(fbb, fbb.CreateString(producer_id), fbb.CreateVector(items));
  events_.emit(reply(fbb, 0, body));
}

void Service::on_consumer_score(const std::string& consumer_id, const ConsumerScore& score) {
  FlatBufferBuilder fbb;
  auto body =
      api::CreateConsumerScore(fbb, fbb.CreateString(consumer_id), score.score,
                               score.producer_score, fbb.CreateVector(score.producer_scores));
  events_.emit(reply(fbb, 0, body));
}

}  // namespace fanout::cp

// One populated example of every union Body member, for round-trip tests and fuzz seeds.
#pragma once

#include <memory>
#include <tuple>

#include "schemas/dataplane_generated.h"

namespace fanout::dp::ipc::test {

namespace fi = fanout::ipc;

inline std::unique_ptr<fi::EndpointT> endpoint(const char* address, uint16_t port) {
  auto e = std::make_unique<fi::EndpointT>();
  e->address = address;
  e->port = port;
  return e;
}

inline std::unique_ptr<fi::TupleT> tuple() {
  auto t = std::make_unique<fi::TupleT>();
  t->local = endpoint("192.0.2.1", 40000);
  t->remote = endpoint("2001:db8::7", 51234);
  t->port = 1;
  return t;
}

inline fi::TransportInfoT transport_info(uint32_t id) {
  fi::TransportInfoT t;
  t.id = id;
  t.worker = 2;
  t.port = 0;
  t.local_address = "192.0.2.1";
  t.local_port = 40000;
  t.ice_ufrag = "uF1x";
  t.kind = fi::TransportKind::WebRtc;
  t.selected_tuple = tuple();
  t.srtp_inbound_profile = 7;
  t.srtp_outbound_profile = 7;
  t.epoch = 42;
  return t;
}

inline fi::ProducerStreamT stream(uint32_t ssrc, const char* rid) {
  fi::ProducerStreamT s;
  s.ssrc = ssrc;
  s.rtx_ssrc = ssrc + 1;
  s.payload_type = 96;
  s.rtx_payload_type = 97;
  s.clock_rate = 90000;
  s.rid = rid;
  return s;
}

inline fi::ProducerInfoT producer_info(uint32_t id) {
  fi::ProducerInfoT p;
  p.id = id;
  p.transport = 10;
  p.kind = fi::MediaKind::Video;
  p.paused = true;
  p.streams.push_back(std::make_unique<fi::ProducerStreamT>(stream(1111, "h")));
  p.streams.push_back(std::make_unique<fi::ProducerStreamT>(stream(2222, "l")));
  p.epoch = 42;
  return p;
}

inline fi::ConsumerInfoT consumer_info(uint32_t id) {
  fi::ConsumerInfoT c;
  c.id = id;
  c.producer = 20;
  c.transport = 11;
  c.ssrc = 3333;
  c.rtx_ssrc = 3334;
  c.payload_types.push_back(std::make_unique<fi::PayloadTypeMapT>(fi::PayloadTypeMapT{}));
  c.payload_types[0]->from = 96;
  c.payload_types[0]->to = 100;
  c.clock_rate = 90000;
  c.epoch = 42;
  return c;
}

// A populated body of `type` (NONE for a value that is not a member).
inline fi::BodyUnion sample_body(fi::Body type) {
  fi::BodyUnion u;
  switch (type) {
    case fi::Body::NONE:
      break;
    case fi::Body::Ok:
      u.Set(fi::OkT{});
      break;
    case fi::Body::Error: {
      fi::ErrorT e;
      e.code = fi::ErrorCode::NotFound;
      e.reason = "transport 7 does not exist";
      u.Set(std::move(e));
      break;
    }
    case fi::Body::Hello: {
      fi::HelloT h;
      h.schema_major = 1;
      h.client = "fanout-controlplane 0.1.0";
      h.epoch = 42;
      u.Set(std::move(h));
      break;
    }
    case fi::Body::HelloReply: {
      fi::HelloReplyT h;
      h.schema_major = 1;
      h.server = "fanout-dataplane 0.1.0";
      h.epoch = 41;
      auto w = std::make_unique<fi::WorkerInfoT>();
      w->index = 0;
      w->lcore_id = 1;
      w->socket = -1;
      h.lcores.push_back(std::move(w));
      auto p = std::make_unique<fi::PortInfoT>();
      p->id = 0;
      p->name = "net_tap0";
      p->mac = "02:00:00:00:00:01";
      p->addresses = {"192.0.2.1", "2001:db8::1"};
      p->udp_port_min = 40000;
      p->udp_port_max = 49999;
      h.ports.push_back(std::move(p));
      u.Set(std::move(h));
      break;
    }
    case fi::Body::CreateTransport: {
      fi::CreateTransportT t;
      t.id = 10;
      t.port = 0;
      t.ice_ufrag = "uF1x";
      t.ice_pwd = "0123456789abcdefghijkl";
      t.kind = fi::TransportKind::Plain;
      t.plain_remote = endpoint("198.51.100.9", 5004);
      t.comedia = true;
      u.Set(std::move(t));
      break;
    }
    case fi::Body::SetSrtpKeys: {
      fi::SetSrtpKeysT k;
      k.transport = 10;
      k.direction = fi::Direction::Outbound;
      k.profile = 1;
      k.master_key.assign(16, 0xE1);
      k.master_salt.assign(14, 0x0E);
      u.Set(std::move(k));
      break;
    }
    case fi::Body::DeleteTransport:
      u.Set(fi::DeleteTransportT{});
      u.AsDeleteTransport()->id = 10;
      break;
    case fi::Body::CreateProducer: {
      fi::CreateProducerT p;
      p.id = 20;
      p.transport = 10;
      p.kind = fi::MediaKind::Video;
      p.streams.push_back(std::make_unique<fi::ProducerStreamT>(stream(1111, "h")));
      u.Set(std::move(p));
      break;
    }
    case fi::Body::DeleteProducer:
      u.Set(fi::DeleteProducerT{});
      u.AsDeleteProducer()->id = 20;
      break;
    case fi::Body::SetPaused: {
      fi::SetPausedT p;
      p.target = fi::PauseTarget::Consumer;
      p.id = 30;
      p.paused = true;
      u.Set(std::move(p));
      break;
    }
    case fi::Body::CreateConsumer: {
      auto info = consumer_info(30);
      fi::CreateConsumerT c;
      c.id = info.id;
      c.producer = info.producer;
      c.transport = info.transport;
      c.ssrc = info.ssrc;
      c.rtx_ssrc = info.rtx_ssrc;
      c.payload_types = std::move(info.payload_types);
      c.clock_rate = info.clock_rate;
      u.Set(std::move(c));
      break;
    }
    case fi::Body::DeleteConsumer:
      u.Set(fi::DeleteConsumerT{});
      u.AsDeleteConsumer()->id = 30;
      break;
    case fi::Body::RequestKeyFrame:
      u.Set(fi::RequestKeyFrameT{});
      u.AsRequestKeyFrame()->producer = 20;
      break;
    case fi::Body::SendDtls: {
      fi::SendDtlsT d;
      d.transport = 10;
      d.data = {22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1};
      u.Set(std::move(d));
      break;
    }
    case fi::Body::Flush:
      u.Set(fi::FlushT{});
      u.AsFlush()->keep_epoch = 42;
      break;
    case fi::Body::Dump:
      u.Set(fi::DumpT{});
      break;
    case fi::Body::GetCounters:
      u.Set(fi::GetCountersT{});
      u.AsGetCounters()->transport = 10;
      u.AsGetCounters()->producer = 20;
      u.AsGetCounters()->consumer = 30;
      u.AsGetCounters()->all_media = true;
      break;
    case fi::Body::ListTransports:
      u.Set(fi::ListTransportsT{});
      break;
    case fi::Body::ListProducers:
      u.Set(fi::ListProducersT{});
      break;
    case fi::Body::ListConsumers:
      u.Set(fi::ListConsumersT{});
      break;
    case fi::Body::Batch: {
      fi::BatchT b;
      for (auto t : {fi::Body::CreateTransport, fi::Body::SetSrtpKeys, fi::Body::CreateProducer}) {
        auto r = std::make_unique<fi::RequestT>();
        r->body = sample_body(t);
        b.requests.push_back(std::move(r));
      }
      u.Set(std::move(b));
      break;
    }
    case fi::Body::TransportCreated: {
      fi::TransportCreatedT t;
      t.id = 10;
      t.worker = 1;
      t.local_address = "192.0.2.1";
      t.local_port = 40002;
      u.Set(std::move(t));
      break;
    }
    case fi::Body::DumpReply: {
      fi::DumpReplyT d;
      d.transports.push_back(std::make_unique<fi::TransportInfoT>(transport_info(10)));
      d.producers.push_back(std::make_unique<fi::ProducerInfoT>(producer_info(20)));
      d.consumers.push_back(std::make_unique<fi::ConsumerInfoT>(consumer_info(30)));
      u.Set(std::move(d));
      break;
    }
    case fi::Body::Counters: {
      fi::CountersT c;
      auto port = std::make_unique<fi::PortCountersT>();
      port->id = 0;
      port->rx_packets = 1000;
      port->rx_bytes = 1200000;
      port->tx_packets = 3000;
      port->tx_bytes = 3600000;
      port->rx_missed = 2;
      c.ports.push_back(std::move(port));
      auto drop = std::make_unique<fi::DropCountT>();
      drop->reason = "srtp_auth_fail";
      drop->count = 5;
      c.drops.push_back(std::move(drop));
      auto lcore = std::make_unique<fi::LcoreCountersT>();
      lcore->lcore_id = 1;
      lcore->rx_packets = 1000;
      lcore->busy_cycles = 123456;
      lcore->total_cycles = 999999;
      c.lcores.push_back(std::move(lcore));
      auto transport = std::make_unique<fi::TransportCountersT>();
      transport->id = 10;
      transport->rx_packets = 500;
      transport->srtp_auth_failures = 5;
      c.transports.push_back(std::move(transport));
      auto producer = std::make_unique<fi::ProducerCountersT>();
      producer->id = 20;
      producer->rtp_packets = 480;
      producer->rtp_bytes = 576000;
      // Two streams (simulcast): 3 lost on the first; the second saw a duplicate, not loss.
      for (auto [ssrc, packets, expected] :
           {std::tuple{4001u, 300u, 303u}, std::tuple{4002u, 181u, 180u}}) {
        auto stream = std::make_unique<fi::ProducerStreamCountersT>();
        stream->ssrc = ssrc;
        stream->packets = packets;
        stream->expected = expected;
        producer->streams.push_back(std::move(stream));
      }
      c.producers.push_back(std::move(producer));
      auto consumer = std::make_unique<fi::ConsumerCountersT>();
      consumer->id = 30;
      consumer->packets = 470;
      consumer->bytes = 564000;
      consumer->reports = 7;
      consumer->fraction_lost = 64;  // 25%
      consumer->packets_lost = -2;   // duplicates: RFC 3550 §6.4.1 allows a negative count
      consumer->jitter = 100;
      c.consumers.push_back(std::move(consumer));
      u.Set(std::move(c));
      break;
    }
    case fi::Body::TransportList: {
      fi::TransportListT l;
      l.transports.push_back(std::make_unique<fi::TransportInfoT>(transport_info(10)));
      l.transports.push_back(std::make_unique<fi::TransportInfoT>(transport_info(11)));
      u.Set(std::move(l));
      break;
    }
    case fi::Body::ProducerList: {
      fi::ProducerListT l;
      l.producers.push_back(std::make_unique<fi::ProducerInfoT>(producer_info(20)));
      u.Set(std::move(l));
      break;
    }
    case fi::Body::ConsumerList: {
      fi::ConsumerListT l;
      l.consumers.push_back(std::make_unique<fi::ConsumerInfoT>(consumer_info(30)));
      u.Set(std::move(l));
      break;
    }
    case fi::Body::BatchReply: {
      fi::BatchReplyT b;
      for (auto t : {fi::Body::TransportCreated, fi::Body::Ok}) {
        auto r = std::make_unique<fi::ReplyT>();
        r->body = sample_body(t);
        b.replies.push_back(std::move(r));
      }
      u.Set(std::move(b));
      break;
    }
    case fi::Body::IceSelectedTupleChanged: {
      fi::IceSelectedTupleChangedT e;
      e.transport = 10;
      e.tuple = tuple();
      u.Set(std::move(e));
      break;
    }
    case fi::Body::DtlsReceived: {
      fi::DtlsReceivedT e;
      e.transport = 10;
      e.remote = endpoint("203.0.113.5", 61000);
      e.data = {22, 254, 253, 0, 0};
      u.Set(std::move(e));
      break;
    }
    case fi::Body::IceConsentExpired:
      u.Set(fi::IceConsentExpiredT{});
      u.AsIceConsentExpired()->transport = 10;
      break;
    case fi::Body::KeyFrameRequested:
      u.Set(fi::KeyFrameRequestedT{});
      u.AsKeyFrameRequested()->producer = 20;
      u.AsKeyFrameRequested()->consumer = 30;
      break;
    case fi::Body::SetIceParameters: {
      fi::SetIceParametersT i;
      i.transport = 10;
      i.ice_ufrag = "uF2y";
      i.ice_pwd = "abcdefghijkl0123456789";
      u.Set(std::move(i));
      break;
    }
    case fi::Body::SetPlainRemote: {
      fi::SetPlainRemoteT r;
      r.transport = 10;
      r.remote = endpoint("198.51.100.10", 5006);
      r.comedia = false;
      u.Set(std::move(r));
      break;
    }
  }
  return u;
}

// A finished frame with `body` in an envelope.
inline void pack_envelope(flatbuffers::FlatBufferBuilder& fbb, uint64_t id, uint64_t epoch,
                          const fi::BodyUnion& body) {
  fi::EnvelopeT envelope;
  envelope.id = id;
  envelope.epoch = epoch;
  envelope.body = body;
  fbb.Clear();
  fi::FinishSizePrefixedEnvelopeBuffer(fbb, fi::Envelope::Pack(fbb, &envelope));
}

}  // namespace fanout::dp::ipc::test

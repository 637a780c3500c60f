#include "dataplane/ctl/format.hpp"

#include <algorithm>

#include "dataplane/ipc/json.hpp"

namespace fanout::dp::ctl {

namespace fi = fanout::ipc;

namespace {

std::string str(const flatbuffers::String* s) {
  return s == nullptr ? "" : s->str();
}

template <typename T>
std::string num(T value) {
  return std::to_string(value);
}

std::string endpoint(const fi::Endpoint* e) {
  if (e == nullptr) return "-";
  std::string address = str(e->address());
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  return address + ":" + num(e->port());
}

std::string tuple(const fi::Tuple* t) {
  if (t == nullptr) return "-";
  return endpoint(t->local()) + " <-> " + endpoint(t->remote());
}

std::string profile(uint16_t id) {
  return id == 0 ? "-" : num(id);
}

std::string transports_table(const flatbuffers::Vector<flatbuffers::Offset<fi::TransportInfo>>* v) {
  std::vector<std::vector<std::string>> rows;
  if (v != nullptr) {
    for (const auto* t : *v) {
      rows.push_back(
          {num(t->id()), fi::EnumNameTransportKind(t->kind()), num(t->worker()), num(t->port()),
           str(t->local_address()) + ":" + num(t->local_port()),
           str(t->ice_ufrag()).empty() ? "-" : str(t->ice_ufrag()), tuple(t->selected_tuple()),
           profile(t->srtp_inbound_profile()) + "/" + profile(t->srtp_outbound_profile()),
           num(t->epoch())});
    }
  }
  return format_table(
      {"ID", "KIND", "WORKER", "PORT", "LOCAL", "UFRAG", "SELECTED TUPLE", "SRTP IN/OUT", "EPOCH"},
      rows);
}

std::string producers_table(const flatbuffers::Vector<flatbuffers::Offset<fi::ProducerInfo>>* v) {
  std::vector<std::vector<std::string>> rows;
  if (v != nullptr) {
    for (const auto* p : *v) {
      std::string streams;
      if (p->streams() != nullptr) {
        for (const auto* s : *p->streams()) {
          if (!streams.empty()) streams += " ";
          streams += num(s->ssrc()) + "/pt" + num(s->payload_type());
          if (s->rid() != nullptr && s->rid()->size() > 0) streams += "/" + str(s->rid());
        }
      }
      rows.push_back({num(p->id()), num(p->transport()), fi::EnumNameMediaKind(p->kind()),
                      p->paused() ? "yes" : "no", streams.empty() ? "-" : streams,
                      num(p->epoch())});
    }
  }
  return format_table({"ID", "TRANSPORT", "KIND", "PAUSED", "STREAMS (SSRC/PT/RID)", "EPOCH"},
                      rows);
}

std::string consumers_table(const flatbuffers::Vector<flatbuffers::Offset<fi::ConsumerInfo>>* v) {
  std::vector<std::vector<std::string>> rows;
  if (v != nullptr) {
    for (const auto* c : *v) {
      std::string pts;
      if (c->payload_types() != nullptr) {
        for (const auto* m : *c->payload_types()) {
          if (!pts.empty()) pts += " ";
          pts += num(m->from()) + ">" + num(m->to());
        }
      }
      rows.push_back({num(c->id()), num(c->producer()), num(c->transport()), num(c->ssrc()),
                      c->rtx_ssrc() == 0 ? "-" : num(c->rtx_ssrc()), pts.empty() ? "-" : pts,
                      c->paused() ? "yes" : "no", num(c->epoch())});
    }
  }
  return format_table(
      {"ID", "PRODUCER", "TRANSPORT", "SSRC", "RTX SSRC", "PT MAP", "PAUSED", "EPOCH"}, rows);
}

// An RTCP fraction lost (RFC 3550 §6.4.1, /256) as a percentage with one decimal: 64 -> "25.0%".
std::string fraction_percent(uint8_t fraction) {
  unsigned tenths = (fraction * 1000u + 128) / 256;
  return num(tenths / 10) + "." + num(tenths % 10) + "%";
}

std::string counters_text(const fi::Counters& c) {
  std::string out;
  std::vector<std::vector<std::string>> rows;
  if (c.ports() != nullptr) {
    for (const auto* p : *c.ports()) {
      rows.push_back({num(p->id()), num(p->rx_packets()), num(p->rx_bytes()), num(p->tx_packets()),
                      num(p->tx_bytes()), num(p->rx_missed()), num(p->rx_errors()),
                      num(p->tx_errors())});
    }
    out += "ports\n" + format_table({"PORT", "RX PKTS", "RX BYTES", "TX PKTS", "TX BYTES",
                                     "RX MISSED", "RX ERR", "TX ERR"},
                                    rows);
  }
  if (c.lcores() != nullptr) {
    rows.clear();
    for (const auto* l : *c.lcores()) {
      std::string busy =
          l->total_cycles() == 0 ? "-" : num(l->busy_cycles() * 100 / l->total_cycles()) + "%";
      rows.push_back({num(l->lcore_id()), num(l->worker()), num(l->rx_packets()),
                      num(l->tx_packets()), num(l->handoff_in_packets()),
                      num(l->handoff_out_packets()), busy});
    }
    out += "\nlcores\n" + format_table({"LCORE", "WORKER", "RX PKTS", "TX PKTS", "HANDOFF IN",
                                        "HANDOFF OUT", "BUSY"},
                                       rows);
  }
  if (c.transports() != nullptr) {
    rows.clear();
    for (const auto* t : *c.transports()) {
      rows.push_back({num(t->id()), num(t->rx_packets()), num(t->rx_bytes()), num(t->tx_packets()),
                      num(t->tx_bytes()), num(t->srtp_auth_failures()), num(t->srtp_replays()),
                      num(t->stun_requests()), num(t->dtls_punted())});
    }
    out += "\ntransports\n" +
           format_table({"TRANSPORT", "RX PKTS", "RX BYTES", "TX PKTS", "TX BYTES",
                         "SRTP AUTH FAIL", "SRTP REPLAY", "STUN REQ", "DTLS PUNTED"},
                        rows);
  }
  if (c.producers() != nullptr && c.producers()->size() != 0) {
    rows.clear();
    for (const auto* p : *c.producers()) {
      // Duplicates make a stream's count exceed what was expected: no negative loss.
      uint64_t lost = 0;
      if (p->streams() != nullptr) {
        for (const auto* s : *p->streams())
          if (s->expected() > s->packets()) lost += s->expected() - s->packets();
      }
      rows.push_back({num(p->id()), num(p->rtp_packets()), num(p->rtp_bytes()), num(lost)});
    }
    if (!out.empty()) out += "\n";
    out += "producers\n" + format_table({"PRODUCER", "RTP PKTS IN", "RTP BYTES IN", "LOST"}, rows);
  }
  if (c.consumers() != nullptr && c.consumers()->size() != 0) {
    rows.clear();
    for (const auto* k : *c.consumers()) {
      rows.push_back({num(k->id()), num(k->packets()), num(k->bytes()),
                      fraction_percent(k->fraction_lost()), num(k->reports())});
    }
    if (!out.empty()) out += "\n";
    out += "consumers\n" +
           format_table({"CONSUMER", "PKTS SENT", "BYTES SENT", "FRACTION LOST", "REPORTS"}, rows);
  }
  if (c.drops() != nullptr) {
    rows.clear();
    for (const auto* d : *c.drops()) {
      if (d->count() != 0) rows.push_back({str(d->reason()), num(d->count())});
    }
    out += "\ndrops (non-zero)\n" + format_table({"REASON", "COUNT"}, rows);
  }
  return out;
}

std::string hello_text(const fi::HelloReply& h) {
  std::string out = "server  " + str(h.server()) + "\nschema  " + num(h.schema_major()) + "." +
                    num(h.schema_minor()) + "\nepoch   " + num(h.epoch()) + "\n";
  std::vector<std::vector<std::string>> rows;
  if (h.lcores() != nullptr) {
    for (const auto* w : *h.lcores()) {
      rows.push_back({num(w->index()), num(w->lcore_id()), num(w->socket())});
    }
  }
  out += "\nworkers\n" + format_table({"WORKER", "LCORE", "SOCKET"}, rows);
  rows.clear();
  if (h.ports() != nullptr) {
    for (const auto* p : *h.ports()) {
      std::string addresses;
      if (p->addresses() != nullptr) {
        for (const auto* a : *p->addresses()) {
          if (!addresses.empty()) addresses += " ";
          addresses += a->str();
        }
      }
      rows.push_back({num(p->id()), str(p->name()), str(p->mac()),
                      addresses.empty() ? "-" : addresses,
                      num(p->udp_port_min()) + "-" + num(p->udp_port_max())});
    }
  }
  out += "\nports\n" + format_table({"PORT", "NAME", "MAC", "ADDRESSES", "UDP PORTS"}, rows);
  return out;
}

std::string text_of(const fi::Envelope& e) {
  switch (e.body_type()) {
    case fi::Body::Ok:
      return "ok\n";
    case fi::Body::Error: {
      const auto* err = e.body_as_Error();
      return std::string("error: ") + fi::EnumNameErrorCode(err->code()) + ": " +
             str(err->reason()) + "\n";
    }
    case fi::Body::HelloReply:
      return hello_text(*e.body_as_HelloReply());
    case fi::Body::TransportCreated: {
      const auto* t = e.body_as_TransportCreated();
      return "transport " + num(t->id()) + " on worker " + num(t->worker()) + " at " +
             str(t->local_address()) + ":" + num(t->local_port()) + "\n";
    }
    case fi::Body::TransportList:
      return transports_table(e.body_as_TransportList()->transports());
    case fi::Body::ProducerList:
      return producers_table(e.body_as_ProducerList()->producers());
    case fi::Body::ConsumerList:
      return consumers_table(e.body_as_ConsumerList()->consumers());
    case fi::Body::DumpReply: {
      const auto* d = e.body_as_DumpReply();
      return "transports\n" + transports_table(d->transports()) + "\nproducers\n" +
             producers_table(d->producers()) + "\nconsumers\n" + consumers_table(d->consumers());
    }
    case fi::Body::Counters:
      return counters_text(*e.body_as_Counters());
    case fi::Body::IceSelectedTupleChanged: {
      const auto* ev = e.body_as_IceSelectedTupleChanged();
      return "ice-selected-tuple transport=" + num(ev->transport()) + " " + tuple(ev->tuple()) +
             "\n";
    }
    case fi::Body::DtlsReceived: {
      const auto* ev = e.body_as_DtlsReceived();
      return "dtls-received transport=" + num(ev->transport()) + " from " + endpoint(ev->remote()) +
             " bytes=" + num(ev->data() ? ev->data()->size() : 0) + "\n";
    }
    case fi::Body::IceConsentExpired:
      return "ice-consent-expired transport=" + num(e.body_as_IceConsentExpired()->transport()) +
             "\n";
    case fi::Body::KeyFrameRequested: {
      const auto* ev = e.body_as_KeyFrameRequested();
      return "keyframe-requested producer=" + num(ev->producer()) +
             " consumer=" + num(ev->consumer()) + "\n";
    }
    default:
      // Anything without a table layout (BatchReply, bodies newer than this tool): as JSON.
      return dp::ipc::envelope_to_json(e, true) + "\n";
  }
}

}  // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      out += cell;
      if (c + 1 < widths.size()) out += std::string(widths[c] - cell.size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  if (rows.empty()) out += "(none)\n";
  return out;
}

std::string format_envelope(const fanout::ipc::Envelope& envelope, bool json) {
  if (json) return dp::ipc::envelope_to_json(envelope, true) + "\n";
  return text_of(envelope);
}

}  // namespace fanout::dp::ctl

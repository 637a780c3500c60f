// ICE-lite on the owner lcore (RFC 8445 §2.5, §7.3): binding requests are checked against the
// transport's short-term credentials and answered with XOR-MAPPED-ADDRESS; a request with bad
// credentials gets no answer (no reflection, no amplification). A tuple that passed a check may
// send media; USE-CANDIDATE (or the first passing check) selects where we send.
#include <cstring>

#include "dataplane/engine/worker.hpp"
#include "dataplane/ice/stun.hpp"
#include "dataplane/ice/stun_response.hpp"

namespace fanout::dp {

void Worker::handle_stun(Transport& t, rte_mbuf* m) {
  PktMeta* pm = meta(m);
  const uint8_t* payload = rte_pktmbuf_mtod_offset(m, const uint8_t*, pm->payload_off);
  ice::StunMessage msg;
  if (ice::parse_stun(payload, pm->payload_len, msg) != ice::StunStatus::kOk) {
    return drop(m, Drop::kStunMalformed);
  }
  if (msg.type != ice::kBindingRequest) return drop(m, Drop::kStunNotBindingRequest);
  if (t.kind != TransportKind::kWebRtc || ice::local_ufrag(msg.username()) != t.ufrag) {
    return drop(m, Drop::kStunUnknownUsername);
  }
  // FINGERPRINT is mandatory for ICE (RFC 8445 §7.2.2); check the cheap CRC before the HMAC.
  if (!ice::verify_fingerprint(msg)) return drop(m, Drop::kStunBadFingerprint);
  if (!ice::verify_message_integrity(msg, t.ice_key)) {
    ++t.counters.stun_bad_integrity;
    return drop(m, Drop::kStunBadIntegrity);
  }
  ++counters_.stun_requests;
  ++t.counters.stun_requests;

  rte_mbuf* out = alloc();
  if (!out) return drop(m, Drop::kMbufAllocFail);
  uint8_t* dst = rte_pktmbuf_mtod(out, uint8_t*);
  size_t n = ice::build_binding_success(dst, rte_pktmbuf_tailroom(out), msg.transaction_id(),
                                        pm->tuple.remote, pm->tuple.remote_port, t.ice_key);
  if (n == 0) {
    rte_pktmbuf_free(out);
    return drop(m, Drop::kStunMalformed);
  }
  rte_pktmbuf_append(out, static_cast<uint16_t>(n));
  record_validated(t, *pm, msg.use_candidate);
  ValidatedTuple to{};
  to.tuple = pm->tuple;
  std::memcpy(to.mac, pm->src_mac, 6);
  rte_pktmbuf_free(m);
  if (send_to(t, out, to)) ++counters_.stun_responses;
}

void Worker::record_validated(Transport& t, const PktMeta& pm, bool use_candidate) {
  int found = -1;
  for (int i = 0; i < t.validated_count; ++i) {
    if (t.validated[i].tuple == pm.tuple) found = i;
  }
  bool is_new = found < 0;
  if (is_new) {
    if (t.validated_count < kMaxValidatedTuples) {
      found = t.validated_count++;
    } else {
      // Replace the least recently checked tuple that is not the selected one.
      found = t.selected == 0 ? 1 : 0;
      for (int i = 0; i < kMaxValidatedTuples; ++i) {
        if (i != t.selected && t.validated[i].last_check_tsc < t.validated[found].last_check_tsc) {
          found = i;
        }
      }
    }
    t.validated[found].tuple = pm.tuple;
  }
  ValidatedTuple& v = t.validated[found];
  std::memcpy(v.mac, pm.src_mac, 6);
  v.last_check_tsc = now_tsc_;
  bool select = use_candidate || t.selected < 0;
  bool changed = select && t.selected != found;
  if (select) t.selected = static_cast<int8_t>(found);
  if (changed) ++counters_.ice_tuple_changes;
  // The main lcore adds new tuples to the dispatch table and tells the control plane about a new
  // selection. (A replaced tuple stays in the table until the transport closes: it passed a check.)
  if (is_new || changed) send_tuple_event(t, pm.tuple, changed);
}

void Worker::sweep_consent() {
  // RFC 7675 §5.1: without a successful check for the consent timeout, stop sending to the tuple.
  // The browser's next check selects a tuple again.
  const uint64_t timeout = e_.tsc_hz / 1000 * e_.cfg.ice_consent_timeout_ms;
  for (Transport* t = owned_head_; t; t = t->owned_next) {
    if (t->kind != TransportKind::kWebRtc || t->selected < 0) continue;
    ValidatedTuple& v = t->validated[t->selected];
    if (now_tsc_ - v.last_check_tsc < timeout) continue;
    send_tuple_event(*t, v.tuple, false, EventKind::kConsentExpired);
    t->selected = -1;
  }
}

void Worker::send_tuple_event(const Transport& t, const net::Tuple& tuple, bool selected,
                              EventKind kind) {
  rte_mbuf* note = alloc();
  if (!note) return;
  PktMeta* nm = meta(note);
  *nm = PktMeta{};
  nm->kind = PktKind::kEvent;
  nm->event = kind;
  nm->selected = selected ? 1 : 0;
  nm->transport = t.slot;
  nm->transport_gen = t.gen;
  nm->port = t.port;
  nm->tuple = tuple;
  to_main(note);
}

}  // namespace fanout::dp

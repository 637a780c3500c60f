// The restart journal as data, apart from Node so that it can be tested without a data plane:
// what a control plane writes after every change (to_json) and reads back at start (parse_journal),
// and the reconciliation of a journal with what the data plane still holds (reconcile), which
// decides what a restarted control plane adopts, what it forgets and what it deletes.
//
// Reload, not flush: the data plane keeps forwarding between connected transports while no control
// plane runs, and a restarted one carries on with the same objects under the same string ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "controlplane/core/dataplane_link.hpp"
#include "controlplane/core/plain_transport.hpp"
#include "controlplane/dtls/certificate.hpp"
#include "controlplane/dtls/dtls_role.hpp"
#include "controlplane/rtp/ortc.hpp"
#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct JournalRouter {
  std::string id;
  // What CreateRouter gave (nullopt: the node's defaults); the capabilities are derived again.
  std::optional<std::vector<RtpCodecCapability>> media_codecs;
};

struct JournalTransport {
  std::string id;
  std::string router_id;
  uint32_t dataplane_id = 0;
  uint16_t own_port = 0;
  boost::json::value app_data;
  uint32_t next_consumer_mid = 0;
  std::string ice_ufrag;
  std::string ice_pwd;
  std::optional<DtlsRole> role;  // ours, once connect() resolved it
  // The browser's dtlsParameters from connect(): a restarted control plane that finds no keys
  // installed starts a fresh DTLS session with them (signaling does not connect twice).
  std::optional<DtlsRole> remote_role;
  std::optional<Fingerprint> remote_fingerprint;
  // DTLS failed or closed before the restart: not resumed.
  bool dtls_ended = false;
  // A PlainTransport ("type": "plain"): no ICE or DTLS fields. What it needs to be reported again
  // (its keys are in the data plane already; ours is kept to report it, as the ICE password is).
  bool plain = false;
  bool comedia = false;
  bool connected = false;
  std::optional<UdpEndpoint> remote;         // connect's ip and port (comedia=false)
  std::optional<SrtpParameters> local_srtp;  // ours
};

struct JournalProducer {
  std::string id;
  uint32_t dataplane_id = 0;
  std::string transport_id;
  MediaKind kind = MediaKind::kVideo;
  RtpParameters rtp_parameters;
  RtpMapping rtp_mapping;
  bool paused = false;
  boost::json::value app_data;
};

struct JournalConsumer {
  std::string id;
  uint32_t dataplane_id = 0;
  std::string producer_id;
  std::string transport_id;
  MediaKind kind = MediaKind::kVideo;
  RtpParameters rtp_parameters;
  bool paused = true;
};

struct Journal {
  // The writer's data plane epoch (Hello): the data plane reports it back to the next control
  // plane (HelloReply.epoch) unless it restarted or another control plane came between. 0: not
  // known (a version-1 journal), never checked.
  uint64_t epoch = 0;
  std::vector<JournalRouter> routers;
  std::vector<JournalTransport> transports;
  std::vector<JournalProducer> producers;
  std::vector<JournalConsumer> consumers;
};

// 3: plain transports.
inline constexpr int64_t kJournalVersion = 3;

boost::json::value to_json(const Journal& journal);
// Throws CpError (kInvalidArgument, "journal: <path>: <what>") for anything that is not a journal
// of this version.
Journal parse_journal(const boost::json::value& value);

// The outcome of reconciling a journal with the data plane's Dump.
struct ReconcilePlan {
  // Non-empty when the journal is not about this data plane's objects (see reconcile()): why.
  // Its transports, producers and consumers are then dropped; its routers are still adopted.
  std::string stale;
  // What both know, in the journal's order (parents before children): adopted as is. Every
  // router of the journal is adopted, stale or not (the data plane has no routers).
  Journal adopt;
  // Journal objects the data plane lost (or whose parent was dropped), one line each for the log.
  std::vector<std::string> dropped;
  // Data plane objects the journal does not know (a crash between the data plane's reply and the
  // journal's write, or no journal at all): to delete so that nothing forwards unowned.
  std::vector<uint32_t> orphan_consumers;
  std::vector<uint32_t> orphan_producers;
  std::vector<uint32_t> orphan_transports;
};

// `journal` nullptr: there is none (every data plane object is an orphan). `dataplane_epoch`: the
// epoch the data plane had before our Hello (HelloReply.epoch); a journal written under another
// one is stale (the data plane restarted, or another control plane ran since) and nothing of it but
// its routers is adopted. A WebRTC transport is the same one when its data plane id holds a WebRTC
// transport with the journal's ICE ufrag; a plain one when it holds a plain transport on the
// journal's port with the same comedia and, once connected, the same remote; a producer or consumer
// when its data plane id is in the Dump and its transport (and producer) are adopted.
ReconcilePlan reconcile(const Journal* journal, const DataplaneDump& dump,
                        uint64_t dataplane_epoch);

}  // namespace fanout::cp

// The model in mediasoup's JSON shapes: what WebRtcTransportCreated, StatsReply and DumpReply
// carry, and the browser's dtlsParameters parsed.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "controlplane/core/node.hpp"

namespace fanout::cp {

// { usernameFragment, password, iceLite: true }
boost::json::value ice_parameters_json(const IceParameters& ice);
// [ { foundation, priority, ip, address, protocol: "udp", port, type: "host" } ]; ip and address
// are `announced_address` unless it is empty.
boost::json::value ice_candidates_json(const std::vector<IceCandidate>& candidates,
                                       const std::string& announced_address);
// { role: "auto", fingerprints: [ { algorithm: "sha-256", value } ] }
boost::json::value dtls_parameters_json(const DtlsParameters& dtls);

struct RemoteDtlsParameters {
  DtlsRole role = DtlsRole::kAuto;
  Fingerprint fingerprint;
};
// The browser's dtlsParameters: role (default "auto") and the sha-256 fingerprint, else the first
// of another algorithm we can check. Throws RtpError naming the path ("dtlsParameters.role").
RemoteDtlsParameters parse_remote_dtls_parameters(const boost::json::value& v,
                                                  const std::string& path = "dtlsParameters");

// mediasoup's plainTransport.tuple: { localIp, localAddress, localPort, protocol: "udp" } and
// remoteIp, remotePort once known (connect's, or the comedia latch). localIp and localAddress are
// `announced_address` unless it is empty.
boost::json::value plain_tuple_json(const PlainTransport& t, const std::string& announced_address);
// mediasoup's srtpParameters: { cryptoSuite, keyBase64 }.
boost::json::value srtp_parameters_json(const SrtpParameters& srtp);

// mediasoup's iceState / dtlsState strings; "closed" once the transport is closed.
std::string ice_state_string(const WebRtcTransport& t);
std::string dtls_state_string(const WebRtcTransport& t);

// Every router, transport, producer and consumer.
boost::json::value dump_json(Node& node, const std::string& announced_address);

}  // namespace fanout::cp

// One browser's ICE + DTLS + SRTP association, as mediasoup's WebRtcTransport: the data plane
// answers ICE checks and carries DTLS records both ways; here we run the DTLS handshake and, once
// it completes and the peer's certificate matches the signaled fingerprint, program the SRTP keys
// into the data plane. Without that match no key is ever installed, so the data plane drops the
// peer's SRTP (srtp_no_keys) and sends it nothing.
//
// Driven by one thread (Node::run_once). The state callback runs inside that thread's calls; it
// must not destroy the transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/core/dataplane_link.hpp"
#include "controlplane/dtls/dtls_session.hpp"

namespace fanout::cp {

// The data plane reports the tuple it selected, not whether the browser nominated it, so we say
// "connected" at the first selection and "completed" once DTLS is connected on it (media can flow
// both ways). Consent expiry (RFC 7675) is "disconnected"; a later selection reconnects.
enum class IceState { kNew, kConnected, kCompleted, kDisconnected };
std::string_view ice_state_name(IceState state);

// mediasoup's iceParameters.
struct IceParameters {
  std::string username_fragment;
  std::string password;
  bool ice_lite = true;
  bool operator==(const IceParameters&) const = default;
};

// mediasoup's iceCandidates[i]: ip and address are both the announced address (newer clients
// read address, older ones ip).
struct IceCandidate {
  std::string foundation;
  uint32_t priority = 0;
  std::string ip;
  std::string address;
  std::string protocol = "udp";
  uint16_t port = 0;
  std::string type = "host";
  bool operator==(const IceCandidate&) const = default;
};

// mediasoup's dtlsParameters.
struct DtlsParameters {
  DtlsRole role = DtlsRole::kAuto;
  std::vector<Fingerprint> fingerprints;
};

// RFC 8445 §5.1.2.1 priority of our only candidate: host type preference 126, local preference
// 65535, component 1 (RTP; rtcp-mux is mandatory in WebRTC).
inline constexpr uint32_t kHostCandidatePriority = (126u << 24) | (65535u << 8) | (256u - 1u);
inline constexpr std::string_view kUdpCandidateFoundation = "udpcandidate";

struct WebRtcTransportOptions {
  std::optional<uint16_t> worker;  // nullopt: the data plane picks
  uint16_t port = 0;               // DPDK port id
  uint16_t local_port = 0;         // 0: the port's shared ICE port (demultiplexed by ufrag)
  // Session settings other than role and fingerprint (timers, MTU, profiles).
  DtlsSessionConfig dtls;
  // Records a browser (DTLS client) sends before connect() arrives are kept for the session;
  // more than this are dropped (the browser retransmits).
  size_t max_early_records = 8;
};

class WebRtcTransport {
 public:
  using Clock = DtlsSession::Clock;
  using StateFn = std::function<void(WebRtcTransport& transport)>;

  // Creates the transport in the data plane with fresh ICE credentials. Throws
  // std::runtime_error with the data plane's reason if it refuses.
  WebRtcTransport(DataplaneLink& link, std::shared_ptr<const DtlsContext> context, uint32_t id,
                  WebRtcTransportOptions options = {});
  // What a restarted control plane knows of a transport its predecessor created and the data
  // plane still holds (the journal's ICE credentials and role, the data plane's Dump).
  struct Adopted {
    TransportCreated created;
    IceParameters ice_parameters;
    std::optional<DtlsRole> role;
    std::optional<IceTuple> selected_tuple;
    std::optional<SrtpProfile> srtp_profile;  // keys installed in both directions
    // The browser's dtlsParameters if connect() came before the restart.
    std::optional<DtlsRole> remote_role;
    std::optional<Fingerprint> remote_fingerprint;
    bool dtls_ended = false;  // DTLS had failed or closed: failed, nothing resumed
  };
  // Adopts a transport that exists in the data plane: nothing is created there. With keys it is
  // DTLS connected (its session cannot be resumed, but media needs only the installed keys, and a
  // later connect() is refused as a second one). Without keys but with the browser's parameters
  // it starts a fresh DTLS session with them (the browser's retransmitted flight may complete it;
  // if not, the handshake timeout fails it as usual). Without either it is new and connect() may
  // still be called.
  WebRtcTransport(DataplaneLink& link, std::shared_ptr<const DtlsContext> context, uint32_t id,
                  WebRtcTransportOptions options, const Adopted& adopted);
  // Closes (close_notify, DeleteTransport) if close() was not called.
  ~WebRtcTransport();
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  uint32_t id() const { return id_; }
  const IceParameters& ice_parameters() const { return ice_parameters_; }
  const std::vector<IceCandidate>& ice_candidates() const { return ice_candidates_; }
  const DtlsParameters& dtls_parameters() const { return dtls_parameters_; }
  const TransportCreated& created() const { return created_; }

  // The remote dtlsParameters: resolves our role and creates the session, started now if the
  // data plane already selected an ICE tuple (else at selection). Throws std::invalid_argument
  // for a role conflict (both client or both server), a second connect, or after close().
  void connect(DtlsRole remote_role, const Fingerprint& remote_fingerprint);
  // mediasoup's transport.restartIce(): fresh local ICE credentials, installed in the data plane
  // (the old ufrag stops working there at once). The selected tuple, DTLS and SRTP stay: media
  // keeps flowing until the browser's checks with the new credentials select a tuple. The ICE
  // state is unchanged. A refusal by the data plane leaves the old credentials in force.
  Status restart_ice();
  // Sends close_notify and deletes the transport in the data plane. Idempotent.
  Status close();
  // The first half of close(): close_notify, states closed, events ignored from now on. The data
  // plane queues SendDtls to the owner worker apart from its commands, so a DeleteTransport sent
  // right after may overtake the close_notify: Node lingers before delete_in_dataplane().
  void close_dtls();
  Status delete_in_dataplane();

  IceState ice_state() const { return ice_state_; }
  DtlsState dtls_state() const { return dtls_state_; }
  std::optional<DtlsRole> dtls_role() const { return role_; }
  // What connect() was given (for the restart journal); nullopt before.
  std::optional<DtlsRole> remote_dtls_role() const { return remote_role_; }
  const std::optional<Fingerprint>& remote_fingerprint() const { return remote_fingerprint_; }
  const std::optional<IceTuple>& selected_tuple() const { return selected_tuple_; }
  // Profile installed in the data plane (both directions); nullopt until then.
  std::optional<SrtpProfile> srtp_profile() const { return srtp_profile_; }
  // Why DTLS failed, or why a data plane request failed last.
  const std::string& failure_reason() const { return failure_reason_; }
  bool closed() const { return closed_; }
  // Called after every ICE or DTLS state change.
  void set_state_callback(StateFn fn) { on_state_ = std::move(fn); }

  // From the node's event loop.
  void on_dtls_received(std::span<const uint8_t> data);
  void on_ice_selected_tuple_changed(const IceTuple& tuple);
  void on_ice_consent_expired();
  std::optional<Clock::time_point> next_timeout(Clock::time_point now) const;
  void on_timer(Clock::time_point now);

  uint64_t dtls_send_errors() const { return dtls_send_errors_; }

 private:
  void describe_candidates_and_fingerprint();
  void start_session();
  void on_session_state(DtlsState state);
  void install_keys();
  void set_ice_state(IceState state);
  void set_dtls_state(DtlsState state);

  DataplaneLink& link_;
  std::shared_ptr<const DtlsContext> context_;
  uint32_t id_;
  WebRtcTransportOptions options_;
  TransportCreated created_;
  IceParameters ice_parameters_;
  std::vector<IceCandidate> ice_candidates_;
  DtlsParameters dtls_parameters_;

  IceState ice_state_ = IceState::kNew;
  DtlsState dtls_state_ = DtlsState::kNew;
  std::optional<DtlsRole> role_;
  std::optional<DtlsRole> remote_role_;
  std::optional<Fingerprint> remote_fingerprint_;
  std::optional<IceTuple> selected_tuple_;
  std::optional<SrtpProfile> srtp_profile_;
  std::unique_ptr<DtlsSession> session_;
  std::deque<std::vector<uint8_t>> early_records_;
  std::string failure_reason_;
  StateFn on_state_;
  bool closed_ = false;
  bool deleted_ = false;
  uint64_t dtls_send_errors_ = 0;
};

}  // namespace fanout::cp

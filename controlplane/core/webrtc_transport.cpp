#include "controlplane/core/webrtc_transport.hpp"

#include <stdexcept>
#include <utility>

#include "controlplane/core/ice_credentials.hpp"

namespace fanout::cp {

std::string_view ice_state_name(IceState state) {
  switch (state) {
    case IceState::kNew:
      return "new";
    case IceState::kConnected:
      return "connected";
    case IceState::kCompleted:
      return "completed";
    case IceState::kDisconnected:
      return "disconnected";
  }
  return "unknown";
}

WebRtcTransport::WebRtcTransport(DataplaneLink& link, std::shared_ptr<const DtlsContext> context,
                                 uint32_t id, WebRtcTransportOptions options)
    : link_(link), context_(std::move(context)), id_(id), options_(std::move(options)) {
  if (!context_) throw std::invalid_argument("WebRtcTransport: no DTLS context");
  IceCredentials credentials = generate_ice_credentials();
  auto created = link_.create_transport(id_, credentials.ufrag, credentials.pwd, options_.worker,
                                        options_.port, options_.local_port);
  if (!created.ok()) throw std::runtime_error(created.status.error());
  created_ = std::move(created.value);
  ice_parameters_ = {std::move(credentials.ufrag), std::move(credentials.pwd), true};
  describe_candidates_and_fingerprint();
}

Status WebRtcTransport::restart_ice() {
  if (closed_) return Status::failure("transport " + std::to_string(id_) + " is closed");
  IceCredentials credentials = generate_ice_credentials();
  if (Status s = link_.set_ice_parameters(id_, credentials.ufrag, credentials.pwd); !s.ok()) {
    return s;
  }
  ice_parameters_.username_fragment = std::move(credentials.ufrag);
  ice_parameters_.password = std::move(credentials.pwd);
  return {};
}

WebRtcTransport::WebRtcTransport(DataplaneLink& link, std::shared_ptr<const DtlsContext> context,
                                 uint32_t id, WebRtcTransportOptions options,
                                 const Adopted& adopted)
    : link_(link),
      context_(std::move(context)),
      id_(id),
      options_(std::move(options)),
      created_(adopted.created),
      ice_parameters_(adopted.ice_parameters),
      role_(adopted.role),
      selected_tuple_(adopted.selected_tuple),
      srtp_profile_(adopted.srtp_profile) {
  if (!context_) throw std::invalid_argument("WebRtcTransport: no DTLS context");
  describe_candidates_and_fingerprint();
  remote_role_ = adopted.remote_role;
  remote_fingerprint_ = adopted.remote_fingerprint;
  if (srtp_profile_) {
    dtls_state_ = DtlsState::kConnected;
    ice_state_ = IceState::kCompleted;
    return;
  }
  if (selected_tuple_) ice_state_ = IceState::kConnected;
  if (adopted.dtls_ended) {
    dtls_state_ = DtlsState::kFailed;
    failure_reason_ = "DTLS ended before the control plane restarted";
  } else if (adopted.remote_role && adopted.remote_fingerprint) {
    // No state change to report yet: the observer is attached after construction.
    connect(*adopted.remote_role, *adopted.remote_fingerprint);
  }
}

void WebRtcTransport::describe_candidates_and_fingerprint() {
  IceCandidate candidate;
  candidate.foundation = std::string(kUdpCandidateFoundation);
  candidate.priority = kHostCandidatePriority;
  candidate.ip = created_.local_address;
  candidate.address = created_.local_address;
  candidate.port = created_.local_port;
  ice_candidates_.push_back(std::move(candidate));
  // Browsers check sha-256 (and mediasoup-client signals whatever we list), so one is enough.
  dtls_parameters_.role = DtlsRole::kAuto;
  dtls_parameters_.fingerprints.push_back(
      {HashAlgorithm::kSha256, context_->certificate().fingerprint(HashAlgorithm::kSha256)});
}

WebRtcTransport::~WebRtcTransport() {
  close();
}

void WebRtcTransport::connect(DtlsRole remote_role, const Fingerprint& remote_fingerprint) {
  if (closed_) throw std::invalid_argument("transport " + std::to_string(id_) + " is closed");
  if (session_ || dtls_state_ == DtlsState::kConnected || dtls_state_ == DtlsState::kFailed) {
    throw std::invalid_argument("transport " + std::to_string(id_) + " is already connected");
  }
  std::optional<DtlsRole> role = resolve_dtls_role(dtls_parameters_.role, remote_role);
  if (!role) {
    throw std::invalid_argument("DTLS role conflict: remote role " +
                                std::string(dtls_role_name(remote_role)));
  }
  if (remote_fingerprint.value.empty()) throw std::invalid_argument("empty remote fingerprint");
  DtlsSessionConfig config = options_.dtls;
  config.role = *role;
  config.remote_fingerprint = remote_fingerprint;
  auto session = std::make_unique<DtlsSession>(context_, std::move(config));
  session->set_send_callback([this](std::span<const uint8_t> datagram) {
    if (!link_.send_dtls(id_, datagram).ok()) ++dtls_send_errors_;
  });
  session->set_state_callback([this](DtlsState state) { on_session_state(state); });
  session_ = std::move(session);
  role_ = *role;
  remote_role_ = remote_role;
  remote_fingerprint_ = remote_fingerprint;
  if (selected_tuple_ || !early_records_.empty()) start_session();
}

void WebRtcTransport::start_session() {
  if (!session_ || session_->state() != DtlsState::kNew) return;
  session_->start(Clock::now());
  while (!early_records_.empty() && session_->state() == DtlsState::kConnecting) {
    std::vector<uint8_t> record = std::move(early_records_.front());
    early_records_.pop_front();
    session_->feed(record);
  }
  early_records_.clear();
}

void WebRtcTransport::on_dtls_received(std::span<const uint8_t> data) {
  if (closed_) return;
  if (!session_) {
    if (early_records_.size() < options_.max_early_records) {
      early_records_.emplace_back(data.begin(), data.end());
    }
    return;
  }
  // The data plane punts DTLS only from a tuple that passed an ICE check, so a record is proof
  // enough of a path even if its IceSelectedTupleChanged is still queued behind it.
  if (session_->state() == DtlsState::kNew) start_session();
  session_->feed(data);
}

void WebRtcTransport::on_ice_selected_tuple_changed(const IceTuple& tuple) {
  if (closed_) return;
  selected_tuple_ = tuple;
  set_ice_state(dtls_state_ == DtlsState::kConnected ? IceState::kCompleted : IceState::kConnected);
  start_session();
}

void WebRtcTransport::on_ice_consent_expired() {
  if (closed_) return;
  // The data plane stopped sending on the tuple; the browser's next check selects one again.
  selected_tuple_.reset();
  set_ice_state(IceState::kDisconnected);
}

std::optional<WebRtcTransport::Clock::time_point> WebRtcTransport::next_timeout(
    Clock::time_point now) const {
  if (closed_ || !session_) return std::nullopt;
  return session_->next_timeout(now);
}

void WebRtcTransport::on_timer(Clock::time_point now) {
  if (closed_ || !session_) return;
  session_->on_timer(now);
}

void WebRtcTransport::on_session_state(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return;
    case DtlsState::kConnecting:
      set_dtls_state(DtlsState::kConnecting);
      return;
    case DtlsState::kConnected:
      install_keys();
      return;
    case DtlsState::kFailed:
      failure_reason_ = session_->failure_reason();
      set_dtls_state(DtlsState::kFailed);
      return;
    case DtlsState::kClosed:
      set_dtls_state(DtlsState::kClosed);
      return;
  }
}

void WebRtcTransport::install_keys() {
  const std::optional<SrtpKeyingMaterial>& keys = session_->srtp_keys();
  if (!keys) {
    failure_reason_ = "DTLS connected without SRTP keys";
    set_dtls_state(DtlsState::kFailed);
    return;
  }
  // RFC 5764 §4.2: what the peer protects with its write key we unprotect (inbound), and ours
  // protects what we send (outbound).
  Status out = link_.set_srtp_keys(id_, keys->profile, keys->remote_key, keys->remote_salt,
                                   keys->local_key, keys->local_salt);
  if (!out.ok()) {
    failure_reason_ = out.error();
    set_dtls_state(DtlsState::kFailed);
    return;
  }
  srtp_profile_ = keys->profile;
  set_dtls_state(DtlsState::kConnected);
  if (ice_state_ == IceState::kConnected) set_ice_state(IceState::kCompleted);
}

Status WebRtcTransport::close() {
  close_dtls();
  return delete_in_dataplane();
}

void WebRtcTransport::close_dtls() {
  if (closed_) return;
  // SendDtls needs the transport, and the browser stops sending at once.
  if (session_) session_->close();
  closed_ = true;
  early_records_.clear();
  if (dtls_state_ != DtlsState::kFailed) set_dtls_state(DtlsState::kClosed);
}

Status WebRtcTransport::delete_in_dataplane() {
  if (deleted_) return {};
  deleted_ = true;
  Status s = link_.connected() ? link_.delete_transport(id_) : Status{};
  if (!s.ok()) failure_reason_ = s.error();
  return s;
}

void WebRtcTransport::set_ice_state(IceState state) {
  if (state == ice_state_) return;
  ice_state_ = state;
  if (on_state_) on_state_(*this);
}

void WebRtcTransport::set_dtls_state(DtlsState state) {
  if (state == dtls_state_) return;
  dtls_state_ = state;
  if (on_state_) on_state_(*this);
}

}  // namespace fanout::cp

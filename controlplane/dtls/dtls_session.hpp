// DTLS 1.2 with use_srtp (RFC 5764) for one WebRtcTransport, over memory: the data plane punts the
// DTLS datagrams it receives (RFC 7983 first byte 20-63) and sends the datagrams we hand back, so
// there is no socket. The handshake yields the negotiated SRTP profile and the master keys and
// salts for each direction, which the control plane programs into the data plane.
//
// Control path only; not thread-safe: one thread drives a session (feed, on_timer, close). The
// callbacks run inside those calls and must not destroy the session or call back into it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/ssl.h>

#include "controlplane/dtls/certificate.hpp"
#include "controlplane/dtls/dtls_role.hpp"
#include "controlplane/dtls/srtp_profile.hpp"

namespace fanout::cp {

// One per node: the SSL_CTX holding our certificate, shared by every session.
class DtlsContext {
 public:
  explicit DtlsContext(Certificate certificate);  // throws std::runtime_error
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const Certificate& certificate() const { return certificate_; }
  SSL_CTX* ssl_ctx() const { return ctx_; }

 private:
  Certificate certificate_;
  SSL_CTX* ctx_ = nullptr;
};

enum class DtlsState { kNew, kConnecting, kConnected, kFailed, kClosed };
std::string_view dtls_state_name(DtlsState state);

enum class FeedResult {
  kOk,          // handed to OpenSSL (which may still discard it: DTLS drops bad records silently)
  kNotDtls,     // not a DTLS 1.x record header (RFC 6347 §4.1); counted, session unchanged
  kNotRunning,  // session is new, failed or closed
};

// RFC 5764 §4.2: the exported material split by role. local_* protects what we send, remote_*
// unprotects what we receive.
struct SrtpKeyingMaterial {
  SrtpProfile profile = SrtpProfile::kAes128CmSha1_80;
  std::vector<uint8_t> local_key;
  std::vector<uint8_t> local_salt;
  std::vector<uint8_t> remote_key;
  std::vector<uint8_t> remote_salt;
};

struct DtlsSessionConfig {
  DtlsRole role = DtlsRole::kServer;  // already resolved (resolve_dtls_role): client or server
  Fingerprint remote_fingerprint;     // from the remote dtlsParameters
  std::string srtp_profiles = kDefaultSrtpProfiles;
  // Largest datagram we send: 1200 leaves room for IPv6 + UDP + TURN framing under a 1280 path.
  size_t mtu = 1200;
  // Retransmission timer (RFC 6347 §4.2.4.1): doubled per retransmission up to the maximum.
  // 100 ms rather than the RFC's 1 s, as mediasoup: a lost flight on a fresh ICE path is common
  // and browsers retransmit at 1 s themselves. At least 20 ms: OpenSSL rounds under 15 ms to 0.
  std::chrono::milliseconds initial_retransmit{100};
  std::chrono::milliseconds max_retransmit{4000};
  std::chrono::milliseconds handshake_timeout{30000};
};

class DtlsSession {
 public:
  using Clock = std::chrono::steady_clock;
  using SendFn = std::function<void(std::span<const uint8_t> datagram)>;
  using StateFn = std::function<void(DtlsState state)>;
  using DataFn = std::function<void(std::span<const uint8_t> data)>;

  // Throws std::invalid_argument for a role of auto, an unknown profile list, an MTU OpenSSL
  // refuses (below 256) or retransmission timers out of range.
  DtlsSession(std::shared_ptr<const DtlsContext> context, DtlsSessionConfig config);
  ~DtlsSession();
  DtlsSession(const DtlsSession&) = delete;
  DtlsSession& operator=(const DtlsSession&) = delete;

  void set_send_callback(SendFn fn) { send_ = std::move(fn); }
  void set_state_callback(StateFn fn) { on_state_ = std::move(fn); }
  // Application data (SCTP for data channels, RFC 8261) received after the handshake.
  void set_data_callback(DataFn fn) { on_data_ = std::move(fn); }

  // new -> connecting. A client sends its ClientHello now; a server waits for one.
  void start(Clock::time_point now);
  // One received UDP payload.
  FeedResult feed(std::span<const uint8_t> datagram);
  // Retransmits a lost flight when due; fails the session past the handshake timeout.
  void on_timer(Clock::time_point now);
  // When on_timer should next run; nullopt when no timer is pending (not handshaking).
  std::optional<Clock::time_point> next_timeout(Clock::time_point now) const;
  // Sends close_notify (if the handshake started) and goes to closed.
  void close();
  // Application data after the handshake; false if not connected or OpenSSL refuses it.
  bool send_data(std::span<const uint8_t> data);

  DtlsState state() const { return state_; }
  DtlsRole role() const { return config_.role; }
  // Set only in the connected state (cleared when the session fails).
  const std::optional<SrtpKeyingMaterial>& srtp_keys() const { return keys_; }
  // Why the session failed (empty otherwise).
  const std::string& failure_reason() const { return failure_reason_; }

  uint64_t datagrams_sent() const { return datagrams_sent_; }
  uint64_t datagrams_rejected() const { return datagrams_rejected_; }
  size_t largest_datagram_sent() const { return largest_datagram_sent_; }

 private:
  friend struct DtlsBio;

  void run_handshake();
  void read_records();
  void on_handshake_done();
  void fail(std::string reason);
  void set_state(DtlsState state);
  // Emits the datagram being assembled (records of one flight packed up to the MTU).
  void flush_output();
  std::string openssl_error(int ssl_ret) const;

  std::shared_ptr<const DtlsContext> context_;
  DtlsSessionConfig config_;
  SSL* ssl_ = nullptr;
  DtlsState state_ = DtlsState::kNew;
  Clock::time_point handshake_deadline_{};
  std::optional<SrtpKeyingMaterial> keys_;
  std::string failure_reason_;
  SendFn send_;
  StateFn on_state_;
  DataFn on_data_;

  std::span<const uint8_t> input_;  // the datagram being fed; read once by the BIO
  std::vector<uint8_t> output_;     // the datagram being assembled
  uint64_t datagrams_sent_ = 0;
  uint64_t datagrams_rejected_ = 0;
  size_t largest_datagram_sent_ = 0;
};

}  // namespace fanout::cp

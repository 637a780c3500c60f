#include "controlplane/dtls/dtls_session.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>

namespace fanout::cp {

namespace {

// RFC 5764 §4.2.
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";

// Accept any certificate during the handshake: WebRTC peers are self-signed, and the peer is
// authenticated by the fingerprint signaled out of band, checked once the handshake completes.
int accept_any_certificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;
}

// DTLS_set_timer_cb: OpenSSL asks for the next retransmission timeout, 0 meaning "first".
unsigned int next_retransmit_us(SSL* ssl, unsigned int previous_us);

// RFC 6347 §4.1 record header: type(1) version(2) epoch(2) seq(6) length(2). Content types 20-23
// (change_cipher_spec, alert, handshake, application_data); version 1.0 (FEFF) or 1.2 (FEFD).
bool looks_like_dtls_record(std::span<const uint8_t> d) {
  constexpr size_t kHeader = 13;
  if (d.size() < kHeader) return false;
  if (d[0] < 20 || d[0] > 23) return false;
  if (d[1] != 0xfe || (d[2] != 0xff && d[2] != 0xfd)) return false;
  const size_t len = (static_cast<size_t>(d[11]) << 8) | d[12];
  return kHeader + len <= d.size();
}

}  // namespace

// The BIO both ways: reads return the datagram being fed (once), writes pack records into one
// datagram until OpenSSL flushes at the end of a flight or the next record would exceed the MTU.
// OpenSSL sizes handshake fragments by (MTU - BIO_wpending), so packing never overflows it.
struct DtlsBio {
  static BIO_METHOD* method() {
    static BIO_METHOD* m = [] {
      BIO_METHOD* meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "fanout-dtls");
      BIO_meth_set_write(meth, &DtlsBio::write);
      BIO_meth_set_read(meth, &DtlsBio::read);
      BIO_meth_set_ctrl(meth, &DtlsBio::ctrl);
      BIO_meth_set_create(meth, [](BIO* b) {
        BIO_set_init(b, 1);
        return 1;
      });
      return meth;
    }();
    return m;
  }

  static DtlsSession* session(BIO* b) { return static_cast<DtlsSession*>(BIO_get_data(b)); }

  static int write(BIO* b, const char* data, int len) {
    DtlsSession* s = session(b);
    if (s == nullptr || len < 0) return -1;
    const size_t n = static_cast<size_t>(len);
    if (!s->output_.empty() && s->output_.size() + n > s->config_.mtu) s->flush_output();
    s->output_.insert(s->output_.end(), reinterpret_cast<const uint8_t*>(data),
                      reinterpret_cast<const uint8_t*>(data) + n);
    return len;
  }

  static int read(BIO* b, char* out, int len) {
    DtlsSession* s = session(b);
    BIO_clear_retry_flags(b);
    if (s == nullptr || s->input_.empty()) {
      BIO_set_retry_read(b);
      return -1;
    }
    // Datagram semantics: whatever does not fit is lost, as with recvfrom.
    const size_t n = std::min(s->input_.size(), static_cast<size_t>(std::max(len, 0)));
    std::memcpy(out, s->input_.data(), n);
    s->input_ = {};
    return static_cast<int>(n);
  }

  static long ctrl(BIO* b, int cmd, long /*num*/, void* /*ptr*/) {
    DtlsSession* s = session(b);
    if (s == nullptr) return 0;
    switch (cmd) {
      case BIO_CTRL_FLUSH:
        s->flush_output();
        return 1;
      case BIO_CTRL_WPENDING:
        return static_cast<long>(s->output_.size());
      case BIO_CTRL_PENDING:
        return static_cast<long>(s->input_.size());
      case BIO_CTRL_DGRAM_QUERY_MTU:
      case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return static_cast<long>(s->config_.mtu);
      case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 0;  // our MTU is already the UDP payload size
      default:
        return 0;
    }
  }
};

namespace {

unsigned int next_retransmit_us(SSL* ssl, unsigned int previous_us) {
  const auto* cfg = static_cast<const DtlsSessionConfig*>(SSL_get_app_data(ssl));
  const auto initial = static_cast<unsigned int>(
      std::chrono::duration_cast<std::chrono::microseconds>(cfg->initial_retransmit).count());
  const auto max = static_cast<unsigned int>(
      std::chrono::duration_cast<std::chrono::microseconds>(cfg->max_retransmit).count());
  if (previous_us == 0) return initial;
  return previous_us >= max / 2 ? max : previous_us * 2;
}

}  // namespace

DtlsContext::DtlsContext(Certificate certificate) : certificate_(std::move(certificate)) {
  ctx_ = SSL_CTX_new(DTLS_method());
  if (ctx_ == nullptr) throw std::runtime_error("SSL_CTX_new(DTLS_method) failed");
  auto check = [this](bool ok, const char* what) {
    if (!ok) {
      ERR_clear_error();
      SSL_CTX_free(ctx_);
      ctx_ = nullptr;
      throw std::runtime_error(std::string("DtlsContext: ") + what);
    }
  };
  check(SSL_CTX_use_certificate(ctx_, certificate_.x509()) == 1, "use_certificate");
  check(SSL_CTX_use_PrivateKey(ctx_, certificate_.key()) == 1, "use_PrivateKey");
  check(SSL_CTX_check_private_key(ctx_) == 1, "check_private_key");
  // DTLS 1.2 only: 1.0 lacks AEAD suites and browsers have not offered it for years.
  check(SSL_CTX_set_min_proto_version(ctx_, DTLS1_2_VERSION) == 1, "min version");
  check(SSL_CTX_set_max_proto_version(ctx_, DTLS1_2_VERSION) == 1, "max version");
  // Forward secrecy only; no anonymous, PSK or SRP suites.
  check(SSL_CTX_set_cipher_list(ctx_, "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES:!aNULL:!eNULL") == 1,
        "cipher list");
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     &accept_any_certificate);
  SSL_CTX_set_verify_depth(ctx_, 4);
  // Every session is a fresh association keyed by its fingerprints: no resumption.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
                                SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_read_ahead(ctx_, 1);
}

DtlsContext::~DtlsContext() {
  SSL_CTX_free(ctx_);
}

std::string_view dtls_state_name(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return "new";
    case DtlsState::kConnecting:
      return "connecting";
    case DtlsState::kConnected:
      return "connected";
    case DtlsState::kFailed:
      return "failed";
    case DtlsState::kClosed:
      return "closed";
  }
  return "unknown";
}

DtlsSession::DtlsSession(std::shared_ptr<const DtlsContext> context, DtlsSessionConfig config)
    : context_(std::move(context)), config_(std::move(config)) {
  if (!context_) throw std::invalid_argument("DtlsSession: no context");
  if (config_.role == DtlsRole::kAuto) {
    throw std::invalid_argument("DtlsSession: role must be resolved to client or server");
  }
  // OpenSSL treats a timer with under 15 ms left as expired (dtls1_get_timeout), so a shorter
  // initial timeout would retransmit every flight at once.
  if (config_.initial_retransmit < std::chrono::milliseconds(20) ||
      config_.max_retransmit < config_.initial_retransmit) {
    throw std::invalid_argument("DtlsSession: bad retransmission timers");
  }
  ssl_ = SSL_new(context_->ssl_ctx());
  if (ssl_ == nullptr) throw std::runtime_error("SSL_new failed");
  auto fail_ctor = [this](const std::string& what) {
    ERR_clear_error();
    SSL_free(ssl_);
    ssl_ = nullptr;
    throw std::invalid_argument("DtlsSession: " + what);
  };
  // SSL_set_tlsext_use_srtp returns 0 on success.
  if (SSL_set_tlsext_use_srtp(ssl_, config_.srtp_profiles.c_str()) != 0) {
    fail_ctor("unknown SRTP profiles '" + config_.srtp_profiles + "'");
  }
  BIO* bio = BIO_new(DtlsBio::method());
  if (bio == nullptr) fail_ctor("BIO_new");
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by ssl_
  SSL_set_app_data(ssl_, &config_);
  // SSL_set_mtu returns the MTU set, 0 if refused.
  // OpenSSL would otherwise probe the path MTU through a socket we do not have.
  SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
  if (config_.mtu > 65535 || SSL_set_mtu(ssl_, static_cast<long>(config_.mtu)) <= 0 ||
      DTLS_set_link_mtu(ssl_, static_cast<long>(config_.mtu)) != 1) {
    fail_ctor("MTU " + std::to_string(config_.mtu) + " refused");
  }
  DTLS_set_timer_cb(ssl_, &next_retransmit_us);
  if (config_.role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
}

DtlsSession::~DtlsSession() {
  if (ssl_ != nullptr) {
    // The BIO points at us: detach it before SSL_free may flush through it.
    BIO_set_data(SSL_get_wbio(ssl_), nullptr);
    SSL_free(ssl_);
  }
}

void DtlsSession::set_state(DtlsState state) {
  if (state == state_) return;
  state_ = state;
  if (on_state_) on_state_(state);
}

void DtlsSession::fail(std::string reason) {
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  keys_.reset();
  failure_reason_ = std::move(reason);
  set_state(DtlsState::kFailed);
}

void DtlsSession::flush_output() {
  if (output_.empty()) return;
  ++datagrams_sent_;
  largest_datagram_sent_ = std::max(largest_datagram_sent_, output_.size());
  if (send_) send_(output_);
  output_.clear();
}

std::string DtlsSession::openssl_error(int ssl_ret) const {
  const int err = SSL_get_error(ssl_, ssl_ret);
  std::string out = "SSL error " + std::to_string(err);
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256] = {};
    ERR_error_string_n(e, buf, sizeof(buf));
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

void DtlsSession::start(Clock::time_point now) {
  if (state_ != DtlsState::kNew) return;
  handshake_deadline_ = now + config_.handshake_timeout;
  set_state(DtlsState::kConnecting);
  if (config_.role == DtlsRole::kClient) run_handshake();
  flush_output();
}

FeedResult DtlsSession::feed(std::span<const uint8_t> datagram) {
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) {
    return FeedResult::kNotRunning;
  }
  if (!looks_like_dtls_record(datagram)) {
    ++datagrams_rejected_;
    return FeedResult::kNotDtls;
  }
  input_ = datagram;
  if (state_ == DtlsState::kConnecting) {
    run_handshake();
  }
  // Records after the last handshake message in the same datagram (or a peer's retransmitted
  // Finished, which makes OpenSSL resend ours) are read here.
  if (state_ == DtlsState::kConnected) read_records();
  input_ = {};
  flush_output();
  return FeedResult::kOk;
}

void DtlsSession::run_handshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    flush_output();  // a server's last flight goes out before we judge the peer
    on_handshake_done();
    return;
  }
  const int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return;
  }
  // A fatal alert from OpenSSL (if any) is already in the output.
  flush_output();
  fail("handshake: " + openssl_error(ret));
}

void DtlsSession::on_handshake_done() {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) {
    fail("peer sent no certificate");
    return;
  }
  // RFC 5763 §5: the certificate must match the fingerprint signaled for this association.
  const std::string actual = certificate_fingerprint(peer, config_.remote_fingerprint.algorithm);
  if (!fingerprint_equal(actual, config_.remote_fingerprint.value)) {
    // Tell the peer we are done so that it does not send media we would drop.
    SSL_shutdown(ssl_);
    flush_output();
    fail("remote fingerprint mismatch (" +
         std::string(hash_algorithm_name(config_.remote_fingerprint.algorithm)) + " " + actual +
         ")");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  const std::optional<SrtpProfile> profile =
      selected != nullptr ? srtp_profile_from_id(static_cast<uint16_t>(selected->id))
                          : std::nullopt;
  if (!profile) {
    fail("no SRTP profile negotiated");
    return;
  }
  const size_t key_len = srtp_master_key_length(*profile);
  const size_t salt_len = srtp_master_salt_length(*profile);
  // client_write_key | server_write_key | client_write_salt | server_write_salt (RFC 5764 §4.2).
  std::vector<uint8_t> material(2 * (key_len + salt_len));
  if (SSL_export_keying_material(ssl_, material.data(), material.size(), kExporterLabel,
                                 sizeof(kExporterLabel) - 1, nullptr, 0, 0) != 1) {
    fail("keying material export: " + openssl_error(0));
    return;
  }
  const uint8_t* client_key = material.data();
  const uint8_t* server_key = client_key + key_len;
  const uint8_t* client_salt = server_key + key_len;
  const uint8_t* server_salt = client_salt + salt_len;
  const bool client = config_.role == DtlsRole::kClient;
  SrtpKeyingMaterial keys;
  keys.profile = *profile;
  const uint8_t* lk = client ? client_key : server_key;
  const uint8_t* ls = client ? client_salt : server_salt;
  const uint8_t* rk = client ? server_key : client_key;
  const uint8_t* rs = client ? server_salt : client_salt;
  keys.local_key.assign(lk, lk + key_len);
  keys.local_salt.assign(ls, ls + salt_len);
  keys.remote_key.assign(rk, rk + key_len);
  keys.remote_salt.assign(rs, rs + salt_len);
  OPENSSL_cleanse(material.data(), material.size());
  keys_ = std::move(keys);
  set_state(DtlsState::kConnected);
}

void DtlsSession::read_records() {
  uint8_t buf[4096];
  for (;;) {
    ERR_clear_error();
    const int ret = SSL_read(ssl_, buf, sizeof(buf));
    if (ret > 0) {
      if (on_data_) on_data_(std::span<const uint8_t>(buf, static_cast<size_t>(ret)));
      continue;
    }
    const int err = SSL_get_error(ssl_, ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      return;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      // close_notify (RFC 5246 §7.2.1): answer with ours, then the association is over.
      SSL_shutdown(ssl_);
      flush_output();
      keys_.reset();
      set_state(DtlsState::kClosed);
      return;
    }
    flush_output();
    fail("read: " + openssl_error(ret));
    return;
  }
}

void DtlsSession::on_timer(Clock::time_point now) {
  if (state_ != DtlsState::kConnecting) return;
  if (now >= handshake_deadline_) {
    fail("handshake timeout");
    return;
  }
  ERR_clear_error();
  // Retransmits only if OpenSSL's own timer has expired (see next_timeout).
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    flush_output();
    fail("retransmission limit: " + openssl_error(-1));
    return;
  }
  flush_output();
}

std::optional<DtlsSession::Clock::time_point> DtlsSession::next_timeout(
    Clock::time_point now) const {
  if (state_ != DtlsState::kConnecting) return std::nullopt;
  Clock::time_point next = handshake_deadline_;
  // OpenSSL 3.0 runs the retransmission timer on its own clock (gettimeofday) with no hook to
  // replace it, so the remaining time is what it reports, counted from the caller's now.
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) == 1) {
    const auto remaining = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    next = std::min(next, now + std::chrono::duration_cast<Clock::duration>(remaining));
  }
  return next;
}

void DtlsSession::close() {
  if (state_ == DtlsState::kClosed || state_ == DtlsState::kFailed) return;
  if (state_ != DtlsState::kNew) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    flush_output();
    ERR_clear_error();
  }
  keys_.reset();
  set_state(DtlsState::kClosed);
}

bool DtlsSession::send_data(std::span<const uint8_t> data) {
  if (state_ != DtlsState::kConnected || data.empty() || data.size() > 16384) return false;
  ERR_clear_error();
  const int ret = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  flush_output();
  if (ret <= 0) {
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace fanout::cp

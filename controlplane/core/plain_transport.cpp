#include "controlplane/core/plain_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "controlplane/core/errors.hpp"

namespace fanout::cp {

namespace {

[[noreturn]] void invalid(const std::string& what) {
  throw CpError(CpError::Code::kInvalidArgument, what);
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

size_t key_salt_length(SrtpProfile suite) {
  return srtp_master_key_length(suite) + srtp_master_salt_length(suite);
}

}  // namespace

std::optional<SrtpProfile> parse_srtp_crypto_suite(std::string_view name) {
  for (SrtpProfile p : {SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAeadAes128Gcm,
                        SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAes128CmSha1_32}) {
    if (srtp_profile_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string base64_encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t n = uint32_t{bytes[i]} << 16 |
                       (i + 1 < bytes.size() ? uint32_t{bytes[i + 1]} << 8 : 0) |
                       (i + 2 < bytes.size() ? uint32_t{bytes[i + 2]} : 0);
    out += kBase64Alphabet[n >> 18 & 63];
    out += kBase64Alphabet[n >> 12 & 63];
    out += i + 1 < bytes.size() ? kBase64Alphabet[n >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64Alphabet[n & 63] : '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      // Padding only at the end, and nothing after it.
      if (pad != 0) return std::nullopt;
      v[k] = base64_value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const uint32_t n = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | v[3];
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(n));
  }
  return out;
}

std::span<const uint8_t> SrtpParameters::master_key() const {
  return std::span<const uint8_t>(key).first(srtp_master_key_length(crypto_suite));
}

std::span<const uint8_t> SrtpParameters::master_salt() const {
  return std::span<const uint8_t>(key).subspan(srtp_master_key_length(crypto_suite));
}

SrtpParameters generate_srtp_parameters(SrtpProfile suite) {
  SrtpParameters p;
  p.crypto_suite = suite;
  p.key.resize(key_salt_length(suite));
  if (RAND_bytes(p.key.data(), static_cast<int>(p.key.size())) != 1)
    throw std::runtime_error("RAND_bytes failed: no SRTP key");
  return p;
}

SrtpParameters parse_srtp_parameters(std::string_view suite, std::string_view key_base64,
                                     const std::string& suite_field, const std::string& key_field) {
  std::optional<SrtpProfile> profile = parse_srtp_crypto_suite(suite);
  if (!profile) {
    invalid(suite_field + ": '" + std::string(suite) +
            "' is not AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 or "
            "AES_CM_128_HMAC_SHA1_32");
  }
  std::optional<std::vector<uint8_t>> key = base64_decode(key_base64);
  if (!key) invalid(key_field + ": not base64");
  const size_t need = key_salt_length(*profile);
  if (key->size() != need) {
    invalid(key_field + ": " + std::to_string(key->size()) + " bytes, " +
            std::string(srtp_profile_name(*profile)) + " needs " + std::to_string(need) +
            " (master key || salt)");
  }
  return {*profile, std::move(*key)};
}

int address_family(std::string_view address) {
  const std::string a(address);
  in6_addr buf{};
  if (inet_pton(AF_INET, a.c_str(), &buf) == 1) return AF_INET;
  if (inet_pton(AF_INET6, a.c_str(), &buf) == 1) return AF_INET6;
  return 0;
}

UdpEndpoint parse_remote_endpoint(std::string_view ip, uint32_t port, int family,
                                  const std::string& ip_field, const std::string& port_field) {
  const std::string text(ip);
  unsigned char buf[sizeof(in6_addr)] = {};
  const int got = address_family(text);
  if (got == 0) invalid(ip_field + ": '" + text + "' is not an IPv4 or IPv6 address");
  if (family != 0 && got != family) {
    invalid(ip_field + ": '" + text + "' is " + (got == AF_INET ? "IPv4" : "IPv6") +
            " but the transport's local address is " + (family == AF_INET ? "IPv4" : "IPv6"));
  }
  inet_pton(got, text.c_str(), buf);
  const unsigned char zero[sizeof(in6_addr)] = {};
  const size_t len = got == AF_INET ? 4 : 16;
  if (std::equal(buf, buf + len, zero)) invalid(ip_field + ": the unspecified address");
  if (port == 0 || port > 65535) invalid(port_field + ": " + std::to_string(port) + " (1..65535)");
  char out[INET6_ADDRSTRLEN] = {};
  inet_ntop(got, buf, out, sizeof(out));
  return {out, static_cast<uint16_t>(port)};
}

// ---------------------------------------------------------------------------------------------

PlainTransport::PlainTransport(DataplaneLink& link, uint32_t id, PlainTransportOptions options)
    : link_(link), id_(id), options_(std::move(options)) {
  if (options_.local_port == 0)
    throw std::invalid_argument("PlainTransport: a plain transport needs its own local_port");
  std::optional<UdpEndpoint> remote;
  if (!options_.comedia) remote = kUnconnectedRemote;
  auto created = link_.create_plain_transport(id_, options_.worker, options_.port,
                                              options_.local_port, remote, options_.comedia);
  if (!created.ok()) throw std::runtime_error(created.status.error());
  created_ = std::move(created.value);
  if (options_.srtp) {
    local_srtp_ = generate_srtp_parameters(*options_.srtp);
    // The receiving side under a key nobody has until connect(): see the header comment.
    SrtpParameters nobody = generate_srtp_parameters(*options_.srtp);
    Status s = link_.set_srtp_keys(id_, *options_.srtp, nobody.master_key(), nobody.master_salt(),
                                   local_srtp_->master_key(), local_srtp_->master_salt());
    if (!s.ok()) {
      (void)link_.delete_transport(id_);
      deleted_ = true;
      throw std::runtime_error(s.error());
    }
  }
}

PlainTransport::PlainTransport(DataplaneLink& link, uint32_t id, PlainTransportOptions options,
                               const Adopted& adopted)
    : link_(link),
      id_(id),
      options_(std::move(options)),
      created_(adopted.created),
      connected_(adopted.connected),
      remote_(adopted.remote),
      local_srtp_(adopted.local_srtp),
      selected_tuple_(adopted.selected_tuple) {}

PlainTransport::~PlainTransport() {
  close();
}

std::optional<UdpEndpoint> PlainTransport::remote() const {
  if (remote_) return remote_;
  if (options_.comedia && selected_tuple_) return selected_tuple_->remote;
  return std::nullopt;
}

void PlainTransport::check_connect(const std::optional<UdpEndpoint>& remote,
                                   const std::optional<SrtpParameters>& remote_srtp) const {
  if (deleted_) invalid("transport " + std::to_string(id_) + " is closed");
  if (connected_) invalid("connect: the plain transport is already connected");
  if (options_.comedia && remote) {
    invalid("ip: not with comedia (the remote is learnt from its first packet)");
  }
  if (!options_.comedia && !remote) invalid("ip: missing (the transport has comedia=false)");
  if (options_.srtp && !remote_srtp) {
    invalid("srtp_key_base64: missing (the transport has enable_srtp)");
  }
  if (!options_.srtp && remote_srtp) {
    invalid("srtp_key_base64: the transport was created without enable_srtp");
  }
}

PlainTransport::ConnectPlan PlainTransport::plan_connect(
    const std::optional<UdpEndpoint>& remote,
    const std::optional<SrtpParameters>& remote_srtp) const {
  check_connect(remote, remote_srtp);
  ConnectPlan plan;
  plan.remote = remote;
  plan.remote_srtp = remote_srtp;
  plan.local_srtp = local_srtp_;
  // mediasoup: "the SRTP crypto suite of the local srtpParameters gets also updated after
  // connect()": both directions under the remote's suite.
  if (local_srtp_ && remote_srtp && remote_srtp->crypto_suite != local_srtp_->crypto_suite)
    plan.local_srtp = generate_srtp_parameters(remote_srtp->crypto_suite);
  return plan;
}

Status PlainTransport::connect(const ConnectPlan& plan) {
  if (plan.remote_srtp && plan.local_srtp) {
    Status s = link_.set_srtp_keys(id_, plan.remote_srtp->crypto_suite,
                                   plan.remote_srtp->master_key(), plan.remote_srtp->master_salt(),
                                   plan.local_srtp->master_key(), plan.local_srtp->master_salt());
    if (!s.ok()) return s;
  }
  if (plan.remote) {
    if (Status s = link_.set_plain_remote(id_, plan.remote, false); !s.ok()) return s;
  }
  connected_ = true;
  remote_ = plan.remote;
  local_srtp_ = plan.local_srtp;
  if (plan.local_srtp) options_.srtp = plan.local_srtp->crypto_suite;
  if (plan.remote) {
    IceTuple t;
    t.local = {created_.local_address, created_.local_port};
    t.remote = *plan.remote;
    t.port = options_.port;
    selected_tuple_ = t;
  }
  return {};
}

Status PlainTransport::close() {
  if (deleted_) return {};
  deleted_ = true;
  return link_.connected() ? link_.delete_transport(id_) : Status{};
}

}  // namespace fanout::cp

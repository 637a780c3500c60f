// Plain RTP, or SRTP with static keys, on a UDP port of its own (mediasoup's PlainTransport):
// recorders, tests, other media nodes. No ICE and no DTLS: the keys travel in the API (ours in
// the create reply, the remote's in connect) and the data plane does the rest.
//
// A transport with comedia=false is created with kUnconnectedRemote, a remote no packet comes
// from and nothing is sent to; connect() installs the keys and then sets the real remote
// (SetPlainRemote), keeping its producers and consumers.
//
// With SRTP, our sending key is generated here (RAND_bytes) and installed at once; the receiving
// side gets a random key nobody knows until connect() brings the remote's, so nothing is accepted
// as plain RTP meanwhile (a transport without an inbound session would take plain RTP).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/core/dataplane_link.hpp"
#include "controlplane/dtls/srtp_profile.hpp"

namespace fanout::cp {

// The placeholder remote of a comedia=false transport before connect(): the unspecified address
// and the discard port.
inline const UdpEndpoint kUnconnectedRemote{"0.0.0.0", 9};

inline constexpr SrtpProfile kDefaultPlainSrtpSuite = SrtpProfile::kAes128CmSha1_80;

// mediasoup's cryptoSuite names (srtp_profile_name()); nullopt for anything else.
std::optional<SrtpProfile> parse_srtp_crypto_suite(std::string_view name);

std::string base64_encode(std::span<const uint8_t> bytes);
// Strict RFC 4648 §4 (padding required, no whitespace); nullopt when it is not.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);

// mediasoup's srtpParameters: a suite and master key || salt.
struct SrtpParameters {
  SrtpProfile crypto_suite = kDefaultPlainSrtpSuite;
  std::vector<uint8_t> key;  // master key || master salt
  std::string key_base64() const { return base64_encode(key); }
  std::span<const uint8_t> master_key() const;
  std::span<const uint8_t> master_salt() const;
  bool operator==(const SrtpParameters&) const = default;
};
// A fresh key for `suite` from RAND_bytes; throws std::runtime_error if OpenSSL has no entropy.
SrtpParameters generate_srtp_parameters(SrtpProfile suite);
// Checks a suite name and a key given through the API. Throws CpError kInvalidArgument naming
// `suite_field` or `key_field` ("srtp_key_base64: 16 bytes, AES_CM_128_HMAC_SHA1_80 needs 30").
SrtpParameters parse_srtp_parameters(std::string_view suite, std::string_view key_base64,
                                     const std::string& suite_field, const std::string& key_field);
// A remote ip and port given to connect(): an IPv4 or IPv6 address of `family` (AF_INET or
// AF_INET6, that of our local address), not the unspecified one, and a port other than 0. Returns
// the address as inet_ntop writes it. Throws CpError kInvalidArgument naming `ip_field` or
// `port_field`.
UdpEndpoint parse_remote_endpoint(std::string_view ip, uint32_t port, int family,
                                  const std::string& ip_field, const std::string& port_field);
// AF_INET or AF_INET6 for a textual address, 0 for neither.
int address_family(std::string_view address);

struct PlainTransportOptions {
  std::optional<uint16_t> worker;  // nullopt: the data plane picks
  uint16_t port = 0;               // DPDK port id
  uint16_t local_port = 0;         // required: a plain transport has a port of its own
  bool comedia = false;
  std::optional<SrtpProfile> srtp;  // nullopt: plain RTP
};

class PlainTransport {
 public:
  // Creates the transport in the data plane (and with SRTP our key, installed). Throws
  // std::runtime_error with the data plane's reason if it refuses.
  PlainTransport(DataplaneLink& link, uint32_t id, PlainTransportOptions options);
  // What a restarted control plane knows of a plain transport its predecessor created: the
  // journal's parameters and the data plane's Dump. Nothing is created.
  struct Adopted {
    TransportCreated created;
    bool connected = false;
    std::optional<UdpEndpoint> remote;         // connect's ip and port (comedia=false)
    std::optional<SrtpParameters> local_srtp;  // ours
    std::optional<IceTuple> selected_tuple;    // the comedia latch, from the Dump
  };
  PlainTransport(DataplaneLink& link, uint32_t id, PlainTransportOptions options,
                 const Adopted& adopted);
  // Deletes the transport in the data plane unless close() did.
  ~PlainTransport();
  PlainTransport(const PlainTransport&) = delete;
  PlainTransport& operator=(const PlainTransport&) = delete;

  uint32_t id() const { return id_; }
  bool comedia() const { return options_.comedia; }
  const TransportCreated& created() const { return created_; }
  bool connected() const { return connected_; }
  // comedia=false: connect's; comedia: the first packet's source, once the data plane latched it.
  std::optional<UdpEndpoint> remote() const;
  // Ours (what the remote decrypts with); nullopt without SRTP.
  const std::optional<SrtpParameters>& srtp_parameters() const { return local_srtp_; }
  const std::optional<IceTuple>& selected_tuple() const { return selected_tuple_; }

  // What connect() will do, checked before anything changes: `remote` is required without comedia
  // and refused with it, `remote_srtp` required with SRTP and refused without. Throws CpError
  // kInvalidArgument naming the field.
  void check_connect(const std::optional<UdpEndpoint>& remote,
                     const std::optional<SrtpParameters>& remote_srtp) const;
  // What the data plane must end up with after connect(): the keys (our key regenerated when the
  // remote's suite differs, as mediasoup does). Does not change the transport.
  struct ConnectPlan {
    std::optional<SrtpParameters> local_srtp;   // ours after connect
    std::optional<SrtpParameters> remote_srtp;  // the remote's
    std::optional<UdpEndpoint> remote;
  };
  ConnectPlan plan_connect(const std::optional<UdpEndpoint>& remote,
                           const std::optional<SrtpParameters>& remote_srtp) const;
  // Programs the data plane with `plan`: the keys first (both directions at once), then, without
  // comedia, the remote. Keys first: until the remote is set nothing is sent or accepted, so a
  // refusal in between leaves no media flowing under a half-applied plan. Status of the data
  // plane's replies; the transport records the plan only when both were accepted.
  Status connect(const ConnectPlan& plan);

  void on_tuple_selected(const IceTuple& tuple) { selected_tuple_ = tuple; }
  Status close();
  bool closed() const { return deleted_; }

 private:
  DataplaneLink& link_;
  uint32_t id_;
  PlainTransportOptions options_;
  TransportCreated created_;
  bool connected_ = false;
  std::optional<UdpEndpoint> remote_;
  std::optional<SrtpParameters> local_srtp_;
  std::optional<IceTuple> selected_tuple_;
  bool deleted_ = false;
};

}  // namespace fanout::cp

// One SRTP/SRTCP crypto context per (transport, direction): the session keys, keyed once into
// OpenSSL EVP contexts and precomputed HMAC state. Per-SSRC state (ROC, replay window, SRTCP index)
// is owned by the caller and passed in, so one session serves every stream of a transport.
// Not thread-safe: the lcore that owns the transport owns its sessions.
// Not supported: MKI (DTLS-SRTP never negotiates one; a packet carrying it fails authentication),
// key_derivation_rate other than 0, encrypted header extensions (RFC 6904), NULL cipher profiles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/srtp/aes.hpp"
#include "dataplane/srtp/kdf.hpp"
#include "dataplane/srtp/profile.hpp"
#include "dataplane/srtp/status.hpp"
#include "dataplane/srtp/stream_state.hpp"

namespace fanout::dp::srtp {

class SrtpSession {
 public:
  // Slow path: derives the session keys (RFC 3711 §4.3) from the DTLS-exported master key and salt.
  static std::unique_ptr<SrtpSession> create(Profile profile, std::span<const uint8_t> master_key,
                                             std::span<const uint8_t> master_salt,
                                             std::string* error);
  // Slow path: session keys given directly (RFC 7714 test vectors, or keys derived elsewhere).
  static std::unique_ptr<SrtpSession> create_from_session_keys(Profile profile,
                                                               const SessionKeys& keys,
                                                               std::string* error);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  Profile profile() const { return profile_; }

  // Packet path: no allocation, no exceptions. Packets are at most 65535 bytes.
  //
  // protect_*: reads len bytes at in, writes the protected packet (len + srtp_overhead() or
  // srtcp_overhead()) at out. The payload is encrypted straight from in to out in one pass. in ==
  // out (in place, with room for the trailer) works; any other overlap does not. unprotect_*: in
  // place; on kOk *out_len is the plain packet's length. The packet is authenticated (and checked
  // against replay) before the state is touched; on any error the state is unchanged and the
  // buffer's payload is unspecified.
  Status protect_rtp(const uint8_t* in, size_t len, uint8_t* out, size_t out_cap, size_t* out_len,
                     SrtpSendState& state);
  // Fan-out form of protect_rtp: the final RTP header (header_len bytes, CSRCs and extension
  // included) is already written at out, and the payload is read from elsewhere (the shared,
  // read-only decrypted packet), so that each consumer's copy costs one pass over the payload
  // instead of memcpy + in-place protect. Writes the encrypted payload at out + header_len and the
  // tag after it; *out_len = header_len + payload_len + srtp_overhead(). payload must not overlap
  // out, except payload == out + header_len exactly (in place). header_len must be what the header
  // at out says (kMalformed otherwise: the receiver would split the packet elsewhere). Statuses
  // other than kOk and kCryptoError write nothing; no error changes the state. kBufferTooSmall if
  // out_cap cannot hold the result.
  Status protect_rtp_split(uint8_t* out, size_t header_len, const uint8_t* payload,
                           size_t payload_len, size_t out_cap, size_t* out_len,
                           SrtpSendState& state);
  Status unprotect_rtp(uint8_t* pkt, size_t len, size_t* out_len, SrtpRecvState& state);

  // SRTCP (RFC 3711 §3.4; RFC 7714 §9 for GCM): always sent encrypted (E = 1). Packets with E = 0
  // are accepted on receive if they authenticate, as the RFC allows.
  Status protect_rtcp(const uint8_t* in, size_t len, uint8_t* out, size_t out_cap, size_t* out_len,
                      SrtcpSendState& state);
  Status unprotect_rtcp(uint8_t* pkt, size_t len, size_t* out_len, SrtcpRecvState& state);

 private:
  explicit SrtpSession(Profile profile);
  bool init(const SessionKeys& keys, std::string* error);
  // The one RTP protect path behind protect_rtp and protect_rtp_split; the caller has validated
  // the header at out (hdr bytes) and checked that hdr + payload_len + tag fits.
  Status seal_rtp(uint8_t* out, size_t hdr, const uint8_t* payload, size_t payload_len,
                  size_t* out_len, SrtpSendState& state);

  Profile profile_;
  bool gcm_;
  uint8_t rtp_tag_len_;
  uint8_t rtcp_tag_len_;
  uint8_t rtp_salt_[14] = {};
  uint8_t rtcp_salt_[14] = {};
  // AES-CM profiles.
  AesCtr rtp_ctr_;
  AesCtr rtcp_ctr_;
  HmacSha1Key rtp_auth_;
  HmacSha1Key rtcp_auth_;
  // GCM profiles: one context per direction so that neither switches mode per packet.
  AesGcm rtp_seal_;
  AesGcm rtp_open_;
  AesGcm rtcp_seal_;
  AesGcm rtcp_open_;
};

}  // namespace fanout::dp::srtp

#include "dataplane/srtp/srtp_session.hpp"

#include <openssl/crypto.h>

#include <cstring>

#include "dataplane/srtp/rtp_header.hpp"
#include "dataplane/srtp/rtp_index.hpp"

namespace fanout::dp::srtp {

namespace {

constexpr size_t kMaxPacket = 0xffff;
constexpr uint32_t kSrtcpEncryptedFlag = 0x80000000u;
constexpr uint32_t kSrtcpIndexMask = 0x7fffffffu;

// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
inline void cm_iv(const uint8_t salt[14], uint32_t ssrc, uint64_t index,
                  uint8_t iv[kAesBlockSize]) {
  std::memcpy(iv, salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  iv[4] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<uint8_t>(ssrc);
  for (int i = 0; i < 6; ++i) iv[13 - i] ^= static_cast<uint8_t>(index >> (8 * i));
}

// RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
inline void gcm_rtp_iv(const uint8_t salt[kGcmIvSize], uint32_t ssrc, uint32_t roc, uint16_t seq,
                       uint8_t iv[kGcmIvSize]) {
  std::memcpy(iv, salt, kGcmIvSize);
  iv[2] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[3] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[4] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[5] ^= static_cast<uint8_t>(ssrc);
  iv[6] ^= static_cast<uint8_t>(roc >> 24);
  iv[7] ^= static_cast<uint8_t>(roc >> 16);
  iv[8] ^= static_cast<uint8_t>(roc >> 8);
  iv[9] ^= static_cast<uint8_t>(roc);
  iv[10] ^= static_cast<uint8_t>(seq >> 8);
  iv[11] ^= static_cast<uint8_t>(seq);
}

// RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.
inline void gcm_rtcp_iv(const uint8_t salt[kGcmIvSize], uint32_t ssrc, uint32_t index,
                        uint8_t iv[kGcmIvSize]) {
  std::memcpy(iv, salt, kGcmIvSize);
  iv[2] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[3] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[4] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[5] ^= static_cast<uint8_t>(ssrc);
  iv[8] ^= static_cast<uint8_t>(index >> 24);
  iv[9] ^= static_cast<uint8_t>(index >> 16);
  iv[10] ^= static_cast<uint8_t>(index >> 8);
  iv[11] ^= static_cast<uint8_t>(index);
}

// RFC 3711 §4.2: tag = HMAC-SHA1(k_a, authenticated portion || suffix), truncated.
inline void hmac_tag(const HmacSha1Key& key, const uint8_t* data, size_t len,
                     const uint8_t suffix[4], uint8_t mac[kSha1Size]) {
  HmacSha1Key::Stream s = key.begin();
  s.update(data, len);
  if (suffix != nullptr) s.update(suffix, 4);
  s.finish(mac);
}

}  // namespace

SrtpSession::SrtpSession(Profile profile)
    : profile_(profile),
      gcm_(is_gcm(profile)),
      rtp_tag_len_(static_cast<uint8_t>(rtp_tag_length(profile))),
      rtcp_tag_len_(static_cast<uint8_t>(rtcp_tag_length(profile))) {}

SrtpSession::~SrtpSession() {
  OPENSSL_cleanse(rtp_salt_, sizeof(rtp_salt_));
  OPENSSL_cleanse(rtcp_salt_, sizeof(rtcp_salt_));
  OPENSSL_cleanse(&rtp_auth_, sizeof(rtp_auth_));
  OPENSSL_cleanse(&rtcp_auth_, sizeof(rtcp_auth_));
}

std::unique_ptr<SrtpSession> SrtpSession::create(Profile profile,
                                                 std::span<const uint8_t> master_key,
                                                 std::span<const uint8_t> master_salt,
                                                 std::string* error) {
  SessionKeys keys;
  if (!derive_session_keys(profile, master_key, master_salt, &keys, error)) return nullptr;
  std::unique_ptr<SrtpSession> session = create_from_session_keys(profile, keys, error);
  OPENSSL_cleanse(&keys, sizeof(keys));
  return session;
}

std::unique_ptr<SrtpSession> SrtpSession::create_from_session_keys(Profile profile,
                                                                   const SessionKeys& keys,
                                                                   std::string* error) {
  if (!profile_from_value(static_cast<uint16_t>(profile))) {
    if (error) *error = "unsupported SRTP profile";
    return nullptr;
  }
  std::unique_ptr<SrtpSession> session(new SrtpSession(profile));
  if (!session->init(keys, error)) return nullptr;
  return session;
}

bool SrtpSession::init(const SessionKeys& keys, std::string* error) {
  const size_t key_len = session_key_length(profile_);
  std::memcpy(rtp_salt_, keys.rtp_salt, session_salt_length(profile_));
  std::memcpy(rtcp_salt_, keys.rtcp_salt, session_salt_length(profile_));
  bool ok;
  if (gcm_) {
    ok = rtp_seal_.set_key(keys.rtp_key, key_len, true) &&
         rtp_open_.set_key(keys.rtp_key, key_len, false) &&
         rtcp_seal_.set_key(keys.rtcp_key, key_len, true) &&
         rtcp_open_.set_key(keys.rtcp_key, key_len, false);
  } else {
    ok = rtp_ctr_.set_key(keys.rtp_key, key_len) && rtcp_ctr_.set_key(keys.rtcp_key, key_len);
    rtp_auth_.set_key(keys.rtp_auth, session_auth_key_length(profile_));
    rtcp_auth_.set_key(keys.rtcp_auth, session_auth_key_length(profile_));
  }
  if (!ok && error) *error = std::string(profile_name(profile_)) + ": OpenSSL cipher setup failed";
  return ok;
}

Status SrtpSession::protect_rtp(const uint8_t* in, size_t len, uint8_t* out, size_t out_cap,
                                size_t* out_len, SrtpSendState& state) {
  if (len < kRtpFixedHeaderSize) return Status::kTooShort;
  if (len > kMaxPacket) return Status::kMalformed;
  const size_t hdr = rtp_header_length(in, len);
  if (hdr == 0) return Status::kMalformed;
  if (out_cap < len + rtp_tag_len_) return Status::kBufferTooSmall;
  if (out != in) std::memcpy(out, in, hdr);
  return seal_rtp(out, hdr, in + hdr, len - hdr, out_len, state);
}

Status SrtpSession::protect_rtp_split(uint8_t* out, size_t header_len, const uint8_t* payload,
                                      size_t payload_len, size_t out_cap, size_t* out_len,
                                      SrtpSendState& state) {
  if (header_len < kRtpFixedHeaderSize) return Status::kTooShort;
  if (header_len > kMaxPacket || payload_len > kMaxPacket - header_len) return Status::kMalformed;
  // Checked before the header is read, so that a header_len past out_cap is never dereferenced.
  if (out_cap < header_len + payload_len + rtp_tag_len_) return Status::kBufferTooSmall;
  if (rtp_header_length(out, header_len) != header_len) return Status::kMalformed;
  return seal_rtp(out, header_len, payload, payload_len, out_len, state);
}

Status SrtpSession::seal_rtp(uint8_t* out, size_t hdr, const uint8_t* payload, size_t payload_len,
                             size_t* out_len, SrtpSendState& state) {
  const size_t len = hdr + payload_len;
  const uint16_t seq = load_be16(out + 2);
  const uint32_t ssrc = load_be32(out + 8);
  // The sender tracks its ROC the way the receiver will estimate it (§3.3.1), so a late
  // retransmission of an older sequence number keeps the ROC it was first sent with.
  const uint32_t roc = state.started ? estimate_roc(state.roc, state.last_seq, seq) : state.roc;

  if (gcm_) {
    uint8_t iv[kGcmIvSize];
    gcm_rtp_iv(rtp_salt_, ssrc, roc, seq, iv);
    // RFC 7714 §8.2: the whole header (with CSRCs and extension) is the AAD.
    if (!rtp_seal_.seal(iv, out, hdr, nullptr, 0, payload, out + hdr, payload_len, out + len)) {
      return Status::kCryptoError;
    }
  } else {
    uint8_t iv[kAesBlockSize];
    cm_iv(rtp_salt_, ssrc, rtp_index(roc, seq), iv);
    if (!rtp_ctr_.crypt(iv, payload, out + hdr, payload_len)) return Status::kCryptoError;
    uint8_t roc_be[4];
    store_be32(roc_be, roc);
    uint8_t mac[kSha1Size];
    hmac_tag(rtp_auth_, out, len, roc_be, mac);
    std::memcpy(out + len, mac, rtp_tag_len_);
  }

  if (!state.started || rtp_index(roc, seq) > rtp_index(state.roc, state.last_seq)) {
    state.roc = roc;
    state.last_seq = seq;
    state.started = true;
  }
  *out_len = len + rtp_tag_len_;
  return Status::kOk;
}

Status SrtpSession::unprotect_rtp(uint8_t* pkt, size_t len, size_t* out_len, SrtpRecvState& state) {
  if (len < kRtpFixedHeaderSize + rtp_tag_len_) return Status::kTooShort;
  if (len > kMaxPacket) return Status::kMalformed;
  const size_t body = len - rtp_tag_len_;
  const size_t hdr = rtp_header_length(pkt, body);
  if (hdr == 0) return Status::kMalformed;

  const uint16_t seq = load_be16(pkt + 2);
  const uint32_t ssrc = load_be32(pkt + 8);
  const uint32_t roc = state.started ? estimate_roc(state.roc, state.s_l, seq) : state.roc;
  int64_t delta = 0;
  if (state.started) {
    delta = static_cast<int64_t>(rtp_index(roc, seq)) -
            static_cast<int64_t>(rtp_index(state.roc, state.s_l));
    // §3.3.2: a replay is rejected before spending an authentication on it.
    if (!state.window.check(delta)) return Status::kReplay;
  }

  if (gcm_) {
    uint8_t iv[kGcmIvSize];
    gcm_rtp_iv(rtp_salt_, ssrc, roc, seq, iv);
    if (!rtp_open_.open(iv, pkt, hdr, nullptr, 0, pkt + hdr, pkt + hdr, body - hdr, pkt + body)) {
      return Status::kAuthFail;
    }
  } else {
    // §3.3: authenticate first, decrypt only what authenticated.
    uint8_t roc_be[4];
    store_be32(roc_be, roc);
    uint8_t mac[kSha1Size];
    hmac_tag(rtp_auth_, pkt, body, roc_be, mac);
    if (CRYPTO_memcmp(mac, pkt + body, rtp_tag_len_) != 0) return Status::kAuthFail;
    uint8_t iv[kAesBlockSize];
    cm_iv(rtp_salt_, ssrc, rtp_index(roc, seq), iv);
    if (!rtp_ctr_.crypt(iv, pkt + hdr, pkt + hdr, body - hdr)) return Status::kCryptoError;
  }

  if (!state.started) {
    state.window.reset_to_first();
    state.roc = roc;
    state.s_l = seq;
    state.started = true;
  } else {
    state.window.accept(delta);
    if (delta > 0) {
      state.roc = roc;
      state.s_l = seq;
    }
  }
  *out_len = body;
  return Status::kOk;
}

Status SrtpSession::protect_rtcp(const uint8_t* in, size_t len, uint8_t* out, size_t out_cap,
                                 size_t* out_len, SrtcpSendState& state) {
  if (len < kRtcpHeaderSize) return Status::kTooShort;
  if (len > kMaxPacket || (in[0] >> 6) != 2) return Status::kMalformed;
  const size_t total = len + rtcp_tag_len_ + kSrtcpIndexSize;
  if (out_cap < total) return Status::kBufferTooSmall;
  const uint32_t index = state.next_index;
  if (index > kSrtcpIndexMask) return Status::kIndexExhausted;

  const uint32_t ssrc = load_be32(in + 4);
  uint8_t trailer[kSrtcpIndexSize];
  store_be32(trailer, kSrtcpEncryptedFlag | index);

  if (out != in) std::memcpy(out, in, kRtcpHeaderSize);
  if (gcm_) {
    uint8_t iv[kGcmIvSize];
    gcm_rtcp_iv(rtcp_salt_, ssrc, index, iv);
    // RFC 7714 §9.2: AAD = first 8 octets || E || SRTCP index; the tag precedes the index.
    if (!rtcp_seal_.seal(iv, in, kRtcpHeaderSize, trailer, sizeof(trailer), in + kRtcpHeaderSize,
                         out + kRtcpHeaderSize, len - kRtcpHeaderSize, out + len)) {
      return Status::kCryptoError;
    }
    std::memcpy(out + len + kGcmTagSize, trailer, sizeof(trailer));
  } else {
    uint8_t iv[kAesBlockSize];
    cm_iv(rtcp_salt_, ssrc, index, iv);
    if (!rtcp_ctr_.crypt(iv, in + kRtcpHeaderSize, out + kRtcpHeaderSize, len - kRtcpHeaderSize)) {
      return Status::kCryptoError;
    }
    std::memcpy(out + len, trailer, sizeof(trailer));
    uint8_t mac[kSha1Size];
    // §3.4: the authenticated portion runs through the E flag and index.
    hmac_tag(rtcp_auth_, out, len + kSrtcpIndexSize, nullptr, mac);
    std::memcpy(out + len + kSrtcpIndexSize, mac, rtcp_tag_len_);
  }
  state.next_index = index + 1;
  *out_len = total;
  return Status::kOk;
}

Status SrtpSession::unprotect_rtcp(uint8_t* pkt, size_t len, size_t* out_len,
                                   SrtcpRecvState& state) {
  if (len < kRtcpHeaderSize + kSrtcpIndexSize + rtcp_tag_len_) return Status::kTooShort;
  if (len > kMaxPacket || (pkt[0] >> 6) != 2) return Status::kMalformed;
  const size_t body = len - kSrtcpIndexSize - rtcp_tag_len_;
  // GCM: body || tag || E+index; CM: body || E+index || tag.
  const uint8_t* trailer = gcm_ ? pkt + len - kSrtcpIndexSize : pkt + body;
  const uint8_t* tag = gcm_ ? pkt + body : pkt + body + kSrtcpIndexSize;
  const uint32_t word = load_be32(trailer);
  const bool encrypted = (word & kSrtcpEncryptedFlag) != 0;
  const uint32_t index = word & kSrtcpIndexMask;

  int64_t delta = 0;
  if (state.started) {
    delta = static_cast<int64_t>(index) - static_cast<int64_t>(state.highest);
    if (!state.window.check(delta)) return Status::kReplay;
  }

  const uint32_t ssrc = load_be32(pkt + 4);
  if (gcm_) {
    uint8_t iv[kGcmIvSize];
    gcm_rtcp_iv(rtcp_salt_, ssrc, index, iv);
    const bool ok =
        encrypted
            ? rtcp_open_.open(iv, pkt, kRtcpHeaderSize, trailer, kSrtcpIndexSize,
                              pkt + kRtcpHeaderSize, pkt + kRtcpHeaderSize, body - kRtcpHeaderSize,
                              tag)
            // RFC 7714 §9.3: unencrypted SRTCP authenticates the whole packet as AAD.
            : rtcp_open_.open(iv, pkt, body, trailer, kSrtcpIndexSize, nullptr, nullptr, 0, tag);
    if (!ok) return Status::kAuthFail;
  } else {
    uint8_t mac[kSha1Size];
    hmac_tag(rtcp_auth_, pkt, body + kSrtcpIndexSize, nullptr, mac);
    if (CRYPTO_memcmp(mac, tag, rtcp_tag_len_) != 0) return Status::kAuthFail;
    if (encrypted) {
      uint8_t iv[kAesBlockSize];
      cm_iv(rtcp_salt_, ssrc, index, iv);
      if (!rtcp_ctr_.crypt(iv, pkt + kRtcpHeaderSize, pkt + kRtcpHeaderSize,
                           body - kRtcpHeaderSize)) {
        return Status::kCryptoError;
      }
    }
  }

  if (!state.started) {
    state.window.reset_to_first();
    state.highest = index;
    state.started = true;
  } else {
    state.window.accept(delta);
    if (delta > 0) state.highest = index;
  }
  *out_len = body;
  return Status::kOk;
}

}  // namespace fanout::dp::srtp

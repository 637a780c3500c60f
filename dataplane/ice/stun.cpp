#include "dataplane/ice/stun.hpp"

#include <cstring>

#include "dataplane/ice/crc32.hpp"
#include "dataplane/net/bytes.hpp"

namespace fanout::dp::ice {

using net::load_be16;
using net::load_be32;
using net::load_be64;

StunStatus parse_stun(const uint8_t* data, size_t len, StunMessage& m) {
  m = StunMessage{};
  if (len < kStunHeaderLen) return StunStatus::kTooShort;
  const uint16_t type = load_be16(data);
  if (type & 0xc000) return StunStatus::kNotStun;
  if (load_be32(data + 4) != kMagicCookie) return StunStatus::kBadCookie;
  const size_t body = load_be16(data + 2);
  // Offsets are 16-bit: a message over 65535 bytes cannot come in a UDP datagram anyway.
  if ((body & 3) != 0 || kStunHeaderLen + body != len || len > 0xffff) {
    return StunStatus::kBadLength;
  }
  m.data = data;
  m.size = static_cast<uint16_t>(len);
  m.type = type;

  for (size_t off = kStunHeaderLen; off < len;) {
    if (m.fingerprint_offset) return StunStatus::kAfterFingerprint;
    if (len - off < 4) return StunStatus::kAttrOverrun;
    const uint16_t at = load_be16(data + off);
    const size_t alen = load_be16(data + off + 2);
    const size_t padded = (alen + 3) & ~size_t{3};
    if (padded > len - off - 4) return StunStatus::kAttrOverrun;
    const uint8_t* v = data + off + 4;
    const auto here = static_cast<uint16_t>(off);
    off += 4 + padded;

    if (at == kAttrFingerprint) {
      if (alen != 4) return StunStatus::kBadAttrLength;
      m.fingerprint_offset = here;
      continue;
    }
    // RFC 5389 §15.4: agents MUST ignore attributes following MESSAGE-INTEGRITY, FINGERPRINT aside.
    if (m.mi_offset) continue;
    switch (at) {
      case kAttrMessageIntegrity:
        if (alen != kMessageIntegrityLen) return StunStatus::kBadAttrLength;
        m.mi_offset = here;
        break;
      case kAttrUsername:
        if (alen > kMaxUsernameLen) return StunStatus::kBadAttrLength;
        if (!m.username_offset) {
          m.username_offset = here;
          m.username_len = static_cast<uint16_t>(alen);
        }
        break;
      case kAttrPriority:
        if (alen != 4) return StunStatus::kBadAttrLength;
        if (!m.has_priority) {
          m.has_priority = true;
          m.priority = load_be32(v);
        }
        break;
      case kAttrUseCandidate:
        if (alen != 0) return StunStatus::kBadAttrLength;
        m.use_candidate = true;
        break;
      case kAttrIceControlling:
      case kAttrIceControlled:
        if (alen != 8) return StunStatus::kBadAttrLength;
        if (!m.ice_controlling && !m.ice_controlled) {
          (at == kAttrIceControlling ? m.ice_controlling : m.ice_controlled) = true;
          m.tie_breaker = load_be64(v);
        }
        break;
      case kAttrXorMappedAddress:
        if (alen != 8 && alen != 20) return StunStatus::kBadAttrLength;
        if (!m.xor_mapped_offset) m.xor_mapped_offset = here;
        break;
      case kAttrErrorCode:
        // 2 reserved bytes, class (3 bits), number (0-99), reason (RFC 5389 §15.6).
        if (alen < 4) return StunStatus::kBadAttrLength;
        if (!m.error_code) m.error_code = static_cast<uint16_t>((v[2] & 7) * 100 + v[3]);
        break;
      case kAttrSoftware:
        break;
      default:
        if (at < 0x8000) m.unknown_required = true;
        break;
    }
  }
  return StunStatus::kOk;
}

bool verify_message_integrity(const StunMessage& m, const HmacSha1Key& key) {
  if (!m.mi_offset) return false;
  uint8_t header[kStunHeaderLen];
  std::memcpy(header, m.data, kStunHeaderLen);
  net::store_be16(header + 2,
                  static_cast<uint16_t>(m.mi_offset + 4 + kMessageIntegrityLen - kStunHeaderLen));
  auto s = key.begin();
  s.update(header, kStunHeaderLen);
  s.update(m.data + kStunHeaderLen, m.mi_offset - kStunHeaderLen);
  uint8_t mac[kSha1Size];
  s.finish(mac);
  const uint8_t* wire = m.data + m.mi_offset + 4;
  uint8_t diff = 0;
  for (size_t i = 0; i < kSha1Size; ++i) diff |= static_cast<uint8_t>(mac[i] ^ wire[i]);
  return diff == 0;
}

bool verify_fingerprint(const StunMessage& m) {
  if (!m.fingerprint_offset) return false;
  const uint32_t expect = crc32(0, m.data, m.fingerprint_offset) ^ kFingerprintXor;
  return load_be32(m.data + m.fingerprint_offset + 4) == expect;
}

bool xor_mapped_address(const StunMessage& m, net::IpAddr& addr, uint16_t& port) {
  if (!m.xor_mapped_offset) return false;
  const size_t alen = load_be16(m.data + m.xor_mapped_offset + 2);
  const uint8_t* v = m.data + m.xor_mapped_offset + 4;
  // The address is XORed with the cookie followed by the transaction id (RFC 5389 §15.2).
  const uint8_t* mask = m.data + 4;
  uint8_t bytes[16];
  if (v[1] == 0x01 && alen == 8) {
    for (size_t i = 0; i < 4; ++i) bytes[i] = v[4 + i] ^ mask[i];
    addr = net::IpAddr::v4(bytes);
  } else if (v[1] == 0x02 && alen == 20) {
    for (size_t i = 0; i < 16; ++i) bytes[i] = v[4 + i] ^ mask[i];
    addr = net::IpAddr::v6(bytes);
  } else {
    return false;
  }
  port = static_cast<uint16_t>(load_be16(v + 2) ^ (kMagicCookie >> 16));
  return true;
}

}  // namespace fanout::dp::ice

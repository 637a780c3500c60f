// STUN (RFC 5389 / RFC 8489) message parsing and verification for an ICE-lite agent (RFC 8445
// §2.5): the data plane only answers Binding requests, so only the attributes ICE uses are
// extracted. Everything is a view into the caller's buffer; nothing allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataplane/common/drop_reasons.hpp"
#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/net/address.hpp"

namespace fanout::dp::ice {

inline constexpr uint32_t kMagicCookie = 0x2112a442;
inline constexpr uint32_t kFingerprintXor = 0x5354554e;  // "STUN", RFC 5389 §15.5
inline constexpr size_t kStunHeaderLen = 20;
inline constexpr size_t kTransactionIdLen = 12;
inline constexpr size_t kMessageIntegrityLen = 20;
inline constexpr size_t kMaxUsernameLen = 512;  // RFC 5389 §15.3: less than 513 bytes

inline constexpr uint16_t kBindingRequest = 0x0001;
inline constexpr uint16_t kBindingIndication = 0x0011;
inline constexpr uint16_t kBindingSuccess = 0x0101;
inline constexpr uint16_t kBindingError = 0x0111;

inline constexpr uint16_t kAttrUsername = 0x0006;
inline constexpr uint16_t kAttrMessageIntegrity = 0x0008;
inline constexpr uint16_t kAttrErrorCode = 0x0009;
inline constexpr uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr uint16_t kAttrPriority = 0x0024;
inline constexpr uint16_t kAttrUseCandidate = 0x0025;
inline constexpr uint16_t kAttrSoftware = 0x8022;
inline constexpr uint16_t kAttrFingerprint = 0x8028;
inline constexpr uint16_t kAttrIceControlled = 0x8029;
inline constexpr uint16_t kAttrIceControlling = 0x802a;

enum class StunStatus : uint8_t {
  kOk,
  kTooShort,       // fewer than 20 bytes
  kNotStun,        // the two top bits of the type are not zero (RFC 5389 §6)
  kBadCookie,      // no magic cookie: RFC 3489 STUN is not spoken here
  kBadLength,      // length not a multiple of 4, header + length is not the buffer size, or > 65535
  kAttrOverrun,    // an attribute (with its padding) runs past the message
  kBadAttrLength,  // a known attribute has the wrong size
  kAfterFingerprint,  // anything after FINGERPRINT, which must be last (RFC 5389 §15.5)
};

// Every parse failure is counted as one drop reason.
constexpr Drop to_drop(StunStatus) {
  return Drop::kStunMalformed;
}

struct StunMessage {
  const uint8_t* data = nullptr;  // the whole message
  uint16_t size = 0;              // 20 + message length
  uint16_t type = 0;

  // Offsets of attribute headers within data; 0 when absent.
  uint16_t username_offset = 0;
  uint16_t username_len = 0;
  uint16_t mi_offset = 0;
  uint16_t fingerprint_offset = 0;
  uint16_t xor_mapped_offset = 0;  // only meaningful in responses
  uint16_t error_code = 0;         // class * 100 + number, 0 when absent

  bool has_priority = false;
  bool use_candidate = false;
  bool ice_controlling = false;
  bool ice_controlled = false;
  // A comprehension-required attribute (0x0000-0x7fff) we do not know (RFC 5389 §7.3.1 wants a
  // 420 answer; the engine decides).
  bool unknown_required = false;
  uint32_t priority = 0;
  uint64_t tie_breaker = 0;  // from ICE-CONTROLLING or ICE-CONTROLLED

  const uint8_t* transaction_id() const { return data + 8; }
  std::string_view username() const {
    return username_offset
               ? std::string_view(reinterpret_cast<const char*>(data) + username_offset + 4,
                                  username_len)
               : std::string_view();
  }
};

// Parses a whole STUN message that is exactly `len` bytes (the UDP payload). Attributes are bounds
// checked including their padding to 4 bytes. Only the first occurrence of an attribute counts;
// attributes after MESSAGE-INTEGRITY other than FINGERPRINT are skipped (RFC 5389 §15.4); anything
// after FINGERPRINT is an error (§15.5).
StunStatus parse_stun(const uint8_t* data, size_t len, StunMessage& msg);

// RFC 5389 §15.4: HMAC-SHA1 with the short-term key (the ICE password) over the message up to
// MESSAGE-INTEGRITY, with the header length covering MESSAGE-INTEGRITY but not what follows it.
// False when MESSAGE-INTEGRITY is absent. Constant-time comparison.
bool verify_message_integrity(const StunMessage& msg, const HmacSha1Key& key);

// RFC 5389 §15.5: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554e. False when absent.
bool verify_fingerprint(const StunMessage& msg);

// XOR-MAPPED-ADDRESS (RFC 5389 §15.2) decoded; false when absent or malformed.
bool xor_mapped_address(const StunMessage& msg, net::IpAddr& addr, uint16_t& port);

// ICE USERNAME is "<receiver's ufrag>:<sender's ufrag>" (RFC 8445 §7.2.2); a lite agent receives
// the checks, so the part before the first colon is our (local) ufrag. Empty when there is no
// colon or either part is empty.
constexpr std::string_view local_ufrag(std::string_view username) {
  const size_t colon = username.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == username.size()) return {};
  return username.substr(0, colon);
}

}  // namespace fanout::dp::ice

// Builders for the two answers an ICE-lite agent gives to a Binding request: success with
// XOR-MAPPED-ADDRESS, or 487 Role Conflict. Both carry MESSAGE-INTEGRITY (same short-term key as
// the request) and FINGERPRINT. Allocation free; the caller owns the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/net/address.hpp"

namespace fanout::dp::ice {

struct StunResponseOptions {
  // Optional SOFTWARE attribute (RFC 5389 §15.10), written first; at most 763 bytes.
  std::string_view software;
  // Value of padding bytes. RFC 5389 §15 lets senders pick any; RFC 5769 vectors pad with spaces.
  uint8_t padding = 0;
};

// Largest response either builder writes: header, SOFTWARE (763 + padding), XOR-MAPPED-ADDRESS
// (IPv6) or ERROR-CODE, MESSAGE-INTEGRITY, FINGERPRINT.
inline constexpr size_t kMaxStunResponseLen = 20 + 4 + 764 + 4 + 20 + 4 + 20 + 4 + 4;

// Binding success response (0x0101) for the request's transaction id, reporting mapped:port (the
// request's source) in XOR-MAPPED-ADDRESS. Returns the message length, or 0 when cap is too small,
// the address family is unset, or software is too long.
size_t build_binding_success(uint8_t* out, size_t cap, const uint8_t transaction_id[12],
                             const net::IpAddr& mapped, uint16_t port, const HmacSha1Key& key,
                             const StunResponseOptions& opt = {});

// Binding error response (0x0111) with ERROR-CODE 487 "Role Conflict", for a request whose role
// claim conflicts with ours (RFC 8445 §7.3.1.1; a lite agent is always controlled, so a peer that
// sends ICE-CONTROLLED to it is in conflict). Returns the length or 0.
size_t build_role_conflict(uint8_t* out, size_t cap, const uint8_t transaction_id[12],
                           const HmacSha1Key& key, const StunResponseOptions& opt = {});

}  // namespace fanout::dp::ice

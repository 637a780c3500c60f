// base64url without padding (RFC 4648 §5, as RFC 7515 §2 uses it for JWS compact serialization).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fanout::sig {

std::string base64url_encode(std::span<const uint8_t> data);
inline std::string base64url_encode(std::string_view data) {
  return base64url_encode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

// Strict: no padding, no whitespace, only [A-Za-z0-9_-], and the unused low bits of the last
// character must be zero so that every byte string has exactly one encoding (otherwise a signature
// could be re-encoded into a different token that still verifies).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace fanout::sig

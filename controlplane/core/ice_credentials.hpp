// Our ICE credentials for one WebRtcTransport (RFC 8445 §5.3, RFC 8839 §5.4): a fresh ufrag and
// password from a CSPRNG. The password keys MESSAGE-INTEGRITY of every check, so it must be
// unguessable: 32 characters of a 62-letter alphabet carry ~190 bits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fanout::cp {

inline constexpr size_t kIceUfragLength = 16;
inline constexpr size_t kIcePwdLength = 32;
// A subset of RFC 8839 ice-char (ALPHA / DIGIT / "+" / "/"): no "+" or "/", which some SDP
// munging code mangles, and never ':', the USERNAME separator.
inline constexpr std::string_view kIceAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

// `length` characters drawn uniformly from kIceAlphabet with RAND_bytes (rejection sampling, no
// modulo bias). Throws std::runtime_error if the CSPRNG fails.
std::string random_ice_string(size_t length);
IceCredentials generate_ice_credentials();

}  // namespace fanout::cp

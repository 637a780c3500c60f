// Join tokens: JWT (RFC 7519) in JWS compact serialization (RFC 7515 §7.1), HS256 only.
// Only HS256 is accepted, whatever the header says: the key is a shared secret from the
// configuration, so the verifier never lets the token choose the algorithm (RFC 8725 §3.1).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/auth/result.hpp"

namespace fanout::sig {

struct Permissions {
  bool publish = false;
  bool subscribe = false;
  bool operator==(const Permissions&) const = default;
};

// The claims a join token carries. NumericDates are seconds since the epoch (RFC 7519 §2).
struct Claims {
  std::string room;
  std::string sub;                  // user id
  std::optional<std::string> name;  // display name
  Permissions perms;
  int64_t exp = 0;
  std::optional<int64_t> nbf;
  std::optional<int64_t> iat;
  std::optional<std::string> jti;
  bool operator==(const Claims&) const = default;
};

#define FANOUT_SIG_AUTH_ERRORS(X)                            \
  X(kTooLarge, "token_too_large")                            \
  X(kMalformed, "malformed") /* not three base64url parts */ \
  X(kBadJson, "bad_json")    /* header or payload */         \
  X(kUnsupportedAlg, "unsupported_alg")                      \
  X(kBadSignature, "bad_signature")                          \
  X(kExpired, "expired")                                     \
  X(kNotYetValid, "not_yet_valid")                           \
  X(kMissingClaim, "missing_claim")                          \
  X(kInvalidClaim, "invalid_claim")

enum class AuthErrorCode {
#define X(name, text) name,
  FANOUT_SIG_AUTH_ERRORS(X)
#undef X
};

// Stable snake_case name, for error responses and metrics labels.
std::string_view to_string(AuthErrorCode code);

struct AuthError {
  AuthErrorCode code = AuthErrorCode::kMalformed;
  std::string reason;  // for logs and the client; never contains the secret or the signature
};

inline constexpr size_t kMaxTokenBytes = 4096;
inline constexpr size_t kMinSecretBytes = 32;  // RFC 7518 §3.2: key at least the hash size
inline constexpr std::chrono::seconds kDefaultLeeway{30};

// The HS256 key. Checked once, at configuration: a short secret is a configuration error.
class JwtSecret {
 public:
  // Throws std::invalid_argument when the secret is shorter than kMinSecretBytes.
  explicit JwtSecret(std::string bytes);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

struct VerifyOptions {
  std::chrono::seconds leeway = kDefaultLeeway;  // allowed clock skew for exp / nbf / iat
};

// Signs `claims` with header {"alg":"HS256","typ":"JWT"}. Absent optional claims are left out.
std::string mint(const Claims& claims, const JwtSecret& secret);

// Checks size, structure, header (alg exactly "HS256", no "crit"), then the signature (constant
// time), and only then parses the payload: returns its JSON text. This is the JWS layer alone.
Result<std::string, AuthError> verify_jws(std::string_view token, const JwtSecret& secret);

// verify_jws, then the claims: types, required ones, and time validity at `now`:
// valid iff now < exp + leeway (RFC 7519 §4.1.4), now >= nbf - leeway (§4.1.5), iat <= now +
// leeway. Unknown claims are ignored (RFC 7519 §4).
Result<Claims, AuthError> verify(std::string_view token, const JwtSecret& secret,
                                 std::chrono::system_clock::time_point now,
                                 const VerifyOptions& options = {});

}  // namespace fanout::sig

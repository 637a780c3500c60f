#include "signaling/auth/jwt.hpp"

#include <cmath>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "signaling/auth/base64url.hpp"

namespace fanout::sig {
namespace {

constexpr size_t kSha256Bytes = 32;
// base64url of 32 bytes without padding.
constexpr size_t kSignatureChars = 43;

AuthError error(AuthErrorCode code, std::string reason) {
  return AuthError{code, std::move(reason)};
}

std::string hs256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &len) == nullptr ||
      len != kSha256Bytes) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), len);
}

// Parses one JSON object; duplicate names keep the last member, which RFC 7515 §4 allows.
std::optional<boost::json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A NumericDate may be a non-integer (RFC 7519 §2); whole seconds are enough for us.
std::optional<int64_t> numeric_date(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    // 2^62 s is far beyond any real date and keeps the + leeway arithmetic from overflowing.
    if (!std::isfinite(d) || d < -4.6e18 || d > 4.6e18) return std::nullopt;
    return static_cast<int64_t>(std::floor(d));
  }
  return std::nullopt;
}

constexpr int64_t kMaxDate = int64_t{1} << 62;

Result<int64_t, AuthError> date_claim(const boost::json::object& o, const char* name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) return error(AuthErrorCode::kMissingClaim, std::string("missing ") + name);
  const auto d = numeric_date(*v);
  if (!d || *d > kMaxDate || *d < -kMaxDate) {
    return error(AuthErrorCode::kInvalidClaim, std::string(name) + " is not a NumericDate");
  }
  return *d;
}

Result<std::string, AuthError> string_claim(const boost::json::object& o, const char* name,
                                            size_t max_bytes) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) return error(AuthErrorCode::kMissingClaim, std::string("missing ") + name);
  if (!v->is_string()) {
    return error(AuthErrorCode::kInvalidClaim, std::string(name) + " is not a string");
  }
  const auto& s = v->get_string();
  if (s.empty() || s.size() > max_bytes) {
    return error(AuthErrorCode::kInvalidClaim, std::string(name) + " is empty or too long");
  }
  return std::string(s);
}

}  // namespace

std::string_view to_string(AuthErrorCode code) {
  switch (code) {
#define X(name, text)       \
  case AuthErrorCode::name: \
    return text;
    FANOUT_SIG_AUTH_ERRORS(X)
#undef X
  }
  return "unknown";
}

JwtSecret::JwtSecret(std::string bytes) : bytes_(std::move(bytes)) {
  if (bytes_.size() < kMinSecretBytes) {
    throw std::invalid_argument("JWT secret must be at least 32 bytes (HS256, RFC 7518 §3.2)");
  }
}

std::string mint(const Claims& claims, const JwtSecret& secret) {
  boost::json::object payload;
  payload["room"] = claims.room;
  payload["sub"] = claims.sub;
  if (claims.name) payload["name"] = *claims.name;
  boost::json::array perms;
  if (claims.perms.publish) perms.emplace_back("publish");
  if (claims.perms.subscribe) perms.emplace_back("subscribe");
  payload["perms"] = std::move(perms);
  payload["exp"] = claims.exp;
  if (claims.nbf) payload["nbf"] = *claims.nbf;
  if (claims.iat) payload["iat"] = *claims.iat;
  if (claims.jti) payload["jti"] = *claims.jti;

  std::string signing_input = base64url_encode(std::string_view(R"({"alg":"HS256","typ":"JWT"})"));
  signing_input += '.';
  signing_input += base64url_encode(boost::json::serialize(payload));
  const std::string mac = hs256(secret.bytes(), signing_input);
  signing_input += '.';
  signing_input += base64url_encode(mac);
  return signing_input;
}

Result<std::string, AuthError> verify_jws(std::string_view token, const JwtSecret& secret) {
  if (token.size() > kMaxTokenBytes) {
    return error(AuthErrorCode::kTooLarge, "token larger than 4096 bytes");
  }
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return error(AuthErrorCode::kMalformed, "not a JWS");
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return error(AuthErrorCode::kMalformed, "not a JWS compact serialization (3 parts)");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  const auto header_text = base64url_decode(header_b64);
  if (!header_text) return error(AuthErrorCode::kMalformed, "header is not base64url");
  const auto header = parse_object(*header_text);
  if (!header) return error(AuthErrorCode::kBadJson, "header is not a JSON object");
  const auto* alg = header->if_contains("alg");
  if (alg == nullptr) return error(AuthErrorCode::kUnsupportedAlg, "header has no alg");
  if (!alg->is_string() || alg->get_string() != "HS256") {
    return error(AuthErrorCode::kUnsupportedAlg, "only alg HS256 is accepted");
  }
  // RFC 7515 §4.1.11: extensions we do not understand must make the JWS invalid.
  if (header->contains("crit")) {
    return error(AuthErrorCode::kUnsupportedAlg, "crit header extensions are not supported");
  }

  // Compare signatures as bytes: the strict decoder makes the encoding canonical.
  if (signature_b64.size() != kSignatureChars) {
    return error(AuthErrorCode::kBadSignature, "signature is not 32 bytes");
  }
  const auto signature = base64url_decode(signature_b64);
  if (!signature || signature->size() != kSha256Bytes) {
    return error(AuthErrorCode::kBadSignature, "signature is not base64url");
  }
  const std::string expected = hs256(secret.bytes(), token.substr(0, dot2));
  if (CRYPTO_memcmp(expected.data(), signature->data(), kSha256Bytes) != 0) {
    return error(AuthErrorCode::kBadSignature, "signature mismatch");
  }

  auto payload = base64url_decode(payload_b64);
  if (!payload) return error(AuthErrorCode::kMalformed, "payload is not base64url");
  return std::move(*payload);
}

Result<Claims, AuthError> verify(std::string_view token, const JwtSecret& secret,
                                 std::chrono::system_clock::time_point now,
                                 const VerifyOptions& options) {
  auto payload_text = verify_jws(token, secret);
  if (!payload_text) return payload_text.error();
  const auto payload = parse_object(payload_text.value());
  if (!payload) return error(AuthErrorCode::kBadJson, "payload is not a JSON object");

  Claims claims;
  {
    auto room = string_claim(*payload, "room", 128);
    if (!room) return room.error();
    claims.room = std::move(room.value());
    auto sub = string_claim(*payload, "sub", 128);
    if (!sub) return sub.error();
    claims.sub = std::move(sub.value());
  }
  if (payload->contains("name")) {
    auto name = string_claim(*payload, "name", 128);
    if (!name) return name.error();
    claims.name = std::move(name.value());
  }
  if (payload->contains("jti")) {
    auto jti = string_claim(*payload, "jti", 128);
    if (!jti) return jti.error();
    claims.jti = std::move(jti.value());
  }
  const auto* perms = payload->if_contains("perms");
  if (perms == nullptr) return error(AuthErrorCode::kMissingClaim, "missing perms");
  if (!perms->is_array()) return error(AuthErrorCode::kInvalidClaim, "perms is not an array");
  for (const auto& p : perms->get_array()) {
    if (p.is_string() && p.get_string() == "publish") {
      claims.perms.publish = true;
    } else if (p.is_string() && p.get_string() == "subscribe") {
      claims.perms.subscribe = true;
    } else {
      // A typo must not silently turn into a token that can do less (or more) than meant.
      return error(AuthErrorCode::kInvalidClaim,
                   "perms holds something other than "
                   "\"publish\" or \"subscribe\"");
    }
  }

  auto exp = date_claim(*payload, "exp");
  if (!exp) return exp.error();
  claims.exp = exp.value();
  if (payload->contains("nbf")) {
    auto nbf = date_claim(*payload, "nbf");
    if (!nbf) return nbf.error();
    claims.nbf = nbf.value();
  }
  if (payload->contains("iat")) {
    auto iat = date_claim(*payload, "iat");
    if (!iat) return iat.error();
    claims.iat = iat.value();
  }

  const int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t leeway = options.leeway.count();
  if (!(now_s < claims.exp + leeway)) return error(AuthErrorCode::kExpired, "token expired");
  if (claims.nbf && now_s < *claims.nbf - leeway) {
    return error(AuthErrorCode::kNotYetValid, "token not valid yet (nbf)");
  }
  if (claims.iat && *claims.iat > now_s + leeway) {
    return error(AuthErrorCode::kNotYetValid, "token issued in the future (iat)");
  }
  return claims;
}

}  // namespace fanout::sig

#include "signaling/auth/jwt.hpp"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "signaling/auth/base64url.hpp"

namespace fanout::sig {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

const JwtSecret& secret() {
  static const JwtSecret s("0123456789abcdef0123456789abcdef-test-secret");
  return s;
}

system_clock::time_point at(int64_t unix_seconds) {
  return system_clock::time_point(seconds(unix_seconds));
}

constexpr int64_t kNow = 1'700'000'000;

// Signs arbitrary header and payload text, to build tokens mint() would never produce.
std::string sign(std::string_view header, std::string_view payload,
                 const std::string& key = secret().bytes()) {
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url_encode(std::span<const uint8_t>(mac, len));
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string payload_with(std::string_view extra) {
  return std::string(R"({"room":"r1","sub":"alice","perms":["publish","subscribe"],"exp":)") +
         std::to_string(kNow + 600) + std::string(extra) + "}";
}

AuthErrorCode code_of(std::string_view token, int64_t now = kNow) {
  auto r = verify(token, secret(), at(now));
  EXPECT_FALSE(r.ok()) << token;
  return r.ok() ? AuthErrorCode::kMalformed : r.error().code;
}

Claims full_claims() {
  Claims c;
  c.room = "room-42";
  c.sub = "user-7";
  c.name = "Ada \"L\" \xc3\xa9";
  c.perms = {.publish = true, .subscribe = false};
  c.exp = kNow + 3600;
  c.nbf = kNow - 10;
  c.iat = kNow - 10;
  c.jti = "id-1";
  return c;
}

// RFC 7515 Appendix A.1: the JWS, its key (JWK "k") and its payload.
TEST(Jwt, Rfc7515AppendixA1Verifies) {
  const auto key = base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key);
  const JwtSecret a1_key(*key);
  const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
      ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnV"
      "lfQ"
      ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  auto payload = verify_jws(token, a1_key);
  ASSERT_TRUE(payload.ok()) << payload.error().reason;
  EXPECT_EQ(payload.value(),
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");

  // The signature is right, but it carries none of our claims.
  auto claims = verify(token, a1_key, at(1300819000));
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.error().code, AuthErrorCode::kMissingClaim);

  // One flipped signature bit is a mismatch; another key too.
  std::string bad = token;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'E' ? 'F' : 'E';
  EXPECT_EQ(verify_jws(bad, a1_key).error().code, AuthErrorCode::kBadSignature);
  EXPECT_EQ(verify_jws(token, secret()).error().code, AuthErrorCode::kBadSignature);
}

TEST(Jwt, MintThenVerifyRoundTrips) {
  const Claims c = full_claims();
  const std::string token = mint(c, secret());
  auto r = verify(token, secret(), at(kNow));
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.value(), c);

  Claims minimal;
  minimal.room = "r";
  minimal.sub = "u";
  minimal.perms.subscribe = true;
  minimal.exp = kNow + 1;
  auto m = verify(mint(minimal, secret()), secret(), at(kNow));
  ASSERT_TRUE(m.ok()) << m.error().reason;
  EXPECT_EQ(m.value(), minimal);
}

TEST(Jwt, AcceptsUnknownClaimsAndFractionalDates) {
  auto r =
      verify(sign(kHeader, payload_with(R"(,"iss":"app","nbf":1699999999.5)")), secret(), at(kNow));
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.value().nbf, 1699999999);
}

TEST(Jwt, SecretsShorterThan32BytesAreRefusedAtConfiguration) {
  EXPECT_THROW(JwtSecret(std::string(31, 'k')), std::invalid_argument);
  EXPECT_THROW(JwtSecret(""), std::invalid_argument);
  EXPECT_NO_THROW(JwtSecret(std::string(32, 'k')));
}

TEST(Jwt, RejectsAlgorithmsOtherThanHs256) {
  const std::string p = payload_with("");
  for (const std::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS256 ","typ":"JWT"})", R"({"alg":" HS256"})",
        R"({"alg":"hs256"})", R"({"alg":"HS384"})", R"({"alg":"RS256"})",
        R"({"alg":"HS256\u0000"})", R"({"alg":["HS256"]})", R"({"alg":null})", R"({"typ":"JWT"})",
        R"({"alg":"HS256","crit":["exp"]})"}) {
    EXPECT_EQ(code_of(sign(header, p)), AuthErrorCode::kUnsupportedAlg) << header;
  }
  // alg "none" with an empty signature, the classic downgrade.
  const std::string none =
      base64url_encode(std::string_view(R"({"alg":"none"})")) + "." + base64url_encode(p) + ".";
  EXPECT_EQ(code_of(none), AuthErrorCode::kUnsupportedAlg);
}

TEST(Jwt, DuplicateAlgKeepsTheLastMemberAsRfc7515Allows) {
  EXPECT_EQ(code_of(sign(R"({"alg":"HS256","alg":"none"})", payload_with(""))),
            AuthErrorCode::kUnsupportedAlg);
}

TEST(Jwt, RejectsBadStructureAndBase64Url) {
  const std::string good = mint(full_claims(), secret());
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');
  EXPECT_EQ(code_of(""), AuthErrorCode::kMalformed);
  EXPECT_EQ(code_of("abc"), AuthErrorCode::kMalformed);
  EXPECT_EQ(code_of(good.substr(0, dot2)), AuthErrorCode::kMalformed);
  EXPECT_EQ(code_of(good + ".x"), AuthErrorCode::kMalformed);
  EXPECT_EQ(code_of("!" + good), AuthErrorCode::kMalformed);
  EXPECT_EQ(code_of(base64url_encode(kHeader) + "=" + good.substr(dot1)),
            AuthErrorCode::kMalformed);
  // Signature that is not base64url, or not canonical, or not 32 bytes.
  std::string sig_bad = good;
  sig_bad[dot2 + 3] = '+';
  EXPECT_EQ(code_of(sig_bad), AuthErrorCode::kBadSignature);
  EXPECT_EQ(code_of(good + "A"), AuthErrorCode::kBadSignature);
  EXPECT_EQ(code_of(good.substr(0, good.size() - 1)), AuthErrorCode::kBadSignature);
  std::string noncanonical = good;
  char& last = noncanonical.back();
  // 43 characters carry 258 bits: the last character's 2 low bits are padding and must be zero.
  last = last == 'A' ? 'B' : static_cast<char>(last ^ 1);
  EXPECT_EQ(code_of(noncanonical), AuthErrorCode::kBadSignature);
  // Payload that is not base64url, correctly signed.
  const std::string input = base64url_encode(kHeader) + ".e30*";
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret().bytes().data(), static_cast<int>(secret().bytes().size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  EXPECT_EQ(code_of(input + "." + base64url_encode(std::span<const uint8_t>(mac, len))),
            AuthErrorCode::kMalformed);
}

TEST(Jwt, RejectsBadJson) {
  EXPECT_EQ(code_of(sign(R"({"alg":"HS256")", payload_with(""))), AuthErrorCode::kBadJson);
  EXPECT_EQ(code_of(sign(R"(["HS256"])", payload_with(""))), AuthErrorCode::kBadJson);
  EXPECT_EQ(code_of(sign(kHeader, R"({"room":"r1",)")), AuthErrorCode::kBadJson);
  EXPECT_EQ(code_of(sign(kHeader, R"("room")")), AuthErrorCode::kBadJson);
  EXPECT_EQ(code_of(sign(kHeader, "")), AuthErrorCode::kBadJson);
}

TEST(Jwt, RejectsSignatureMismatch) {
  const std::string good = mint(full_claims(), secret());
  EXPECT_EQ(code_of(mint(full_claims(), JwtSecret(std::string(32, 'x')))),
            AuthErrorCode::kBadSignature);
  // Payload swapped under the original signature (privilege escalation attempt).
  Claims other = full_claims();
  other.perms.subscribe = true;
  const std::string forged_payload = mint(other, secret());
  const std::string spliced =
      forged_payload.substr(0, forged_payload.rfind('.')) + good.substr(good.rfind('.'));
  EXPECT_EQ(code_of(spliced), AuthErrorCode::kBadSignature);
}

TEST(Jwt, RejectsTokensOver4KiB) {
  Claims c = full_claims();
  c.jti.reset();
  std::string token = mint(c, secret());
  // Grow an ignored claim until the token is exactly at the limit, then one byte over.
  std::string pad;
  std::string at_limit;
  for (;;) {
    at_limit = sign(kHeader, payload_with(",\"x\":\"" + pad + "\""));
    if (at_limit.size() >= kMaxTokenBytes) break;
    pad.push_back('a');
  }
  ASSERT_GE(at_limit.size(), kMaxTokenBytes);
  if (at_limit.size() == kMaxTokenBytes) {
    EXPECT_TRUE(verify(at_limit, secret(), at(kNow)).ok());
  }
  EXPECT_EQ(code_of(at_limit + std::string(kMaxTokenBytes + 1 - at_limit.size(), 'A')),
            AuthErrorCode::kTooLarge);
  EXPECT_EQ(code_of(std::string(100000, 'a')), AuthErrorCode::kTooLarge);
}

TEST(Jwt, RejectsMissingRequiredClaims) {
  const std::string exp = std::to_string(kNow + 600);
  EXPECT_EQ(code_of(sign(kHeader, R"({"sub":"a","perms":[],"exp":)" + exp + "}")),
            AuthErrorCode::kMissingClaim);
  EXPECT_EQ(code_of(sign(kHeader, R"({"room":"r","perms":[],"exp":)" + exp + "}")),
            AuthErrorCode::kMissingClaim);
  EXPECT_EQ(code_of(sign(kHeader, R"({"room":"r","sub":"a","exp":)" + exp + "}")),
            AuthErrorCode::kMissingClaim);
  EXPECT_EQ(code_of(sign(kHeader, R"({"room":"r","sub":"a","perms":[]})")),
            AuthErrorCode::kMissingClaim);
}

TEST(Jwt, RejectsWrongClaimTypes) {
  const std::string exp = std::to_string(kNow + 600);
  const std::string base = R"("perms":["subscribe"],"exp":)" + exp;
  for (const std::string& payload : std::vector<std::string>{
           R"({"room":7,"sub":"a",)" + base + "}",
           R"({"room":"","sub":"a",)" + base + "}",
           R"({"room":"r","sub":null,)" + base + "}",
           R"({"room":"r","sub":"a","name":1,)" + base + "}",
           R"({"room":"r","sub":"a","jti":{},)" + base + "}",
           R"({"room":"r","sub":"a","perms":"publish","exp":)" + exp + "}",
           R"({"room":"r","sub":"a","perms":["admin"],"exp":)" + exp + "}",
           R"({"room":"r","sub":"a","perms":[1],"exp":)" + exp + "}",
           R"({"room":"r","sub":"a","perms":[],"exp":")" + exp + "\"}",
           R"({"room":"r","sub":"a","perms":[],"exp":true})",
           R"({"room":"r","sub":"a","perms":[],"exp":1e300})",
           R"({"room":"r","sub":"a","perms":[],"exp":18446744073709551615})",
           R"({"room":"r","sub":"a",)" + base + R"(,"nbf":"0"})",
           R"({"room":"r","sub":"a",)" + base + R"(,"iat":[]})",
           R"({"room":")" + std::string(129, 'r') + R"(","sub":"a",)" + base + "}",
       }) {
    EXPECT_EQ(code_of(sign(kHeader, payload)), AuthErrorCode::kInvalidClaim) << payload;
  }
}

TEST(Jwt, ExpiryAndLeewayBoundaries) {
  Claims c = full_claims();
  c.nbf.reset();
  c.iat.reset();
  c.exp = kNow;
  const std::string token = mint(c, secret());
  // Default leeway 30 s: valid while now < exp + 30.
  EXPECT_TRUE(verify(token, secret(), at(kNow + 29)).ok());
  EXPECT_TRUE(verify(token, secret(), at(kNow + 29) + std::chrono::milliseconds(999)).ok());
  EXPECT_EQ(code_of(token, kNow + 30), AuthErrorCode::kExpired);
  // No leeway: exp itself is already too late (RFC 7519 §4.1.4 "before").
  EXPECT_TRUE(verify(token, secret(), at(kNow - 1), {.leeway = seconds(0)}).ok());
  auto r = verify(token, secret(), at(kNow), {.leeway = seconds(0)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AuthErrorCode::kExpired);
  EXPECT_TRUE(verify(token, secret(), at(kNow + 119), {.leeway = seconds(120)}).ok());
}

TEST(Jwt, NotBeforeAndIssuedAtBoundaries) {
  Claims c = full_claims();
  c.iat.reset();
  c.nbf = kNow + 100;
  const std::string nbf_token = mint(c, secret());
  EXPECT_EQ(code_of(nbf_token, kNow + 69), AuthErrorCode::kNotYetValid);
  EXPECT_TRUE(verify(nbf_token, secret(), at(kNow + 70)).ok());
  EXPECT_TRUE(verify(nbf_token, secret(), at(kNow + 100), {.leeway = seconds(0)}).ok());
  EXPECT_FALSE(verify(nbf_token, secret(), at(kNow + 99), {.leeway = seconds(0)}).ok());

  c.nbf.reset();
  c.iat = kNow + 100;
  const std::string iat_token = mint(c, secret());
  EXPECT_EQ(code_of(iat_token, kNow + 69), AuthErrorCode::kNotYetValid);
  EXPECT_TRUE(verify(iat_token, secret(), at(kNow + 70)).ok());
}

TEST(Jwt, ErrorCodesHaveStableNames) {
  EXPECT_EQ(to_string(AuthErrorCode::kExpired), "expired");
  EXPECT_EQ(to_string(AuthErrorCode::kBadSignature), "bad_signature");
  EXPECT_EQ(to_string(AuthErrorCode::kTooLarge), "token_too_large");
}

}  // namespace
}  // namespace fanout::sig

// The parts of PlainTransport that need no data plane: mediasoup's suite names, base64 (RFC 4648
// §10 vectors), key lengths per suite and the remote address checks. The transport itself runs
// against the real data plane in tests/controlplane/service/plain_transport_test.cpp.
#include "controlplane/core/plain_transport.hpp"

#include <netinet/in.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "controlplane/core/errors.hpp"

namespace fanout::cp::test {
namespace {

std::vector<uint8_t> bytes(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

TEST(PlainTransport, SuiteNamesAreMediasoups) {
  EXPECT_EQ(parse_srtp_crypto_suite("AES_CM_128_HMAC_SHA1_80"), SrtpProfile::kAes128CmSha1_80);
  EXPECT_EQ(parse_srtp_crypto_suite("AES_CM_128_HMAC_SHA1_32"), SrtpProfile::kAes128CmSha1_32);
  EXPECT_EQ(parse_srtp_crypto_suite("AEAD_AES_128_GCM"), SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(parse_srtp_crypto_suite("AEAD_AES_256_GCM"), SrtpProfile::kAeadAes256Gcm);
  EXPECT_EQ(parse_srtp_crypto_suite("SRTP_AES128_CM_SHA1_80"), std::nullopt);  // OpenSSL's name
  EXPECT_EQ(parse_srtp_crypto_suite("aes_cm_128_hmac_sha1_80"), std::nullopt);
  EXPECT_EQ(parse_srtp_crypto_suite(""), std::nullopt);
}

TEST(PlainTransport, Base64Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), bytes(plain)) << encoded;
  }
  const std::vector<uint8_t> all = {0x00, 0xff, 0xfe, 0x3e, 0x3f, 0x80};
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_EQ(base64_decode("Zg="), std::nullopt);       // not a multiple of 4
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);  // padding in the middle
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);      // 6 bits are not a byte
  EXPECT_EQ(base64_decode("Zm9v YmFy"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9-"), std::nullopt);  // base64url is another alphabet
}

TEST(PlainTransport, GeneratedKeysHaveTheSuitesLengthAndDiffer) {
  const std::pair<SrtpProfile, size_t> suites[] = {{SrtpProfile::kAes128CmSha1_80, 30},
                                                   {SrtpProfile::kAes128CmSha1_32, 30},
                                                   {SrtpProfile::kAeadAes128Gcm, 28},
                                                   {SrtpProfile::kAeadAes256Gcm, 44}};
  for (auto [suite, length] : suites) {
    SrtpParameters a = generate_srtp_parameters(suite);
    SrtpParameters b = generate_srtp_parameters(suite);
    EXPECT_EQ(a.key.size(), length);
    EXPECT_NE(a.key, b.key);
    EXPECT_EQ(a.master_key().size() + a.master_salt().size(), length);
    // What the API carries parses back to the same key.
    EXPECT_EQ(parse_srtp_parameters(srtp_profile_name(suite), a.key_base64(), "s", "k"), a);
  }
}

void expect_invalid(const std::function<void()>& f, const std::string& in_reason) {
  try {
    f();
    ADD_FAILURE() << "no error, expected one mentioning '" << in_reason << "'";
  } catch (const CpError& e) {
    EXPECT_EQ(e.code(), CpError::Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(in_reason), std::string::npos) << e.what();
  }
}

TEST(PlainTransport, KeyOfTheWrongLengthForTheSuiteIsRefused) {
  const std::string cm = base64_encode(std::vector<uint8_t>(30, 7));
  const std::string gcm128 = base64_encode(std::vector<uint8_t>(28, 7));
  const std::string gcm256 = base64_encode(std::vector<uint8_t>(44, 7));
  EXPECT_NO_THROW(parse_srtp_parameters("AEAD_AES_128_GCM", gcm128, "suite", "key"));
  EXPECT_NO_THROW(parse_srtp_parameters("AEAD_AES_256_GCM", gcm256, "suite", "key"));
  expect_invalid([&] { parse_srtp_parameters("AES_CM_128_HMAC_SHA1_80", gcm128, "suite", "key"); },
                 "key: 28 bytes, AES_CM_128_HMAC_SHA1_80 needs 30");
  expect_invalid([&] { parse_srtp_parameters("AEAD_AES_128_GCM", cm, "suite", "key"); },
                 "key: 30 bytes, AEAD_AES_128_GCM needs 28");
  expect_invalid([&] { parse_srtp_parameters("AEAD_AES_256_GCM", cm, "suite", "key"); },
                 "needs 44");
  expect_invalid([&] { parse_srtp_parameters("AES_CM_128_HMAC_SHA1_80", "!!!!", "suite", "key"); },
                 "key: not base64");
  expect_invalid([&] { parse_srtp_parameters("NULL", cm, "suite", "key"); },
                 "suite: 'NULL' is not");
}

TEST(PlainTransport, RemoteAddressChecks) {
  UdpEndpoint e = parse_remote_endpoint("198.18.0.1", 5004, AF_INET, "ip", "port");
  EXPECT_EQ(e.address, "198.18.0.1");
  EXPECT_EQ(e.port, 5004);
  // Written back as inet_ntop does.
  EXPECT_EQ(parse_remote_endpoint("2001:DB8:0:0::1", 1, AF_INET6, "ip", "port").address,
            "2001:db8::1");
  expect_invalid([] { parse_remote_endpoint("198.18.0.300", 5004, AF_INET, "ip", "port"); },
                 "ip: '198.18.0.300' is not an IPv4 or IPv6 address");
  expect_invalid([] { parse_remote_endpoint("example.org", 5004, AF_INET, "ip", "port"); },
                 "ip: 'example.org'");
  expect_invalid([] { parse_remote_endpoint("2001:db8::1", 5004, AF_INET, "ip", "port"); },
                 "is IPv6 but the transport's local address is IPv4");
  expect_invalid([] { parse_remote_endpoint("0.0.0.0", 5004, AF_INET, "ip", "port"); },
                 "ip: the unspecified address");
  expect_invalid([] { parse_remote_endpoint("198.18.0.1", 0, AF_INET, "ip", "port"); }, "port: 0");
  EXPECT_EQ(address_family("198.18.0.2"), AF_INET);
  EXPECT_EQ(address_family("::1"), AF_INET6);
  EXPECT_EQ(address_family("nope"), 0);
}

}  // namespace
}  // namespace fanout::cp::test

#include "controlplane/dtls/certificate.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/x509.h>

namespace fanout::cp {
namespace {

// Made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=kat`;
// expected fingerprints from `openssl x509 -noout -fingerprint -sha256|-sha1|-sha512`.
constexpr char kCertPem[] = R"(-----BEGIN CERTIFICATE-----
MIIBcDCCARegAwIBAgIUWVtPZKPHRUWOxi2+nigxhFDj1iswCgYIKoZIzj0EAwIw
DjEMMAoGA1UEAwwDa2F0MB4XDTI2MTEyMjA3MDcxNVoXDTM2MTExOTA3MDcxNVow
DjEMMAoGA1UEAwwDa2F0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEb9s9Q+d0
olldDZMsyA9z/01FO9mYdzdkWlClmbNAavjFFmPzuOW2+IbTHC74zTzOWn9itcJL
XYARZb/UbtkGTqNTMFEwHQYDVR0OBBYEFLhhNLFHNpbTyGDKiFG6Z8Ici7nPMB8G
A1UdIwQYMBaAFLhhNLFHNpbTyGDKiFG6Z8Ici7nPMA8GA1UdEwEB/wQFMAMBAf8w
CgYIKoZIzj0EAwIDRwAwRAIgWiEJYdxn4Rc2e8Ea+q5lxhwFWWOHGrT8UX/EzaWJ
5zkCIA2Gk2Trx856ru34KD2jvMMi5kwkzr2/SQBC7lVU7vN1
-----END CERTIFICATE-----
)";
constexpr char kKeyPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiS3aka9u3reEHirn
4cUystNJlBTDjgnqKOv3ZdEqMd2hRANCAARv2z1D53SiWV0NkyzID3P/TUU72Zh3
N2RaUKWZs0Bq+MUWY/O45bb4htMcLvjNPM5af2K1wktdgBFlv9Ru2QZO
-----END PRIVATE KEY-----
)";
constexpr char kSha256[] =
    "A0:C2:3A:CB:88:0D:63:DC:E2:94:3B:BC:10:AA:0D:BD:ED:68:32:29:E3:0F:4E:DC:5C:ED:5D:35:A7:2D:4D:"
    "BE";
constexpr char kSha1[] = "1A:6C:15:0E:CE:B2:D1:DC:CE:8E:92:A0:D2:FC:D9:35:62:51:7F:C4";
constexpr char kSha512[] =
    "BF:F6:AD:B7:87:01:3A:FD:FB:18:ED:5F:48:AA:86:08:37:DF:AD:F6:09:25:9D:F7:54:4C:37:AC:20:DA:E3:"
    "B0:BC:D8:57:D6:E5:48:01:78:61:5B:E3:87:D6:B9:D8:A2:8A:53:44:D2:9D:D2:72:5F:04:C3:9B:9A:1F:5C:"
    "E3:92";

TEST(Certificate, KnownCertificateFingerprintsMatchOpensslCli) {
  const Certificate c = Certificate::from_pem(kCertPem, kKeyPem);
  EXPECT_EQ(c.fingerprint(), kSha256);
  EXPECT_EQ(c.fingerprint(HashAlgorithm::kSha1), kSha1);
  EXPECT_EQ(c.fingerprint(HashAlgorithm::kSha512), kSha512);
}

TEST(Certificate, FingerprintsListsEveryAlgorithmSha256First) {
  const Certificate c = Certificate::from_pem(kCertPem, kKeyPem);
  const auto fps = c.fingerprints();
  ASSERT_EQ(fps.size(), 5u);
  EXPECT_EQ(fps[0].algorithm, HashAlgorithm::kSha256);
  EXPECT_EQ(fps[0].value, kSha256);
  // Digest sizes 20/28/32/48/64 bytes -> 3n-1 characters.
  for (const auto& fp : fps) {
    size_t bytes = 0;
    switch (fp.algorithm) {
      case HashAlgorithm::kSha1:
        bytes = 20;
        break;
      case HashAlgorithm::kSha224:
        bytes = 28;
        break;
      case HashAlgorithm::kSha256:
        bytes = 32;
        break;
      case HashAlgorithm::kSha384:
        bytes = 48;
        break;
      case HashAlgorithm::kSha512:
        bytes = 64;
        break;
    }
    EXPECT_EQ(fp.value.size(), bytes * 3 - 1) << hash_algorithm_name(fp.algorithm);
  }
}

TEST(Certificate, GeneratedIsSelfSignedP256WithFanoutCnAndThirtyDayValidity) {
  const Certificate c = Certificate::generate();
  EXPECT_TRUE(EVP_PKEY_is_a(c.key(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(c.key()), 256);
  char group[64] = {};
  size_t group_len = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(c.key(), group, sizeof(group), &group_len), 1);
  EXPECT_STREQ(group, "prime256v1");

  char cn[64] = {};
  ASSERT_GT(
      X509_NAME_get_text_by_NID(X509_get_subject_name(c.x509()), NID_commonName, cn, sizeof(cn)),
      0);
  EXPECT_STREQ(cn, "fanout");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(c.x509()), X509_get_issuer_name(c.x509())), 0);
  EXPECT_EQ(X509_verify(c.x509(), c.key()), 1);

  int days = 0;
  int secs = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notBefore(c.x509())), 1);
  EXPECT_EQ(days, -1);  // from now - 1 day (diff is "now -> notBefore")
  ASSERT_EQ(ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(c.x509())), 1);
  EXPECT_TRUE(days == 30 || (days == 29 && secs > 86000)) << days << "d " << secs << "s";

  const std::regex format("^([0-9A-F]{2}:){31}[0-9A-F]{2}$");
  EXPECT_TRUE(std::regex_match(c.fingerprint(), format)) << c.fingerprint();
}

TEST(Certificate, GeneratedSerialsAndKeysDiffer) {
  const Certificate a = Certificate::generate();
  const Certificate b = Certificate::generate();
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.x509()), X509_get0_serialNumber(b.x509())),
            0);
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

TEST(Certificate, PemRoundTripKeepsFingerprint) {
  const Certificate a = Certificate::generate();
  const Certificate b = Certificate::from_pem(a.cert_pem(), a.key_pem());
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(EVP_PKEY_eq(a.key(), b.key()), 1);
}

TEST(Certificate, LoadsPemFiles) {
  char cert_path[] = "/tmp/fanout-dtls-cert-XXXXXX";
  char key_path[] = "/tmp/fanout-dtls-key-XXXXXX";
  const int cfd = mkstemp(cert_path);
  const int kfd = mkstemp(key_path);
  ASSERT_GE(cfd, 0);
  ASSERT_GE(kfd, 0);
  close(cfd);
  close(kfd);
  std::ofstream(cert_path) << kCertPem;
  std::ofstream(key_path) << kKeyPem;
  const Certificate c = Certificate::load_pem_files(cert_path, key_path);
  EXPECT_EQ(c.fingerprint(), kSha256);
  std::remove(cert_path);
  std::remove(key_path);
  EXPECT_THROW(Certificate::load_pem_files(cert_path, key_path), std::runtime_error);
}

TEST(Certificate, RejectsGarbageAndMismatchedKey) {
  EXPECT_THROW(Certificate::from_pem("not a pem", kKeyPem), std::runtime_error);
  EXPECT_THROW(Certificate::from_pem(kCertPem, "not a pem"), std::runtime_error);
  const Certificate other = Certificate::generate();
  EXPECT_THROW(Certificate::from_pem(kCertPem, other.key_pem()), std::runtime_error);
}

TEST(HashAlgorithm, ParsesRfc8122NamesCaseInsensitively) {
  EXPECT_EQ(parse_hash_algorithm("sha-256"), HashAlgorithm::kSha256);
  EXPECT_EQ(parse_hash_algorithm("SHA-256"), HashAlgorithm::kSha256);
  EXPECT_EQ(parse_hash_algorithm("sha-1"), HashAlgorithm::kSha1);
  EXPECT_EQ(parse_hash_algorithm("sha-224"), HashAlgorithm::kSha224);
  EXPECT_EQ(parse_hash_algorithm("sha-384"), HashAlgorithm::kSha384);
  EXPECT_EQ(parse_hash_algorithm("sha-512"), HashAlgorithm::kSha512);
  EXPECT_EQ(parse_hash_algorithm("md5"), std::nullopt);
  EXPECT_EQ(parse_hash_algorithm("sha256"), std::nullopt);
  EXPECT_EQ(hash_algorithm_name(HashAlgorithm::kSha384), "sha-384");
}

TEST(HashAlgorithm, FingerprintCompareIgnoresHexCaseOnly) {
  EXPECT_TRUE(fingerprint_equal("AB:CD:0f", "ab:cd:0F"));
  EXPECT_FALSE(fingerprint_equal("AB:CD:0f", "AB:CD:0e"));
  EXPECT_FALSE(fingerprint_equal("AB:CD", "AB:CD:0F"));
  EXPECT_FALSE(fingerprint_equal("", ""));
}

}  // namespace
}  // namespace fanout::cp

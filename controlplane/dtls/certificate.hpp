// The node's DTLS identity: an ECDSA P-256 key and a self-signed certificate, generated at start
// or loaded from PEM, and its fingerprints as signaled in SDP (RFC 8122 §5) and in mediasoup's
// dtlsParameters.fingerprints. Control path: errors throw std::runtime_error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace fanout::cp {

// The hash functions mediasoup lists, by their RFC 8122 names.
enum class HashAlgorithm { kSha1, kSha224, kSha256, kSha384, kSha512 };

std::string_view hash_algorithm_name(HashAlgorithm algorithm);
// Case-insensitive ("SHA-256" and "sha-256" both appear in the wild); nullopt for others (md5).
std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name);

struct Fingerprint {
  HashAlgorithm algorithm = HashAlgorithm::kSha256;
  std::string value;  // "AB:CD:...", upper-case hex pairs
};

// Fingerprint of a DER-encoded certificate: the hash over the DER bytes (RFC 8122 §5).
std::string certificate_fingerprint(X509* cert, HashAlgorithm algorithm);
// Compares hex digits case-insensitively, as RFC 8122 §5 asks ("AB:cd" == "ab:CD").
bool fingerprint_equal(std::string_view a, std::string_view b);

class Certificate {
 public:
  // Fresh key and certificate: CN "fanout", random 64-bit serial, valid from now - 1 day (clock
  // skew on the browser side) for 30 days; signed with ECDSA-SHA256.
  static Certificate generate();
  static Certificate from_pem(std::string_view cert_pem, std::string_view key_pem);
  static Certificate load_pem_files(const std::string& cert_path, const std::string& key_path);

  std::string fingerprint(HashAlgorithm algorithm = HashAlgorithm::kSha256) const;
  // One per algorithm, sha-256 first (the one browsers check).
  std::vector<Fingerprint> fingerprints() const;

  std::string cert_pem() const;
  std::string key_pem() const;

  X509* x509() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }

 private:
  struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
  };
  struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  Certificate(std::shared_ptr<X509> cert, std::shared_ptr<EVP_PKEY> key)
      : cert_(std::move(cert)), key_(std::move(key)) {}

  // Shared: a Certificate is copied into every DtlsContext; OpenSSL objects are refcounted anyway.
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace fanout::cp

#include "controlplane/dtls/certificate.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace fanout::cp {

namespace {

[[noreturn]] void throw_openssl(const std::string& what) {
  const unsigned long err = ERR_get_error();
  char buf[256] = {};
  if (err != 0) ERR_error_string_n(err, buf, sizeof(buf));
  ERR_clear_error();
  throw std::runtime_error(what + (err != 0 ? std::string(": ") + buf : std::string()));
}

const EVP_MD* digest_of(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha1:
      return EVP_sha1();
    case HashAlgorithm::kSha224:
      return EVP_sha224();
    case HashAlgorithm::kSha256:
      return EVP_sha256();
    case HashAlgorithm::kSha384:
      return EVP_sha384();
    case HashAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string_view hash_algorithm_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha1:
      return "sha-1";
    case HashAlgorithm::kSha224:
      return "sha-224";
    case HashAlgorithm::kSha256:
      return "sha-256";
    case HashAlgorithm::kSha384:
      return "sha-384";
    case HashAlgorithm::kSha512:
      return "sha-512";
  }
  return "sha-256";
}

std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (HashAlgorithm a : {HashAlgorithm::kSha1, HashAlgorithm::kSha224, HashAlgorithm::kSha256,
                          HashAlgorithm::kSha384, HashAlgorithm::kSha512}) {
    if (lower == hash_algorithm_name(a)) return a;
  }
  return std::nullopt;
}

std::string certificate_fingerprint(X509* cert, HashAlgorithm algorithm) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, digest_of(algorithm), md, &len) != 1) {
    throw_openssl("X509_digest");
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 3);
  for (unsigned int i = 0; i < len; ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

bool fingerprint_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Certificate Certificate::generate() {
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), PkeyFree{});
  if (!key) throw_openssl("EVP_EC_gen(P-256)");

  std::shared_ptr<X509> cert(X509_new(), X509Free{});
  if (!cert) throw_openssl("X509_new");
  if (X509_set_version(cert.get(), 2) != 1) throw_openssl("X509_set_version");

  // A random serial: browsers cache certificates by issuer + serial, and every start is a new one.
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) {
    throw_openssl("RAND_bytes");
  }
  serial &= 0x7fffffffffffffffULL;  // a positive INTEGER (RFC 5280 §4.1.2.2)
  BIGNUM* bn = BN_new();
  if (bn == nullptr || BN_set_word(bn, serial) != 1 ||
      BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(bn);
    throw_openssl("serial");
  }
  BN_free(bn);

  constexpr long kDay = 24 * 60 * 60;
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kDay) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30 * kDay) == nullptr) {
    throw_openssl("validity");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("fanout"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    throw_openssl("subject");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) throw_openssl("X509_set_pubkey");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw_openssl("X509_sign");
  return Certificate(std::move(cert), std::move(key));
}

Certificate Certificate::from_pem(std::string_view cert_pem, std::string_view key_pem) {
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!cert_bio || !key_bio) throw_openssl("BIO_new_mem_buf");
  std::shared_ptr<X509> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr),
                             X509Free{});
  if (!cert) throw_openssl("certificate PEM");
  std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr),
                                PkeyFree{});
  if (!key) throw_openssl("private key PEM");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    throw_openssl("private key does not match the certificate");
  }
  return Certificate(std::move(cert), std::move(key));
}

Certificate Certificate::load_pem_files(const std::string& cert_path, const std::string& key_path) {
  return from_pem(read_file(cert_path), read_file(key_path));
}

std::string Certificate::fingerprint(HashAlgorithm algorithm) const {
  return certificate_fingerprint(cert_.get(), algorithm);
}

std::vector<Fingerprint> Certificate::fingerprints() const {
  std::vector<Fingerprint> out;
  for (HashAlgorithm a : {HashAlgorithm::kSha256, HashAlgorithm::kSha1, HashAlgorithm::kSha224,
                          HashAlgorithm::kSha384, HashAlgorithm::kSha512}) {
    out.push_back(Fingerprint{a, fingerprint(a)});
  }
  return out;
}

std::string Certificate::cert_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) throw_openssl("PEM_write_X509");
  return bio_to_string(bio.get());
}

std::string Certificate::key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_openssl("PEM_write_PrivateKey");
  }
  return bio_to_string(bio.get());
}

}  // namespace fanout::cp

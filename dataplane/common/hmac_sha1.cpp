// OpenSSL 3 marks the SHA1_* functions deprecated, but they are the only allocation-free way to copy
// a precomputed SHA-1 state (EVP_MD_CTX_copy_ex allocates through the provider). They run the same
// SHA-NI/AVX2 assembly as EVP.
#define OPENSSL_API_COMPAT 0x10100000L
#include "dataplane/common/hmac_sha1.hpp"

#include <cstring>

namespace fanout::dp {

void HmacSha1Key::set_key(const uint8_t* key, size_t len) {
  uint8_t block[SHA_CBLOCK] = {};
  if (len > SHA_CBLOCK) {
    SHA1(key, len, block);
  } else if (len > 0) {
    std::memcpy(block, key, len);
  }
  uint8_t pad[SHA_CBLOCK];
  for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, pad, sizeof(pad));
  for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, pad, sizeof(pad));
}

HmacSha1Key::Stream::Stream(const HmacSha1Key& key) : inner_(key.inner_), key_(&key) {}

void HmacSha1Key::Stream::update(const void* data, size_t len) { SHA1_Update(&inner_, data, len); }

void HmacSha1Key::Stream::finish(uint8_t out[kSha1Size]) {
  uint8_t inner_digest[kSha1Size];
  SHA1_Final(inner_digest, &inner_);
  SHA_CTX outer = key_->outer_;
  SHA1_Update(&outer, inner_digest, sizeof(inner_digest));
  SHA1_Final(out, &outer);
}

void HmacSha1Key::mac(const void* data, size_t len, uint8_t out[kSha1Size]) const {
  Stream s = begin();
  s.update(data, len);
  s.finish(out);
}

}  // namespace fanout::dp

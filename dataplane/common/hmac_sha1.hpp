// HMAC-SHA1 (RFC 2104) with the key's inner and outer states computed once, so that a MAC on the
// packet path is two SHA-1 passes, no key schedule and no allocation. STUN MESSAGE-INTEGRITY and
// SRTP authentication (HMAC-SHA1-80/32) both use it.
#pragma once

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>

namespace fanout::dp {

inline constexpr size_t kSha1Size = 20;

class HmacSha1Key {
 public:
  class Stream {
   public:
    void update(const void* data, size_t len);
    // Writes the 20-byte MAC. The stream is spent afterwards.
    void finish(uint8_t out[kSha1Size]);

   private:
    friend class HmacSha1Key;
    explicit Stream(const HmacSha1Key& key);
    SHA_CTX inner_;
    const HmacSha1Key* key_;
  };

  HmacSha1Key() = default;
  HmacSha1Key(const uint8_t* key, size_t len) { set_key(key, len); }

  // Slow path: absorbs ipad/opad once. Keys longer than 64 bytes are hashed first (RFC 2104 §2).
  void set_key(const uint8_t* key, size_t len);

  Stream begin() const { return Stream(*this); }
  void mac(const void* data, size_t len, uint8_t out[kSha1Size]) const;

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

}  // namespace fanout::dp

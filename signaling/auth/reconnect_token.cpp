#include "signaling/auth/reconnect_token.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "signaling/auth/base64url.hpp"

namespace fanout::sig {

std::string random_base64url(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  std::string out = base64url_encode(buf);
  OPENSSL_cleanse(buf.data(), buf.size());
  return out;
}

ReconnectToken ReconnectToken::issue(std::string peer_id, SteadyTime expires_at) {
  ReconnectToken t;
  t.value_ = random_base64url(kBytes);
  t.peer_id_ = std::move(peer_id);
  t.expires_at_ = expires_at;
  return t;
}

bool ReconnectToken::accepts(std::string_view presented, std::string_view peer_id,
                             SteadyTime now) const {
  if (value_.empty() || presented.size() != value_.size()) return false;
  const bool same = CRYPTO_memcmp(presented.data(), value_.data(), value_.size()) == 0;
  return same && peer_id == peer_id_ && now < expires_at_;
}

}  // namespace fanout::sig

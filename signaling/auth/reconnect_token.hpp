// The token a peer presents to take its place back after its WebSocket dropped: 32 random bytes
// (base64url, 43 characters), meaningful only to this server, bound to one peer id and valid
// until an expiry. It is a bearer secret: compared in constant time, rotated on every use.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace fanout::sig {

using SteadyTime = std::chrono::steady_clock::time_point;

// base64url of `bytes` bytes from the OpenSSL CSPRNG; throws std::runtime_error if it fails.
std::string random_base64url(size_t bytes);

class ReconnectToken {
 public:
  static constexpr size_t kBytes = 32;

  ReconnectToken() = default;
  // A fresh random token for `peer_id`, valid until `expires_at`.
  static ReconnectToken issue(std::string peer_id, SteadyTime expires_at);

  const std::string& value() const { return value_; }
  const std::string& peer_id() const { return peer_id_; }
  SteadyTime expires_at() const { return expires_at_; }
  void set_expires_at(SteadyTime t) { expires_at_ = t; }

  // True iff `presented` is this token, for this peer, and now < expiry. The token bytes are
  // compared in constant time; lengths and peer ids are not secret.
  bool accepts(std::string_view presented, std::string_view peer_id, SteadyTime now) const;

 private:
  std::string value_;
  std::string peer_id_;
  SteadyTime expires_at_{};
};

}  // namespace fanout::sig

#include "controlplane/core/ice_credentials.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>

#include <openssl/rand.h>

namespace fanout::cp {

std::string random_ice_string(size_t length) {
  // 62 * 4 = 248: bytes at or above it are redrawn, so every letter is equally likely.
  constexpr unsigned kLimit = (256 / kIceAlphabet.size()) * kIceAlphabet.size();
  std::string out;
  out.reserve(length);
  std::array<uint8_t, 64> buf{};
  while (out.size() < length) {
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    for (uint8_t b : buf) {
      if (out.size() == length) break;
      if (b < kLimit) out.push_back(kIceAlphabet[b % kIceAlphabet.size()]);
    }
  }
  return out;
}

IceCredentials generate_ice_credentials() {
  return {random_ice_string(kIceUfragLength), random_ice_string(kIcePwdLength)};
}

}  // namespace fanout::cp

// Test helper: bytes written as hex ("80 c8 00 06"), so packets in tests read like a capture.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace fanout::dp::rtp::test {

inline std::vector<uint8_t> hex_bytes(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

}  // namespace fanout::dp::rtp::test

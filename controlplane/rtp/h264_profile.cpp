#include "controlplane/rtp/h264_profile.hpp"

#include <array>
#include <cstdint>

namespace fanout::cp {

namespace {

// profile_iop bit patterns per profile_idc, as in WebRTC's h264_profile_level_id.cc: 'x' is don't
// care; the constraint_set flags decide constrained baseline against baseline and main.
struct ProfilePattern {
  uint8_t profile_idc;
  uint8_t mask;
  uint8_t value;
  H264Profile profile;
};

constexpr ProfilePattern make_pattern(uint8_t idc, const char (&bits)[9], H264Profile p) {
  uint8_t mask = 0;
  uint8_t value = 0;
  for (int i = 0; i < 8; ++i) {
    const uint8_t bit = static_cast<uint8_t>(1u << (7 - i));
    if (bits[i] == 'x') continue;
    mask |= bit;
    if (bits[i] == '1') value |= bit;
  }
  return {idc, mask, value, p};
}

constexpr std::array<ProfilePattern, 9> kPatterns = {
    make_pattern(0x42, "x1xx0000", H264Profile::kConstrainedBaseline),
    make_pattern(0x4D, "1xxx0000", H264Profile::kConstrainedBaseline),
    make_pattern(0x58, "11xx0000", H264Profile::kConstrainedBaseline),
    make_pattern(0x42, "x0xx0000", H264Profile::kBaseline),
    make_pattern(0x58, "10xx0000", H264Profile::kBaseline),
    make_pattern(0x4D, "0x0x0000", H264Profile::kMain),
    make_pattern(0x64, "00000000", H264Profile::kHigh),
    make_pattern(0x64, "00001100", H264Profile::kConstrainedHigh),
    make_pattern(0xF4, "00000000", H264Profile::kPredictiveHigh444),
};

constexpr std::array<int, 16> kLevels = {10, 11, 12, 13, 20, 21, 22, 30,
                                         31, 32, 40, 41, 42, 50, 51, 52};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<H264ProfileLevelId> parse_h264_profile_level_id(std::string_view s) {
  if (s.size() != 6) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  const uint8_t idc = static_cast<uint8_t>(v >> 16);
  const uint8_t iop = static_cast<uint8_t>(v >> 8);
  const uint8_t level_idc = static_cast<uint8_t>(v);

  int level = -1;
  // Level 1b: level_idc 11 with constraint_set3 in baseline and main (H.264 A.3.1).
  if (level_idc == 11 && (iop & 0x10) != 0 && (idc == 0x42 || idc == 0x4D)) {
    level = 0;
  } else {
    for (int l : kLevels)
      if (l == level_idc) level = l;
  }
  if (level < 0) return std::nullopt;

  for (const auto& p : kPatterns) {
    if (p.profile_idc == idc && (iop & p.mask) == p.value)
      return H264ProfileLevelId{p.profile, level};
  }
  return std::nullopt;
}

std::optional<H264ProfileLevelId> h264_profile_level_id(const CodecParameters& params) {
  auto it = params.find("profile-level-id");
  if (it == params.end()) return H264ProfileLevelId{H264Profile::kConstrainedBaseline, 31};
  const auto* s = std::get_if<std::string>(&it->second);
  if (s == nullptr) return std::nullopt;
  return parse_h264_profile_level_id(*s);
}

bool h264_same_profile(const CodecParameters& a, const CodecParameters& b) {
  auto pa = h264_profile_level_id(a);
  auto pb = h264_profile_level_id(b);
  return pa && pb && pa->profile == pb->profile;
}

int64_t h264_packetization_mode(const CodecParameters& params) {
  return parameter_int(params, "packetization-mode").value_or(0);
}

}  // namespace fanout::cp

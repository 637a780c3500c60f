// H.264 profile-level-id (RFC 6184 8.1) as WebRTC and mediasoup compare it: two H264 codecs are
// the same codec when their profiles match; the level may differ.
#pragma once

#include <optional>
#include <string_view>

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

enum class H264Profile {
  kConstrainedBaseline,
  kBaseline,
  kMain,
  kConstrainedHigh,
  kHigh,
  kPredictiveHigh444,
};

struct H264ProfileLevelId {
  H264Profile profile = H264Profile::kConstrainedBaseline;
  // level_idc (10 = 1.0 ... 52 = 5.2); 1b is reported as 0, as in WebRTC.
  int level = 31;
};

// Parses the 6 hex digits of profile-level-id; nullopt when malformed or of an unknown profile.
std::optional<H264ProfileLevelId> parse_h264_profile_level_id(std::string_view s);

// The codec's profile-level-id; absent means constrained baseline level 3.1 (42e01f), which is
// what WebRTC and mediasoup assume rather than RFC 6184's 420010.
std::optional<H264ProfileLevelId> h264_profile_level_id(const CodecParameters& params);

bool h264_same_profile(const CodecParameters& a, const CodecParameters& b);

// packetization-mode defaults to 0 (RFC 6184 8.1).
int64_t h264_packetization_mode(const CodecParameters& params);

}  // namespace fanout::cp

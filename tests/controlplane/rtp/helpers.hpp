#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "controlplane/rtp/ortc.hpp"
#include "controlplane/rtp/rtp_parameters.hpp"
#include "tests/controlplane/rtp/fixtures.hpp"

namespace fanout::cp::test {

inline std::vector<RtpCodecCapability> media_codecs_from(std::string_view text) {
  boost::json::value v = parse_json_text(text, "mediaCodecs");
  std::vector<RtpCodecCapability> out;
  const auto& a = v.as_array();
  for (size_t i = 0; i < a.size(); ++i)
    out.push_back(parse_rtp_codec_capability(a[i], "mediaCodecs[" + std::to_string(i) + "]"));
  return out;
}

inline RtpCapabilities router_caps() {
  return generate_router_rtp_capabilities(media_codecs_from(kRouterMediaCodecs));
}

inline RtpCapabilities chrome_caps() {
  return parse_rtp_capabilities(parse_json_text(kChromeDeviceCapabilities, "rtpCapabilities"));
}

inline RtpParameters params_from(std::string_view text) {
  return parse_rtp_parameters(parse_json_text(text, "rtpParameters"));
}

// Deterministic "random" values for SSRC generation.
inline RandomSource counter(uint32_t start) {
  return [n = start]() mutable { return n++; };
}

}  // namespace fanout::cp::test

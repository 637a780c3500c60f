// What a Fanout router can carry: the codecs the data plane forwards and the header extensions it
// understands (issue 3), with mediasoup's preferred ids so mediasoup-client maps them unchanged.
#pragma once

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

inline constexpr const char* kUriMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr const char* kUriRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr const char* kUriRepairedRid =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr const char* kUriAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr const char* kUriTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr const char* kUriAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr const char* kUriVideoOrientation = "urn:3gpp:video-orientation";

// Codecs carry no preferredPayloadType: the router assigns them.
const RtpCapabilities& supported_rtp_capabilities();

}  // namespace fanout::cp

// JSON that a Chromium mediasoup-client (3.x, Chrome111 handler) really sends, and the router
// configuration the tests use: its preferred payload types are Chromium's, as deployments do.
#pragma once

#include <string_view>

namespace fanout::cp::test {

// Router mediaCodecs (mediasoup's RouterOptions.mediaCodecs shape).
inline constexpr std::string_view kRouterMediaCodecs = R"([
  {"kind": "audio", "mimeType": "audio/opus", "preferredPayloadType": 111, "clockRate": 48000,
   "channels": 2},
  {"kind": "video", "mimeType": "video/VP8", "preferredPayloadType": 96, "clockRate": 90000},
  {"kind": "video", "mimeType": "video/VP9", "preferredPayloadType": 98, "clockRate": 90000,
   "parameters": {"profile-id": 0}},
  {"kind": "video", "mimeType": "video/H264", "preferredPayloadType": 106, "clockRate": 90000,
   "parameters": {"packetization-mode": 1, "profile-level-id": "42e01f",
                  "level-asymmetry-allowed": 1}},
  {"kind": "video", "mimeType": "video/H264", "preferredPayloadType": 127, "clockRate": 90000,
   "parameters": {"packetization-mode": 1, "profile-level-id": "4d001f",
                  "level-asymmetry-allowed": 1}},
  {"kind": "video", "mimeType": "video/AV1", "preferredPayloadType": 45, "clockRate": 90000}
])";

// Chromium's device.rtpCapabilities: its codecs with its own payload types; header extensions with
// the router's ids, as mediasoup-client's Device reports them after load().
inline constexpr std::string_view kChromeDeviceCapabilities = R"({
  "codecs": [
    {"mimeType": "audio/opus", "kind": "audio", "preferredPayloadType": 111, "clockRate": 48000,
     "channels": 2, "parameters": {"minptime": 10, "useinbandfec": 1},
     "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}]},
    {"mimeType": "video/VP8", "kind": "video", "preferredPayloadType": 96, "clockRate": 90000,
     "parameters": {},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 97, "clockRate": 90000,
     "parameters": {"apt": 96}, "rtcpFeedback": []},
    {"mimeType": "video/VP9", "kind": "video", "preferredPayloadType": 98, "clockRate": 90000,
     "parameters": {"profile-id": 0},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 99, "clockRate": 90000,
     "parameters": {"apt": 98}, "rtcpFeedback": []},
    {"mimeType": "video/VP9", "kind": "video", "preferredPayloadType": 100, "clockRate": 90000,
     "parameters": {"profile-id": 2},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 101, "clockRate": 90000,
     "parameters": {"apt": 100}, "rtcpFeedback": []},
    {"mimeType": "video/H264", "kind": "video", "preferredPayloadType": 102, "clockRate": 90000,
     "parameters": {"level-asymmetry-allowed": 1, "packetization-mode": 1,
                    "profile-level-id": "42001f"},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 103, "clockRate": 90000,
     "parameters": {"apt": 102}, "rtcpFeedback": []},
    {"mimeType": "video/H264", "kind": "video", "preferredPayloadType": 106, "clockRate": 90000,
     "parameters": {"level-asymmetry-allowed": 1, "packetization-mode": 1,
                    "profile-level-id": "42e01f"},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 107, "clockRate": 90000,
     "parameters": {"apt": 106}, "rtcpFeedback": []},
    {"mimeType": "video/H264", "kind": "video", "preferredPayloadType": 108, "clockRate": 90000,
     "parameters": {"level-asymmetry-allowed": 1, "packetization-mode": 0,
                    "profile-level-id": "42e01f"},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 109, "clockRate": 90000,
     "parameters": {"apt": 108}, "rtcpFeedback": []},
    {"mimeType": "video/H264", "kind": "video", "preferredPayloadType": 127, "clockRate": 90000,
     "parameters": {"level-asymmetry-allowed": 1, "packetization-mode": 1,
                    "profile-level-id": "4d001f"},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 125, "clockRate": 90000,
     "parameters": {"apt": 127}, "rtcpFeedback": []},
    {"mimeType": "video/AV1", "kind": "video", "preferredPayloadType": 45, "clockRate": 90000,
     "parameters": {},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 46, "clockRate": 90000,
     "parameters": {"apt": 45}, "rtcpFeedback": []},
    {"mimeType": "video/H264", "kind": "video", "preferredPayloadType": 112, "clockRate": 90000,
     "parameters": {"level-asymmetry-allowed": 1, "packetization-mode": 1,
                    "profile-level-id": "64001f"},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "kind": "video", "preferredPayloadType": 113, "clockRate": 90000,
     "parameters": {"apt": 112}, "rtcpFeedback": []}
  ],
  "headerExtensions": [
    {"kind": "audio", "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "preferredId": 1,
     "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "video", "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "preferredId": 1,
     "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "audio", "uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
     "preferredId": 4, "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "video", "uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
     "preferredId": 4, "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "video",
     "uri": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
     "preferredId": 5, "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "audio", "uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "preferredId": 10,
     "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "video", "uri": "urn:3gpp:video-orientation", "preferredId": 11,
     "preferredEncrypt": false, "direction": "sendrecv"},
    {"kind": "video", "uri": "urn:ietf:params:rtp-hdrext:toffset", "preferredId": 12,
     "preferredEncrypt": false, "direction": "sendrecv"}
  ]
})";

// transport.produce() of a camera track with VP8: Chromium's payload types and extension ids.
inline constexpr std::string_view kChromeVp8Producer = R"({
  "mid": "0",
  "codecs": [
    {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000, "parameters": {},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000, "parameters": {"apt": 96},
     "rtcpFeedback": []}
  ],
  "headerExtensions": [
    {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 4, "encrypt": false, "parameters": {}},
    {"uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "id": 2,
     "encrypt": false, "parameters": {}},
    {"uri": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", "id": 3,
     "encrypt": false, "parameters": {}},
    {"uri": "urn:3gpp:video-orientation", "id": 13, "encrypt": false, "parameters": {}}
  ],
  "encodings": [
    {"active": true, "scalabilityMode": "L1T3", "ssrc": 1738264751, "rtx": {"ssrc": 3090573512},
     "dtx": false}
  ],
  "rtcp": {"cname": "X9u8aUyFuI0tDLo8", "reducedSize": true}
})";

// Simulcast with rids (three layers), as mediasoup-client sends it for Chromium.
inline constexpr std::string_view kChromeSimulcastProducer = R"({
  "mid": "1",
  "codecs": [
    {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000, "parameters": {},
     "rtcpFeedback": [{"type": "goog-remb", "parameter": ""}, {"type": "transport-cc", "parameter": ""},
                      {"type": "ccm", "parameter": "fir"}, {"type": "nack", "parameter": ""},
                      {"type": "nack", "parameter": "pli"}]},
    {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000, "parameters": {"apt": 96},
     "rtcpFeedback": []}
  ],
  "headerExtensions": [
    {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 4, "encrypt": false, "parameters": {}},
    {"uri": "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "id": 10, "encrypt": false,
     "parameters": {}},
    {"uri": "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", "id": 11, "encrypt": false,
     "parameters": {}},
    {"uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "id": 2,
     "encrypt": false, "parameters": {}},
    {"uri": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", "id": 3,
     "encrypt": false, "parameters": {}}
  ],
  "encodings": [
    {"active": true, "rid": "r0", "scaleResolutionDownBy": 4, "maxBitrate": 100000,
     "scalabilityMode": "L1T3", "dtx": false},
    {"active": true, "rid": "r1", "scaleResolutionDownBy": 2, "maxBitrate": 300000,
     "scalabilityMode": "L1T3", "dtx": false},
    {"active": true, "rid": "r2", "scaleResolutionDownBy": 1, "maxBitrate": 900000,
     "scalabilityMode": "L1T3", "dtx": false}
  ],
  "rtcp": {"cname": "mOfw0uDcSuQHvWfb", "reducedSize": true}
})";

// A microphone: Opus with in-band FEC, DTX off.
inline constexpr std::string_view kChromeOpusProducer = R"({
  "mid": "2",
  "codecs": [
    {"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2,
     "parameters": {"minptime": 10, "useinbandfec": 1, "sprop-stereo": 0, "usedtx": 0},
     "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}]}
  ],
  "headerExtensions": [
    {"uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 4, "encrypt": false, "parameters": {}},
    {"uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": 1, "encrypt": false,
     "parameters": {}}
  ],
  "encodings": [{"ssrc": 2925374582, "dtx": false}],
  "rtcp": {"cname": "mOfw0uDcSuQHvWfb", "reducedSize": true}
})";

}  // namespace fanout::cp::test

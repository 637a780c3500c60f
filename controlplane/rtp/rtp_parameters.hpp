// RTP capabilities and parameters in mediasoup's JSON shapes (node/src/RtpParameters.ts), so that
// an unmodified mediasoup-client Device can load a router's capabilities, produce and consume.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace fanout::cp {

// Thrown on the control path; the IPC/signaling boundary turns it into an error reply.
class RtpError : public std::runtime_error {
 public:
  enum class Kind { kInvalid, kUnsupported };
  RtpError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

[[noreturn]] void throw_invalid(const std::string& what);
[[noreturn]] void throw_unsupported(const std::string& what);

enum class MediaKind { kAudio, kVideo };
std::string_view to_string(MediaKind kind);
std::optional<MediaKind> parse_media_kind(std::string_view s);

// SDP fmtp values are numbers ("apt": 96) or strings ("profile-level-id": "42e01f").
using ParameterValue = std::variant<int64_t, double, std::string>;
using CodecParameters = std::map<std::string, ParameterValue>;

// Integer value of a parameter, or nullopt when absent or not an integer.
std::optional<int64_t> parameter_int(const CodecParameters& params, const std::string& key);
std::optional<std::string> parameter_string(const CodecParameters& params, const std::string& key);

struct RtcpFeedback {
  std::string type;
  std::string parameter;  // "" when absent
  bool operator==(const RtcpFeedback&) const = default;
};

struct RtpCodecCapability {
  MediaKind kind = MediaKind::kAudio;
  std::string mime_type;
  std::optional<uint8_t> preferred_payload_type;
  uint32_t clock_rate = 0;
  std::optional<uint8_t> channels;
  CodecParameters parameters;
  std::vector<RtcpFeedback> rtcp_feedback;
  bool operator==(const RtpCodecCapability&) const = default;
};

enum class HeaderExtensionDirection { kSendRecv, kSendOnly, kRecvOnly, kInactive };

struct RtpHeaderExtensionCapability {
  MediaKind kind = MediaKind::kAudio;
  std::string uri;
  uint8_t preferred_id = 0;
  bool preferred_encrypt = false;
  HeaderExtensionDirection direction = HeaderExtensionDirection::kSendRecv;
  bool operator==(const RtpHeaderExtensionCapability&) const = default;
};

struct RtpCapabilities {
  std::vector<RtpCodecCapability> codecs;
  std::vector<RtpHeaderExtensionCapability> header_extensions;
  bool operator==(const RtpCapabilities&) const = default;
};

struct RtpCodecParameters {
  std::string mime_type;
  uint8_t payload_type = 0;
  uint32_t clock_rate = 0;
  std::optional<uint8_t> channels;
  CodecParameters parameters;
  std::vector<RtcpFeedback> rtcp_feedback;
  bool operator==(const RtpCodecParameters&) const = default;
};

struct RtpHeaderExtensionParameters {
  std::string uri;
  uint8_t id = 0;
  bool encrypt = false;
  CodecParameters parameters;
  bool operator==(const RtpHeaderExtensionParameters&) const = default;
};

struct RtxParameters {
  uint32_t ssrc = 0;
  bool operator==(const RtxParameters&) const = default;
};

struct RtpEncodingParameters {
  std::optional<uint32_t> ssrc;
  std::optional<std::string> rid;
  std::optional<uint8_t> codec_payload_type;
  std::optional<RtxParameters> rtx;
  std::optional<bool> dtx;
  std::optional<std::string> scalability_mode;
  std::optional<double> scale_resolution_down_by;
  std::optional<uint32_t> max_bitrate;
  std::optional<double> max_framerate;
  bool operator==(const RtpEncodingParameters&) const = default;
};

struct RtcpParameters {
  std::optional<std::string> cname;
  std::optional<bool> reduced_size;
  std::optional<bool> mux;
  bool operator==(const RtcpParameters&) const = default;
};

struct RtpParameters {
  std::optional<std::string> mid;
  std::vector<RtpCodecParameters> codecs;
  std::vector<RtpHeaderExtensionParameters> header_extensions;
  std::vector<RtpEncodingParameters> encodings;
  RtcpParameters rtcp;
  bool operator==(const RtpParameters&) const = default;
};

// "video/rtx" (any case): retransmission per RFC 4588.
bool is_rtx(std::string_view mime_type);
std::optional<MediaKind> kind_of_mime(std::string_view mime_type);

// Strict parsing: a wrong type or a missing required field throws RtpError(kInvalid) naming the
// path from `path` down, e.g. "rtpParameters.codecs[1].clockRate: expected a number". Unknown
// members are ignored, as mediasoup does, because browsers add fields over time.
RtpCapabilities parse_rtp_capabilities(const boost::json::value& v,
                                       const std::string& path = "rtpCapabilities");
RtpParameters parse_rtp_parameters(const boost::json::value& v,
                                   const std::string& path = "rtpParameters");
RtpCodecCapability parse_rtp_codec_capability(const boost::json::value& v, const std::string& path);

boost::json::value to_json(const RtpCapabilities& caps);
boost::json::value to_json(const RtpParameters& params);
boost::json::value to_json(const RtpCodecCapability& codec);

// Parses JSON text; syntax errors are RtpError(kInvalid) too.
boost::json::value parse_json_text(std::string_view text, const std::string& path);

}  // namespace fanout::cp

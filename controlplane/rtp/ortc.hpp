// RTP capability negotiation between a router and its endpoints, modelled on mediasoup's ortc.ts:
// the router's capabilities from configured codecs, a producer's parameters mapped onto them, the
// consumable parameters every consumer derives from, and each consumer's parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

// Returns random 32-bit values; tests pass a deterministic one.
using RandomSource = std::function<uint32_t()>;

// Why codec `a` and codec `b` are not the same codec (mime type, clock rate, channels; H264: same
// profile and packetization-mode; VP9 profile-id; AV1 profile), or "" when they match.
std::string codec_mismatch(const std::string& a_mime, uint32_t a_clock, std::optional<uint8_t> a_ch,
                           const CodecParameters& a_params, const std::string& b_mime,
                           uint32_t b_clock, std::optional<uint8_t> b_ch,
                           const CodecParameters& b_params);

// Validates `media_codecs` (config or API input, no RTX) against supported_rtp_capabilities(),
// assigns payload types (the preferred one when free, otherwise the next unused of 96-127) and
// adds a video/rtx codec with apt=<pt> after each video codec. Throws RtpError.
RtpCapabilities generate_router_rtp_capabilities(
    const std::vector<RtpCodecCapability>& media_codecs);

struct RtpMapping {
  struct Codec {
    uint8_t payload_type = 0;         // the producer's
    uint8_t mapped_payload_type = 0;  // the router's
    bool operator==(const Codec&) const = default;
  };
  struct Encoding {
    std::optional<uint32_t> ssrc;
    std::optional<std::string> rid;
    std::optional<std::string> scalability_mode;
    uint32_t mapped_ssrc = 0;
    bool operator==(const Encoding&) const = default;
  };
  std::vector<Codec> codecs;
  std::vector<Encoding> encodings;
};

// { codecs: [ { payloadType, mappedPayloadType } ], encodings: [ { ssrc?, rid?, scalabilityMode?,
// mappedSsrc } ] }: in dumps, and in the control plane's restart journal.
boost::json::value to_json(const RtpMapping& mapping);

// Checks what a producer sends: codecs of `kind`, unique payload types, every RTX apt naming a
// media codec of the list, unique header extension ids, encodings with an ssrc or a rid, unique
// SSRCs and rids, codecPayloadType naming a media codec. Errors name the path under `path`.
void validate_producer_rtp_parameters(MediaKind kind, const RtpParameters& params,
                                      const std::string& path = "rtpParameters");

// Maps each producer codec to the router codec it matches, RTX by its apt, and gives each encoding
// a fresh mapped SSRC. Validates first. Throws RtpError(kUnsupported) for a codec the router lacks.
RtpMapping get_producer_rtp_parameters_mapping(MediaKind kind, const RtpParameters& params,
                                               const RtpCapabilities& router_caps,
                                               const RandomSource& random = {});

// The producer's stream as the router offers it to consumers: router payload types, the router's
// RTCP feedback, the router's header extensions the router may send, mapped SSRCs.
RtpParameters get_consumable_rtp_parameters(MediaKind kind, const RtpParameters& params,
                                            const RtpCapabilities& router_caps,
                                            const RtpMapping& mapping);

// "" when an endpoint with `remote_caps` can receive `consumable`, otherwise why not.
std::string consume_refusal(const RtpParameters& consumable, const RtpCapabilities& remote_caps);
inline bool can_consume(const RtpParameters& consumable, const RtpCapabilities& remote_caps) {
  return consume_refusal(consumable, remote_caps).empty();
}

// The consumer's parameters: router codecs the remote supports (the first media codec and its
// RTX unless `pipe`), the header extensions the remote supports with the same id (except MID and
// transport-wide-cc, whose values the data plane forwards from the producer), one encoding
// with a new random SSRC (rtx = ssrc + 1 when RTX is negotiated), cname copied, reducedSize.
// A pipe consumer keeps every matching codec and the consumable encodings, without RTX.
// Throws RtpError(kUnsupported) when the remote cannot receive the producer's codec.
RtpParameters get_consumer_rtp_parameters(const RtpParameters& consumable,
                                          const RtpCapabilities& remote_caps, bool pipe = false,
                                          const RandomSource& random = {});

}  // namespace fanout::cp

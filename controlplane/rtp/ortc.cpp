#include "controlplane/rtp/ortc.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <set>

#include <boost/json.hpp>

#include "controlplane/rtp/h264_profile.hpp"
#include "controlplane/rtp/supported_capabilities.hpp"

namespace fanout::cp {

boost::json::value to_json(const RtpMapping& m) {
  boost::json::array codecs, encodings;
  for (const RtpMapping::Codec& c : m.codecs) {
    codecs.push_back(boost::json::object{{"payloadType", c.payload_type},
                                         {"mappedPayloadType", c.mapped_payload_type}});
  }
  for (const RtpMapping::Encoding& e : m.encodings) {
    boost::json::object o{{"mappedSsrc", e.mapped_ssrc}};
    if (e.ssrc) o["ssrc"] = *e.ssrc;
    if (e.rid) o["rid"] = *e.rid;
    if (e.scalability_mode) o["scalabilityMode"] = *e.scalability_mode;
    encodings.push_back(std::move(o));
  }
  return boost::json::object{{"codecs", std::move(codecs)}, {"encodings", std::move(encodings)}};
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

uint32_t default_random() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return static_cast<uint32_t>(engine());
}

uint32_t next_random(const RandomSource& random) {
  return random ? random() : default_random();
}

// Non-zero, and leaves room for ssrc + 1 (the RTX SSRC) without wrapping to 0.
uint32_t random_ssrc(const RandomSource& random) {
  for (;;) {
    uint32_t v = next_random(random);
    if (v != 0 && v != 0xffffffffu) return v;
  }
}

std::string describe(const std::string& mime, const CodecParameters& params) {
  const std::string m = lower(mime);
  std::string out = mime;
  if (m == "video/h264") {
    out += " (profile-level-id " +
           parameter_string(params, "profile-level-id").value_or(std::string("42e01f")) +
           ", packetization-mode " + std::to_string(h264_packetization_mode(params)) + ")";
  } else if (m == "video/vp9") {
    out += " (profile-id " + std::to_string(parameter_int(params, "profile-id").value_or(0)) + ")";
  }
  return out;
}

uint8_t channels_or_default(const std::string& mime, std::optional<uint8_t> ch) {
  // mediasoup treats an audio codec without channels as mono.
  if (ch) return *ch;
  return kind_of_mime(mime) == MediaKind::kAudio ? 1 : 0;
}

bool is_media_kind(const std::string& mime, MediaKind kind) {
  return kind_of_mime(mime) == kind;
}

}  // namespace

std::string codec_mismatch(const std::string& a_mime, uint32_t a_clock, std::optional<uint8_t> a_ch,
                           const CodecParameters& a_params, const std::string& b_mime,
                           uint32_t b_clock, std::optional<uint8_t> b_ch,
                           const CodecParameters& b_params) {
  const std::string mime = lower(a_mime);
  if (mime != lower(b_mime)) return "different mime type";
  if (a_clock != b_clock)
    return "clock rate " + std::to_string(a_clock) + " instead of " + std::to_string(b_clock);
  if (kind_of_mime(mime) == MediaKind::kAudio &&
      channels_or_default(a_mime, a_ch) != channels_or_default(b_mime, b_ch)) {
    return std::to_string(channels_or_default(a_mime, a_ch)) + " channels instead of " +
           std::to_string(channels_or_default(b_mime, b_ch));
  }
  if (mime == "video/h264") {
    auto pa = h264_profile_level_id(a_params);
    auto pb = h264_profile_level_id(b_params);
    if (!pa) return "invalid profile-level-id";
    if (!pb || pa->profile != pb->profile) return "different H264 profile";
    const int64_t ma = h264_packetization_mode(a_params);
    const int64_t mb = h264_packetization_mode(b_params);
    if (ma != mb)
      return "packetization-mode " + std::to_string(ma) + " instead of " + std::to_string(mb);
  } else if (mime == "video/vp9") {
    const int64_t pa = parameter_int(a_params, "profile-id").value_or(0);
    const int64_t pb = parameter_int(b_params, "profile-id").value_or(0);
    if (pa != pb) return "profile-id " + std::to_string(pa) + " instead of " + std::to_string(pb);
  } else if (mime == "video/av1") {
    const int64_t pa = parameter_int(a_params, "profile").value_or(0);
    const int64_t pb = parameter_int(b_params, "profile").value_or(0);
    if (pa != pb) return "profile " + std::to_string(pa) + " instead of " + std::to_string(pb);
  }
  return "";
}

namespace {

template <typename A, typename B>
std::string mismatch(const A& a, const B& b) {
  return codec_mismatch(a.mime_type, a.clock_rate, a.channels, a.parameters, b.mime_type,
                        b.clock_rate, b.channels, b.parameters);
}

// For an error message: the first reason a codec of the same mime type gave, if any.
template <typename A, typename List>
std::string closest_reason(const A& a, const List& candidates) {
  for (const auto& c : candidates) {
    std::string why = mismatch(a, c);
    if (why != "different mime type") return why;
  }
  return "";
}

class PayloadTypeAllocator {
 public:
  bool take(uint8_t pt) { return used_.insert(pt).second; }
  uint8_t next_dynamic(const std::string& for_what) {
    // RFC 3551 6: 96-127 are dynamic. The cursor only moves forward, so a type handed out once is
    // never reused even if the config later names it as preferred.
    for (; next_ <= 127; ++next_) {
      if (take(static_cast<uint8_t>(next_))) return static_cast<uint8_t>(next_++);
    }
    throw_unsupported("no free dynamic payload type (96-127) left for " + for_what);
  }

 private:
  std::set<uint8_t> used_;
  int next_ = 96;
};

}  // namespace

RtpCapabilities generate_router_rtp_capabilities(
    const std::vector<RtpCodecCapability>& media_codecs) {
  const RtpCapabilities& supported = supported_rtp_capabilities();
  RtpCapabilities caps;
  caps.header_extensions = supported.header_extensions;
  PayloadTypeAllocator pts;

  for (size_t i = 0; i < media_codecs.size(); ++i) {
    const RtpCodecCapability& media = media_codecs[i];
    const std::string path = "mediaCodecs[" + std::to_string(i) + "]";
    if (is_rtx(media.mime_type))
      throw_invalid(path + ".mimeType: RTX is added by the router, do not configure it");
    if (kind_of_mime(media.mime_type) != media.kind)
      throw_invalid(path + ".mimeType: '" + media.mime_type + "' does not match kind '" +
                    std::string(to_string(media.kind)) + "'");
    const RtpCodecCapability* match = nullptr;
    for (const auto& s : supported.codecs) {
      if (s.kind == media.kind && mismatch(media, s).empty()) {
        match = &s;
        break;
      }
    }
    if (match == nullptr) {
      std::string why = closest_reason(media, supported.codecs);
      throw_unsupported(path + ": media codec " + describe(media.mime_type, media.parameters) +
                        " is not supported by this router" + (why.empty() ? "" : ": " + why));
    }
    RtpCodecCapability codec = *match;
    if (media.preferred_payload_type) {
      const uint8_t pt = *media.preferred_payload_type;
      // RFC 5761 4: 64-95 would be taken for RTCP packet types 192-223 when muxed.
      if (pt >= 64 && pt <= 95)
        throw_invalid(path + ".preferredPayloadType: " + std::to_string(pt) +
                      " collides with RTCP packet types (RFC 5761)");
    }
    if (media.preferred_payload_type && pts.take(*media.preferred_payload_type)) {
      codec.preferred_payload_type = media.preferred_payload_type;
    } else {
      codec.preferred_payload_type = pts.next_dynamic(media.mime_type);
    }
    for (const auto& [k, v] : media.parameters) codec.parameters[k] = v;
    const uint8_t pt = *codec.preferred_payload_type;
    caps.codecs.push_back(std::move(codec));

    if (media.kind == MediaKind::kVideo) {
      RtpCodecCapability rtx;
      rtx.kind = MediaKind::kVideo;
      rtx.mime_type = "video/rtx";
      rtx.preferred_payload_type = pts.next_dynamic("RTX of " + media.mime_type);
      rtx.clock_rate = media.clock_rate;
      rtx.parameters = {{"apt", int64_t{pt}}};
      caps.codecs.push_back(std::move(rtx));
    }
  }
  return caps;
}

void validate_producer_rtp_parameters(MediaKind kind, const RtpParameters& params,
                                      const std::string& path) {
  if (params.codecs.empty()) throw_invalid(path + ".codecs: empty");
  std::set<uint8_t> media_pts;
  for (size_t i = 0; i < params.codecs.size(); ++i) {
    const auto& c = params.codecs[i];
    const std::string cp = path + ".codecs[" + std::to_string(i) + "]";
    if (!is_media_kind(c.mime_type, kind))
      throw_invalid(cp + ".mimeType: '" + c.mime_type + "' is not " +
                    (kind == MediaKind::kAudio ? "an audio" : "a video") + " codec");
    for (size_t j = 0; j < i; ++j) {
      if (params.codecs[j].payload_type == c.payload_type)
        throw_invalid(cp + ".payloadType: " + std::to_string(c.payload_type) +
                      " is already used by codecs[" + std::to_string(j) + "]");
    }
    if (!is_rtx(c.mime_type)) media_pts.insert(c.payload_type);
  }
  if (media_pts.empty()) throw_invalid(path + ".codecs: no media codec, only RTX");
  if (is_rtx(params.codecs[0].mime_type))
    throw_invalid(path + ".codecs[0].mimeType: the first codec must be a media codec");
  for (size_t i = 0; i < params.codecs.size(); ++i) {
    const auto& c = params.codecs[i];
    if (!is_rtx(c.mime_type)) continue;
    const std::string ap = path + ".codecs[" + std::to_string(i) + "].parameters.apt";
    auto apt = parameter_int(c.parameters, "apt");
    if (!apt) throw_invalid(ap + ": missing or not an integer");
    if (*apt < 0 || *apt > 127 || media_pts.count(static_cast<uint8_t>(*apt)) == 0)
      throw_invalid(ap + ": " + std::to_string(*apt) + " is not the payload type of a media codec");
  }
  for (size_t i = 0; i < params.header_extensions.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (params.header_extensions[j].id == params.header_extensions[i].id)
        throw_invalid(path + ".headerExtensions[" + std::to_string(i) +
                      "].id: " + std::to_string(params.header_extensions[i].id) +
                      " is already used by headerExtensions[" + std::to_string(j) + "]");
    }
  }
  if (params.encodings.empty()) throw_invalid(path + ".encodings: empty");
  std::set<uint32_t> ssrcs;
  std::set<std::string> rids;
  for (size_t i = 0; i < params.encodings.size(); ++i) {
    const auto& e = params.encodings[i];
    const std::string ep = path + ".encodings[" + std::to_string(i) + "]";
    if (!e.ssrc && !e.rid) throw_invalid(ep + ": needs an ssrc or a rid");
    if (e.ssrc && !ssrcs.insert(*e.ssrc).second)
      throw_invalid(ep + ".ssrc: " + std::to_string(*e.ssrc) + " is used twice");
    if (e.rtx && !ssrcs.insert(e.rtx->ssrc).second)
      throw_invalid(ep + ".rtx.ssrc: " + std::to_string(e.rtx->ssrc) + " is used twice");
    if (e.rid) {
      // RFC 8851 10: rid-syntax is 1*(alpha-numeric / "-" / "_"); the data plane matches it byte
      // for byte against the RTP header extension.
      if (e.rid->empty() || e.rid->size() > 255 ||
          !std::all_of(e.rid->begin(), e.rid->end(),
                       [](unsigned char ch) { return std::isalnum(ch) || ch == '-' || ch == '_'; }))
        throw_invalid(ep + ".rid: '" + *e.rid + "' is not a valid rid");
      if (!rids.insert(*e.rid).second) throw_invalid(ep + ".rid: '" + *e.rid + "' is used twice");
    }
    if (e.codec_payload_type && media_pts.count(*e.codec_payload_type) == 0)
      throw_invalid(ep + ".codecPayloadType: " + std::to_string(*e.codec_payload_type) +
                    " is not the payload type of a media codec");
  }
}

RtpMapping get_producer_rtp_parameters_mapping(MediaKind kind, const RtpParameters& params,
                                               const RtpCapabilities& router_caps,
                                               const RandomSource& random) {
  validate_producer_rtp_parameters(kind, params);
  RtpMapping mapping;
  // Producer media codec PT -> the router codec it matched.
  std::vector<std::pair<uint8_t, const RtpCodecCapability*>> media_map;
  for (const auto& c : params.codecs) {
    if (is_rtx(c.mime_type)) continue;
    const RtpCodecCapability* match = nullptr;
    for (const auto& rc : router_caps.codecs) {
      if (rc.kind == kind && !is_rtx(rc.mime_type) && rc.preferred_payload_type &&
          mismatch(c, rc).empty()) {
        match = &rc;
        break;
      }
    }
    if (match == nullptr) {
      std::string why = closest_reason(c, router_caps.codecs);
      throw_unsupported("codec " + describe(c.mime_type, c.parameters) +
                        " is not supported by this router" + (why.empty() ? "" : ": " + why));
    }
    media_map.emplace_back(c.payload_type, match);
    mapping.codecs.push_back({c.payload_type, *match->preferred_payload_type});
  }
  for (const auto& c : params.codecs) {
    if (!is_rtx(c.mime_type)) continue;
    const auto apt = static_cast<uint8_t>(*parameter_int(c.parameters, "apt"));
    auto it = std::find_if(media_map.begin(), media_map.end(),
                           [apt](const auto& m) { return m.first == apt; });
    const uint8_t router_media_pt = *it->second->preferred_payload_type;
    const RtpCodecCapability* router_rtx = nullptr;
    for (const auto& rc : router_caps.codecs) {
      if (is_rtx(rc.mime_type) && rc.preferred_payload_type &&
          parameter_int(rc.parameters, "apt") == int64_t{router_media_pt})
        router_rtx = &rc;
    }
    if (router_rtx == nullptr)
      throw_unsupported("no RTX codec in this router for " + it->second->mime_type +
                        " (payload type " + std::to_string(router_media_pt) + ")");
    mapping.codecs.push_back({c.payload_type, *router_rtx->preferred_payload_type});
  }
  // mediasoup's range: 9 decimal digits, never 0, consecutive per producer.
  uint32_t base = 100000000u + next_random(random) % 900000000u;
  for (const auto& e : params.encodings) {
    mapping.encodings.push_back({e.ssrc, e.rid, e.scalability_mode, base++});
  }
  return mapping;
}

RtpParameters get_consumable_rtp_parameters(MediaKind kind, const RtpParameters& params,
                                            const RtpCapabilities& router_caps,
                                            const RtpMapping& mapping) {
  RtpParameters out;
  for (const auto& c : params.codecs) {
    if (is_rtx(c.mime_type)) continue;
    auto m = std::find_if(mapping.codecs.begin(), mapping.codecs.end(),
                          [&c](const auto& x) { return x.payload_type == c.payload_type; });
    if (m == mapping.codecs.end())
      throw_invalid("rtpMapping: no entry for payload type " + std::to_string(c.payload_type));
    auto rc = std::find_if(
        router_caps.codecs.begin(), router_caps.codecs.end(),
        [&m](const auto& x) { return x.preferred_payload_type == m->mapped_payload_type; });
    if (rc == router_caps.codecs.end())
      throw_invalid("rtpMapping: router has no codec with payload type " +
                    std::to_string(m->mapped_payload_type));
    // The producer's fmtp (its H264 level, its Opus stereo...) is what consumers will receive.
    out.codecs.push_back({rc->mime_type, m->mapped_payload_type, rc->clock_rate, rc->channels,
                          c.parameters, rc->rtcp_feedback});
    for (const auto& rtx : router_caps.codecs) {
      if (is_rtx(rtx.mime_type) && rtx.preferred_payload_type &&
          parameter_int(rtx.parameters, "apt") == int64_t{m->mapped_payload_type}) {
        out.codecs.push_back({rtx.mime_type,
                              *rtx.preferred_payload_type,
                              rtx.clock_rate,
                              std::nullopt,
                              rtx.parameters,
                              {}});
        break;
      }
    }
  }
  for (const auto& e : router_caps.header_extensions) {
    if (e.kind != kind) continue;
    // Only extensions the router may send: recvonly ones (rid, repaired-rid) stay inbound.
    if (e.direction != HeaderExtensionDirection::kSendRecv &&
        e.direction != HeaderExtensionDirection::kSendOnly)
      continue;
    out.header_extensions.push_back({e.uri, e.preferred_id, e.preferred_encrypt, {}});
  }
  for (size_t i = 0; i < params.encodings.size(); ++i) {
    RtpEncodingParameters e = params.encodings[i];
    if (i >= mapping.encodings.size()) throw_invalid("rtpMapping: fewer encodings than producer");
    e.ssrc = mapping.encodings[i].mapped_ssrc;
    e.rid.reset();
    e.rtx.reset();
    e.codec_payload_type.reset();
    out.encodings.push_back(std::move(e));
  }
  out.rtcp.cname = params.rtcp.cname;
  out.rtcp.reduced_size = true;
  out.rtcp.mux = true;
  return out;
}

namespace {

const RtpCodecCapability* find_remote(const RtpCodecParameters& c, const RtpCapabilities& caps) {
  for (const auto& rc : caps.codecs) {
    if (mismatch(c, rc).empty()) return &rc;
  }
  return nullptr;
}

std::string first_media_refusal(const RtpParameters& consumable, const RtpCapabilities& caps) {
  for (const auto& c : consumable.codecs) {
    if (is_rtx(c.mime_type)) continue;
    std::string why = closest_reason(c, caps.codecs);
    return "the endpoint cannot receive " + describe(c.mime_type, c.parameters) +
           (why.empty() ? "" : ": " + why);
  }
  return "no media codec to consume";
}

}  // namespace

std::string consume_refusal(const RtpParameters& consumable, const RtpCapabilities& remote_caps) {
  for (const auto& c : consumable.codecs) {
    if (is_rtx(c.mime_type)) continue;
    if (find_remote(c, remote_caps) != nullptr) return "";
  }
  return first_media_refusal(consumable, remote_caps);
}

RtpParameters get_consumer_rtp_parameters(const RtpParameters& consumable,
                                          const RtpCapabilities& remote_caps, bool pipe,
                                          const RandomSource& random) {
  RtpParameters out;
  for (const auto& c : consumable.codecs) {
    // A pipe consumer feeds another router, which asks its own producer for retransmissions.
    if (pipe && is_rtx(c.mime_type)) continue;
    const RtpCodecCapability* rc = find_remote(c, remote_caps);
    if (rc == nullptr) continue;
    RtpCodecParameters codec = c;
    codec.rtcp_feedback.clear();
    for (const auto& fb : c.rtcp_feedback) {
      if (pipe && fb.type == "nack" && fb.parameter.empty()) continue;
      if (std::find(rc->rtcp_feedback.begin(), rc->rtcp_feedback.end(), fb) !=
          rc->rtcp_feedback.end())
        codec.rtcp_feedback.push_back(fb);
    }
    out.codecs.push_back(std::move(codec));
  }
  // RTX only for a media codec that is kept.
  std::erase_if(out.codecs, [&out](const RtpCodecParameters& c) {
    if (!is_rtx(c.mime_type)) return false;
    auto apt = parameter_int(c.parameters, "apt");
    return std::none_of(out.codecs.begin(), out.codecs.end(), [&apt](const auto& m) {
      return !is_rtx(m.mime_type) && apt == int64_t{m.payload_type};
    });
  });
  if (out.codecs.empty() || is_rtx(out.codecs[0].mime_type))
    throw_unsupported(first_media_refusal(consumable, remote_caps));

  for (const auto& e : consumable.header_extensions) {
    // The data plane forwards the producer's header extensions unchanged, so a consumer must not
    // negotiate extensions whose values belong to the producer's session: MID (the producer's
    // mid, which would make the receiving browser route the stream to the wrong transceiver or
    // drop it) and transport-wide-cc (the producer's sequence numbers, which would corrupt the
    // receiver's feedback). Without MID, Chromium demultiplexes by SSRC (mediasoup-client puts
    // a=ssrc lines in the SDP); without transport-cc, REMB is the estimator below.
    if (e.uri == kUriMid || e.uri == kUriTransportWideCc) continue;
    // The remote's ids are the router's ids (mediasoup-client's Device derives them from the
    // router's capabilities), so a different id means a different negotiation.
    auto same =
        std::find_if(remote_caps.header_extensions.begin(), remote_caps.header_extensions.end(),
                     [&e](const auto& r) { return r.uri == e.uri && r.preferred_id == e.id; });
    if (same != remote_caps.header_extensions.end()) out.header_extensions.push_back(e);
  }

  // One bandwidth estimator per consumer: transport-cc when its extension is negotiated, else REMB
  // with abs-send-time, else none.
  auto has_ext = [&out](const char* uri) {
    return std::any_of(out.header_extensions.begin(), out.header_extensions.end(),
                       [uri](const auto& e) { return e.uri == uri; });
  };
  const bool twcc = has_ext(kUriTransportWideCc);
  const bool abs = has_ext(kUriAbsSendTime);
  for (auto& c : out.codecs) {
    std::erase_if(c.rtcp_feedback, [twcc, abs](const RtcpFeedback& fb) {
      if (fb.type == "goog-remb") return twcc || !abs;
      if (fb.type == "transport-cc") return !twcc;
      return false;
    });
  }

  if (pipe) {
    out.encodings = consumable.encodings;
    for (auto& e : out.encodings) e.rtx.reset();
  } else {
    const RtpCodecParameters media = out.codecs[0];
    std::optional<RtpCodecParameters> rtx;
    for (const auto& c : out.codecs) {
      if (is_rtx(c.mime_type) &&
          parameter_int(c.parameters, "apt") == int64_t{media.payload_type}) {
        rtx = c;
        break;
      }
    }
    out.codecs = {media};
    if (rtx) out.codecs.push_back(*rtx);

    RtpEncodingParameters enc;
    enc.ssrc = random_ssrc(random);
    if (rtx) enc.rtx = RtxParameters{*enc.ssrc + 1};
    if (!consumable.encodings.empty()) {
      // The data plane forwards the producer's first stream (no simulcast layer selection yet).
      enc.scalability_mode = consumable.encodings[0].scalability_mode;
      enc.dtx = consumable.encodings[0].dtx;
      for (const auto& e : consumable.encodings) {
        if (e.max_bitrate && (!enc.max_bitrate || *e.max_bitrate > *enc.max_bitrate))
          enc.max_bitrate = e.max_bitrate;
      }
    }
    out.encodings = {enc};
  }
  out.rtcp = consumable.rtcp;
  out.rtcp.reduced_size = true;
  out.rtcp.mux = true;
  return out;
}

}  // namespace fanout::cp

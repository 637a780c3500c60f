#include "controlplane/rtp/rtp_parameters.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <boost/json/parse.hpp>

namespace fanout::cp {

namespace json = boost::json;

void throw_invalid(const std::string& what) {
  throw RtpError(RtpError::Kind::kInvalid, what);
}
void throw_unsupported(const std::string& what) {
  throw RtpError(RtpError::Kind::kUnsupported, what);
}

std::string_view to_string(MediaKind kind) {
  return kind == MediaKind::kAudio ? "audio" : "video";
}

std::optional<MediaKind> parse_media_kind(std::string_view s) {
  if (s == "audio") return MediaKind::kAudio;
  if (s == "video") return MediaKind::kVideo;
  return std::nullopt;
}

std::optional<int64_t> parameter_int(const CodecParameters& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  if (const auto* i = std::get_if<int64_t>(&it->second)) return *i;
  return std::nullopt;
}

std::optional<std::string> parameter_string(const CodecParameters& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

static std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_rtx(std::string_view mime_type) {
  std::string m = lower(mime_type);
  return m == "audio/rtx" || m == "video/rtx";
}

std::optional<MediaKind> kind_of_mime(std::string_view mime_type) {
  auto slash = mime_type.find('/');
  if (slash == std::string_view::npos || slash + 1 == mime_type.size()) return std::nullopt;
  return parse_media_kind(lower(mime_type.substr(0, slash)));
}

namespace {

// One JSON object being read, with the path used in every error message.
class ObjectReader {
 public:
  ObjectReader(const json::value& v, std::string path) : path_(std::move(path)) {
    obj_ = v.if_object();
    if (obj_ == nullptr) throw_invalid(path_ + ": expected an object");
  }

  const std::string& path() const { return path_; }
  std::string sub(std::string_view key) const { return path_ + "." + std::string(key); }
  const json::value* find(std::string_view key) const {
    auto it = obj_->find(key);
    // mediasoup treats an explicit null like an absent optional field.
    if (it == obj_->end() || it->value().is_null()) return nullptr;
    return &it->value();
  }
  const json::value& require(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) throw_invalid(sub(key) + ": missing");
    return *v;
  }

  std::string string(std::string_view key) const { return as_string(require(key), sub(key)); }
  std::optional<std::string> opt_string(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    return as_string(*v, sub(key));
  }
  template <typename T>
  T integer(std::string_view key, int64_t min, int64_t max) const {
    return static_cast<T>(as_integer(require(key), sub(key), min, max));
  }
  template <typename T>
  std::optional<T> opt_integer(std::string_view key, int64_t min, int64_t max) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    return static_cast<T>(as_integer(*v, sub(key), min, max));
  }
  std::optional<bool> opt_bool(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) throw_invalid(sub(key) + ": expected a boolean");
    return v->as_bool();
  }
  std::optional<double> opt_double(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number()) throw_invalid(sub(key) + ": expected a number");
    return v->to_number<double>();
  }
  // Arrays may be absent (an empty list), as mediasoup's validators fill them in.
  const json::array* opt_array(std::string_view key) const {
    const json::value* v = find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) throw_invalid(sub(key) + ": expected an array");
    return &v->get_array();
  }
  const json::array& array(std::string_view key) const {
    const json::array* a = opt_array(key);
    if (a == nullptr) throw_invalid(sub(key) + ": missing");
    return *a;
  }

  static std::string as_string(const json::value& v, const std::string& path) {
    if (!v.is_string()) throw_invalid(path + ": expected a string");
    return std::string(v.get_string());
  }
  static int64_t as_integer(const json::value& v, const std::string& path, int64_t min,
                            int64_t max) {
    int64_t n = 0;
    if (v.is_int64()) {
      n = v.get_int64();
    } else if (v.is_uint64()) {
      if (v.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw_invalid(path + ": out of range");
      n = static_cast<int64_t>(v.get_uint64());
    } else if (v.is_double()) {
      // JavaScript has only doubles: 96.0 is a fine payload type, 96.5 is not.
      double d = v.get_double();
      if (std::trunc(d) != d || std::abs(d) > 9.0e15) throw_invalid(path + ": expected an integer");
      n = static_cast<int64_t>(d);
    } else {
      throw_invalid(path + ": expected a number");
    }
    if (n < min || n > max)
      throw_invalid(path + ": " + std::to_string(n) + " is out of range [" + std::to_string(min) +
                    ", " + std::to_string(max) + "]");
    return n;
  }

 private:
  const json::object* obj_ = nullptr;
  std::string path_;
};

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

CodecParameters parse_parameters(const ObjectReader& r, std::string_view key) {
  CodecParameters out;
  const json::value* v = r.find(key);
  if (v == nullptr) return out;
  const std::string path = r.sub(key);
  const json::object* obj = v->if_object();
  if (obj == nullptr) throw_invalid(path + ": expected an object");
  for (const auto& kv : *obj) {
    const std::string name(kv.key());
    const json::value& val = kv.value();
    if (val.is_string()) {
      out.emplace(name, std::string(val.get_string()));
    } else if (val.is_int64()) {
      out.emplace(name, val.get_int64());
    } else if (val.is_uint64() &&
               val.get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      out.emplace(name, static_cast<int64_t>(val.get_uint64()));
    } else if (val.is_double()) {
      double d = val.get_double();
      if (std::trunc(d) == d && std::abs(d) < 9.0e15)
        out.emplace(name, static_cast<int64_t>(d));
      else
        out.emplace(name, d);
    } else {
      throw_invalid(path + "." + name + ": expected a string or a number");
    }
  }
  return out;
}

std::vector<RtcpFeedback> parse_feedback(const ObjectReader& r) {
  std::vector<RtcpFeedback> out;
  const json::array* a = r.opt_array("rtcpFeedback");
  if (a == nullptr) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    ObjectReader fr((*a)[i], index_path(r.sub("rtcpFeedback"), i));
    RtcpFeedback fb;
    fb.type = fr.string("type");
    fb.parameter = fr.opt_string("parameter").value_or("");
    out.push_back(std::move(fb));
  }
  return out;
}

void check_mime(const std::string& mime, const std::string& path) {
  if (!kind_of_mime(mime)) throw_invalid(path + ": '" + mime + "' is not audio/* or video/*");
}

json::object parameters_json(const CodecParameters& params) {
  json::object o;
  for (const auto& [k, v] : params) {
    std::visit([&o, &k](const auto& x) { o[k] = x; }, v);
  }
  return o;
}

json::array feedback_json(const std::vector<RtcpFeedback>& fbs) {
  json::array a;
  for (const auto& fb : fbs)
    a.push_back(json::object{{"type", fb.type}, {"parameter", fb.parameter}});
  return a;
}

std::string_view direction_name(HeaderExtensionDirection d) {
  switch (d) {
    case HeaderExtensionDirection::kSendRecv:
      return "sendrecv";
    case HeaderExtensionDirection::kSendOnly:
      return "sendonly";
    case HeaderExtensionDirection::kRecvOnly:
      return "recvonly";
    case HeaderExtensionDirection::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

}  // namespace

RtpCodecCapability parse_rtp_codec_capability(const json::value& v, const std::string& path) {
  ObjectReader r(v, path);
  RtpCodecCapability c;
  auto kind = parse_media_kind(r.string("kind"));
  if (!kind) throw_invalid(r.sub("kind") + ": expected 'audio' or 'video'");
  c.kind = *kind;
  c.mime_type = r.string("mimeType");
  check_mime(c.mime_type, r.sub("mimeType"));
  if (*kind_of_mime(c.mime_type) != c.kind)
    throw_invalid(r.sub("mimeType") + ": '" + c.mime_type + "' does not match kind '" +
                  std::string(to_string(c.kind)) + "'");
  c.preferred_payload_type = r.opt_integer<uint8_t>("preferredPayloadType", 0, 127);
  c.clock_rate = r.integer<uint32_t>("clockRate", 1, std::numeric_limits<uint32_t>::max());
  c.channels = r.opt_integer<uint8_t>("channels", 1, 255);
  c.parameters = parse_parameters(r, "parameters");
  c.rtcp_feedback = parse_feedback(r);
  return c;
}

RtpCapabilities parse_rtp_capabilities(const json::value& v, const std::string& path) {
  ObjectReader r(v, path);
  RtpCapabilities caps;
  if (const json::array* a = r.opt_array("codecs")) {
    for (size_t i = 0; i < a->size(); ++i)
      caps.codecs.push_back(parse_rtp_codec_capability((*a)[i], index_path(r.sub("codecs"), i)));
  }
  if (const json::array* a = r.opt_array("headerExtensions")) {
    for (size_t i = 0; i < a->size(); ++i) {
      ObjectReader er((*a)[i], index_path(r.sub("headerExtensions"), i));
      RtpHeaderExtensionCapability e;
      auto kind = parse_media_kind(er.string("kind"));
      if (!kind) throw_invalid(er.sub("kind") + ": expected 'audio' or 'video'");
      e.kind = *kind;
      e.uri = er.string("uri");
      // RFC 8285: one-byte ids 1-14, two-byte ids up to 255.
      e.preferred_id = er.integer<uint8_t>("preferredId", 1, 255);
      e.preferred_encrypt = er.opt_bool("preferredEncrypt").value_or(false);
      if (auto d = er.opt_string("direction")) {
        if (*d == "sendrecv")
          e.direction = HeaderExtensionDirection::kSendRecv;
        else if (*d == "sendonly")
          e.direction = HeaderExtensionDirection::kSendOnly;
        else if (*d == "recvonly")
          e.direction = HeaderExtensionDirection::kRecvOnly;
        else if (*d == "inactive")
          e.direction = HeaderExtensionDirection::kInactive;
        else
          throw_invalid(er.sub("direction") + ": unknown direction '" + *d + "'");
      }
      caps.header_extensions.push_back(std::move(e));
    }
  }
  return caps;
}

RtpParameters parse_rtp_parameters(const json::value& v, const std::string& path) {
  ObjectReader r(v, path);
  RtpParameters p;
  p.mid = r.opt_string("mid");
  const json::array& codecs = r.array("codecs");
  for (size_t i = 0; i < codecs.size(); ++i) {
    ObjectReader cr(codecs[i], index_path(r.sub("codecs"), i));
    RtpCodecParameters c;
    c.mime_type = cr.string("mimeType");
    check_mime(c.mime_type, cr.sub("mimeType"));
    c.payload_type = cr.integer<uint8_t>("payloadType", 0, 127);
    c.clock_rate = cr.integer<uint32_t>("clockRate", 1, std::numeric_limits<uint32_t>::max());
    c.channels = cr.opt_integer<uint8_t>("channels", 1, 255);
    c.parameters = parse_parameters(cr, "parameters");
    c.rtcp_feedback = parse_feedback(cr);
    p.codecs.push_back(std::move(c));
  }
  if (const json::array* a = r.opt_array("headerExtensions")) {
    for (size_t i = 0; i < a->size(); ++i) {
      ObjectReader er((*a)[i], index_path(r.sub("headerExtensions"), i));
      RtpHeaderExtensionParameters e;
      e.uri = er.string("uri");
      e.id = er.integer<uint8_t>("id", 1, 255);
      e.encrypt = er.opt_bool("encrypt").value_or(false);
      e.parameters = parse_parameters(er, "parameters");
      p.header_extensions.push_back(std::move(e));
    }
  }
  if (const json::array* a = r.opt_array("encodings")) {
    for (size_t i = 0; i < a->size(); ++i) {
      ObjectReader er((*a)[i], index_path(r.sub("encodings"), i));
      RtpEncodingParameters e;
      e.ssrc = er.opt_integer<uint32_t>("ssrc", 0, std::numeric_limits<uint32_t>::max());
      e.rid = er.opt_string("rid");
      e.codec_payload_type = er.opt_integer<uint8_t>("codecPayloadType", 0, 127);
      if (const json::value* rtx = er.find("rtx")) {
        ObjectReader xr(*rtx, er.sub("rtx"));
        e.rtx =
            RtxParameters{xr.integer<uint32_t>("ssrc", 0, std::numeric_limits<uint32_t>::max())};
      }
      e.dtx = er.opt_bool("dtx");
      e.scalability_mode = er.opt_string("scalabilityMode");
      e.scale_resolution_down_by = er.opt_double("scaleResolutionDownBy");
      e.max_bitrate =
          er.opt_integer<uint32_t>("maxBitrate", 0, std::numeric_limits<uint32_t>::max());
      e.max_framerate = er.opt_double("maxFramerate");
      p.encodings.push_back(std::move(e));
    }
  }
  if (const json::value* rtcp = r.find("rtcp")) {
    ObjectReader rr(*rtcp, r.sub("rtcp"));
    p.rtcp.cname = rr.opt_string("cname");
    p.rtcp.reduced_size = rr.opt_bool("reducedSize");
    p.rtcp.mux = rr.opt_bool("mux");
  }
  return p;
}

json::value to_json(const RtpCodecCapability& c) {
  json::object o;
  o["kind"] = to_string(c.kind);
  o["mimeType"] = c.mime_type;
  if (c.preferred_payload_type) o["preferredPayloadType"] = *c.preferred_payload_type;
  o["clockRate"] = c.clock_rate;
  if (c.channels) o["channels"] = *c.channels;
  o["parameters"] = parameters_json(c.parameters);
  o["rtcpFeedback"] = feedback_json(c.rtcp_feedback);
  return o;
}

json::value to_json(const RtpCapabilities& caps) {
  json::array codecs;
  for (const auto& c : caps.codecs) codecs.push_back(to_json(c));
  json::array exts;
  for (const auto& e : caps.header_extensions) {
    exts.push_back(json::object{{"kind", to_string(e.kind)},
                                {"uri", e.uri},
                                {"preferredId", e.preferred_id},
                                {"preferredEncrypt", e.preferred_encrypt},
                                {"direction", direction_name(e.direction)}});
  }
  return json::object{{"codecs", std::move(codecs)}, {"headerExtensions", std::move(exts)}};
}

json::value to_json(const RtpParameters& p) {
  json::object o;
  if (p.mid) o["mid"] = *p.mid;
  json::array codecs;
  for (const auto& c : p.codecs) {
    json::object co;
    co["mimeType"] = c.mime_type;
    co["payloadType"] = c.payload_type;
    co["clockRate"] = c.clock_rate;
    if (c.channels) co["channels"] = *c.channels;
    co["parameters"] = parameters_json(c.parameters);
    co["rtcpFeedback"] = feedback_json(c.rtcp_feedback);
    codecs.push_back(std::move(co));
  }
  o["codecs"] = std::move(codecs);
  json::array exts;
  for (const auto& e : p.header_extensions) {
    exts.push_back(json::object{{"uri", e.uri},
                                {"id", e.id},
                                {"encrypt", e.encrypt},
                                {"parameters", parameters_json(e.parameters)}});
  }
  o["headerExtensions"] = std::move(exts);
  json::array encs;
  for (const auto& e : p.encodings) {
    json::object eo;
    if (e.ssrc) eo["ssrc"] = *e.ssrc;
    if (e.rid) eo["rid"] = *e.rid;
    if (e.codec_payload_type) eo["codecPayloadType"] = *e.codec_payload_type;
    if (e.rtx) eo["rtx"] = json::object{{"ssrc", e.rtx->ssrc}};
    if (e.dtx) eo["dtx"] = *e.dtx;
    if (e.scalability_mode) eo["scalabilityMode"] = *e.scalability_mode;
    if (e.scale_resolution_down_by) eo["scaleResolutionDownBy"] = *e.scale_resolution_down_by;
    if (e.max_bitrate) eo["maxBitrate"] = *e.max_bitrate;
    if (e.max_framerate) eo["maxFramerate"] = *e.max_framerate;
    encs.push_back(std::move(eo));
  }
  o["encodings"] = std::move(encs);
  json::object rtcp;
  if (p.rtcp.cname) rtcp["cname"] = *p.rtcp.cname;
  if (p.rtcp.reduced_size) rtcp["reducedSize"] = *p.rtcp.reduced_size;
  if (p.rtcp.mux) rtcp["mux"] = *p.rtcp.mux;
  o["rtcp"] = std::move(rtcp);
  return o;
}

json::value parse_json_text(std::string_view text, const std::string& path) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) throw_invalid(path + ": invalid JSON: " + ec.message());
  return v;
}

}  // namespace fanout::cp

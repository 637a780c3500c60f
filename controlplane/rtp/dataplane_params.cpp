#include "controlplane/rtp/dataplane_params.hpp"

#include <algorithm>

namespace fanout::cp {

DataplaneProducer dataplane_producer(MediaKind kind, const RtpParameters& params) {
  validate_producer_rtp_parameters(kind, params);
  DataplaneProducer out;
  out.kind = kind;
  for (const auto& e : params.encodings) {
    const uint8_t pt = e.codec_payload_type.value_or(params.codecs[0].payload_type);
    auto media = std::find_if(params.codecs.begin(), params.codecs.end(),
                              [pt](const auto& c) { return c.payload_type == pt; });
    DataplaneStream s;
    s.ssrc = e.ssrc.value_or(0);
    s.rtx_ssrc = e.rtx ? e.rtx->ssrc : 0;
    s.payload_type = pt;
    s.clock_rate = media->clock_rate;
    s.rid = e.rid.value_or("");
    for (const auto& c : params.codecs) {
      if (is_rtx(c.mime_type) && parameter_int(c.parameters, "apt") == int64_t{pt}) {
        s.rtx_payload_type = c.payload_type;
        break;
      }
    }
    out.streams.push_back(std::move(s));
  }
  return out;
}

DataplaneConsumer dataplane_consumer(const RtpParameters& producer_params,
                                     const RtpMapping& mapping,
                                     const RtpParameters& consumer_params) {
  if (consumer_params.codecs.empty() || consumer_params.encodings.empty() ||
      !consumer_params.encodings[0].ssrc)
    throw_invalid("consumer rtpParameters: needs a codec and an encoding with an ssrc");
  DataplaneConsumer out;
  const auto& enc = consumer_params.encodings[0];
  out.ssrc = *enc.ssrc;
  out.rtx_ssrc = enc.rtx ? enc.rtx->ssrc : 0;
  out.clock_rate = consumer_params.codecs[0].clock_rate;
  for (const auto& pc : producer_params.codecs) {
    auto m = std::find_if(mapping.codecs.begin(), mapping.codecs.end(),
                          [&pc](const auto& x) { return x.payload_type == pc.payload_type; });
    if (m == mapping.codecs.end()) continue;
    auto cc =
        std::find_if(consumer_params.codecs.begin(), consumer_params.codecs.end(),
                     [&m](const auto& c) { return c.payload_type == m->mapped_payload_type; });
    if (cc == consumer_params.codecs.end()) continue;
    out.payload_types.emplace_back(pc.payload_type, cc->payload_type);
  }
  const bool media = std::any_of(out.payload_types.begin(), out.payload_types.end(), [&](auto& p) {
    return p.second == consumer_params.codecs[0].payload_type;
  });
  if (!media)
    throw_invalid("consumer rtpParameters: codec " + consumer_params.codecs[0].mime_type +
                  " (payload type " + std::to_string(consumer_params.codecs[0].payload_type) +
                  ") is not one the producer sends");
  return out;
}

}  // namespace fanout::cp

// What the data plane's CreateProducer / CreateConsumer need (see dataplane/engine/controller.hpp
// ProducerParams and ConsumerParams), derived from negotiated rtpParameters. Kept free of engine
// headers so the control plane builds without DPDK.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "controlplane/rtp/ortc.hpp"
#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct DataplaneStream {
  uint32_t ssrc = 0;  // 0: not signalled, the data plane learns it from the rid
  uint32_t rtx_ssrc = 0;
  uint8_t payload_type = 0;
  uint8_t rtx_payload_type = 0;  // 0: no RTX
  uint32_t clock_rate = 90000;
  std::string rid;
  bool operator==(const DataplaneStream&) const = default;
};

struct DataplaneProducer {
  MediaKind kind = MediaKind::kVideo;
  std::vector<DataplaneStream> streams;  // one per encoding, in the producer's order
};

struct DataplaneConsumer {
  uint32_t ssrc = 0;
  uint32_t rtx_ssrc = 0;
  uint32_t clock_rate = 90000;
  // Producer payload type -> consumer payload type, media and RTX.
  std::vector<std::pair<uint8_t, uint8_t>> payload_types;
};

// The streams the producer's browser sends: its own SSRCs and payload types (the data plane sees
// packets before any mapping). Validates `params` first.
DataplaneProducer dataplane_producer(MediaKind kind, const RtpParameters& params);

// How the data plane rewrites the producer's packets for this consumer: a consumer's payload types
// are the router's, so each producer PT maps through `mapping` and is kept when the consumer
// negotiated that router PT. Throws RtpError when nothing the producer sends reaches the consumer.
DataplaneConsumer dataplane_consumer(const RtpParameters& producer_params,
                                     const RtpMapping& mapping,
                                     const RtpParameters& consumer_params);

}  // namespace fanout::cp

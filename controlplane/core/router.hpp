// A room's media scope (mediasoup's Router): the RTP capabilities its producers are mapped onto,
// and the transports created in it. Owned by Node.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct Router {
  std::string id;
  // generate_router_rtp_capabilities() of the node defaults or of CreateRouter's media codecs:
  // payload types assigned by the router, RTX after each video codec.
  RtpCapabilities rtp_capabilities;
  // What it was created from (nullopt: the node's defaults), kept for the restart journal.
  std::optional<std::vector<RtpCodecCapability>> media_codecs;
  std::set<std::string> transports;
};

}  // namespace fanout::cp

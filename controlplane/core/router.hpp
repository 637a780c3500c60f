// A room's media scope (mediasoup's Router): the RTP capabilities its producers are mapped onto,
// and the transports created in it. Owned by Node.
#pragma once

#include <set>
#include <string>

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct Router {
  std::string id;
  // generate_router_rtp_capabilities() of the node defaults or of CreateRouter's media codecs:
  // payload types assigned by the router, RTX after each video codec.
  RtpCapabilities rtp_capabilities;
  std::set<std::string> transports;
};

}  // namespace fanout::cp

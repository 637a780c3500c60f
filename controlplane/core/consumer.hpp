// A producer's forwarded copy to another transport (mediasoup's Consumer): its own SSRC(s) and
// the router's payload types. Owned by Node.
#pragma once

#include <cstdint>
#include <string>

#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct Consumer {
  std::string id;
  uint32_t dataplane_id = 0;
  std::string producer_id;
  std::string transport_id;
  MediaKind kind = MediaKind::kVideo;
  // What transport.consume({ rtpParameters }) takes on the client.
  RtpParameters rtp_parameters;
  bool paused = true;
  bool producer_paused = false;
};

}  // namespace fanout::cp

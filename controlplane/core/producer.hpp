// An incoming stream (or simulcast set) on a transport (mediasoup's Producer). Owned by Node.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include <boost/json/value.hpp>

#include "controlplane/rtp/ortc.hpp"
#include "controlplane/rtp/rtp_parameters.hpp"

namespace fanout::cp {

struct Producer {
  std::string id;
  uint32_t dataplane_id = 0;
  MediaKind kind = MediaKind::kVideo;
  // What the browser sends (its payload types and SSRCs), as validated.
  RtpParameters rtp_parameters;
  // Its payload types onto the router's, and the SSRCs consumers see.
  RtpMapping rtp_mapping;
  // The stream as the router offers it: what every consumer's parameters derive from.
  RtpParameters consumable_rtp_parameters;
  bool paused = false;
  std::string transport_id;
  std::string router_id;
  std::set<std::string> consumers;
  boost::json::value app_data;
};

}  // namespace fanout::cp

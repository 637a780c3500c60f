// Which worker lcore a new transport goes to. A room's media stays on one lcore while it fits
// there (no cross-lcore handoff between its producers and consumers); a room that outgrows one
// lcore spreads to the least loaded ones, and the data plane hands packets across (issue 3).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace fanout::cp {

// `node_load[w]`: transports of the whole node on worker w; `router_load[w]`: this router's
// (router_load may be shorter: missing entries are 0). Returns the worker where the router already
// has the most transports while it has fewer than `max_per_worker` there, else the least loaded
// worker of the node (lowest index on ties); nullopt when there is no worker (the data plane
// picks).
std::optional<uint16_t> place_transport(std::span<const uint32_t> node_load,
                                        std::span<const uint32_t> router_load,
                                        uint32_t max_per_worker);

}  // namespace fanout::cp

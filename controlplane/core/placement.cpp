#include "controlplane/core/placement.hpp"

namespace fanout::cp {

std::optional<uint16_t> place_transport(std::span<const uint32_t> node_load,
                                        std::span<const uint32_t> router_load,
                                        uint32_t max_per_worker) {
  if (node_load.empty()) return std::nullopt;
  std::optional<uint16_t> home;
  for (size_t w = 0; w < node_load.size() && w < router_load.size(); ++w) {
    const uint32_t n = router_load[w];
    if (n == 0 || n >= max_per_worker) continue;
    if (!home || n > router_load[*home]) home = static_cast<uint16_t>(w);
  }
  if (home) return home;
  uint16_t least = 0;
  for (size_t w = 1; w < node_load.size(); ++w) {
    if (node_load[w] < node_load[least]) least = static_cast<uint16_t>(w);
  }
  return least;
}

}  // namespace fanout::cp

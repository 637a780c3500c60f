// Compile-time bounds of the data plane. Runtime sizes come from DataplaneConfig.
#pragma once

#include <cstdint>

namespace fanout::dp {

inline constexpr uint16_t kBurst = 32;         // RX/TX burst (STYLE.md: bursts of 32)
inline constexpr uint16_t kPrefetchAhead = 4;  // packets prefetched ahead in a burst
inline constexpr uint16_t kMaxPorts = 8;
inline constexpr uint16_t kMaxWorkers = 64;         // fan-out targets are a 64-bit lcore mask
inline constexpr uint16_t kMaxValidatedTuples = 4;  // ICE-checked remote tuples per transport
inline constexpr uint16_t kMaxProducerStreams = 4;  // encodings per producer (simulcast)
inline constexpr uint16_t kMaxRtcpSenders = 8;      // SRTCP replay windows per transport
inline constexpr uint16_t kL2L3L4Headroom = 14 + 4 + 40 + 8;  // Ethernet + VLAN + IPv6 + UDP
inline constexpr uint32_t kInvalidSlot = UINT32_MAX;
inline constexpr uint16_t kMainIndex = UINT16_MAX;  // "from the main lcore" in handoff metadata

}  // namespace fanout::dp

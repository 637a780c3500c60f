// The tables every RX lcore reads to find a packet's transport and its owner: remote tuple, ICE
// ufrag and per-transport UDP port. Written only by the main lcore; readers never lock: the hashes
// are lock-free for readers (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) and deleted keys are reclaimed
// through RCU (rte_rcu_qsbr) once every worker has reported a quiescent state.
#pragma once

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane/engine/limits.hpp"
#include "dataplane/net/address.hpp"

namespace fanout::dp {

// Where a transport lives: its slot, the generation of that slot, and its owner worker.
struct Route {
  uint32_t slot = kInvalidSlot;
  uint32_t gen = 0;  // low 24 bits
  uint16_t worker = 0;

  uint64_t pack() const {
    return (static_cast<uint64_t>(gen & 0xffffff) << 40) |
           (static_cast<uint64_t>(worker & 0xff) << 32) | slot;
  }
  static Route unpack(uint64_t v) {
    return Route{static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 40),
                 static_cast<uint16_t>((v >> 32) & 0xff)};
  }
  bool valid() const { return slot != kInvalidSlot; }
};

inline constexpr size_t kMaxUfragLen = 32;  // RFC 8839 allows 4..256; we issue 16

class DispatchTables {
 public:
  DispatchTables() = default;
  DispatchTables(const DispatchTables&) = delete;
  DispatchTables& operator=(const DispatchTables&) = delete;
  ~DispatchTables();

  // Slow path. `rcu` has one thread per worker.
  bool init(const std::string& name, uint32_t max_transports, uint16_t ports, rte_rcu_qsbr* rcu,
            std::string* error);

  // Readers (any lcore, hot path).
  Route by_tuple(const net::Tuple& t) const {
    void* data = nullptr;
    if (rte_hash_lookup_data(tuples_, &t, &data) < 0) return Route{};
    return Route::unpack(reinterpret_cast<uintptr_t>(data));
  }
  Route by_ufrag(std::string_view ufrag) const;
  Route by_port(uint16_t port, uint16_t udp_port) const {
    uint64_t v = by_udp_port_[port][udp_port].load(std::memory_order_acquire);
    return v == 0 ? Route{} : Route::unpack(v - 1);
  }

  // Writers (main lcore only).
  bool add_tuple(const net::Tuple& t, Route r);
  void remove_tuple(const net::Tuple& t);
  bool add_ufrag(std::string_view ufrag, Route r);
  void remove_ufrag(std::string_view ufrag);
  void set_port(uint16_t port, uint16_t udp_port, Route r) {
    by_udp_port_[port][udp_port].store(r.valid() ? r.pack() + 1 : 0, std::memory_order_release);
  }

 private:
  struct UfragKey {
    char text[kMaxUfragLen];
  };
  static bool make_ufrag_key(std::string_view ufrag, UfragKey* key);

  rte_hash* tuples_ = nullptr;
  rte_hash* ufrags_ = nullptr;
  std::atomic<uint64_t> (*by_udp_port_)[65536] = nullptr;
  uint16_t ports_ = 0;
};

}  // namespace fanout::dp

#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "signaling/server/config.hpp"
#include "signaling/server/metrics.hpp"
#include "signaling/server/request_handler.hpp"

namespace fanout::sig {

// What every connection shares: configuration, counters, the request handler and the list of
// live sessions (so the server can close them all on shutdown).
class SharedState {
 public:
  SharedState(ServerConfig config, std::shared_ptr<RequestHandler> handler, bool loopback_bind)
      : config_(std::move(config)), handler_(std::move(handler)), loopback_bind_(loopback_bind) {}

  const ServerConfig& config() const { return config_; }
  Metrics& metrics() { return metrics_; }
  RequestHandler& handler() { return *handler_; }
  bool loopback_bind() const { return loopback_bind_; }
  std::uint64_t next_session_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  void add(std::uint64_t id, const std::weak_ptr<Session>& s) {
    std::lock_guard lock(mutex_);
    sessions_.emplace(id, s);
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
  }
  std::vector<std::shared_ptr<Session>> sessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(mutex_);
    for (auto& [id, w] : sessions_) {
      if (auto s = w.lock()) out.push_back(std::move(s));
    }
    return out;
  }

 private:
  const ServerConfig config_;
  Metrics metrics_;
  std::shared_ptr<RequestHandler> handler_;
  const bool loopback_bind_;
  std::atomic<std::uint64_t> next_id_{1};
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
};

// Counts one open TCP connection for as long as some session holds it; moves from the HTTP
// session to the WebSocket session on upgrade.
class ConnectionTicket {
 public:
  explicit ConnectionTicket(std::shared_ptr<SharedState> state) : state_(std::move(state)) {
    state_->metrics().tcp_connections_current.fetch_add(1, std::memory_order_relaxed);
    state_->metrics().tcp_connections_total.fetch_add(1, std::memory_order_relaxed);
  }
  ConnectionTicket(ConnectionTicket&&) = default;
  ConnectionTicket& operator=(ConnectionTicket&&) = delete;
  ~ConnectionTicket() {
    if (state_) state_->metrics().tcp_connections_current.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::shared_ptr<SharedState> state_;
};

}  // namespace fanout::sig

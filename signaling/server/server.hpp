#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "signaling/server/config.hpp"
#include "signaling/server/metrics.hpp"
#include "signaling/server/request_handler.hpp"

namespace fanout::sig {

// The signaling server: one port for HTTP and WebSocket, TLS when a certificate is configured,
// `listen.io_threads` threads running one io_context, a strand per connection.
class Server {
 public:
  Server(ServerConfig config, std::shared_ptr<RequestHandler> handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::runtime_error saying what failed and
  // what to change (address in use, unreadable certificate, ...).
  void start();
  // Stops accepting, asks every WebSocket peer to close ("server shutting down"), waits up to
  // `grace_ms` for them, then stops the threads. Idempotent.
  void stop(unsigned grace_ms = 1000);

  std::uint16_t port() const;  // the bound port (useful with listen.port=0)
  Metrics& metrics();
  std::vector<std::shared_ptr<Session>> sessions();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fanout::sig

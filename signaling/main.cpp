// fanout-signaling: the WebSocket/HTTP server browsers talk to (issue 4).
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>

#include "signaling/app/room_handler.hpp"
#include "signaling/server/config.hpp"
#include "signaling/server/log.hpp"
#include "signaling/server/request_handler.hpp"
#include "signaling/server/server.hpp"

int main(int argc, char** argv) {
  using namespace fanout::sig;
  ServerConfig config;
  try {
    bool help = false;
    config = config_from_args(argc, argv, help);
    if (help) {
      std::fputs(config_usage().c_str(), stdout);
      return 0;
    }
    check_startable(config);
  } catch (const ConfigError& e) {
    log_error(std::string(e.what()) + " (fanout-signaling --help lists the keys)");
    return 2;
  }

  // Block the stop signals in every thread, then wait for them here: the I/O threads never see
  // them and shutdown runs in ordinary code.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  RoomHandlerOptions options;
  options.secret = config.auth_secret;
  options.open = config.auth_open;
  options.api_key = config.auth_api_key;
  options.limits.max_peers_per_room = config.rooms_max_peers_per_room;
  options.limits.max_producers_per_peer = config.rooms_max_producers_per_peer;
  options.limits.grace = std::chrono::seconds(config.rooms_grace_seconds);
  options.controlplane.socket_path = config.controlplane_socket;
  if (config.auth_open) {
    log_warn("auth.open=true: anyone who reaches this server can join any room (demo only)");
  }

  std::shared_ptr<RoomHandler> handler;
  std::unique_ptr<Server> server;
  try {
    handler = std::make_shared<RoomHandler>(std::move(options));
    handler->start();
    server = std::make_unique<Server>(config, handler);
    server->start();
  } catch (const std::exception& e) {
    log_error(e.what());
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_info(std::string("signal ") + std::to_string(sig) + ": shutting down");
  server->stop(2000);
  handler->stop();
  return 0;
}

// fanout-signaling: the WebSocket/HTTP server browsers talk to (issue 4).
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>

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

  // Rooms and auth replace this handler when they land (signaling/rooms, signaling/auth).
  Server server(config, std::make_shared<BuiltinHandler>());
  try {
    server.start();
  } catch (const std::exception& e) {
    log_error(e.what());
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_info(std::string("signal ") + std::to_string(sig) + ": shutting down");
  server.stop(2000);
  return 0;
}

// fanout-dataplane [EAL options] -- --config FILE [--set section.key=value]... [--check-config]
//
// EAL options may also come from the config's [eal] args; those on the command line come after
// them (so they win where EAL lets the last one win).
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/engine/config.hpp"
#include "dataplane/engine/dataplane.hpp"
#include "dataplane/engine/ipc_handler.hpp"
#include "dataplane/engine/telemetry.hpp"
#include "dataplane/ipc/server.hpp"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

void usage() {
  std::fprintf(
      stderr,
      "usage: fanout-dataplane [EAL options] -- --config FILE [--set section.key=value]..."
      " [--check-config]\n"
      "  e.g. fanout-dataplane -l 0-1 --in-memory -- --config /etc/fanout/dataplane.conf\n");
}

std::string eal_hint(int err) {
  if (err == EACCES || err == EPERM) {
    return " — run as root (or with CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_IPC_LOCK)";
  }
  if (err == ENOMEM || err == EFAULT) {
    return " — no hugepages? reserve some (echo 256 > /proc/sys/vm/nr_hugepages) or pass "
           "--no-huge -m 512 to EAL";
  }
  return " — check the EAL options (fanout-dataplane --help lists them after '--')";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fanout::dp;
  // Split "EAL options -- app options".
  std::vector<std::string> eal_cli;
  std::vector<std::string> app;
  bool in_app = false;
  for (int i = 1; i < argc; ++i) {
    if (!in_app && std::strcmp(argv[i], "--") == 0) {
      in_app = true;
      continue;
    }
    (in_app ? app : eal_cli).push_back(argv[i]);
  }
  std::string config_path;
  std::vector<std::string> overrides;
  bool check_only = false;
  for (size_t i = 0; i < app.size(); ++i) {
    if (app[i] == "--config" && i + 1 < app.size()) {
      config_path = app[++i];
    } else if (app[i] == "--set" && i + 1 < app.size()) {
      overrides.push_back(app[++i]);
    } else if (app[i] == "--check-config") {
      check_only = true;
    } else if (app[i] == "--help" || app[i] == "-h") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "fanout-dataplane: unknown option '%s'\n", app[i].c_str());
      usage();
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr,
                 "fanout-dataplane: --config FILE is required (see deploy/dataplane.conf)\n");
    usage();
    return 2;
  }
  IniFile ini;
  DataplaneConfig cfg;
  std::string error;
  if (!read_ini_file(config_path, &ini, &error)) {
    std::fprintf(stderr, "fanout-dataplane: %s\n", error.c_str());
    return 2;
  }
  for (const std::string& o : overrides) {
    if (!apply_override(o, &ini, &error)) {
      std::fprintf(stderr, "fanout-dataplane: %s\n", error.c_str());
      return 2;
    }
  }
  if (!load_config(ini, &cfg, &error)) {
    std::fprintf(stderr, "fanout-dataplane: bad configuration: %s\n", error.c_str());
    return 2;
  }
  if (check_only) {
    std::printf("%s: configuration is valid (%zu port(s))\n", config_path.c_str(),
                cfg.ports.size());
    return 0;
  }

  std::vector<std::string> eal_args = {argv[0]};
  eal_args.insert(eal_args.end(), cfg.eal_args.begin(), cfg.eal_args.end());
  eal_args.insert(eal_args.end(), eal_cli.begin(), eal_cli.end());
  std::vector<char*> eal_argv;
  for (std::string& a : eal_args) eal_argv.push_back(a.data());
  if (rte_eal_init(static_cast<int>(eal_argv.size()), eal_argv.data()) < 0) {
    int err = rte_errno;
    std::fprintf(stderr, "fanout-dataplane: EAL initialisation failed: %s%s\n", rte_strerror(err),
                 eal_hint(err).c_str());
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  int rc = 0;
  {
    Dataplane dp(cfg);
    if (!dp.setup(&error)) {
      std::fprintf(stderr, "fanout-dataplane: start-up failed: %s\n", error.c_str());
      rc = 1;
    } else {
      IpcHandler handler(dp);
      ipc::ServerOptions opts;
      opts.limits.max_frame = cfg.ipc_max_message;
      ipc::IpcServer server(handler, opts);
      std::string dir = cfg.ipc_socket.substr(0, cfg.ipc_socket.rfind('/'));
      if (!dir.empty()) mkdir(dir.c_str(), 0755);
      std::string listen_error = server.listen(cfg.ipc_socket);
      if (!listen_error.empty()) {
        std::fprintf(stderr, "fanout-dataplane: IPC socket %s: %s\n", cfg.ipc_socket.c_str(),
                     listen_error.c_str());
        rc = 1;
      } else {
        handler.attach(&server);
        dp.controller().set_event_sink(&handler);
        register_telemetry(&dp);
        dp.start_workers();
        Engine& e = dp.engine();
        std::printf("fanout-dataplane: %u worker(s), %u port(s), IPC on %s\n", e.n_workers,
                    e.n_ports, cfg.ipc_socket.c_str());
        for (uint16_t p = 0; p < e.n_ports; ++p) {
          const uint8_t* m = e.ports[p].mac.addr_bytes;
          std::printf("  port %u: %s mac %02x:%02x:%02x:%02x:%02x:%02x ice port %u\n", p,
                      cfg.ports[p].device.c_str(), m[0], m[1], m[2], m[3], m[4], m[5],
                      cfg.ports[p].ice_port);
        }
        std::fflush(stdout);
        while (!g_stop) {
          dp.controller().poll();
          // 1 ms: bounds the added latency of punted DTLS and of events; workers do not wait.
          server.poll_once(1);
        }
        std::printf("fanout-dataplane: stopping\n");
        dp.stop_workers();
      }
    }
  }
  rte_eal_cleanup();
  return rc;
}

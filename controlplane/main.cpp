// fanout-controlplane [--config FILE] [--set section.key=value]... [--check-config]
//
// Serves the signaling API (controlplane/api) and programs the data plane (controlplane/core)
// from one thread: poll() over the API's sockets and the data plane link, then Node::run_once(0)
// (data plane events, DTLS and keyframe timers) and the API's requests, each answered by the
// Service. The API socket is up before the data plane is: until the link is, Hello says
// dataplane_connected = false and requests get NotReady.
#include <fcntl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "controlplane/api/server.hpp"
#include "controlplane/config.hpp"
#include "controlplane/core/journal_file.hpp"
#include "controlplane/core/node.hpp"
#include "controlplane/dtls/certificate.hpp"
#include "controlplane/service/service.hpp"

namespace {

using namespace fanout::cp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

enum class Level { kError = 0, kWarn, kInfo, kDebug };
Level g_level = Level::kInfo;

Level parse_level(const std::string& name) {
  if (name == "error") return Level::kError;
  if (name == "warn") return Level::kWarn;
  if (name == "debug") return Level::kDebug;
  return Level::kInfo;
}

// One line per event on stderr (journald adds the time and the unit).
__attribute__((format(printf, 2, 3))) void log(Level level, const char* format, ...) {
  if (level > g_level) return;
  static const char* const kNames[] = {"error", "warn", "info", "debug"};
  std::fprintf(stderr, "%s: ", kNames[static_cast<int>(level)]);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}

void usage(FILE* out) {
  std::fprintf(out,
               "usage: fanout-controlplane [--config FILE] [--set section.key=value]... "
               "[--check-config]\n"
               "  --config FILE     INI configuration (see deploy/controlplane.conf); without it "
               "every key has its default\n"
               "  --set S.K=V       override one key (repeatable), e.g. --set "
               "controlplane.api_tcp=127.0.0.1:4100\n"
               "  --check-config    validate the configuration (and load the certificate) and "
               "exit\n");
}

// Events from the Service go to every Hello'd API connection.
class ServerEvents : public EventSink {
 public:
  void attach(fanout::cp::api::ApiServer* server) { server_ = server; }
  void emit(std::span<const uint8_t> envelope) override {
    if (server_ != nullptr) server_->broadcast_event(envelope);
  }

 private:
  fanout::cp::api::ApiServer* server_ = nullptr;
};

class Handler : public fanout::cp::api::ApiHandler {
 public:
  explicit Handler(std::string dataplane_socket) : dataplane_socket_(std::move(dataplane_socket)) {}
  void set_service(Service* service) { service_ = service; }
  // Runs after every request the service answered, before its reply is sent: the journal is
  // written first, so that what signaling was told exists survives a crash right after.
  void set_after_request(std::function<void()> fn) { after_request_ = std::move(fn); }

  std::vector<uint8_t> handle(fanout::cp::api::ConnectionId,
                              const fanout::cpapi::Envelope& request) override {
    if (service_ != nullptr) {
      std::vector<uint8_t> reply = service_->handle(request);
      if (after_request_) after_request_();
      return reply;
    }
    fbb_.Clear();
    auto frame =
        fanout::cp::api::make_error(fbb_, request.id(), fanout::cpapi::ErrorCode::NotReady,
                                    "the control plane is not connected to the data plane at " +
                                        dataplane_socket_ + " (start fanout-dataplane)");
    return {frame.begin(), frame.end()};
  }
  bool dataplane_connected() const override { return service_ != nullptr; }

 private:
  std::string dataplane_socket_;
  Service* service_ = nullptr;
  std::function<void()> after_request_;
  flatbuffers::FlatBufferBuilder fbb_;
};

struct Args {
  std::string config_path;
  std::vector<std::string> overrides;
  bool check_only = false;
};

// Returns the exit code to stop with, or nullopt to go on.
std::optional<int> parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      args.config_path = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      args.config_path = a.substr(9);
    } else if (a == "--set" && i + 1 < argc) {
      args.overrides.push_back(argv[++i]);
    } else if (a.rfind("--set=", 0) == 0) {
      args.overrides.push_back(a.substr(6));
    } else if (a == "--check-config") {
      args.check_only = true;
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "fanout-controlplane: unknown option '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }
  return std::nullopt;
}

// Ends with the link closed, so that destroying the model sends nothing: the data plane's
// transports, producers and consumers stay in place and keep forwarding (a restarted control
// plane takes them over).
void leave_dataplane(std::unique_ptr<Service>& service, std::unique_ptr<Node>& node,
                     Handler& handler) {
  handler.set_service(nullptr);
  service.reset();
  if (node) node->link().close();
  node.reset();
}

}  // namespace

// The restart journal (controlplane.state_file and its .log, see
// controlplane/core/journal_file.hpp): after every change, the changes appended to the log, or the
// whole model when a snapshot is due. A failed write is logged once (until a write succeeds again);
// the next write is a snapshot.
bool write_journal(Node& node, JournalFile& file, const std::string& path) {
  if (path.empty()) return true;
  static bool failed_before = false;
  Node::JournalChanges changes = node.take_journal_changes();
  const bool snapshot = changes.full || file.wants_snapshot();
  bool ok = snapshot ? file.write_snapshot(node.snapshot()) : file.append(changes.records);
  // A failed append leaves the log a line short: the whole model instead.
  if (!ok && !snapshot) ok = file.write_snapshot(node.snapshot());
  if (!ok && !failed_before) {
    log(Level::kError,
        "cannot write the restart journal (%s) — a restarted control plane will not find this "
        "one's objects; fix the directory or set controlplane.state_file",
        file.last_error().c_str());
  }
  failed_before = !ok;
  return ok;
}

// Without a configured certificate, the generated one is kept next to the journal
// (<state_file>.identity.pem, mode 0600) and reused by a restarted control plane while it stays
// valid for another day: browsers check the fingerprint signaling gave them, so a transport
// whose handshake was not done at the crash can only complete against the same identity.
Certificate generated_identity(const std::string& state_file, std::string& origin) {
  origin = "generated";
  if (state_file.empty()) return Certificate::generate();
  const std::string path = state_file + ".identity.pem";
  std::ifstream in(path);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    const std::string pem = text.str();
    const size_t key_at = pem.find("-----BEGIN", pem.find("-----END"));
    try {
      if (key_at == std::string::npos)
        throw std::runtime_error("no private key after the certificate");
      Certificate kept = Certificate::from_pem(std::string_view(pem).substr(0, key_at),
                                               std::string_view(pem).substr(key_at));
      time_t tomorrow = time(nullptr) + 24 * 3600;
      if (X509_cmp_time(X509_get0_notAfter(kept.x509()), &tomorrow) > 0) {
        origin = "kept in " + path;
        return kept;
      }
      log(Level::kInfo, "DTLS certificate in %s expires within a day: generating a new one",
          path.c_str());
    } catch (const std::exception& e) {
      log(Level::kWarn, "DTLS identity %s unreadable (%s): generating a new one", path.c_str(),
          e.what());
    }
  }
  Certificate fresh = Certificate::generate();
  const std::string tmp = path + ".tmp";
  const std::string text = fresh.cert_pem() + fresh.key_pem();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ok = (::close(fd) == 0) && ok;
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    log(Level::kWarn,
        "cannot keep the DTLS identity in %s: %s — a restarted control plane will have another "
        "fingerprint (handshakes in progress at a crash then fail)",
        path.c_str(), std::strerror(errno));
  } else {
    origin = "generated, kept in " + path;
  }
  return fresh;
}

// Reads the journal of a previous control plane and adopts what the data plane still holds
// (Node::restore, its summary in `summary`). A journal that cannot be read is reported and the
// node starts empty.
std::unique_ptr<Node> adopt_previous_objects(std::unique_ptr<Node> node,
                                             const Node::Options& options, const std::string& path,
                                             Node::RestoreSummary& summary) {
  JournalFile::Loaded loaded = JournalFile::load(path);
  if (!loaded.error.empty()) {
    log(Level::kError, "restart journal %s is %s: starting empty", path.c_str(),
        loaded.error.c_str());
  }
  if (!loaded.log_note.empty()) {
    log(Level::kWarn, "restart journal %s: %s", path.c_str(), loaded.log_note.c_str());
  }
  std::optional<boost::json::value>& journal = loaded.journal;
  try {
    summary = node->restore(journal ? &*journal : nullptr);
    log(Level::kInfo, "%s%s", journal ? "" : "no restart journal: ", summary.describe().c_str());
    return node;
  } catch (const fanout::cp::CpError& e) {
    log(Level::kError, "restart journal %s: %s: starting empty", path.c_str(), e.what());
  }
  node.reset();
  node = std::make_unique<Node>(options);
  summary = node->restore(nullptr);
  log(Level::kInfo, "%s", summary.describe().c_str());
  return node;
}

int main(int argc, char** argv) {
  Args args;
  if (auto rc = parse_args(argc, argv, args)) return *rc;

  IniFile ini;
  std::string error;
  if (!args.config_path.empty() && !read_ini_file(args.config_path, ini, error)) {
    std::fprintf(stderr, "fanout-controlplane: %s\n", error.c_str());
    return 2;
  }
  if (args.config_path.empty()) ini.origin = "(defaults)";
  for (const std::string& o : args.overrides) {
    if (!apply_override(o, ini, error)) {
      std::fprintf(stderr, "fanout-controlplane: %s\n", error.c_str());
      return 2;
    }
  }
  ControlplaneConfig config;
  if (!load_config(ini, config, error)) {
    std::fprintf(stderr, "fanout-controlplane: bad configuration: %s\n", error.c_str());
    return 2;
  }
  g_level = parse_level(config.log_level);

  // The DTLS identity is made once per process: reconnecting to a restarted data plane keeps the
  // fingerprint that signaling already handed to browsers.
  std::optional<Certificate> certificate;
  std::string identity_origin = config.certificate;
  try {
    if (!config.certificate.empty()) {
      certificate = Certificate::load_pem_files(config.certificate, config.private_key);
    } else if (!args.check_only) {
      certificate = generated_identity(config.state_file, identity_origin);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "fanout-controlplane: certificate %s / private_key %s: %s (fix the files or "
                 "leave both keys empty to generate one)\n",
                 config.certificate.c_str(), config.private_key.c_str(), e.what());
    return 2;
  }
  if (args.check_only) {
    std::printf("%s: configuration is valid%s\n",
                args.config_path.empty() ? "(defaults)" : args.config_path.c_str(),
                certificate ? " (certificate loaded)" : "");
    return 0;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR and the loop sees the flag at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Handler handler(config.dataplane_socket);
  ServerEvents events;
  fanout::cp::api::ApiServer server(handler);
  events.attach(&server);
  error = server.listen_unix(config.api_socket);
  if (!error.empty()) {
    log(Level::kError, "API socket %s: %s", config.api_socket.c_str(), error.c_str());
    return 1;
  }
  if (!config.api_tcp.empty()) {
    error = server.listen_tcp(config.api_tcp);
    if (!error.empty()) {
      log(Level::kError, "%s", error.c_str());
      return 1;
    }
  }
  log(Level::kInfo, "API on %s%s%s; DTLS certificate %s (sha-256 %s)", config.api_socket.c_str(),
      config.api_tcp.empty() ? "" : " and TCP ", config.api_tcp.c_str(), identity_origin.c_str(),
      certificate->fingerprint().c_str());

  Node::Options node_options;
  node_options.link.socket_path = config.dataplane_socket;
  node_options.certificate = certificate;
  ServiceOptions service_options{config.own_port, config.announced_address};

  std::unique_ptr<Node> node;
  std::unique_ptr<Service> service;
  constexpr auto kRetry = milliseconds(200);
  constexpr auto kWaitLogEvery = std::chrono::seconds(5);
  Clock::time_point next_attempt = Clock::now();
  std::optional<Clock::time_point> waiting_since;
  Clock::time_point last_wait_log;
  std::vector<pollfd> fds;
  int rc = 0;
  uint64_t journaled_version = 0;
  JournalFile journal_file(config.state_file);
  // After a request (before its reply) and after data plane events and timers (a DTLS failure).
  auto journal_if_changed = [&] {
    if (node && node->model_version() != journaled_version &&
        write_journal(*node, journal_file, config.state_file)) {
      journaled_version = node->model_version();
    }
  };
  handler.set_after_request(journal_if_changed);

  while (!g_stop) {
    const auto now = Clock::now();
    if (!node && now >= next_attempt) {
      try {
        node = std::make_unique<Node>(node_options);
        Node::RestoreSummary restored;
        node = adopt_previous_objects(std::move(node), node_options, config.state_file, restored);
        // At once: the journal now names this control plane's epoch and what it adopted.
        if (write_journal(*node, journal_file, config.state_file))
          journaled_version = node->model_version();
        service = std::make_unique<Service>(*node, service_options, events);
        handler.set_service(service.get());
        // Signaling still has them (a data plane restart under this process or a crash of it):
        // it tells their peers, who can make new ones.
        service->announce_lost(restored);
        log(Level::kInfo, "connected to the data plane at %s (epoch %llu)",
            config.dataplane_socket.c_str(), static_cast<unsigned long long>(node->link().epoch()));
        waiting_since.reset();
      } catch (const std::exception& e) {
        leave_dataplane(service, node, handler);
        // Logged at once, then once per 5 s while it lasts.
        if (!waiting_since || now - last_wait_log >= kWaitLogEvery) {
          log(waiting_since ? Level::kInfo : Level::kWarn,
              "waiting for the data plane at %s: %s — start fanout-dataplane first or set "
              "controlplane.dataplane_socket",
              config.dataplane_socket.c_str(), e.what());
          last_wait_log = now;
        }
        if (!waiting_since) waiting_since = now;
        next_attempt = now + kRetry;
      }
    }

    // DTLS retransmissions and the close linger (20 ms) want finer ticks than an idle node.
    milliseconds timeout(50);
    if (node && (node->transport_count() > 0 || node->closing_count() > 0)) {
      timeout = milliseconds(10);
    }
    if (node && node->link().has_queued_events()) timeout = milliseconds(0);
    if (!node) {
      timeout = std::min(timeout, std::chrono::duration_cast<milliseconds>(
                                      std::max(next_attempt - Clock::now(), Clock::duration(0))));
    }

    fds.clear();
    server.append_pollfds(fds);
    if (node) fds.push_back({node->link().fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) < 0 && errno != EINTR) {
      log(Level::kError, "poll: %s", std::strerror(errno));
      rc = 1;
      break;
    }
    if (node) {
      Status s = node->run_once(milliseconds(0));
      if (!s.ok()) {
        log(Level::kError,
            "lost the data plane at %s: %s — its objects keep forwarding; reconnecting (API "
            "requests get NotReady meanwhile)",
            config.dataplane_socket.c_str(), s.error().c_str());
        leave_dataplane(service, node, handler);
        next_attempt = Clock::now() + kRetry;
        waiting_since = Clock::now();
        last_wait_log = Clock::now();
      }
    }
    journal_if_changed();
    server.process(fds);
  }

  if (g_stop) log(Level::kInfo, "stopping (data plane objects left in place)");
  leave_dataplane(service, node, handler);
  return rc;
}

// The control plane's API server (schemas/controlplane.fbs): a Unix SOCK_SEQPACKET listener and
// optionally a TCP one, the Hello handshake, a verifier and a size cap on every frame, Errors for
// what it cannot hand on (malformed, oversized, before Hello, not a request), verified requests to
// an ApiHandler, events to every Hello'd connection. Bounded per-connection send queues: a client
// that stops reading is disconnected, not buffered for.
//
// Single-threaded and driven by the caller's poll(): append_pollfds() adds the server's fds to the
// caller's array (next to the data plane link's), process() acts on the results. poll_once() does
// both for loops that have nothing else to wait for (tests).
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controlplane/api/connection.hpp"
#include "controlplane/api/frame.hpp"
#include "dataplane/ipc/channel.hpp"

namespace fanout::cp::api {

using ConnectionId = uint64_t;

class ApiHandler {
 public:
  virtual ~ApiHandler() = default;
  // A verified request from a Hello'd connection whose body is not Hello (it may be a body this
  // server does not know: answer UnknownMethod). Returns a size-prefixed FCP1 Envelope carrying
  // the request's id. An empty result or an exception is answered with Error Internal.
  virtual std::vector<uint8_t> handle(ConnectionId conn,
                                      const fanout::cpapi::Envelope& request) = 0;
  // HelloReply.dataplane_connected.
  virtual bool dataplane_connected() const = 0;
  virtual void on_disconnect(ConnectionId /*conn*/) {}
};

struct ApiServerOptions {
  size_t max_frame = kDefaultMaxFrame;
  QueueLimits queue;
  size_t max_connections = 256;
  // Consecutive unreadable frames (each answered with an Error); the last one closes.
  uint32_t max_bad_frames = 8;
  // Frames read from one connection per process(), so one chatty client cannot starve the loop.
  uint32_t max_frames_per_poll = 64;
  std::string server_name = "fanout-controlplane 0.1.0";
};

struct ApiServerStats {
  uint64_t accepted = 0;
  uint64_t rejected_connections = 0;  // over max_connections
  uint64_t closed = 0;
  uint64_t requests = 0;
  uint64_t bad_frames = 0;
  uint64_t queue_full_closes = 0;
  uint64_t events_sent = 0;
};

class ApiServer {
 public:
  explicit ApiServer(ApiHandler& handler, ApiServerOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Returns "" or an error for the operator. A socket file nobody listens on is replaced; a live
  // one is an error ("another process is listening on PATH").
  std::string listen_unix(const std::string& path, mode_t mode = 0660);
  // "host:port", "[v6]:port" or ":port" (127.0.0.1). Port 0: an ephemeral one (tcp_port()).
  std::string listen_tcp(const std::string& host_port);
  uint16_t tcp_port() const { return tcp_port_; }
  const std::string& unix_path() const { return unix_listener_.path(); }

  // Appends this server's fds to `fds`; pass the same array to process() after poll().
  void append_pollfds(std::vector<pollfd>& fds);
  // Accepts, reads, answers and flushes according to the revents of the entries appended.
  void process(std::span<const pollfd> fds);
  // append_pollfds + poll(timeout_ms) + process.
  void poll_once(int timeout_ms);

  // Sends an event frame (id 0) to every Hello'd connection; returns how many took it.
  size_t broadcast_event(std::span<const uint8_t> frame);

  size_t connection_count() const;
  size_t handshaken_count() const;
  const ApiServerStats& stats() const { return stats_; }

 private:
  struct Peer {
    ConnectionId id;
    Connection conn;
    bool handshaken = false;
    bool closing = false;  // close once the queue drained (VersionMismatch, too many bad frames)
    uint32_t bad_frames = 0;
    Peer(ConnectionId i, int fd, Framing framing, size_t max_frame, QueueLimits limits)
        : id(i), conn(fd, framing, max_frame, limits) {}
  };

  void accept_from(int listen_fd, Framing framing);
  void read_peer(Peer& peer);
  void bad_frame(Peer& peer, fanout::cpapi::ErrorCode code, std::string_view reason);
  void handle_frame(Peer& peer, std::span<const uint8_t> frame);
  void handle_hello(Peer& peer, const fanout::cpapi::Envelope& envelope);
  void send_to(Peer& peer, std::span<const uint8_t> frame);
  void send_error(Peer& peer, uint64_t id, fanout::cpapi::ErrorCode code, std::string_view reason);
  void sweep();

  ApiHandler& handler_;
  ApiServerOptions options_;
  dp::ipc::Listener unix_listener_;  // SEQPACKET, stale-file check, mode: the data plane's own
  int tcp_fd_ = -1;
  uint16_t tcp_port_ = 0;
  std::vector<std::unique_ptr<Peer>> peers_;
  // What append_pollfds() added: where in the caller's array, and how many peers were polled.
  size_t poll_base_ = 0;
  size_t polled_peers_ = 0;
  bool polled_unix_ = false;
  bool polled_tcp_ = false;
  bool polled_ = false;
  std::vector<pollfd> own_pollfds_;
  flatbuffers::FlatBufferBuilder fbb_;
  ConnectionId next_id_ = 1;
  ApiServerStats stats_;
};

}  // namespace fanout::cp::api

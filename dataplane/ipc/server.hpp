// The data plane's side of the IPC: owns the listener and the connections, does the Hello
// handshake, verifies every frame, answers what it cannot hand on (malformed, oversized,
// pre-handshake, not a request) with an Error, and hands verified requests to the engine.
// Single-threaded and driven by the caller's loop: poll_once(0) never blocks.
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

#include "dataplane/ipc/channel.hpp"
#include "dataplane/ipc/frame.hpp"

namespace fanout::dp::ipc {

using ConnectionId = uint64_t;

class IpcServer;

// Answers one request. The handler calls exactly one of reply / ok / error, or defer() and
// answers later with IpcServer::send. A request left unanswered gets Error Internal.
class Replier {
 public:
  uint64_t id() const { return id_; }
  bool answered() const { return answered_; }
  // Cleared scratch builder for the reply body (reused across requests: no steady-state malloc).
  flatbuffers::FlatBufferBuilder& builder() { return *fbb_; }

  void reply(fanout::ipc::Body type, flatbuffers::Offset<void> body);
  template <typename T>
  void reply(flatbuffers::Offset<T> body) {
    reply(fanout::ipc::BodyTraits<T>::enum_value, body.Union());
  }
  void ok();
  void error(fanout::ipc::ErrorCode code, std::string_view reason);
  void defer() { answered_ = true; }

 private:
  friend class IpcServer;
  Replier(flatbuffers::FlatBufferBuilder& fbb, uint64_t id, uint64_t epoch)
      : fbb_(&fbb), id_(id), epoch_(epoch) {}

  flatbuffers::FlatBufferBuilder* fbb_;
  uint64_t id_;
  uint64_t epoch_;
  bool answered_ = false;
  std::span<const uint8_t> frame_;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // A verified request (never Hello) from a handshaken connection.
  virtual void on_request(ConnectionId conn, const fanout::ipc::Envelope& request,
                          Replier& replier) = 0;
  // Fills server, lcores and ports of a HelloReply; the server sets the versions and the epoch.
  virtual void describe(fanout::ipc::HelloReplyT& reply) { reply.server = "fanout-dataplane"; }
  virtual void on_handshake(ConnectionId /*conn*/, const fanout::ipc::Hello& /*hello*/) {}
  virtual void on_disconnect(ConnectionId /*conn*/) {}
};

struct ServerOptions {
  DecodeLimits limits;
  QueueLimits queue;
  size_t max_connections = 32;
  // Consecutive unreadable frames tolerated (each answered with an Error) before closing.
  uint32_t max_bad_frames = 8;
  // Frames read from one connection per poll_once, so one chatty client cannot starve the loop.
  uint32_t max_frames_per_poll = 64;
};

struct ServerStats {
  uint64_t accepted = 0;
  uint64_t rejected_connections = 0;  // over max_connections
  uint64_t closed = 0;
  uint64_t requests = 0;
  uint64_t bad_frames = 0;
  uint64_t queue_full_closes = 0;
  uint64_t events_sent = 0;
};

class IpcServer {
 public:
  explicit IpcServer(RequestHandler& handler, ServerOptions options = {});
  ~IpcServer();
  IpcServer(const IpcServer&) = delete;
  IpcServer& operator=(const IpcServer&) = delete;

  // Returns "" or an error for the operator.
  std::string listen(const std::string& path, mode_t mode = 0660);
  // Waits up to timeout_ms (0: just look) for activity, then accepts, reads, answers and flushes.
  void poll_once(int timeout_ms);

  // Sends an event frame to every handshaken connection; returns how many took it.
  size_t broadcast_event(std::span<const uint8_t> frame);
  // Scratch builder for events (cleared).
  flatbuffers::FlatBufferBuilder& event_builder();
  // Sends a frame (a deferred reply) to one connection. False if it is gone or was closed.
  bool send(ConnectionId conn, std::span<const uint8_t> frame);
  void close(ConnectionId conn);

  // The last Hello epoch of a non-observer client (0 until one connected).
  uint64_t epoch() const { return epoch_; }
  size_t connection_count() const;
  size_t handshaken_count() const;
  const ServerStats& stats() const { return stats_; }
  const std::string& path() const { return listener_.path(); }

 private:
  struct Peer {
    ConnectionId id;
    Connection conn;
    bool handshaken = false;
    bool closing = false;  // close once the queue drained (after VersionMismatch)
    uint32_t bad_frames = 0;
    Peer(ConnectionId i, int fd, QueueLimits limits) : id(i), conn(fd, limits) {}
  };

  void accept_all();
  void read_peer(Peer& peer);
  void handle_frame(Peer& peer, std::span<const uint8_t> datagram);
  void handle_hello(Peer& peer, const fanout::ipc::Envelope& envelope);
  void send_to(Peer& peer, std::span<const uint8_t> frame);
  void send_error(Peer& peer, uint64_t id, fanout::ipc::ErrorCode code, std::string_view reason);
  Peer* find(ConnectionId conn);
  void sweep();

  RequestHandler& handler_;
  ServerOptions options_;
  Listener listener_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<pollfd> pollfds_;
  std::vector<uint8_t> rx_;  // one receive buffer: frames are handled before the next read
  flatbuffers::FlatBufferBuilder reply_fbb_;
  flatbuffers::FlatBufferBuilder event_fbb_;
  ConnectionId next_id_ = 1;
  uint64_t epoch_ = 0;
  ServerStats stats_;
};

}  // namespace fanout::dp::ipc

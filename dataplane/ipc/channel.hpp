// Non-blocking Unix-domain SOCK_SEQPACKET plumbing: a connection that sends whole frames (queueing
// them, bounded, when the socket is full) and receives one datagram at a time, and a listener.
// SEQPACKET keeps message boundaries, so one datagram is exactly one frame: no reassembly.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

namespace fanout::dp::ipc {

// Large replies (Dump of many objects) must fit one datagram: raise the socket buffers, since an
// AF_UNIX datagram is bounded by the sender's SO_SNDBUF. Best effort (SO_SNDBUFFORCE needs
// CAP_NET_ADMIN; otherwise net.core.wmem_max caps it).
void raise_socket_buffers(int fd, size_t max_frame);

// Bound on a connection's outbound queue.
struct QueueLimits {
  size_t max_queued_frames = 1024;
  size_t max_queued_bytes = 16u << 20;
};

class Connection {
 public:
  enum class SendStatus : uint8_t { kSent, kQueued, kQueueFull, kTooLarge, kClosed };
  enum class RecvStatus : uint8_t { kFrame, kWouldBlock, kTooLarge, kClosed };

  // Takes ownership of `fd` and makes it non-blocking.
  explicit Connection(int fd, QueueLimits limits = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

  // Sends one frame, or queues a copy if the socket would block (order is kept). kQueueFull: the
  // frame was not queued; the peer is not reading and the caller decides (the server closes).
  SendStatus send(std::span<const uint8_t> frame);
  // Sends queued frames until the socket would block. False if the connection failed.
  bool flush();
  bool has_pending() const { return !queue_.empty(); }
  size_t pending_frames() const { return queue_.size(); }

  // Reads one datagram into `buffer`; `length` is its full length. kTooLarge: it did not fit
  // and was discarded. kClosed: end of stream or error (a zero-length datagram reads as end of
  // stream on SEQPACKET, so peers never send one).
  RecvStatus recv(std::span<uint8_t> buffer, size_t& length);

  void close();

 private:
  // Returns the errno of a failed send, 0 on success.
  int send_now(std::span<const uint8_t> frame);

  int fd_;
  QueueLimits limits_;
  std::deque<std::vector<uint8_t>> queue_;
  size_t queued_bytes_ = 0;
};

class Listener {
 public:
  Listener() = default;
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Creates the parent directory if missing, removes a stale socket file (one nobody accepts on),
  // binds, chmods to `mode` and listens. Returns "" or an error for the operator.
  std::string open(const std::string& path, mode_t mode = 0660, int backlog = 16);
  // A non-blocking accepted fd, or -1 when none is pending.
  int accept();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes and unlinks the socket file.
  void close();

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace fanout::dp::ipc

// A non-blocking API connection in either framing: Unix SOCK_SEQPACKET (one datagram = one
// frame) or a TCP stream (frames follow each other; each one's size prefix delimits it). Sends
// whole frames, queueing what the socket does not take (bounded: a peer that stops reading is
// the caller's to close); reads one frame at a time. Used by ApiServer and, waiting with poll(),
// by ApiClient.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fanout::cp::api {

enum class Framing : uint8_t { kDatagram, kStream };

struct QueueLimits {
  size_t max_queued_frames = 1024;
  size_t max_queued_bytes = 16u << 20;
};

class Connection {
 public:
  enum class SendStatus : uint8_t { kSent, kQueued, kQueueFull, kTooLarge, kClosed };
  enum class ReadStatus : uint8_t {
    kFrame,       // `frame` holds one frame (8-byte aligned), valid until the next read
    kWouldBlock,  // nothing complete yet
    kTooLarge,    // a frame over max_frame was discarded (`length` says how big); usable again
    kClosed,      // end of stream, an error, or a stream whose framing cannot be recovered
  };

  // Takes ownership of `fd` and makes it non-blocking.
  Connection(int fd, Framing framing, size_t max_frame, QueueLimits limits = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  Framing framing() const { return framing_; }

  SendStatus send(std::span<const uint8_t> frame);
  // Writes queued bytes until the socket would block. False if the connection failed.
  bool flush();
  bool has_pending() const { return !queue_.empty(); }
  size_t pending_bytes() const { return queued_bytes_; }

  ReadStatus read(std::span<const uint8_t>& frame, size_t& length);

  void close();

 private:
  ReadStatus read_datagram(std::span<const uint8_t>& frame, size_t& length);
  ReadStatus read_stream(std::span<const uint8_t>& frame, size_t& length);
  // Appends what the socket has to rx_; false on end of stream or error.
  enum class Fill : uint8_t { kData, kWouldBlock, kClosed };
  Fill fill();

  int fd_;
  Framing framing_;
  size_t max_frame_;
  QueueLimits limits_;
  std::deque<std::vector<uint8_t>> queue_;
  size_t head_sent_ = 0;  // bytes of queue_.front() already written (stream only)
  size_t queued_bytes_ = 0;
  // Datagram: one frame, max_frame + 1 bytes left uninitialised, so the pages a connection never
  // fills are never committed (256 idle connections do not cost 256 MiB).
  std::unique_ptr<uint8_t[]> datagram_;
  std::vector<uint8_t> rx_;  // stream: bytes [rx_start_, rx_end_)
  size_t rx_start_ = 0;
  size_t rx_end_ = 0;
  uint64_t skip_ = 0;             // stream: bytes of an oversized frame still to discard
  std::vector<uint8_t> aligned_;  // stream: a frame copied to an 8-byte aligned address
};

// TCP "host:port", "[v6]:port" or ":port" (loopback). Fills `host` and `port` or returns an error.
std::string parse_host_port(const std::string& text, std::string& host, uint16_t& port);

}  // namespace fanout::cp::api

#include "controlplane/api/connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "controlplane/api/frame.hpp"

namespace fanout::cp::api {

namespace {

// A stream whose announced frame is larger than this is not a client that misjudged a size but
// garbage: discarding gigabytes to find the next frame is pointless, so the connection closes.
constexpr uint64_t kMaxSkip = 64u << 20;
constexpr size_t kReadChunk = 64u << 10;

}  // namespace

Connection::Connection(int fd, Framing framing, size_t max_frame, QueueLimits limits)
    : fd_(fd), framing_(framing), max_frame_(max_frame), limits_(limits) {
  int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  // Datagram: one byte more than the cap, so MSG_TRUNC tells an oversized frame.
  if (framing_ == Framing::kDatagram) {
    datagram_.reset(new uint8_t[max_frame_ + 1]);
  } else {
    rx_.resize(kReadChunk);
  }
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  queue_.clear();
  head_sent_ = 0;
  queued_bytes_ = 0;
}

Connection::SendStatus Connection::send(std::span<const uint8_t> frame) {
  if (fd_ < 0) return SendStatus::kClosed;
  size_t sent = 0;
  if (queue_.empty()) {
    for (;;) {
      ssize_t n =
          ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        sent += static_cast<size_t>(n);
        if (sent == frame.size()) return SendStatus::kSent;
        continue;  // a partial stream write: try the rest, then queue it
      }
      if (errno == EINTR) continue;
      if (errno == EMSGSIZE) return SendStatus::kTooLarge;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        close();
        return SendStatus::kClosed;
      }
      break;
    }
  }
  const size_t rest = frame.size() - sent;
  // A frame already half written must be queued whatever the limit, or the stream is corrupt.
  if (sent == 0 && (queue_.size() >= limits_.max_queued_frames ||
                    queued_bytes_ + rest > limits_.max_queued_bytes)) {
    return SendStatus::kQueueFull;
  }
  queue_.emplace_back(frame.begin() + static_cast<ptrdiff_t>(sent), frame.end());
  queued_bytes_ += rest;
  return SendStatus::kQueued;
}

bool Connection::flush() {
  while (fd_ >= 0 && !queue_.empty()) {
    const std::vector<uint8_t>& head = queue_.front();
    ssize_t n = ::send(fd_, head.data() + head_sent_, head.size() - head_sent_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return true;
      if (errno != EMSGSIZE) {
        close();
        return false;
      }
      n = static_cast<ssize_t>(head.size() - head_sent_);  // never sendable: dropped
    }
    head_sent_ += static_cast<size_t>(n);
    if (head_sent_ < head.size()) continue;
    queued_bytes_ -= head.size();
    head_sent_ = 0;
    queue_.pop_front();
  }
  return fd_ >= 0;
}

Connection::ReadStatus Connection::read(std::span<const uint8_t>& frame, size_t& length) {
  frame = {};
  length = 0;
  if (fd_ < 0) return ReadStatus::kClosed;
  return framing_ == Framing::kDatagram ? read_datagram(frame, length) : read_stream(frame, length);
}

Connection::ReadStatus Connection::read_datagram(std::span<const uint8_t>& frame, size_t& length) {
  for (;;) {
    // MSG_TRUNC: the real datagram length even when it is longer than the buffer, so an
    // oversized frame is recognised and discarded whole.
    ssize_t n = ::recv(fd_, datagram_.get(), max_frame_ + 1, MSG_TRUNC | MSG_DONTWAIT);
    if (n > 0) {
      length = static_cast<size_t>(n);
      if (length > max_frame_) return ReadStatus::kTooLarge;
      frame = std::span<const uint8_t>(datagram_.get(), length);
      return ReadStatus::kFrame;
    }
    // A zero-length datagram reads as end of stream on SEQPACKET.
    if (n == 0) return ReadStatus::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadStatus::kWouldBlock;
    return ReadStatus::kClosed;
  }
}

Connection::Fill Connection::fill() {
  if (rx_start_ > 0) {
    // Keep the unread bytes at the front: frames then usually start 8-byte aligned.
    std::memmove(rx_.data(), rx_.data() + rx_start_, rx_end_ - rx_start_);
    rx_end_ -= rx_start_;
    rx_start_ = 0;
  }
  if (rx_.size() - rx_end_ < kReadChunk / 4) rx_.resize(rx_.size() + kReadChunk);
  for (;;) {
    ssize_t n = ::recv(fd_, rx_.data() + rx_end_, rx_.size() - rx_end_, MSG_DONTWAIT);
    if (n > 0) {
      rx_end_ += static_cast<size_t>(n);
      return Fill::kData;
    }
    if (n == 0) return Fill::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Fill::kWouldBlock;
    return Fill::kClosed;
  }
}

Connection::ReadStatus Connection::read_stream(std::span<const uint8_t>& frame, size_t& length) {
  for (;;) {
    if (skip_ > 0) {
      size_t drop = static_cast<size_t>(std::min<uint64_t>(skip_, rx_end_ - rx_start_));
      rx_start_ += drop;
      skip_ -= drop;
    }
    const size_t buffered = rx_end_ - rx_start_;
    if (skip_ == 0 && buffered >= kSizePrefix) {
      uint32_t prefix = 0;
      std::memcpy(&prefix, rx_.data() + rx_start_, sizeof(prefix));
      prefix = flatbuffers::EndianScalar(prefix);
      const uint64_t total = uint64_t{prefix} + kSizePrefix;
      if (total > max_frame_) {
        length = static_cast<size_t>(total);
        if (total > kMaxSkip) return ReadStatus::kClosed;
        skip_ = total;
        return ReadStatus::kTooLarge;
      }
      if (buffered >= total) {
        const uint8_t* start = rx_.data() + rx_start_;
        rx_start_ += total;
        length = static_cast<size_t>(total);
        if (reinterpret_cast<uintptr_t>(start) % 8 != 0) {
          aligned_.assign(start, start + total);  // vector storage is malloc-aligned
          start = aligned_.data();
        }
        frame = std::span<const uint8_t>(start, length);
        return ReadStatus::kFrame;
      }
      if (rx_.size() < total + kReadChunk / 4) rx_.resize(total + kReadChunk / 4);
    }
    // rx_start_ is reset by fill(); a frame returned earlier stays valid until this next read.
    Fill f = fill();
    if (f == Fill::kWouldBlock) return ReadStatus::kWouldBlock;
    if (f == Fill::kClosed) return ReadStatus::kClosed;
  }
}

std::string parse_host_port(const std::string& text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return "'" + text + "' is not host:port";
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return "'" + text + "': write an IPv6 address in brackets ([::1]:4000)";
  }
  if (host.empty()) host = "127.0.0.1";
  const std::string p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    return "'" + text + "': port '" + p + "' is not a number in [0, 65535]";
  }
  port = static_cast<uint16_t>(value);
  return {};
}

}  // namespace fanout::cp::api

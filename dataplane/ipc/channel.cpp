#include "dataplane/ipc/channel.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fanout::dp::ipc {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

bool fill_address(const std::string& path, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return true;
}

// True if something accepts connections on `path`.
bool socket_is_live(const sockaddr_un& addr) {
  int probe = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  bool live = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0 ||
              errno == EAGAIN;
  ::close(probe);
  return live;
}

}  // namespace

void raise_socket_buffers(int fd, size_t max_frame) {
  // Room for a few maximum frames plus the kernel's per-skb overhead.
  int bytes = static_cast<int>(max_frame * 2 + 65536);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
  }
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
}

Connection::Connection(int fd, QueueLimits limits) : fd_(fd), limits_(limits) {
  int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  queue_.clear();
  queued_bytes_ = 0;
}

int Connection::send_now(std::span<const uint8_t> frame) {
  for (;;) {
    ssize_t n = ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

Connection::SendStatus Connection::send(std::span<const uint8_t> frame) {
  if (fd_ < 0) return SendStatus::kClosed;
  if (queue_.empty()) {
    int err = send_now(frame);
    if (err == 0) return SendStatus::kSent;
    if (err == EMSGSIZE) return SendStatus::kTooLarge;
    if (err != EAGAIN && err != EWOULDBLOCK && err != ENOBUFS) {
      close();
      return SendStatus::kClosed;
    }
  }
  if (queue_.size() >= limits_.max_queued_frames ||
      queued_bytes_ + frame.size() > limits_.max_queued_bytes) {
    return SendStatus::kQueueFull;
  }
  queue_.emplace_back(frame.begin(), frame.end());
  queued_bytes_ += frame.size();
  return SendStatus::kQueued;
}

bool Connection::flush() {
  while (fd_ >= 0 && !queue_.empty()) {
    int err = send_now(queue_.front());
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) return true;
    if (err != 0 && err != EMSGSIZE) {
      close();
      return false;
    }
    // Sent, or too large to ever send (dropped rather than blocking the queue forever).
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  return fd_ >= 0;
}

Connection::RecvStatus Connection::recv(std::span<uint8_t> buffer, size_t& length) {
  length = 0;
  if (fd_ < 0) return RecvStatus::kClosed;
  for (;;) {
    // MSG_TRUNC: the real datagram length even when it is longer than the buffer (Linux >= 3.4
    // for SEQPACKET), so an oversized frame is recognised and discarded whole.
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT);
    if (n > 0) {
      length = static_cast<size_t>(n);
      return length > buffer.size() ? RecvStatus::kTooLarge : RecvStatus::kFrame;
    }
    if (n == 0) return RecvStatus::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return RecvStatus::kWouldBlock;
    return RecvStatus::kClosed;
  }
}

Listener::~Listener() {
  close();
}

std::string Listener::open(const std::string& path, mode_t mode, int backlog) {
  close();
  sockaddr_un addr;
  if (!fill_address(path, addr)) {
    return "socket path '" + path + "' is empty or longer than " +
           std::to_string(sizeof(addr.sun_path) - 1) + " bytes";
  }
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    // One level only: /run/fanout under an existing /run.
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return "cannot create " + dir + ": " + errno_text(errno);
    }
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return path + " exists and is not a socket";
    if (socket_is_live(addr)) return "another process is listening on " + path;
    ::unlink(path.c_str());
  }
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket(AF_UNIX, SOCK_SEQPACKET): " + errno_text(errno);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string err = "cannot bind " + path + ": " + errno_text(errno);
    ::close(fd);
    return err;
  }
  if (::chmod(path.c_str(), mode) != 0 || ::listen(fd, backlog) != 0) {
    std::string err = "cannot listen on " + path + ": " + errno_text(errno);
    ::close(fd);
    ::unlink(path.c_str());
    return err;
  }
  fd_ = fd;
  path_ = path;
  return {};
}

int Listener::accept() {
  if (fd_ < 0) return -1;
  for (;;) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

void Listener::close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace fanout::dp::ipc

#include "controlplane/api/client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "dataplane/ipc/channel.hpp"

namespace fanout::cp::api {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

ClientResult failure(ClientStatus status, std::string detail) {
  ClientResult result;
  result.status = status;
  result.detail = std::move(detail);
  return result;
}

// Returns the connected fd or -1 with `error` set.
int connect_unix(const std::string& path, Clock::time_point deadline, std::string& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    error = "path is empty or too long";
    return -1;
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  for (;;) {
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
    int err = errno;
    // EAGAIN: the listener's backlog is full; it frees up as the server accepts.
    if ((err == EAGAIN || err == EINTR) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    ::close(fd);
    error = std::strerror(err);
    return -1;
  }
}

int connect_tcp(const std::string& target, Clock::time_point deadline, std::string& error) {
  std::string host;
  uint16_t port = 0;
  error = parse_host_port(target, host, port);
  if (!error.empty()) return -1;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    error = ::gai_strerror(rc);
    return -1;
  }
  int result = -1;
  error = "no address";
  for (addrinfo* ai = found; ai != nullptr && result < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      if (::poll(&pfd, 1, remaining_ms(deadline)) == 1) {
        int so_error = 0;
        socklen_t len = sizeof(so_error);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        rc = so_error == 0 ? 0 : -1;
        errno = so_error;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      result = fd;
    } else {
      error = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  return result;
}

}  // namespace

ApiClient::ApiClient(size_t max_frame) : max_frame_(max_frame) {}

ApiClient::~ApiClient() {
  close();
}

void ApiClient::close() {
  conn_.reset();
}

std::string ApiClient::connect(const std::string& target, Millis timeout) {
  close();
  const auto deadline = Clock::now() + timeout;
  std::string error;
  const bool is_unix =
      target.find('/') != std::string::npos || target.find(':') == std::string::npos;
  int fd = is_unix ? connect_unix(target, deadline, error) : connect_tcp(target, deadline, error);
  if (fd < 0) return "cannot connect to " + target + ": " + error;
  if (is_unix) dp::ipc::raise_socket_buffers(fd, max_frame_);
  // The client waits for its queue to drain itself: no bound needed beyond memory.
  QueueLimits limits{.max_queued_frames = SIZE_MAX, .max_queued_bytes = SIZE_MAX};
  conn_ = std::make_unique<Connection>(fd, is_unix ? Framing::kDatagram : Framing::kStream,
                                       max_frame_, limits);
  target_ = target;
  hello_reply_ = {};
  events_.clear();
  return {};
}

ClientResult ApiClient::hello(std::string_view client_name, Millis timeout, uint16_t schema_major) {
  auto result = call(
      [&](flatbuffers::FlatBufferBuilder& fbb) {
        auto name = fbb.CreateString(client_name.data(), client_name.size());
        return fanout::cpapi::CreateHello(
            fbb, schema_major, static_cast<uint16_t>(fanout::cpapi::SchemaMinor::Current), name);
      },
      timeout);
  if (result.ok() && result.reply->body_type() == fanout::cpapi::Body::HelloReply) {
    hello_reply_ = result.reply;
  }
  return result;
}

ClientResult ApiClient::call_body(fanout::cpapi::Body type, flatbuffers::Offset<void> body,
                                  Millis timeout) {
  const uint64_t id = next_id_++;
  auto frame = finish_envelope(fbb_, id, type, body);
  auto sent = send_raw(frame, timeout);
  if (!sent.ok()) return sent;
  return wait_reply(id, timeout);
}

ClientResult ApiClient::send_raw(std::span<const uint8_t> bytes, Millis timeout) {
  if (!connected()) return failure(ClientStatus::kNotConnected, "not connected");
  const auto deadline = Clock::now() + timeout;
  auto status = conn_->send(bytes);
  if (status == Connection::SendStatus::kClosed) {
    close();
    return failure(ClientStatus::kClosed, "the server closed the connection");
  }
  if (status == Connection::SendStatus::kTooLarge) {
    return failure(ClientStatus::kIoError, "frame too large for the socket buffer");
  }
  while (conn_->has_pending()) {
    pollfd pfd{conn_->fd(), POLLOUT, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) == 0) {
      return failure(ClientStatus::kTimeout, "the server does not read (send timed out)");
    }
    if (!conn_->flush()) {
      close();
      return failure(ClientStatus::kClosed, "the server closed the connection");
    }
  }
  return {ClientStatus::kOk, {}, {}};
}

ClientResult ApiClient::receive(Millis timeout) {
  if (!connected()) return failure(ClientStatus::kNotConnected, "not connected");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::span<const uint8_t> frame;
    size_t length = 0;
    auto status = conn_->read(frame, length);
    if (status == Connection::ReadStatus::kFrame) {
      Decoded decoded = decode_frame(frame, max_frame_);
      if (decoded.status != FrameStatus::kOk) {
        return failure(ClientStatus::kBadFrame, std::string("bad frame from the server: ") +
                                                    std::string(frame_status_name(decoded.status)));
      }
      return {ClientStatus::kOk, {}, OwnedEnvelope({frame.begin(), frame.end()})};
    }
    if (status == Connection::ReadStatus::kTooLarge) {
      return failure(ClientStatus::kBadFrame, "frame of " + std::to_string(length) +
                                                  " bytes exceeds the maximum frame size");
    }
    if (status == Connection::ReadStatus::kClosed) {
      close();
      return failure(ClientStatus::kClosed, "the server closed the connection");
    }
    const int ms = remaining_ms(deadline);
    if (ms == 0 && Clock::now() >= deadline) {
      return failure(ClientStatus::kTimeout,
                     "no answer within " + std::to_string(timeout.count()) + " ms");
    }
    pollfd pfd{conn_->fd(), POLLIN, 0};
    ::poll(&pfd, 1, ms);
  }
}

ClientResult ApiClient::wait_reply(uint64_t id, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto result = receive(Millis(remaining_ms(deadline)));
    if (!result.ok()) {
      if (result.status == ClientStatus::kTimeout) {
        result.detail = "no reply to request " + std::to_string(id) + " within " +
                        std::to_string(timeout.count()) + " ms";
      }
      return result;
    }
    const auto& envelope = *result.reply.get();
    if (envelope.id() == id) return result;
    // An Error with id 0 answers a frame the server could not read: ours, the only one in flight.
    if (envelope.id() == 0 && envelope.body_type() == fanout::cpapi::Body::Error) return result;
    if (envelope.id() == 0) deliver_event(std::move(result.reply));
    // A late reply to an earlier, timed-out request: dropped.
  }
}

void ApiClient::deliver_event(OwnedEnvelope event) {
  if (on_event_) {
    on_event_(event);
  } else {
    events_.push_back(std::move(event));
  }
}

ClientResult ApiClient::next_event(Millis timeout) {
  if (!events_.empty()) {
    ClientResult result{ClientStatus::kOk, {}, std::move(events_.front())};
    events_.pop_front();
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto result = receive(Millis(remaining_ms(deadline)));
    if (!result.ok()) return result;
    if (result.reply->id() == 0 && result.reply->body_type() != fanout::cpapi::Body::Error) {
      return result;
    }
  }
}

}  // namespace fanout::cp::api

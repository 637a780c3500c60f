#include "dataplane/ipc/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "dataplane/ipc/channel.hpp"

namespace fanout::dp::ipc {

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

}  // namespace

OwnedEnvelope::OwnedEnvelope(std::vector<uint8_t> frame) : frame_(std::move(frame)) {}

const fanout::ipc::Error* OwnedEnvelope::error() const {
  const auto* envelope = get();
  return envelope == nullptr ? nullptr : envelope->body_as_Error();
}

IpcClient::IpcClient(size_t max_frame) : max_frame_(max_frame), rx_(max_frame + 1) {}

IpcClient::~IpcClient() {
  close();
}

void IpcClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string IpcClient::connect(const std::string& path, Millis timeout) {
  close();
  sockaddr_un addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return "cannot connect to " + path + ": path is empty or too long";
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  raise_socket_buffers(fd, max_frame_);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) break;
    int err = errno;
    // EAGAIN: the listener's backlog is full; it frees up as the server accepts.
    if ((err == EAGAIN || err == EINTR) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    ::close(fd);
    return "cannot connect to " + path + ": " + std::strerror(err);
  }
  fd_ = fd;
  return {};
}

ClientResult IpcClient::hello(std::string_view client_name, uint64_t epoch, Millis timeout) {
  epoch_ = epoch;
  auto result = request(
      [&](flatbuffers::FlatBufferBuilder& fbb) {
        auto name = fbb.CreateString(client_name.data(), client_name.size());
        return fanout::ipc::CreateHello(
            fbb, static_cast<uint16_t>(fanout::ipc::SchemaMajor::Current),
            static_cast<uint16_t>(fanout::ipc::SchemaMinor::Current), name, epoch);
      },
      timeout);
  if (result.ok() && result.reply->body_type() == fanout::ipc::Body::HelloReply) {
    hello_reply_ = result.reply;
  }
  return result;
}

ClientResult IpcClient::request_body(fanout::ipc::Body type, flatbuffers::Offset<void> body,
                                     Millis timeout) {
  const uint64_t id = next_id_++;
  auto frame = finish_envelope(fbb_, id, epoch_, type, body);
  auto sent = send_raw(frame);
  if (!sent.ok()) return sent;
  return wait_reply(id, timeout);
}

ClientResult IpcClient::send_raw(std::span<const uint8_t> frame) {
  if (fd_ < 0) return failure(ClientStatus::kNotConnected, "not connected");
  for (;;) {
    if (::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) >= 0)
      return {ClientStatus::kOk, {}, {}};
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      pollfd pfd{fd_, POLLOUT, 0};
      ::poll(&pfd, 1, 1000);
      continue;
    }
    if (err == EPIPE || err == ECONNRESET) {
      close();
      return failure(ClientStatus::kClosed, "the data plane closed the connection");
    }
    return failure(ClientStatus::kIoError, std::string("send: ") + std::strerror(err));
  }
}

ClientResult IpcClient::receive(Millis timeout) {
  if (fd_ < 0) return failure(ClientStatus::kNotConnected, "not connected");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    ssize_t n = ::recv(fd_, rx_.data(), rx_.size(), MSG_TRUNC | MSG_DONTWAIT);
    if (n > 0) {
      auto length = static_cast<size_t>(n);
      if (length > rx_.size()) {
        return failure(ClientStatus::kBadFrame, "reply of " + std::to_string(length) +
                                                    " bytes exceeds the maximum frame size");
      }
      std::span<const uint8_t> datagram(rx_.data(), length);
      Decoded decoded = decode_frame(datagram, {.max_frame = max_frame_});
      if (decoded.status != FrameStatus::kOk) {
        return failure(ClientStatus::kBadFrame, std::string("bad frame from the data plane: ") +
                                                    std::string(frame_status_name(decoded.status)));
      }
      return {ClientStatus::kOk, {}, OwnedEnvelope({datagram.begin(), datagram.end()})};
    }
    if (n == 0) {
      close();
      return failure(ClientStatus::kClosed, "the data plane closed the connection");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      int err = errno;
      close();
      return failure(ClientStatus::kIoError, std::string("recv: ") + std::strerror(err));
    }
    pollfd pfd{fd_, POLLIN, 0};
    int ms = remaining_ms(deadline);
    if (ms == 0 && Clock::now() >= deadline) {
      return failure(ClientStatus::kTimeout,
                     "no answer within " + std::to_string(timeout.count()) + " ms");
    }
    ::poll(&pfd, 1, ms);
  }
}

ClientResult IpcClient::wait_reply(uint64_t id, Millis timeout) {
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
    if (envelope.id() == 0 && envelope.body_type() == fanout::ipc::Body::Error) return result;
    if (envelope.id() == 0) deliver_event(std::move(result.reply));
    // A late reply to an earlier, timed-out request: dropped.
  }
}

void IpcClient::deliver_event(OwnedEnvelope event) {
  if (on_event_) {
    on_event_(event);
  } else {
    events_.push_back(std::move(event));
  }
}

ClientResult IpcClient::next_event(Millis timeout) {
  if (!events_.empty()) {
    ClientResult result{ClientStatus::kOk, {}, std::move(events_.front())};
    events_.pop_front();
    return result;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto result = receive(Millis(remaining_ms(deadline)));
    if (!result.ok()) return result;
    if (result.reply->id() == 0 && result.reply->body_type() != fanout::ipc::Body::Error) {
      return result;
    }
  }
}

}  // namespace fanout::dp::ipc

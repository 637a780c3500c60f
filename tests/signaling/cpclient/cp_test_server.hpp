#pragma once

// A tiny server of schemas/controlplane.fbs over a real Unix-domain SOCK_SEQPACKET socket, for
// testing the client's framing, Hello, timeouts and reconnects. It is NOT a control plane: it
// answers CreateRouter with fixed capabilities, CreateWebRtcTransport with fixed parameters,
// Produce and Consume with the ids asked for (video, empty RTP parameters), and nothing else.

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "signaling/cpclient/cp_client.hpp"

namespace fanout::sig::test {

class CpTestServer {
 public:
  explicit CpTestServer(std::string path) : path_(std::move(path)) {}
  ~CpTestServer() { stop(); }

  void start() {
    ::unlink(path_.c_str());
    listen_fd_ = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 4) != 0) {
      throw std::runtime_error("test server: cannot listen on " + path_);
    }
    running_ = true;
    thread_ = std::thread([this] { loop(); });
  }

  void stop() {
    if (!running_.exchange(false)) return;
    thread_.join();
    if (conn_fd_ >= 0) ::close(conn_fd_);
    ::close(listen_fd_);
    conn_fd_ = listen_fd_ = -1;
    ::unlink(path_.c_str());
  }

  // Sent on the current connection by the server's thread.
  void push(std::vector<std::uint8_t> frame) {
    std::lock_guard lock(mutex_);
    outbox_.push_back(std::move(frame));
  }

  std::vector<cpapi::Body> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::atomic<int> hellos{0};
  std::atomic<int> connections{0};
  std::atomic<std::uint16_t> reply_major{1};

 private:
  void loop() {
    std::vector<std::uint8_t> buf(kCpMaxFrame + 8);
    while (running_) {
      {
        std::lock_guard lock(mutex_);
        if (conn_fd_ >= 0) {
          for (auto& f : outbox_) ::send(conn_fd_, f.data(), f.size(), MSG_NOSIGNAL);
          outbox_.clear();
        }
      }
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {conn_fd_, POLLIN, 0}};
      if (::poll(fds, conn_fd_ >= 0 ? 2 : 1, 10) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          if (conn_fd_ >= 0) ::close(conn_fd_);
          conn_fd_ = fd;
          ++connections;
        }
        continue;
      }
      if (conn_fd_ < 0 || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = ::recv(conn_fd_, buf.data(), buf.size(), 0);
      if (n <= 0) {
        ::close(conn_fd_);
        conn_fd_ = -1;
        continue;
      }
      const auto* env = decode_cp_frame({buf.data(), static_cast<std::size_t>(n)});
      if (env == nullptr) continue;
      {
        std::lock_guard lock(mutex_);
        received_.push_back(env->body_type());
      }
      answer(*env);
    }
  }

  void reply(std::uint64_t id, const CpBuild& build) {
    const auto frame = encode_cp_frame(id, build);
    ::send(conn_fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
  }

  void answer(const cpapi::Envelope& env) {
    using cpapi::Body;
    if (const auto* hello = env.body_as_Hello()) {
      ++hellos;
      const std::uint16_t major = reply_major;
      const bool ok = hello->schema_major() == 1;
      reply(env.id(), [&](flatbuffers::FlatBufferBuilder& fbb) {
        if (!ok) {
          return std::pair{
              Body::Error,
              cpapi::CreateErrorDirect(fbb, cpapi::ErrorCode::VersionMismatch, "x").Union()};
        }
        return std::pair{Body::HelloReply,
                         cpapi::CreateHelloReplyDirect(fbb, major, 0, "test-server", true).Union()};
      });
      return;
    }
    if (const auto* create = env.body_as_CreateRouter()) {
      const std::string id = create->router_id() ? create->router_id()->str() : "";
      if (id == "silent") return;  // never answered: the client's timeout
      if (id == "garbage") {
        const std::uint8_t junk[] = {9, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        ::send(conn_fd_, junk, sizeof junk, MSG_NOSIGNAL);
        return;
      }
      if (id == "exists") {
        reply(env.id(), [](flatbuffers::FlatBufferBuilder& fbb) {
          return std::pair{Body::Error, cpapi::CreateErrorDirect(
                                            fbb, cpapi::ErrorCode::AlreadyExists, "router exists")
                                            .Union()};
        });
        return;
      }
      reply(env.id(), [&](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{
            Body::RouterCreated,
            cpapi::CreateRouterCreatedDirect(fbb, id.c_str(), R"({"codecs":[]})").Union()};
      });
      return;
    }
    if (const auto* create = env.body_as_CreateWebRtcTransport()) {
      const std::string id = create->transport_id() ? create->transport_id()->str() : "";
      reply(env.id(), [&](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{
            Body::WebRtcTransportCreated,
            cpapi::CreateWebRtcTransportCreatedDirect(
                fbb, id.c_str(), R"({"usernameFragment":"u","password":"p","iceLite":true})",
                R"([{"foundation":"udpcandidate","priority":1,"ip":"198.18.0.2",)"
                R"("address":"198.18.0.2","protocol":"udp","port":40000,"type":"host"}])",
                R"({"role":"auto","fingerprints":[{"algorithm":"sha-256","value":"00"}]})")
                .Union()};
      });
      return;
    }
    if (const auto* produce = env.body_as_Produce()) {
      const std::string id = produce->producer_id() ? produce->producer_id()->str() : "";
      reply(env.id(), [&](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::Produced, cpapi::CreateProducedDirect(fbb, id.c_str()).Union()};
      });
      return;
    }
    if (const auto* consume = env.body_as_Consume()) {
      const std::string id = consume->consumer_id() ? consume->consumer_id()->str() : "";
      const std::string producer = consume->producer_id() ? consume->producer_id()->str() : "";
      reply(env.id(), [&](flatbuffers::FlatBufferBuilder& fbb) {
        return std::pair{Body::Consumed,
                         cpapi::CreateConsumedDirect(fbb, id.c_str(), producer.c_str(),
                                                     cpapi::MediaKind::Video, "{}", false)
                             .Union()};
      });
      return;
    }
    reply(env.id(), [](flatbuffers::FlatBufferBuilder& fbb) {
      return std::pair{Body::Error,
                       cpapi::CreateErrorDirect(fbb, cpapi::ErrorCode::UnknownMethod, "").Union()};
    });
  }

  std::string path_;
  int listen_fd_ = -1;
  int conn_fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::vector<std::uint8_t>> outbox_;
  std::vector<cpapi::Body> received_;
};

}  // namespace fanout::sig::test

#include "controlplane/api/server.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fanout::cp::api {

using fanout::cpapi::Body;
using fanout::cpapi::ErrorCode;

ApiServer::ApiServer(ApiHandler& handler, ApiServerOptions options)
    : handler_(handler), options_(std::move(options)) {}

ApiServer::~ApiServer() {
  for (auto& peer : peers_) handler_.on_disconnect(peer->id);
  if (tcp_fd_ >= 0) ::close(tcp_fd_);
}

std::string ApiServer::listen_unix(const std::string& path, mode_t mode) {
  std::string error = unix_listener_.open(path, mode, 64);
  if (error.find("another process is listening") != std::string::npos) {
    error += " (is another fanout-controlplane running? stop it or set controlplane.api_socket)";
  }
  return error;
}

std::string ApiServer::listen_tcp(const std::string& host_port) {
  std::string host;
  uint16_t port = 0;
  std::string error = parse_host_port(host_port, host, port);
  if (!error.empty()) return "api_tcp " + error;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return "api_tcp " + host_port + ": " + ::gai_strerror(rc);
  }
  std::string last = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      last = std::strerror(errno);
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    tcp_port_ = bound.ss_family == AF_INET6
                    ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                    : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    if (tcp_fd_ >= 0) ::close(tcp_fd_);
    tcp_fd_ = fd;
    ::freeaddrinfo(found);
    return {};
  }
  ::freeaddrinfo(found);
  return "cannot listen on TCP " + host_port + ": " + last +
         (last == std::strerror(EADDRINUSE) ? " (set controlplane.api_tcp to a free port)" : "");
}

size_t ApiServer::connection_count() const {
  return static_cast<size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](const auto& p) { return p->conn.is_open(); }));
}

size_t ApiServer::handshaken_count() const {
  return static_cast<size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& p) {
    return p->conn.is_open() && p->handshaken && !p->closing;
  }));
}

void ApiServer::append_pollfds(std::vector<pollfd>& fds) {
  sweep();  // connections closed since the last process() (slow clients closed by broadcasts)
  poll_base_ = fds.size();
  polled_unix_ = unix_listener_.fd() >= 0;
  polled_tcp_ = tcp_fd_ >= 0;
  if (polled_unix_) fds.push_back({unix_listener_.fd(), POLLIN, 0});
  if (polled_tcp_) fds.push_back({tcp_fd_, POLLIN, 0});
  for (auto& peer : peers_) {
    short events = peer->closing ? 0 : POLLIN;
    if (peer->conn.has_pending()) events |= POLLOUT;
    fds.push_back({peer->conn.fd(), events, 0});
  }
  polled_peers_ = peers_.size();
  polled_ = true;
}

void ApiServer::process(std::span<const pollfd> fds) {
  if (!polled_) return;
  polled_ = false;
  size_t index = poll_base_;
  const bool unix_ready = polled_unix_ && (fds[index++].revents & POLLIN) != 0;
  const bool tcp_ready = polled_tcp_ && (fds[index++].revents & POLLIN) != 0;
  // peers_ only grows in accept_from, after this loop, and shrinks only in sweep(): the indexes
  // line up with what append_pollfds() added.
  for (size_t i = 0; i < polled_peers_ && index < fds.size(); ++i, ++index) {
    Peer& peer = *peers_[i];
    const short revents = fds[index].revents;
    if (revents == 0 || !peer.conn.is_open()) continue;
    if (revents & POLLOUT) peer.conn.flush();
    // Read before acting on POLLHUP: the peer may have sent a last request before closing.
    if (revents & (POLLIN | POLLHUP | POLLERR)) read_peer(peer);
    if ((revents & (POLLHUP | POLLERR)) && !(revents & POLLIN)) peer.conn.close();
  }
  if (unix_ready) accept_from(unix_listener_.fd(), Framing::kDatagram);
  if (tcp_ready) accept_from(tcp_fd_, Framing::kStream);
  sweep();
}

void ApiServer::poll_once(int timeout_ms) {
  own_pollfds_.clear();
  append_pollfds(own_pollfds_);
  if (own_pollfds_.empty()) return;
  if (::poll(own_pollfds_.data(), own_pollfds_.size(), timeout_ms) < 0) {
    polled_ = false;
    return;
  }
  process(own_pollfds_);
}

void ApiServer::accept_from(int listen_fd, Framing framing) {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (connection_count() >= options_.max_connections) {
      ++stats_.rejected_connections;
      // Say why before closing: a client otherwise sees only a closed socket.
      Connection refused(fd, framing, options_.max_frame, options_.queue);
      refused.send(
          make_error(fbb_, 0, ErrorCode::ResourceExhausted,
                     "too many connections (" + std::to_string(options_.max_connections) + ")"));
      continue;
    }
    if (framing == Framing::kDatagram) {
      dp::ipc::raise_socket_buffers(fd, options_.max_frame);
    } else {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    peers_.push_back(
        std::make_unique<Peer>(next_id_++, fd, framing, options_.max_frame, options_.queue));
    ++stats_.accepted;
  }
}

void ApiServer::read_peer(Peer& peer) {
  for (uint32_t n = 0; n < options_.max_frames_per_poll && peer.conn.is_open() && !peer.closing;
       ++n) {
    std::span<const uint8_t> frame;
    size_t length = 0;
    auto status = peer.conn.read(frame, length);
    if (status == Connection::ReadStatus::kWouldBlock) return;
    if (status == Connection::ReadStatus::kClosed) {
      if (length > 0) {
        // A stream announcing a frame far past the cap: its framing is lost. Say why, then close.
        bad_frame(peer, ErrorCode::TooLarge,
                  "frame of " + std::to_string(length) + " bytes: closing the connection");
        peer.conn.flush();
      }
      peer.conn.close();
      return;
    }
    if (status == Connection::ReadStatus::kTooLarge) {
      bad_frame(peer, ErrorCode::TooLarge,
                "frame of " + std::to_string(length) + " bytes exceeds the maximum of " +
                    std::to_string(options_.max_frame));
      continue;
    }
    handle_frame(peer, frame);
  }
}

void ApiServer::bad_frame(Peer& peer, ErrorCode code, std::string_view reason) {
  ++stats_.bad_frames;
  // The id is unreadable: the Error carries id 0, which a blocking client matches to its one
  // outstanding request.
  send_error(peer, 0, code, reason);
  if (++peer.bad_frames >= options_.max_bad_frames) peer.closing = true;
}

void ApiServer::handle_frame(Peer& peer, std::span<const uint8_t> frame) {
  Decoded decoded = decode_frame(frame, options_.max_frame);
  if (decoded.status != FrameStatus::kOk) {
    bad_frame(peer, frame_error_code(decoded.status), frame_status_name(decoded.status));
    return;
  }
  peer.bad_frames = 0;
  const fanout::cpapi::Envelope& envelope = *decoded.envelope;
  const Body type = envelope.body_type();
  if (type == Body::Hello) {
    handle_hello(peer, envelope);
    return;
  }
  if (!peer.handshaken) {
    send_error(peer, envelope.id(), ErrorCode::NotReady, "send Hello first");
    return;
  }
  if (type == Body::NONE) {
    send_error(peer, envelope.id(), ErrorCode::BadMessage, "envelope without a body");
    return;
  }
  // Replies and events sent as requests are refused here; bodies newer than this schema go to
  // the handler, which knows what it serves.
  if (type <= Body::MAX && !is_request(type)) {
    send_error(peer, envelope.id(), ErrorCode::UnknownMethod,
               std::string("not a request: ") + fanout::cpapi::EnumNameBody(type));
    return;
  }
  ++stats_.requests;
  std::vector<uint8_t> reply;
  try {
    reply = handler_.handle(peer.id, envelope);
  } catch (const std::exception& e) {
    reply.clear();
    send_error(peer, envelope.id(), ErrorCode::Internal, e.what());
    return;
  }
  if (reply.empty()) {
    send_error(peer, envelope.id(), ErrorCode::Internal, "the control plane did not answer");
    return;
  }
  send_to(peer, reply);
}

void ApiServer::handle_hello(Peer& peer, const fanout::cpapi::Envelope& envelope) {
  const auto* hello = envelope.body_as_Hello();
  const auto major = static_cast<uint16_t>(fanout::cpapi::SchemaMajor::Current);
  const auto minor = static_cast<uint16_t>(fanout::cpapi::SchemaMinor::Current);
  if (peer.handshaken) {
    send_error(peer, envelope.id(), ErrorCode::InvalidArgument, "Hello was already received");
    return;
  }
  if (hello->schema_major() != major) {
    send_error(peer, envelope.id(), ErrorCode::VersionMismatch,
               "schema major version " + std::to_string(hello->schema_major()) +
                   " is not supported: this control plane speaks " + std::to_string(major) + "." +
                   std::to_string(minor) +
                   "; upgrade the client or the control plane so both use the same major version");
    peer.closing = true;
    return;
  }
  peer.handshaken = true;
  fbb_.Clear();
  auto server = fbb_.CreateString(options_.server_name);
  auto reply =
      fanout::cpapi::CreateHelloReply(fbb_, major, minor, server, handler_.dataplane_connected());
  send_to(peer, finish_envelope(fbb_, envelope.id(), reply));
}

void ApiServer::send_to(Peer& peer, std::span<const uint8_t> frame) {
  auto status = peer.conn.send(frame);
  if (status == Connection::SendStatus::kQueueFull) {
    // A client that stopped reading is disconnected, not buffered for without bound.
    ++stats_.queue_full_closes;
    peer.conn.close();
  } else if (status == Connection::SendStatus::kTooLarge) {
    fbb_.Clear();
    peer.conn.send(
        make_error(fbb_, 0, ErrorCode::TooLarge, "reply too large for the socket buffer"));
  }
}

void ApiServer::send_error(Peer& peer, uint64_t id, ErrorCode code, std::string_view reason) {
  send_to(peer, make_error(fbb_, id, code, reason));
}

size_t ApiServer::broadcast_event(std::span<const uint8_t> frame) {
  size_t sent = 0;
  for (auto& peer : peers_) {
    if (!peer->conn.is_open() || !peer->handshaken || peer->closing) continue;
    send_to(*peer, frame);
    if (peer->conn.is_open()) ++sent;
  }
  stats_.events_sent += sent;
  return sent;
}

void ApiServer::sweep() {
  for (auto& peer : peers_) {
    if (peer->closing && peer->conn.is_open() && !peer->conn.has_pending()) peer->conn.close();
  }
  auto gone = std::remove_if(peers_.begin(), peers_.end(), [&](const auto& peer) {
    if (peer->conn.is_open()) return false;
    ++stats_.closed;
    handler_.on_disconnect(peer->id);
    return true;
  });
  peers_.erase(gone, peers_.end());
}

}  // namespace fanout::cp::api

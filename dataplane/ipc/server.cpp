#include "dataplane/ipc/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace fanout::dp::ipc {

using fanout::ipc::Body;
using fanout::ipc::ErrorCode;

void Replier::reply(Body type, flatbuffers::Offset<void> body) {
  frame_ = finish_envelope(*fbb_, id_, epoch_, type, body);
  answered_ = true;
}

void Replier::ok() {
  frame_ = make_ok(*fbb_, id_, epoch_);
  answered_ = true;
}

void Replier::error(ErrorCode code, std::string_view reason) {
  frame_ = make_error(*fbb_, id_, code, reason, epoch_);
  answered_ = true;
}

IpcServer::IpcServer(RequestHandler& handler, ServerOptions options)
    : handler_(handler), options_(options), rx_(options.limits.max_frame + 1) {}

IpcServer::~IpcServer() {
  for (auto& peer : peers_) handler_.on_disconnect(peer->id);
}

std::string IpcServer::listen(const std::string& path, mode_t mode) {
  return listener_.open(path, mode);
}

size_t IpcServer::connection_count() const {
  return static_cast<size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](const auto& p) { return p->conn.is_open(); }));
}

size_t IpcServer::handshaken_count() const {
  return static_cast<size_t>(std::count_if(peers_.begin(), peers_.end(), [](const auto& p) {
    return p->conn.is_open() && p->handshaken && !p->closing;
  }));
}

void IpcServer::poll_once(int timeout_ms) {
  sweep();  // connections closed between calls (IpcServer::close, deferred replies)
  pollfds_.clear();
  if (listener_.fd() >= 0) pollfds_.push_back({listener_.fd(), POLLIN, 0});
  for (auto& peer : peers_) {
    short events = POLLIN;
    if (peer->conn.has_pending()) events |= POLLOUT;
    pollfds_.push_back({peer->conn.fd(), events, 0});
  }
  if (pollfds_.empty()) return;
  int ready = ::poll(pollfds_.data(), pollfds_.size(), timeout_ms);
  if (ready <= 0) return;

  size_t index = 0;
  bool listener_ready = false;
  if (listener_.fd() >= 0) listener_ready = (pollfds_[index++].revents & POLLIN) != 0;
  // peers_ only grows in accept_all, after this loop, so the indexes line up.
  const size_t polled = peers_.size();
  for (size_t i = 0; i < polled; ++i, ++index) {
    Peer& peer = *peers_[i];
    short revents = pollfds_[index].revents;
    if (revents == 0 || !peer.conn.is_open()) continue;
    if (revents & POLLOUT) peer.conn.flush();
    // Read before acting on POLLHUP: the peer may have sent a last request before closing.
    if (revents & (POLLIN | POLLHUP | POLLERR)) read_peer(peer);
    if ((revents & (POLLHUP | POLLERR)) && !(revents & POLLIN)) peer.conn.close();
  }
  if (listener_ready) accept_all();
  sweep();
}

void IpcServer::accept_all() {
  for (;;) {
    int fd = listener_.accept();
    if (fd < 0) return;
    if (connection_count() >= options_.max_connections) {
      ++stats_.rejected_connections;
      ::close(fd);
      continue;
    }
    raise_socket_buffers(fd, options_.limits.max_frame);
    peers_.push_back(std::make_unique<Peer>(next_id_++, fd, options_.queue));
    ++stats_.accepted;
  }
}

void IpcServer::read_peer(Peer& peer) {
  for (uint32_t n = 0; n < options_.max_frames_per_poll && peer.conn.is_open(); ++n) {
    size_t length = 0;
    auto status = peer.conn.recv(rx_, length);
    if (status == Connection::RecvStatus::kWouldBlock) return;
    if (status == Connection::RecvStatus::kClosed) {
      peer.conn.close();
      return;
    }
    if (peer.closing) continue;  // draining after VersionMismatch: ignore anything else
    if (status == Connection::RecvStatus::kTooLarge) {
      ++stats_.bad_frames;
      send_error(peer, 0, ErrorCode::TooLarge,
                 "frame of " + std::to_string(length) + " bytes exceeds the maximum of " +
                     std::to_string(options_.limits.max_frame));
      if (++peer.bad_frames > options_.max_bad_frames) peer.conn.close();
      continue;
    }
    handle_frame(peer, std::span<const uint8_t>(rx_.data(), length));
  }
}

void IpcServer::handle_frame(Peer& peer, std::span<const uint8_t> datagram) {
  Decoded decoded = decode_frame(datagram, options_.limits);
  if (decoded.status != FrameStatus::kOk) {
    ++stats_.bad_frames;
    // The id is unreadable: the Error carries id 0, which a blocking client matches to its one
    // outstanding request.
    send_error(peer, 0, frame_error_code(decoded.status), frame_status_name(decoded.status));
    if (++peer.bad_frames > options_.max_bad_frames) peer.conn.close();
    return;
  }
  peer.bad_frames = 0;
  const fanout::ipc::Envelope& envelope = *decoded.envelope;
  if (envelope.body_type() == Body::Hello) {
    handle_hello(peer, envelope);
    return;
  }
  if (!peer.handshaken) {
    send_error(peer, envelope.id(), ErrorCode::NotReady, "send Hello first");
    return;
  }
  if (!is_request(envelope.body_type())) {
    send_error(peer, envelope.id(), ErrorCode::UnknownMethod,
               std::string("not a request: ") + fanout::ipc::EnumNameBody(envelope.body_type()));
    return;
  }
  ++stats_.requests;
  reply_fbb_.Clear();
  Replier replier(reply_fbb_, envelope.id(), epoch_);
  handler_.on_request(peer.id, envelope, replier);
  if (!replier.answered()) {
    replier.error(ErrorCode::Internal, "the data plane did not answer this request");
  }
  if (!replier.frame_.empty()) send_to(peer, replier.frame_);
}

void IpcServer::handle_hello(Peer& peer, const fanout::ipc::Envelope& envelope) {
  const auto* hello = envelope.body_as_Hello();
  const auto ours = static_cast<uint16_t>(fanout::ipc::SchemaMajor::Current);
  if (peer.handshaken) {
    send_error(peer, envelope.id(), ErrorCode::InvalidArgument, "Hello was already received");
    return;
  }
  if (hello->schema_major() != ours) {
    send_error(peer, envelope.id(), ErrorCode::VersionMismatch,
               "schema major version " + std::to_string(hello->schema_major()) +
                   " is not supported: this data plane speaks " + std::to_string(ours) + "." +
                   std::to_string(static_cast<uint16_t>(fanout::ipc::SchemaMinor::Current)) +
                   "; upgrade the client or the data plane so both use the same major version");
    peer.closing = true;
    return;
  }
  fanout::ipc::HelloReplyT reply;
  handler_.describe(reply);
  reply.schema_major = ours;
  reply.schema_minor = static_cast<uint16_t>(fanout::ipc::SchemaMinor::Current);
  reply.epoch = epoch_;
  if (hello->epoch() != 0) epoch_ = hello->epoch();  // epoch 0: an observer such as fanoutctl
  peer.handshaken = true;
  reply_fbb_.Clear();
  auto frame = finish_envelope(reply_fbb_, envelope.id(), epoch_,
                               fanout::ipc::HelloReply::Pack(reply_fbb_, &reply));
  send_to(peer, frame);
  handler_.on_handshake(peer.id, *hello);
}

void IpcServer::send_to(Peer& peer, std::span<const uint8_t> frame) {
  auto status = peer.conn.send(frame);
  if (status == Connection::SendStatus::kQueueFull) {
    // A peer that stopped reading is disconnected, not buffered for without bound.
    ++stats_.queue_full_closes;
    peer.conn.close();
  } else if (status == Connection::SendStatus::kTooLarge) {
    reply_fbb_.Clear();
    peer.conn.send(make_error(reply_fbb_, 0, ErrorCode::TooLarge,
                              "reply too large for the socket buffer", epoch_));
  }
}

void IpcServer::send_error(Peer& peer, uint64_t id, ErrorCode code, std::string_view reason) {
  reply_fbb_.Clear();
  send_to(peer, make_error(reply_fbb_, id, code, reason, epoch_));
}

size_t IpcServer::broadcast_event(std::span<const uint8_t> frame) {
  size_t sent = 0;
  for (auto& peer : peers_) {
    if (!peer->conn.is_open() || !peer->handshaken || peer->closing) continue;
    send_to(*peer, frame);
    if (peer->conn.is_open()) ++sent;
  }
  stats_.events_sent += sent;
  return sent;
}

flatbuffers::FlatBufferBuilder& IpcServer::event_builder() {
  event_fbb_.Clear();
  return event_fbb_;
}

IpcServer::Peer* IpcServer::find(ConnectionId conn) {
  for (auto& peer : peers_) {
    if (peer->id == conn && peer->conn.is_open()) return peer.get();
  }
  return nullptr;
}

bool IpcServer::send(ConnectionId conn, std::span<const uint8_t> frame) {
  Peer* peer = find(conn);
  if (peer == nullptr) return false;
  send_to(*peer, frame);
  return peer->conn.is_open();
}

void IpcServer::close(ConnectionId conn) {
  if (Peer* peer = find(conn)) peer->conn.close();
}

void IpcServer::sweep() {
  for (auto& peer : peers_) {
    if (peer->closing && peer->conn.is_open() && !peer->conn.has_pending()) {
      peer->conn.close();
    }
  }
  auto gone = std::remove_if(peers_.begin(), peers_.end(), [&](const auto& peer) {
    if (peer->conn.is_open()) return false;
    ++stats_.closed;
    handler_.on_disconnect(peer->id);
    return true;
  });
  peers_.erase(gone, peers_.end());
}

}  // namespace fanout::dp::ipc

#include "signaling/cpclient/cp_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <boost/asio/generic/seq_packet_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <thread>

#include "signaling/server/log.hpp"

namespace fanout::sig {

namespace net = boost::asio;
using SeqPacket = net::generic::seq_packet_protocol;

namespace {

bool is_event(cpapi::Body body) {
  switch (body) {
    case cpapi::Body::TransportStateChanged:
    case cpapi::Body::ProducerClosed:
    case cpapi::Body::ConsumerClosed:
    case cpapi::Body::ProducerPausedChanged:
    case cpapi::Body::ProducerScore:  // minor 2
    case cpapi::Body::ConsumerScore:
      return true;
    default:
      return false;
  }
}

CpError unavailable(std::string reason) {
  return CpError{.unavailable = true, .code = cpapi::ErrorCode::Unspecified, .reason = reason};
}

}  // namespace

const cpapi::Envelope* decode_cp_frame(std::span<const std::uint8_t> datagram) {
  constexpr std::size_t kPrefix = sizeof(flatbuffers::uoffset_t);
  if (datagram.size() > kCpMaxFrame + kPrefix) return nullptr;
  if (datagram.size() < kPrefix + sizeof(flatbuffers::uoffset_t) + 4) return nullptr;
  const auto prefix = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(datagram.data());
  if (prefix != datagram.size() - kPrefix) return nullptr;
  flatbuffers::Verifier verifier(datagram.data(), datagram.size());
  if (!cpapi::VerifySizePrefixedEnvelopeBuffer(verifier)) return nullptr;
  const auto* envelope = cpapi::GetSizePrefixedEnvelope(datagram.data());
  // The verifier accepts a union type without its value (or the reverse); nothing downstream may
  // see such a frame. A type newer than this schema is left for the caller to ignore.
  const auto type = envelope->body_type();
  if (type == cpapi::Body::NONE) return envelope->body() == nullptr ? envelope : nullptr;
  if (type <= cpapi::Body::MAX && envelope->body() == nullptr) return nullptr;
  return envelope;
}

std::vector<std::uint8_t> encode_cp_frame(std::uint64_t id, const CpBuild& build) {
  flatbuffers::FlatBufferBuilder fbb(256);
  const auto [type, body] = build(fbb);
  const auto envelope = cpapi::CreateEnvelope(fbb, id, type, body);
  cpapi::FinishSizePrefixedEnvelopeBuffer(fbb, envelope);
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

struct CpClient::Impl : std::enable_shared_from_this<CpClient::Impl> {
  struct Pending {
    CpCallback done;
    std::unique_ptr<net::steady_timer> timer;
  };

  Impl(CpClientOptions o, CpEventHandler e)
      : options(std::move(o)),
        on_event(std::move(e)),
        socket(ioc),
        reconnect_timer(ioc),
        backoff(options.reconnect_min),
        rx(kCpMaxFrame + sizeof(flatbuffers::uoffset_t) + 1) {}

  CpClientOptions options;
  CpEventHandler on_event;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread thread;
  SeqPacket::socket socket;
  net::steady_timer reconnect_timer;
  std::chrono::milliseconds backoff;
  std::vector<std::uint8_t> rx;
  net::socket_base::message_flags rx_flags = 0;  // out: MSG_EOR/MSG_TRUNC of the last datagram
  std::deque<std::vector<std::uint8_t>> tx;
  bool writing = false;
  bool stopping = false;
  std::uint64_t generation = 0;  // bumps on every connection so stale handlers do nothing
  std::uint64_t hello_id = 0;
  std::map<std::uint64_t, Pending> pending;
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> ready{false};
  std::atomic<bool> dataplane{false};
  std::atomic<bool> stopped{false};  // set by stop(): call() answers at once
  std::atomic<std::uint64_t> sessions{0};
  bool logged_down = false;

  // Everything below runs on the client's thread.
  void connect() {
    if (stopping) return;
    ++generation;
    boost::system::error_code ec;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (options.socket_path.size() >= sizeof(addr.sun_path)) {
      log_error("controlplane.socket: path '" + options.socket_path + "' is longer than " +
                std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
      return;
    }
    std::memcpy(addr.sun_path, options.socket_path.data(), options.socket_path.size());
    const SeqPacket::endpoint ep(&addr, sizeof(addr), 0);
    socket.open(SeqPacket(AF_UNIX, 0), ec);
    if (ec) return connection_lost("socket: " + ec.message());
    socket.async_connect(ep, [self = shared_from_this(), gen = generation](
                                 boost::system::error_code e) { self->on_connect(gen, e); });
  }

  void on_connect(std::uint64_t gen, boost::system::error_code ec) {
    if (gen != generation || stopping) return;
    if (ec) return connection_lost("connect " + options.socket_path + ": " + ec.message());
    hello_id = next_id.fetch_add(1, std::memory_order_relaxed);
    send(encode_cp_frame(hello_id, [this](flatbuffers::FlatBufferBuilder& fbb) {
      const auto hello = cpapi::CreateHelloDirect(
          fbb, static_cast<std::uint16_t>(cpapi::SchemaMajor::Current),
          static_cast<std::uint16_t>(cpapi::SchemaMinor::Current), options.client_name.c_str());
      return std::pair{cpapi::Body::Hello, hello.Union()};
    }));
    // The Hello shares the request timeout: a peer that accepts but never answers is dropped.
    arm_timeout(hello_id);
    pending.emplace(hello_id, Pending{nullptr, std::move(pending_timer)});
    read();
  }

  void read() {
    socket.async_receive(
        net::buffer(rx), rx_flags,
        [self = shared_from_this(), gen = generation](boost::system::error_code ec, std::size_t n) {
          self->on_read(gen, ec, n);
        });
  }

  void on_read(std::uint64_t gen, boost::system::error_code ec, std::size_t n) {
    if (gen != generation || stopping) return;
    if (ec) return connection_lost("receive: " + ec.message());
    if (n == 0) return connection_lost("the control plane closed the connection");
    const auto* envelope = decode_cp_frame({rx.data(), n});
    if (envelope == nullptr) {
      // A peer that sends unverifiable frames cannot be trusted to answer the rest either.
      return connection_lost("received a frame that failed verification (" + std::to_string(n) +
                             " bytes)");
    }
    if (envelope->id() == 0) {
      if (is_event(envelope->body_type()) && on_event) on_event(*envelope);
    } else {
      complete(envelope->id(), {rx.data(), n}, *envelope);
    }
    if (gen == generation && socket.is_open()) read();
  }

  void complete(std::uint64_t id, std::span<const std::uint8_t> frame,
                const cpapi::Envelope& envelope) {
    const auto it = pending.find(id);
    if (it == pending.end()) return;  // answered after its timeout
    Pending p = std::move(it->second);
    pending.erase(it);
    if (p.timer) p.timer->cancel();
    if (id == hello_id) return on_hello(envelope);
    if (const auto* err = envelope.body_as_Error()) {
      p.done(CpError{.unavailable = false,
                     .code = err->code(),
                     .reason = err->reason() ? err->reason()->str() : std::string()});
      return;
    }
    p.done(CpReply(std::vector<std::uint8_t>(frame.begin(), frame.end())));
  }

  void on_hello(const cpapi::Envelope& envelope) {
    const auto* reply = envelope.body_as_HelloReply();
    if (reply == nullptr) {
      const auto* err = envelope.body_as_Error();
      return connection_lost(
          "Hello refused: " + std::string(err ? cpapi::EnumNameErrorCode(err->code()) : "?") +
          (err && err->reason() ? " (" + err->reason()->str() + ")" : ""));
    }
    if (reply->schema_major() != static_cast<std::uint16_t>(cpapi::SchemaMajor::Current)) {
      return connection_lost("the control plane speaks schema " +
                             std::to_string(reply->schema_major()) + ", this signaling speaks " +
                             std::to_string(static_cast<int>(cpapi::SchemaMajor::Current)));
    }
    dataplane = reply->dataplane_connected();
    ready = true;
    sessions.fetch_add(1, std::memory_order_relaxed);
    backoff = options.reconnect_min;
    logged_down = false;
    log_info("control plane connected (" +
             (reply->server() ? reply->server()->str() : std::string("?")) +
             (reply->dataplane_connected() ? ", data plane up)" : ", data plane down)"));
  }

  void arm_timeout(std::uint64_t id) {
    auto timer = std::make_unique<net::steady_timer>(ioc, options.request_timeout);
    timer->async_wait([self = shared_from_this(), id](boost::system::error_code ec) {
      if (!ec) self->on_timeout(id);
    });
    pending_timer = std::move(timer);
  }
  std::unique_ptr<net::steady_timer> pending_timer;  // handed to the Pending just created

  void on_timeout(std::uint64_t id) {
    const auto it = pending.find(id);
    if (it == pending.end()) return;
    if (id == hello_id) {
      pending.erase(it);
      return connection_lost("no HelloReply within " +
                             std::to_string(options.request_timeout.count()) + " ms");
    }
    Pending p = std::move(it->second);
    pending.erase(it);
    p.done(unavailable("the control plane did not answer within " +
                       std::to_string(options.request_timeout.count()) + " ms"));
  }

  void request(std::uint64_t id, std::vector<std::uint8_t> frame, CpCallback done) {
    if (!ready || stopping) {
      done(unavailable("the control plane is not connected (" + options.socket_path + ")"));
      return;
    }
    arm_timeout(id);
    pending.emplace(id, Pending{std::move(done), std::move(pending_timer)});
    send(std::move(frame));
  }

  void send(std::vector<std::uint8_t> frame) {
    tx.push_back(std::move(frame));
    if (!writing) write();
  }

  void write() {
    writing = true;
    socket.async_send(
        net::buffer(tx.front()), 0,
        [self = shared_from_this(), gen = generation](boost::system::error_code ec, std::size_t) {
          if (gen != self->generation) return;
          self->writing = false;
          self->tx.pop_front();
          if (ec) return self->connection_lost("send: " + ec.message());
          if (!self->tx.empty()) self->write();
        });
  }

  void connection_lost(const std::string& why) {
    const bool was_ready = ready.exchange(false);
    dataplane = false;
    ++generation;
    boost::system::error_code ignored;
    socket.close(ignored);
    tx.clear();
    writing = false;
    fail_pending(why);
    if (stopping) return;
    if (was_ready || !logged_down) {
      log_warn("control plane unavailable: " + why + "; retrying every " +
               std::to_string(options.reconnect_max.count()) + " ms at most");
      logged_down = true;
    }
    reconnect_timer.expires_after(backoff);
    backoff = std::min(backoff * 2, options.reconnect_max);
    reconnect_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->connect();
    });
  }

  void fail_pending(const std::string& why) {
    auto failed = std::move(pending);
    pending.clear();
    for (auto& [id, p] : failed) {
      if (p.timer) p.timer->cancel();
      if (p.done) p.done(unavailable(why));
    }
  }
};

CpClient::CpClient(CpClientOptions options, CpEventHandler on_event)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(on_event))) {}

CpClient::~CpClient() {
  stop();
}

void CpClient::start() {
  if (impl_->thread.joinable()) return;
  impl_->work.emplace(impl_->ioc.get_executor());
  net::post(impl_->ioc, [im = impl_] { im->connect(); });
  impl_->thread = std::thread([im = impl_] { im->ioc.run(); });
}

void CpClient::stop() {
  Impl& im = *impl_;
  if (!im.thread.joinable()) return;
  im.stopped = true;
  net::post(im.ioc, [im = impl_] {
    im->stopping = true;
    im->ready = false;
    ++im->generation;
    boost::system::error_code ignored;
    im->socket.close(ignored);
    im->reconnect_timer.cancel();
    im->fail_pending("signaling is shutting down");
    im->work.reset();
  });
  im.thread.join();
  im.ioc.stop();
}

void CpClient::call(CpBuild build, CpCallback done) {
  if (impl_->stopped.load()) {
    done(unavailable("signaling is shutting down"));
    return;
  }
  const std::uint64_t id = impl_->next_id.fetch_add(1, std::memory_order_relaxed);
  // Built on the caller's thread: the client's thread only moves bytes.
  std::vector<std::uint8_t> frame = encode_cp_frame(id, build);
  net::post(impl_->ioc,
            [im = impl_, id, frame = std::move(frame), done = std::move(done)]() mutable {
              im->request(id, std::move(frame), std::move(done));
            });
}

bool CpClient::ready() const {
  return impl_->ready.load();
}

bool CpClient::dataplane_connected() const {
  return impl_->dataplane.load();
}

std::uint64_t CpClient::sessions() const {
  return impl_->sessions.load();
}

boost::asio::any_io_executor CpClient::executor() {
  return impl_->ioc.get_executor();
}

}  // namespace fanout::sig

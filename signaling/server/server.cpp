#include "signaling/server/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <stdexcept>
#include <thread>

#include "signaling/server/fail.hpp"
#include "signaling/server/http_session.hpp"
#include "signaling/server/log.hpp"
#include "signaling/server/shared_state.hpp"

namespace fanout::sig {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// With TLS configured, looks at the first bytes: a TLS ClientHello goes on to the TLS session;
// plain HTTP is refused unless tls.allow_plain (e.g. a health checker on loopback).
class Detector : public std::enable_shared_from_this<Detector> {
 public:
  Detector(tcp::socket&& socket, ssl::context& ctx, std::shared_ptr<SharedState> state,
           ConnectionTicket ticket, std::string remote)
      : stream_(std::move(socket)),
        ctx_(ctx),
        state_(std::move(state)),
        ticket_(std::move(ticket)),
        remote_(std::move(remote)) {}

  void run() {
    stream_.expires_after(state_->config().http_timeout);
    beast::async_detect_ssl(stream_, buffer_,
                            beast::bind_front_handler(&Detector::on_detect, shared_from_this()));
  }

 private:
  void on_detect(beast::error_code ec, bool tls) {
    if (ec) return fail(ec, "tls detect", remote_);
    if (tls) {
      std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(stream_), ctx_),
                                               std::move(buffer_), state_, std::move(ticket_),
                                               remote_)
          ->run();
    } else if (state_->config().tls_allow_plain) {
      std::make_shared<HttpSession<beast::tcp_stream>>(std::move(stream_), std::move(buffer_),
                                                       state_, std::move(ticket_), remote_)
          ->run();
    } else {
      log_info(remote_ +
               ": plain connection on a TLS port closed (use https:// or wss://, or "
               "set tls.allow_plain=true)");
    }
  }

  beast::tcp_stream stream_;
  ssl::context& ctx_;
  std::shared_ptr<SharedState> state_;
  ConnectionTicket ticket_;
  std::string remote_;
  beast::flat_buffer buffer_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor&& acceptor, ssl::context* ctx,
           std::shared_ptr<SharedState> state)
      : ioc_(ioc),
        acceptor_(std::move(acceptor)),
        ctx_(ctx),
        state_(std::move(state)),
        retry_(acceptor_.get_executor()) {}

  void run() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->retry_.cancel();
    });
  }

 private:
  void do_accept() {
    // Each connection gets its own strand: its handlers never run concurrently.
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Usually EMFILE: back off instead of spinning; the connections already open carry on.
      state_->metrics().accept_errors.fetch_add(1, std::memory_order_relaxed);
      log_warn("accept failed: " + ec.message() +
               " (out of file descriptors? raise `ulimit -n`); retrying in 100 ms");
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](beast::error_code e) {
        if (!e) self->do_accept();
      });
      return;
    }
    beast::error_code ep_ec;
    const auto ep = socket.remote_endpoint(ep_ec);
    std::string remote =
        ep_ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
    ConnectionTicket ticket(state_);
    if (ctx_ != nullptr) {
      std::make_shared<Detector>(std::move(socket), *ctx_, state_, std::move(ticket),
                                 std::move(remote))
          ->run();
    } else {
      std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                       beast::flat_buffer{}, state_,
                                                       std::move(ticket), std::move(remote))
          ->run();
    }
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ssl::context* ctx_;
  std::shared_ptr<SharedState> state_;
  net::steady_timer retry_;
};

}  // namespace

struct Server::Impl {
  Impl(ServerConfig c, std::shared_ptr<RequestHandler> h)
      : config(std::move(c)), handler(std::move(h)), ioc(static_cast<int>(config.io_threads)) {}

  ServerConfig config;
  std::shared_ptr<RequestHandler> handler;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  std::shared_ptr<SharedState> state;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool stopped = false;
};

Server::Server(ServerConfig config, std::shared_ptr<RequestHandler> handler)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(handler))) {}

Server::~Server() {
  stop(0);
}

void Server::start() {
  Impl& im = *impl_;
  const ServerConfig& cfg = im.config;
  beast::error_code ec;
  const auto address = net::ip::make_address(cfg.listen_address, ec);
  if (ec) {
    throw std::runtime_error("listen.address: '" + cfg.listen_address +
                             "' is not an IP address (use e.g. 127.0.0.1 or 0.0.0.0)");
  }
  if (!address.is_loopback() && cfg.allowed_origins.empty()) {
    log_warn("listening on " + cfg.listen_address +
             " with no websocket.allowed_origins: browser upgrades (with an Origin) are refused; "
             "list the origins that serve your pages");
  }
  if (!address.is_loopback() && !cfg.tls_enabled()) {
    log_warn("listening on " + cfg.listen_address +
             " without TLS; browsers need https/wss off loopback (set tls.certificate and "
             "tls.private_key)");
  }

  if (cfg.tls_enabled()) {
    im.tls.emplace(ssl::context::tls_server);
    im.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
    im.tls->use_certificate_chain_file(cfg.tls_certificate, ec);
    if (ec) {
      throw std::runtime_error("tls.certificate: cannot load '" + cfg.tls_certificate +
                               "': " + ec.message() + " (expected a PEM certificate chain)");
    }
    im.tls->use_private_key_file(cfg.tls_private_key, ssl::context::pem, ec);
    if (ec) {
      throw std::runtime_error("tls.private_key: cannot load '" + cfg.tls_private_key +
                               "': " + ec.message() +
                               " (expected a PEM key matching the "
                               "certificate)");
    }
  }

  tcp::acceptor acceptor(net::make_strand(im.ioc));
  const tcp::endpoint endpoint(address, cfg.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + cfg.listen_address + ":" +
                             std::to_string(cfg.listen_port) + ": " + ec.message() +
                             " (another process on that port? change listen.port)");
  }
  im.port = acceptor.local_endpoint().port();
  im.state = std::make_shared<SharedState>(cfg, im.handler, address.is_loopback());
  im.listener = std::make_shared<Listener>(im.ioc, std::move(acceptor), im.tls ? &*im.tls : nullptr,
                                           im.state);
  im.handler->on_server_start(im.state->metrics());
  im.listener->run();
  for (unsigned i = 0; i < cfg.io_threads; ++i) {
    im.threads.emplace_back([&ioc = im.ioc] { ioc.run(); });
  }
  log_info(std::string("listening on ") + (cfg.tls_enabled() ? "https/wss" : "http/ws") + "://" +
           cfg.listen_address + ":" + std::to_string(im.port) + " with " +
           std::to_string(cfg.io_threads) + " I/O threads" +
           (cfg.static_dir.empty() ? std::string() : ", static files from " + cfg.static_dir));
}

void Server::stop(unsigned grace_ms) {
  Impl& im = *impl_;
  if (im.stopped || !im.listener) return;
  im.stopped = true;
  im.listener->stop();
  for (auto& s : im.state->sessions()) s->close("server shutting down");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (im.state->metrics().ws_connections_current.load() > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  im.ioc.stop();
  for (auto& t : im.threads) t.join();
  im.threads.clear();
  log_info("stopped");
}

std::uint16_t Server::port() const {
  return impl_->port;
}

Metrics& Server::metrics() {
  return impl_->state->metrics();
}

std::vector<std::shared_ptr<Session>> Server::sessions() {
  return impl_->state->sessions();
}

}  // namespace fanout::sig

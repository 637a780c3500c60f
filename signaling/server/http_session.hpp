#pragma once

#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "signaling/server/fail.hpp"
#include "signaling/server/http_routes.hpp"
#include "signaling/server/log.hpp"
#include "signaling/server/shared_state.hpp"
#include "signaling/server/websocket_session.hpp"

namespace fanout::sig {

// One HTTP connection over a plain or TLS stream (Beast's chat-multi http_session): reads
// requests with a body limit and a timeout, answers them in order, and hands WebSocket upgrades
// of /ws to a WebSocketSession after the Origin check.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

 public:
  HttpSession(Stream&& stream, boost::beast::flat_buffer&& buffer,
              std::shared_ptr<SharedState> state, ConnectionTicket ticket, std::string remote)
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        state_(std::move(state)),
        ticket_(std::move(ticket)),
        remote_(std::move(remote)) {}

  void run() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(state_->config().http_timeout);
      stream_.async_handshake(
          boost::asio::ssl::stream_base::server, buffer_.data(),
          boost::beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

 private:
  void on_handshake(boost::beast::error_code ec, std::size_t used) {
    if (ec) return fail(ec, "tls handshake", remote_);
    buffer_.consume(used);
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(state_->config().http_body_limit);
    parser_->header_limit(16 * 1024);
    boost::beast::get_lowest_layer(stream_).expires_after(state_->config().http_timeout);
    boost::beast::http::async_read(
        stream_, buffer_, *parser_,
        boost::beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
  }

  void on_read(boost::beast::error_code ec, std::size_t /*bytes*/) {
    namespace http = boost::beast::http;
    namespace websocket = boost::beast::websocket;
    if (ec == http::error::end_of_stream) return do_eof();
    if (ec == http::error::body_limit) {
      state_->metrics().record_http("-", 413);
      return send(make_text_response(http::status::payload_too_large, 11, false,
                                     "request body over http.body_limit\n"));
    }
    if (ec == http::error::header_limit) {
      state_->metrics().record_http("-", 431);
      return send(make_text_response(http::status::request_header_fields_too_large, 11, false,
                                     "request headers too large\n"));
    }
    if (ec) return fail(ec, "http read", remote_);

    http::request<http::string_body> req = parser_->release();
    if (websocket::is_upgrade(req)) {
      const std::string_view target = req.target();
      if (target.substr(0, target.find('?')) != kWebSocketPath) {
        state_->metrics().record_http("ws", 404);
        return send(make_text_response(http::status::not_found, req.version(), false,
                                       "WebSocket endpoint is /ws\n"));
      }
      const std::string_view origin = req[http::field::origin];
      if (!origin_allowed(state_->config(), state_->loopback_bind(), origin)) {
        state_->metrics().ws_origin_refused.fetch_add(1, std::memory_order_relaxed);
        state_->metrics().record_http("ws", 403);
        log_info(remote_ + ": WebSocket upgrade refused for Origin '" + std::string(origin) +
                 "'; add it to websocket.allowed_origins if it is yours");
        return send(make_text_response(http::status::forbidden, req.version(), false,
                                       "origin not allowed\n"));
      }
      state_->metrics().record_http("ws", 101);
      // From here the WebSocket timeouts apply, not the HTTP ones.
      boost::beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<WebSocketSession<Stream>>(std::move(stream_), state_, std::move(ticket_),
                                                 remote_)
          ->run(std::move(req));
      return;
    }
    send(handle_http_request(std::move(req), *state_));
  }

  void send(boost::beast::http::message_generator&& msg) {
    const bool keep_alive = msg.keep_alive();
    boost::beast::async_write(
        stream_, std::move(msg),
        [self = this->shared_from_this(), keep_alive](boost::beast::error_code ec, std::size_t) {
          self->on_write(keep_alive, ec);
        });
  }

  void on_write(bool keep_alive, boost::beast::error_code ec) {
    if (ec) return fail(ec, "http write", remote_);
    if (!keep_alive) return do_eof();
    do_read();
  }

  void do_eof() {
    if constexpr (kTls) {
      boost::beast::get_lowest_layer(stream_).expires_after(state_->config().http_timeout);
      stream_.async_shutdown([self = this->shared_from_this()](boost::beast::error_code ec) {
        if (ec) fail(ec, "tls shutdown", self->remote_);
      });
    } else {
      boost::beast::error_code ec;
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<SharedState> state_;
  ConnectionTicket ticket_;
  std::string remote_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace fanout::sig

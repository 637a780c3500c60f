#pragma once

// A small Beast WebSocket/HTTP client for the server tests. Every operation runs on the client's
// own io_context for at most a bounded time, so a server bug fails a test instead of hanging it.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace fanout::sig::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

class WsClient {
 public:
  // Runs one async operation started by `start(handler)` for at most `limit`.
  template <class Start>
  beast::error_code run(Start&& start, std::chrono::milliseconds limit = 5000ms) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!result && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_one_until(deadline);
    }
    return result ? *result : beast::error_code(net::error::timed_out);
  }

  beast::error_code connect(std::uint16_t port, const std::string& origin = {},
                            int receive_buffer = 0) {
    auto& sock = beast::get_lowest_layer(ws_).socket();
    sock.open(tcp::v4());
    if (receive_buffer > 0) sock.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    if (auto ec = run([&](auto h) { beast::get_lowest_layer(ws_).async_connect(ep, h); })) {
      return ec;
    }
    if (!origin.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [origin](websocket::request_type& req) { req.set(http::field::origin, origin); }));
    }
    return run([&](auto h) { ws_.async_handshake(response_, "127.0.0.1", "/ws", h); });
  }

  beast::error_code send(const std::string& text, bool binary = false) {
    ws_.binary(binary);
    return run([&](auto h) { ws_.async_write(net::buffer(text), h); });
  }

  beast::error_code read(std::string& out, std::chrono::milliseconds limit = 5000ms) {
    buffer_.clear();
    auto ec = run([&](auto h) { ws_.async_read(buffer_, h); }, limit);
    out = beast::buffers_to_string(buffer_.data());
    return ec;
  }

  boost::json::value read_json() {
    std::string text;
    if (auto ec = read(text)) return boost::json::value(nullptr);
    return boost::json::parse(text);
  }

  // Sends a request and returns the reply.
  boost::json::value call(std::int64_t id, const std::string& method,
                          boost::json::object data = {}) {
    boost::json::object req{{"id", id}, {"method", method}, {"data", std::move(data)}};
    if (send(boost::json::serialize(req))) return nullptr;
    return read_json();
  }

  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  net::io_context& ioc() { return ioc_; }
  const websocket::response_type& handshake_response() const { return response_; }

 private:
  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_{ioc_};
  websocket::response_type response_;
  beast::flat_buffer buffer_;
};

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// One HTTP/1.1 request on a fresh connection; the target is sent exactly as given.
inline HttpReply http_request(std::uint16_t port, http::verb verb, const std::string& target,
                              const std::string& body = {}, const std::string& authorization = {}) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(5s);
  HttpReply reply;
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  req.body() = body;
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  bool done = false;
  stream.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
          if (ec2 && ec2 != net::error::connection_reset) return;
          http::async_read(stream, buffer, res,
                           [&](beast::error_code ec3, std::size_t) { done = !ec3; });
        });
      });
  ioc.run_for(6s);
  if (done) {
    reply.status = res.result_int();
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = res.body();
  }
  return reply;
}

}  // namespace fanout::sig::test

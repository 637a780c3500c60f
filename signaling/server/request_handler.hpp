#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "signaling/server/protocol.hpp"

namespace fanout::sig {

class Metrics;

// What a handler sees of a WebSocket connection. Every member is safe to call from any thread:
// the session posts the work to its own strand.
class Session {
 public:
  virtual ~Session() = default;
  virtual std::uint64_t id() const = 0;
  virtual const std::string& remote() const = 0;
  // Queues { "notification": true, "method", "data" }; a client that cannot keep up is
  // disconnected ("slow consumer") rather than buffered without bound.
  virtual void notify(std::string_view method, boost::json::value data) = 0;
  // Starts the closing handshake (close code 1008 policy) with `reason`.
  virtual void close(std::string reason) = 0;
};

// The reply to one request: data on success or an error.
using Reply = std::variant<boost::json::value, RequestError>;
// Call exactly once, from any thread, now or later (the handler may wait on the control plane).
using Responder = std::function<void(Reply)>;

// A plain HTTP request as a handler's route sees it (views into the server's request).
struct HttpCall {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // the target without query or fragment
  std::string_view authorization;
  std::string_view body;
};

struct HttpAnswer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// Where requests go. Rooms and auth plug in here; the server knows nothing about them.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Once, when the server has started; `metrics` lives as long as the server.
  virtual void on_server_start(Metrics& /*metrics*/) {}
  // An HTTP route of the handler's (the REST API): an answer, or nullopt for the server's own
  // routes (/healthz, /metrics, static files). Runs on an I/O thread; must not block.
  virtual std::optional<HttpAnswer> on_http(const HttpCall& /*call*/) { return std::nullopt; }
  virtual void on_open(const std::shared_ptr<Session>& /*session*/) {}
  virtual void on_request(const std::shared_ptr<Session>& session, std::string_view method,
                          boost::json::object data, Responder respond) = 0;
  // Called once, on the session's strand, after the connection is gone.
  virtual void on_close(Session& /*session*/) {}
};

// `echo` (replies with its data) and `ping` (replies { "pong": true }); anything else is
// unknown_method. Other handlers derive from it or wrap it.
class BuiltinHandler : public RequestHandler {
 public:
  void on_request(const std::shared_ptr<Session>& session, std::string_view method,
                  boost::json::object data, Responder respond) override;
};

}  // namespace fanout::sig

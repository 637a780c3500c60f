#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "signaling/server/protocol.hpp"

namespace fanout::sig {

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

// Where requests go. Rooms and auth plug in here; the server knows nothing about them.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
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

#include "signaling/server/request_handler.hpp"

namespace fanout::sig {

void BuiltinHandler::on_request(const std::shared_ptr<Session>& /*session*/,
                                std::string_view method, boost::json::object data,
                                Responder respond) {
  if (method == "echo") {
    respond(boost::json::value(std::move(data)));
  } else if (method == "ping") {
    respond(boost::json::value(boost::json::object{{"pong", true}}));
  } else {
    respond(RequestError{std::string(kErrUnknownMethod),
                         "unknown method '" + std::string(method) + "'"});
  }
}

}  // namespace fanout::sig

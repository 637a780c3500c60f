#include "signaling/server/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace fanout::sig {

namespace json = boost::json;

std::variant<Request, BadRequest> parse_request(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) {
    return BadRequest{nullptr,
                      {std::string(kErrInvalidJson), "message is not JSON: " + ec.message()}};
  }
  if (!doc.is_object()) {
    return BadRequest{nullptr, {std::string(kErrInvalidRequest), "message is not a JSON object"}};
  }
  json::object& obj = doc.get_object();
  const json::value* id = obj.if_contains("id");
  if (id == nullptr) return BadRequest{nullptr, {std::string(kErrInvalidRequest), "missing 'id'"}};
  // PROTOCOL.md: a number or a short string, echoed as is.
  const bool id_ok = id->is_number() || (id->is_string() && !id->get_string().empty() &&
                                         id->get_string().size() <= kMaxRequestIdBytes);
  if (!id_ok) {
    return BadRequest{nullptr,
                      {std::string(kErrInvalidRequest),
                       "'id' must be a number or a string of 1 to " +
                           std::to_string(kMaxRequestIdBytes) + " bytes"}};
  }
  const json::value* method = obj.if_contains("method");
  if (method == nullptr) {
    return BadRequest{*id, {std::string(kErrInvalidRequest), "missing 'method'"}};
  }
  if (!method->is_string() || method->get_string().empty()) {
    return BadRequest{*id,
                      {std::string(kErrInvalidRequest), "'method' must be a non-empty string"}};
  }
  Request req{*id, std::string(method->get_string()), {}};
  if (json::value* data = obj.if_contains("data")) {
    if (!data->is_object()) {
      return BadRequest{*id, {std::string(kErrInvalidRequest), "'data' must be an object"}};
    }
    req.data = std::move(data->get_object());
  }
  return req;
}

std::string make_response(const json::value& id, const json::value& data) {
  json::object o;
  o["id"] = id;
  o["ok"] = true;
  o["data"] = data;
  return json::serialize(o);
}

std::string make_error(const json::value& id, std::string_view code, std::string_view reason) {
  json::object o;
  o["id"] = id;
  o["ok"] = false;
  o["error"] = json::object{{"code", code}, {"reason", reason}};
  return json::serialize(o);
}

std::string make_notification(std::string_view method, const json::value& data) {
  json::object o;
  o["notification"] = true;
  o["method"] = method;
  o["data"] = data;
  return json::serialize(o);
}

}  // namespace fanout::sig

#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace fanout::sig {

// Error codes sent in { "ok": false, "error": { "code", "reason" } }.
inline constexpr std::string_view kErrInvalidJson = "invalid_json";
inline constexpr std::string_view kErrInvalidRequest = "invalid_request";
inline constexpr std::string_view kErrUnknownMethod = "unknown_method";
inline constexpr std::string_view kErrRateLimited = "rate_limited";
inline constexpr std::string_view kErrBinaryFrame = "binary_not_supported";
inline constexpr std::string_view kErrInternal = "internal_error";

inline constexpr std::size_t kMaxRequestIdBytes = 64;

struct RequestError {
  std::string code;
  std::string reason;
};

// { "id": <number or string>, "method": "<name>", "data": {...} }; data is optional and defaults to {}.
struct Request {
  boost::json::value id;
  std::string method;
  boost::json::object data;
};

// A request that could not be parsed; `id` is the request's id when it had a usable one, so the
// client can match the error to its request, else null.
struct BadRequest {
  boost::json::value id;
  RequestError error;
};

std::variant<Request, BadRequest> parse_request(std::string_view text);

std::string make_response(const boost::json::value& id, const boost::json::value& data);
std::string make_error(const boost::json::value& id, std::string_view code,
                       std::string_view reason);
std::string make_notification(std::string_view method, const boost::json::value& data);

}  // namespace fanout::sig

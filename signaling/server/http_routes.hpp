#pragma once

#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

#include "signaling/server/shared_state.hpp"

namespace fanout::sig {

inline constexpr std::string_view kWebSocketPath = "/ws";

// Answers a plain HTTP request: /healthz, /metrics, static files, else 404; 405 for methods other
// than GET and HEAD.
boost::beast::http::message_generator handle_http_request(
    boost::beast::http::request<boost::beast::http::string_body>&& req, SharedState& state);

// An error page with a short text body (413, 403, 426, ...).
boost::beast::http::response<boost::beast::http::string_body> make_text_response(
    boost::beast::http::status status, unsigned version, bool keep_alive, std::string_view body);

// Browsers always send Origin on a WebSocket upgrade; other clients may not (allowed). With no
// allowed_origins configured, any origin is accepted only when the server binds to loopback.
bool origin_allowed(const ServerConfig& config, bool loopback_bind, std::string_view origin);

}  // namespace fanout::sig

#include "signaling/server/http_routes.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>

#include "signaling/server/static_files.hpp"

namespace fanout::sig {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view kServerName = "fanout-signaling";

std::string_view route_of(std::string_view path) {
  if (path == "/healthz") return "healthz";
  if (path == "/metrics") return "metrics";
  if (path == kWebSocketPath) return "ws";
  return "static";
}

}  // namespace

http::response<http::string_body> make_text_response(http::status status, unsigned version,
                                                     bool keep_alive, std::string_view body) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, kServerName);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(keep_alive);
  res.body() = std::string(body);
  res.prepare_payload();
  return res;
}

bool origin_allowed(const ServerConfig& config, bool loopback_bind, std::string_view origin) {
  if (origin.empty()) return true;
  if (config.allowed_origins.empty()) return loopback_bind;
  return std::any_of(config.allowed_origins.begin(), config.allowed_origins.end(),
                     [&](const std::string& o) { return beast::iequals(o, origin); });
}

http::message_generator handle_http_request(http::request<http::string_body>&& req,
                                            SharedState& state) {
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  const std::string_view route = route_of(path);
  const bool head = req.method() == http::verb::head;
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();

  auto text = [&](http::status status, std::string_view body, std::string_view type) {
    state.metrics().record_http(route, static_cast<unsigned>(status));
    auto res = make_text_response(status, version, keep_alive, body);
    res.set(http::field::content_type, type);
    if (head) {
      res.content_length(body.size());
      res.body().clear();
    }
    return res;
  };

  // The handler's routes first (the REST API), so that they may take POST and DELETE.
  const HttpCall call{.method = req.method_string(),
                      .path = path,
                      .authorization = req[http::field::authorization],
                      .body = req.body()};
  if (auto answer = state.handler().on_http(call)) {
    state.metrics().record_http("api", answer->status);
    http::response<http::string_body> res{static_cast<http::status>(answer->status), version};
    res.set(http::field::server, kServerName);
    res.set(http::field::content_type, answer->content_type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = std::move(answer->body);
    res.prepare_payload();
    return res;
  }
  if (req.method() != http::verb::get && !head) {
    auto res =
        text(http::status::method_not_allowed, "method not allowed\n", "text/plain; charset=utf-8");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  if (route == "healthz") return text(http::status::ok, "ok", "text/plain; charset=utf-8");
  if (route == "metrics") {
    return text(http::status::ok, state.metrics().render(), "text/plain; version=0.0.4");
  }
  if (route == "ws") {
    return text(http::status::upgrade_required, "this path takes WebSocket upgrades\n",
                "text/plain; charset=utf-8");
  }

  std::filesystem::path file;
  switch (resolve_static_file(state.config().static_dir, target, file)) {
    case StaticLookup::kForbidden:
      return text(http::status::forbidden, "forbidden\n", "text/plain; charset=utf-8");
    case StaticLookup::kNotFound:
      return text(http::status::not_found, "not found\n", "text/plain; charset=utf-8");
    case StaticLookup::kFound:
      break;
  }
  beast::error_code ec;
  http::file_body::value_type body;
  body.open(file.c_str(), beast::file_mode::scan, ec);
  if (ec) return text(http::status::not_found, "not found\n", "text/plain; charset=utf-8");
  state.metrics().record_http(route, 200);
  const auto size = body.size();
  const auto type = mime_type(file.native());
  if (head) {
    http::response<http::empty_body> res{http::status::ok, version};
    res.set(http::field::server, kServerName);
    res.set(http::field::content_type, type);
    res.content_length(size);
    res.keep_alive(keep_alive);
    return res;
  }
  http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                      std::make_tuple(http::status::ok, version)};
  res.set(http::field::server, kServerName);
  res.set(http::field::content_type, type);
  res.set("X-Content-Type-Options", "nosniff");
  res.content_length(size);
  res.keep_alive(keep_alive);
  return res;
}

}  // namespace fanout::sig

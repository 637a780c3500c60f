// The REST API of PROTOCOL.md for server-side applications: rooms and join tokens, behind the
// bearer auth.api_key.
#include <openssl/crypto.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "signaling/app/fields.hpp"
#include "signaling/app/ids.hpp"
#include "signaling/app/room_handler.hpp"
#include "signaling/server/log.hpp"

namespace fanout::sig {

namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "/api/";
constexpr std::int64_t kMaxTtlSeconds = 7 * 24 * 3600;

HttpAnswer answer(unsigned status, json::value body) {
  return HttpAnswer{.status = status, .body = json::serialize(body) + "\n"};
}

HttpAnswer error(unsigned status, std::string_view code, std::string_view reason) {
  return answer(status, json::object{{"error", json::object{{"code", code}, {"reason", reason}}}});
}

// %XX in a path segment; nullopt when malformed.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(s[i + 1]);
    const int lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The body as a JSON object; an empty body is {}.
std::optional<json::object> body_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

bool bearer_matches(std::string_view authorization, const std::string& key) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return false;
  const std::string_view presented = authorization.substr(kBearer.size());
  return presented.size() == key.size() &&
         CRYPTO_memcmp(presented.data(), key.data(), key.size()) == 0;
}

}  // namespace

std::optional<HttpAnswer> RoomHandler::on_http(const HttpCall& call) {
  if (call.path != "/api" && !call.path.starts_with(kPrefix)) return std::nullopt;
  if (options_.api_key.empty()) {
    return error(404, "not_found", "the REST API is off (auth.api_key is empty)");
  }
  if (!bearer_matches(call.authorization, options_.api_key)) {
    return error(401, "unauthorized", "expected Authorization: Bearer <auth.api_key>");
  }
  try {
    return rest(call);
  } catch (const std::exception& e) {
    log_warn(std::string("REST ") + std::string(call.path) + ": " + e.what());
    return error(500, "internal_error", e.what());
  }
}

HttpAnswer RoomHandler::rest(const HttpCall& call) {
  const std::string_view path = call.path;
  if (path == "/api/rooms") {
    if (call.method == "GET") {
      json::array rooms;
      for (const auto& room : registry_.rooms()) {
        rooms.push_back(json::object{{"roomId", room->id()}, {"peers", room->peer_count()}});
      }
      return answer(200, json::object{{"rooms", std::move(rooms)}});
    }
    if (call.method != "POST") return error(405, "method_not_allowed", "GET or POST");
    auto body = body_object(call.body);
    if (!body) return error(400, "invalid_request", "the body must be a JSON object");
    FieldReader f(*body);
    const auto room_id = f.opt_string("roomId", kMaxIdBytes);
    if (!f.ok()) return error(400, f.error().code, f.error().reason);
    auto created = registry_.create_room(room_id.value_or(uuid_v4()), uuid_v4());
    if (!created) {
      switch (created.error().code) {
        case RoomErrorCode::kRoomExists:
          return error(409, "room_exists", created.error().reason);
        case RoomErrorCode::kTooManyRooms:
          return error(503, "too_many_rooms", created.error().reason);
        default:
          return error(400, "invalid_request", created.error().reason);
      }
    }
    return answer(201, json::object{{"roomId", created.value()->id()}});
  }

  constexpr std::string_view kRooms = "/api/rooms/";
  if (!path.starts_with(kRooms)) return error(404, "not_found", "no such API route");
  std::string_view rest = path.substr(kRooms.size());
  constexpr std::string_view kTokens = "/tokens";
  const bool tokens = rest.ends_with(kTokens);
  if (tokens) rest.remove_suffix(kTokens.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) {
    return error(404, "not_found", "no such API route");
  }
  const auto room_id = percent_decode(rest);
  if (!room_id || room_id->empty() || room_id->size() > kMaxIdBytes) {
    return error(400, "invalid_request", "bad room id in the path");
  }

  if (tokens) {
    if (call.method != "POST") return error(405, "method_not_allowed", "POST");
    if (!secret_) {
      return error(503, "unavailable", "auth.secret is empty: this server cannot sign tokens");
    }
    if (!registry_.find(*room_id)) return error(404, "room_not_found", "no such room");
    auto body = body_object(call.body);
    if (!body) return error(400, "invalid_request", "the body must be a JSON object");
    FieldReader f(*body);
    const std::string user = f.string("userId", kMaxIdBytes);
    const auto name = f.opt_string("displayName", kMaxDisplayNameBytes);
    const auto ttl = f.opt_int("ttlSeconds", 1, kMaxTtlSeconds).value_or(3600);
    Permissions perms{.publish = true, .subscribe = true};
    if (const json::value* p = body->if_contains("permissions"); p && !p->is_null()) {
      perms = {};
      if (!p->is_array()) f.fail("permissions", "must be an array of \"publish\", \"subscribe\"");
      for (const json::value& v : p->is_array() ? p->get_array() : json::array{}) {
        if (v == "publish") {
          perms.publish = true;
        } else if (v == "subscribe") {
          perms.subscribe = true;
        } else {
          f.fail("permissions", "must be an array of \"publish\", \"subscribe\"");
        }
      }
    }
    if (!f.ok()) return error(400, f.error().code, f.error().reason);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    Claims claims{.room = *room_id, .sub = user, .name = name, .perms = perms};
    claims.exp = now + ttl;
    claims.iat = now;
    return answer(201, json::object{{"token", mint(claims, *secret_)}, {"expiresAt", claims.exp}});
  }

  if (call.method == "DELETE") {
    auto closed = registry_.close_room(*room_id);
    if (!closed) return error(404, "room_not_found", "no such room");
    release_room(closed.value());
    return answer(200, json::object{});
  }
  return error(405, "method_not_allowed", "DELETE");
}

}  // namespace fanout::sig

#include "signaling/app/fields.hpp"

#include <boost/json/serialize.hpp>

namespace fanout::sig {

namespace json = boost::json;

void FieldReader::fail(std::string_view key, std::string_view what) {
  if (error_) return;
  error_ = RequestError{std::string(kErrInvalidRequest),
                        "'" + std::string(key) + "' " + std::string(what)};
}

const json::value* FieldReader::present(std::string_view key) const {
  const json::value* v = data_.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

std::string FieldReader::string(std::string_view key, std::size_t max_bytes) {
  auto s = opt_string(key, max_bytes);
  if (!s) {
    fail(key, "is missing");
    return {};
  }
  return *s;
}

std::optional<std::string> FieldReader::opt_string(std::string_view key, std::size_t max_bytes) {
  const json::value* v = present(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string() || v->get_string().empty() || v->get_string().size() > max_bytes) {
    fail(key, "must be a string of 1 to " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::string FieldReader::one_of(std::string_view key,
                                std::initializer_list<std::string_view> choices) {
  std::string allowed;
  for (auto c : choices) allowed += (allowed.empty() ? "\"" : ", \"") + std::string(c) + "\"";
  const json::value* v = present(key);
  if (v == nullptr) {
    fail(key, "is missing (one of " + allowed + ")");
    return {};
  }
  if (v->is_string()) {
    for (auto c : choices) {
      if (v->get_string() == c) return std::string(c);
    }
  }
  fail(key, "must be one of " + allowed);
  return {};
}

std::optional<bool> FieldReader::opt_bool(std::string_view key) {
  const json::value* v = present(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    fail(key, "must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<std::int64_t> FieldReader::opt_int(std::string_view key, std::int64_t lo,
                                                 std::int64_t hi) {
  const json::value* v = present(key);
  if (v == nullptr) return std::nullopt;
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (v->is_int64() && v->get_int64() >= lo && v->get_int64() <= hi) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(hi)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  fail(key, "must be an integer in " + range);
  return std::nullopt;
}

json::object FieldReader::object(std::string_view key, std::size_t max_bytes) {
  auto o = opt_object(key, max_bytes);
  if (!o) {
    fail(key, "is missing (an object)");
    return {};
  }
  return std::move(*o);
}

std::optional<json::object> FieldReader::opt_object(std::string_view key, std::size_t max_bytes) {
  const json::value* v = present(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    fail(key, "must be an object");
    return std::nullopt;
  }
  if (json::serialize(*v).size() > max_bytes) {
    fail(key, "is larger than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  return v->get_object();
}

}  // namespace fanout::sig

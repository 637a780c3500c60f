// Reads a request's `data` with the type and length of every field checked before anything else
// sees it. The first problem found is kept; its reason names the field.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/server/protocol.hpp"

namespace fanout::sig {

class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& data) : data_(data) {}

  // A string of 1 to max_bytes bytes; "" when absent or wrong (then ok() is false).
  std::string string(std::string_view key, std::size_t max_bytes);
  std::optional<std::string> opt_string(std::string_view key, std::size_t max_bytes);
  // One of `choices`.
  std::string one_of(std::string_view key, std::initializer_list<std::string_view> choices);
  std::optional<bool> opt_bool(std::string_view key);
  std::optional<std::int64_t> opt_int(std::string_view key, std::int64_t lo, std::int64_t hi);
  // A JSON object whose serialization is at most max_bytes (mediasoup parameters, appData).
  boost::json::object object(std::string_view key, std::size_t max_bytes);
  std::optional<boost::json::object> opt_object(std::string_view key, std::size_t max_bytes);

  bool has(std::string_view key) const { return data_.contains(key); }
  bool ok() const { return !error_; }
  const RequestError& error() const { return *error_; }
  void fail(std::string_view key, std::string_view what);

 private:
  const boost::json::value* present(std::string_view key) const;

  const boost::json::object& data_;
  std::optional<RequestError> error_;
};

}  // namespace fanout::sig

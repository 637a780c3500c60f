// Outcome of a control-plane request to the data plane: success, or a reason for the operator
// ("CreateTransport: InvalidArgument: ice_ufrag 'x' is in use"). Requests are expected to fail
// sometimes (a full table, a restarted data plane), so they return this rather than throw.
#pragma once

#include <string>
#include <utility>

namespace fanout::cp {

class Status {
 public:
  Status() = default;
  static Status failure(std::string reason) {
    Status s;
    s.error_ = reason.empty() ? std::string("unspecified error") : std::move(reason);
    return s;
  }
  bool ok() const { return error_.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;  // empty: success
};

template <typename T>
struct StatusOr {
  Status status;
  T value{};
  bool ok() const { return status.ok(); }
};

}  // namespace fanout::cp

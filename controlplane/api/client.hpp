// A blocking API client for tests, tools and benchmarks: connect (Unix path or host:port), Hello,
// then one request at a time with a timeout. Events that arrive while waiting are queued (or go
// to a callback).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controlplane/api/connection.hpp"
#include "controlplane/api/frame.hpp"

namespace fanout::cp::api {

// A verified frame that owns its bytes.
class OwnedEnvelope {
 public:
  OwnedEnvelope() = default;
  // `frame` must already have passed decode_frame.
  explicit OwnedEnvelope(std::vector<uint8_t> frame) : frame_(std::move(frame)) {}

  const fanout::cpapi::Envelope* get() const {
    return frame_.empty() ? nullptr : fanout::cpapi::GetSizePrefixedEnvelope(frame_.data());
  }
  const fanout::cpapi::Envelope* operator->() const { return get(); }
  explicit operator bool() const { return !frame_.empty(); }
  std::span<const uint8_t> frame() const { return frame_; }
  // The Error body, if this is an Error reply.
  const fanout::cpapi::Error* error() const {
    return frame_.empty() ? nullptr : get()->body_as_Error();
  }

 private:
  std::vector<uint8_t> frame_;
};

enum class ClientStatus : uint8_t {
  kOk,  // `reply` holds the reply (which may be an Error body: check reply.error())
  kNotConnected,
  kTimeout,
  kClosed,  // the server closed the connection
  kIoError,
  kBadFrame,  // the server sent something that failed verification
};

struct ClientResult {
  ClientStatus status = ClientStatus::kNotConnected;
  std::string detail;  // for the operator, when status != kOk
  OwnedEnvelope reply;
  bool ok() const { return status == ClientStatus::kOk; }
};

class ApiClient {
 public:
  using Millis = std::chrono::milliseconds;
  using EventCallback = std::function<void(const OwnedEnvelope&)>;

  explicit ApiClient(size_t max_frame = kDefaultMaxFrame);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `target`: a Unix socket path (contains '/'), or TCP "host:port" / "[v6]:port". Returns "" or
  // "cannot connect to TARGET: <reason>".
  std::string connect(const std::string& target, Millis timeout);
  bool connected() const { return conn_ && conn_->is_open(); }
  void close();
  int fd() const { return connected() ? conn_->fd() : -1; }

  // Sends Hello. status kOk with an Error reply means refused (VersionMismatch also closes the
  // connection on the server's side). `schema_major` other than ours: for tests.
  ClientResult hello(
      std::string_view client_name, Millis timeout,
      uint16_t schema_major = static_cast<uint16_t>(fanout::cpapi::SchemaMajor::Current));
  const OwnedEnvelope& hello_reply() const { return hello_reply_; }

  // Builds a request body with `build(fbb)` (returning the Offset of a member of union Body),
  // sends it with a fresh id and waits for the reply with that id.
  template <typename Build>
  ClientResult call(Build&& build, Millis timeout) {
    fbb_.Clear();
    return call_offset(build(fbb_), timeout);
  }
  // Same, for a body built in builder() (not cleared by this call).
  ClientResult call_body(fanout::cpapi::Body type, flatbuffers::Offset<void> body, Millis timeout);
  flatbuffers::FlatBufferBuilder& builder() { return fbb_; }
  uint64_t last_id() const { return next_id_ - 1; }

  // Any bytes as one frame (Unix) or as stream bytes (TCP) / the next frame, reply or event.
  ClientResult send_raw(std::span<const uint8_t> bytes, Millis timeout = Millis(2000));
  ClientResult receive(Millis timeout);

  void set_event_callback(EventCallback callback) { on_event_ = std::move(callback); }
  // The next queued event, or waits for one.
  ClientResult next_event(Millis timeout);
  size_t queued_events() const { return events_.size(); }

 private:
  template <typename T>
  ClientResult call_offset(flatbuffers::Offset<T> body, Millis timeout) {
    static_assert(fanout::cpapi::BodyTraits<T>::enum_value != fanout::cpapi::Body::NONE,
                  "the builder must return the Offset of a member of union Body");
    return call_body(fanout::cpapi::BodyTraits<T>::enum_value, body.Union(), timeout);
  }
  ClientResult wait_reply(uint64_t id, Millis timeout);
  void deliver_event(OwnedEnvelope event);

  size_t max_frame_;
  std::unique_ptr<Connection> conn_;
  std::string target_;
  uint64_t next_id_ = 1;
  flatbuffers::FlatBufferBuilder fbb_;
  OwnedEnvelope hello_reply_;
  EventCallback on_event_;
  std::deque<OwnedEnvelope> events_;
};

}  // namespace fanout::cp::api

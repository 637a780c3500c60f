// A blocking IPC client for fanoutctl, tests and the control plane: connect, Hello, then one
// request at a time with a timeout. Events that arrive while waiting go to a callback or a queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/ipc/frame.hpp"

namespace fanout::dp::ipc {

// A verified frame that owns its bytes.
class OwnedEnvelope {
 public:
  OwnedEnvelope() = default;
  // `frame` must already have passed decode_frame.
  explicit OwnedEnvelope(std::vector<uint8_t> frame);

  const fanout::ipc::Envelope* get() const {
    return frame_.empty() ? nullptr : fanout::ipc::GetSizePrefixedEnvelope(frame_.data());
  }
  const fanout::ipc::Envelope* operator->() const { return get(); }
  explicit operator bool() const { return !frame_.empty(); }
  std::span<const uint8_t> frame() const { return frame_; }
  // The Error body, if this is an Error reply.
  const fanout::ipc::Error* error() const;

 private:
  std::vector<uint8_t> frame_;
};

enum class ClientStatus : uint8_t {
  kOk,  // `reply` holds the reply (which may be an Error body: check reply.error())
  kNotConnected,
  kTimeout,
  kClosed,  // the data plane closed the connection
  kIoError,
  kBadFrame,  // the data plane sent something that failed verification
};

struct ClientResult {
  ClientStatus status = ClientStatus::kNotConnected;
  std::string detail;  // for the operator, when status != kOk
  OwnedEnvelope reply;
  bool ok() const { return status == ClientStatus::kOk; }
};

class IpcClient {
 public:
  using Millis = std::chrono::milliseconds;
  using EventCallback = std::function<void(const OwnedEnvelope&)>;

  explicit IpcClient(size_t max_frame = kDefaultMaxFrame);
  ~IpcClient();
  IpcClient(const IpcClient&) = delete;
  IpcClient& operator=(const IpcClient&) = delete;

  // Returns "" or "cannot connect to PATH: <strerror>".
  std::string connect(const std::string& path, Millis timeout);
  bool connected() const { return fd_ >= 0; }
  void close();
  int fd() const { return fd_; }

  // Sends Hello with our schema version. status kOk with an Error reply means refused (a
  // VersionMismatch closes the connection). `epoch` 0: an observer.
  ClientResult hello(std::string_view client_name, uint64_t epoch, Millis timeout);
  const OwnedEnvelope& hello_reply() const { return hello_reply_; }

  // Builds a request body with `build(fbb)` (returning the Offset of a Body member), sends it and
  // waits for the reply with the same id.
  template <typename Build>
  ClientResult request(Build&& build, Millis timeout) {
    fbb_.Clear();
    return send_offset(build(fbb_), timeout);
  }
  // Same, for a body built in builder() after clearing it.
  ClientResult request_body(fanout::ipc::Body type, flatbuffers::Offset<void> body, Millis timeout);
  flatbuffers::FlatBufferBuilder& builder() { return fbb_; }

  // For tests: send any bytes as one datagram / wait for the next reply or event datagram.
  ClientResult send_raw(std::span<const uint8_t> frame);
  ClientResult receive(Millis timeout);

  void set_event_callback(EventCallback callback) { on_event_ = std::move(callback); }
  // The next queued event, or waits for one.
  ClientResult next_event(Millis timeout);
  size_t queued_events() const { return events_.size(); }

 private:
  template <typename T>
  ClientResult send_offset(flatbuffers::Offset<T> body, Millis timeout) {
    static_assert(fanout::ipc::BodyTraits<T>::enum_value != fanout::ipc::Body::NONE,
                  "the builder must return the Offset of a member of union Body");
    return request_body(fanout::ipc::BodyTraits<T>::enum_value, body.Union(), timeout);
  }
  ClientResult wait_reply(uint64_t id, Millis timeout);
  void deliver_event(OwnedEnvelope event);

  int fd_ = -1;
  size_t max_frame_;
  uint64_t next_id_ = 1;
  uint64_t epoch_ = 0;
  std::vector<uint8_t> rx_;
  flatbuffers::FlatBufferBuilder fbb_;
  OwnedEnvelope hello_reply_;
  EventCallback on_event_;
  std::deque<OwnedEnvelope> events_;
};

}  // namespace fanout::dp::ipc

// The signaling side of the control plane API (schemas/controlplane.fbs): one Unix-domain
// SOCK_SEQPACKET connection carrying one size-prefixed FCP1 Envelope per datagram, every received
// frame verified before use. Runs on its own thread (a Boost.Asio io_context); call() is safe from
// any thread and its callback runs on that thread, so callbacks must not block.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "schemas/controlplane_generated.h"
#include "signaling/auth/result.hpp"

namespace fanout::sig {

inline constexpr std::size_t kCpMaxFrame = 1u << 20;  // contracts.md: the verifier's size cap

struct CpError {
  // True when the control plane could not be asked or did not answer (not connected, timed out,
  // connection lost): the request may be retried. Otherwise `code` is the control plane's answer.
  bool unavailable = false;
  cpapi::ErrorCode code = cpapi::ErrorCode::Unspecified;
  std::string reason;
};

// A verified reply; the envelope points into the reply's own buffer.
class CpReply {
 public:
  explicit CpReply(std::vector<std::uint8_t> frame) : frame_(std::move(frame)) {}
  const cpapi::Envelope& envelope() const { return *cpapi::GetSizePrefixedEnvelope(frame_.data()); }

 private:
  std::vector<std::uint8_t> frame_;
};

using CpResult = Result<CpReply, CpError>;
using CpCallback = std::function<void(CpResult)>;
// Builds a request body; the client wraps it into an Envelope with a fresh id.
using CpBuild = std::function<std::pair<cpapi::Body, flatbuffers::Offset<void>>(
    flatbuffers::FlatBufferBuilder&)>;
// Events (id 0): TransportStateChanged, ProducerClosed, ConsumerClosed, ProducerPausedChanged,
// ProducerScore and ConsumerScore (minor 2).
using CpEventHandler = std::function<void(const cpapi::Envelope&)>;

struct CpClientOptions {
  std::string socket_path = "/run/fanout/controlplane.sock";
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds reconnect_min{100};  // backoff doubles up to reconnect_max
  std::chrono::milliseconds reconnect_max{2000};
  std::string client_name = "fanout-signaling 0.1.0";
};

// Checks a received datagram: size prefix equal to the datagram's length, at most kCpMaxFrame,
// the FlatBuffers verifier, and union type/value consistency. Returns null when it is not usable.
const cpapi::Envelope* decode_cp_frame(std::span<const std::uint8_t> datagram);

// A size-prefixed FCP1 Envelope with `id` and the body built by `build`.
std::vector<std::uint8_t> encode_cp_frame(std::uint64_t id, const CpBuild& build);

class CpClient {
 public:
  CpClient(CpClientOptions options, CpEventHandler on_event);
  ~CpClient();
  CpClient(const CpClient&) = delete;
  CpClient& operator=(const CpClient&) = delete;

  // Starts the thread and the first connection attempt; returns at once (the control plane may
  // come up later: the client keeps retrying with backoff).
  void start();
  // Fails what is pending with `unavailable` and joins the thread. Idempotent.
  void stop();

  // Sends a request. `done` runs exactly once on the client's thread: the reply (a body other
  // than Error), the control plane's Error, or `unavailable` (not connected, or no answer within
  // request_timeout).
  void call(CpBuild build, CpCallback done);

  bool ready() const;                // connected and Hello answered
  bool dataplane_connected() const;  // as the last HelloReply said
  std::uint64_t sessions() const;    // successful Hellos so far (reconnects count)

  // The client's thread, for timers that should not run on the I/O threads.
  boost::asio::any_io_executor executor();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace fanout::sig

// The data plane's IPC methods: turns verified FlatBuffers requests into Controller calls and the
// workers' events into IPC events. Runs on the main lcore, inside IpcServer::poll_once.
#pragma once

#include <string>
#include <vector>

#include "dataplane/engine/controller.hpp"
#include "dataplane/engine/dataplane.hpp"
#include "dataplane/ipc/server.hpp"

namespace fanout::dp {

class IpcHandler : public ipc::RequestHandler, public EventSink {
 public:
  explicit IpcHandler(Dataplane& dp) : dp_(dp) {}
  void attach(ipc::IpcServer* server) { server_ = server; }

  // ipc::RequestHandler
  void on_request(ipc::ConnectionId conn, const fanout::ipc::Envelope& request,
                  ipc::Replier& replier) override;
  void describe(fanout::ipc::HelloReplyT& reply) override;
  void on_handshake(ipc::ConnectionId conn, const fanout::ipc::Hello& hello) override;

  // EventSink
  void on_tuple_selected(uint32_t transport, const net::Tuple& tuple, uint16_t port) override;
  void on_dtls(uint32_t transport, const net::Tuple& tuple, std::span<const uint8_t> data) override;
  void on_transport_ready(uint32_t transport) override;
  void on_consent_expired(uint32_t transport) override;
  void on_disconnect(ipc::ConnectionId conn) override;

 private:
  // Applies one request; `dry_run` only validates against `overlay` (batches).
  Status apply(fanout::ipc::Body type, const void* body, ipc::Replier* replier, bool dry_run,
               Controller::Overlay* overlay);
  void batch(ipc::ConnectionId conn, const fanout::ipc::Envelope& request, ipc::Replier& replier);
  void counters(const fanout::ipc::GetCounters& req, ipc::Replier& replier);

  // A reply held back until the transports it created are ready (routable), so that a client
  // may send to a transport as soon as it has the reply.
  struct PendingReply {
    ipc::ConnectionId conn;
    std::vector<uint8_t> frame;
    std::vector<uint32_t> waiting;  // transport ids not yet ready
  };
  void hold_reply(ipc::ConnectionId conn, std::span<const uint8_t> frame,
                  std::vector<uint32_t> transports);

  Dataplane& dp_;
  std::vector<PendingReply> pending_;
  ipc::IpcServer* server_ = nullptr;
};

}  // namespace fanout::dp

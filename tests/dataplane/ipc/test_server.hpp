// An IpcServer with a small scripted handler on a background thread, on a socket in a temp dir.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "dataplane/ipc/server.hpp"
#include "tests/dataplane/ipc/samples.hpp"

namespace fanout::dp::ipc::test {

// Replies with the sample bodies; RequestKeyFrame also broadcasts a KeyFrameRequested event;
// ids 404 are NotFound.
class ScriptedHandler : public RequestHandler {
 public:
  IpcServer* server = nullptr;
  std::atomic<int> requests{0};
  std::atomic<int> disconnects{0};

  void on_request(ConnectionId, const fi::Envelope& request, Replier& replier) override {
    ++requests;
    auto& fbb = replier.builder();
    auto reply_with = [&](fi::Body type) {
      auto body = sample_body(type);
      replier.reply(type, body.Pack(fbb));
    };
    switch (request.body_type()) {
      case fi::Body::CreateTransport: {
        fi::TransportCreatedT created;
        created.id = request.body_as_CreateTransport()->id();
        created.worker = 1;
        created.local_address = "192.0.2.1";
        created.local_port = 40002;
        replier.reply(fi::TransportCreated::Pack(fbb, &created));
        return;
      }
      case fi::Body::DeleteTransport:
        if (request.body_as_DeleteTransport()->id() == 404) {
          replier.error(fi::ErrorCode::NotFound, "no transport 404");
          return;
        }
        break;
      case fi::Body::Dump:
        return reply_with(fi::Body::DumpReply);
      case fi::Body::GetCounters:
        return reply_with(fi::Body::Counters);
      case fi::Body::ListTransports:
        return reply_with(fi::Body::TransportList);
      case fi::Body::ListProducers:
        return reply_with(fi::Body::ProducerList);
      case fi::Body::ListConsumers:
        return reply_with(fi::Body::ConsumerList);
      case fi::Body::RequestKeyFrame: {
        auto& efbb = server->event_builder();
        auto event =
            fi::CreateKeyFrameRequested(efbb, request.body_as_RequestKeyFrame()->producer(), 0);
        server->broadcast_event(finish_envelope(efbb, 0, server->epoch(), event));
        break;
      }
      default:
        break;
    }
    replier.ok();
  }

  void describe(fi::HelloReplyT& reply) override {
    reply = *sample_body(fi::Body::HelloReply).AsHelloReply();
  }
  void on_disconnect(ConnectionId) override { ++disconnects; }
};

class ServerThread {
 public:
  explicit ServerThread(ServerOptions options = {}) : server_(handler_, options) {
    handler_.server = &server_;
    char tmpl[] = "/tmp/fanout-ipc-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/dp.sock";
    error_ = server_.listen(path_);
    thread_ = std::thread([this] {
      while (!stop_) server_.poll_once(5);
    });
  }
  ~ServerThread() {
    stop_ = true;
    thread_.join();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  const std::string& listen_error() const { return error_; }
  ScriptedHandler& handler() { return handler_; }
  // Only read stats after the thread settles (tests poll until a condition holds).
  IpcServer& server() { return server_; }

 private:
  ScriptedHandler handler_;
  IpcServer server_;
  std::string dir_;
  std::string path_;
  std::string error_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fanout::dp::ipc::test

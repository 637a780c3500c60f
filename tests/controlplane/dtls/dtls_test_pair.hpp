// Two DtlsSessions wired back to back in memory: each one's datagrams are queued for the other and
// delivered by pump(), so a test can drop, reorder or corrupt them in between.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "controlplane/dtls/dtls_session.hpp"

namespace fanout::cp::test {

struct Endpoint {
  std::unique_ptr<DtlsSession> session;
  std::deque<std::vector<uint8_t>> outbox;
  std::vector<DtlsState> states;
  std::vector<size_t> sent_sizes;
};

inline std::shared_ptr<const DtlsContext> client_context() {
  static auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
  return ctx;
}
inline std::shared_ptr<const DtlsContext> server_context() {
  static auto ctx = std::make_shared<const DtlsContext>(Certificate::generate());
  return ctx;
}

struct DtlsPair {
  Endpoint client;
  Endpoint server;

  // Configs start with the right roles and the peer's real sha-256 fingerprint; adjust() edits.
  explicit DtlsPair(const std::function<void(DtlsSessionConfig&)>& adjust_client = {},
                    const std::function<void(DtlsSessionConfig&)>& adjust_server = {}) {
    DtlsSessionConfig c;
    c.role = DtlsRole::kClient;
    c.remote_fingerprint = {HashAlgorithm::kSha256, server_context()->certificate().fingerprint()};
    DtlsSessionConfig s;
    s.role = DtlsRole::kServer;
    s.remote_fingerprint = {HashAlgorithm::kSha256, client_context()->certificate().fingerprint()};
    if (adjust_client) adjust_client(c);
    if (adjust_server) adjust_server(s);
    wire(client, std::make_unique<DtlsSession>(client_context(), c));
    wire(server, std::make_unique<DtlsSession>(server_context(), s));
  }

  static void wire(Endpoint& e, std::unique_ptr<DtlsSession> s) {
    e.session = std::move(s);
    e.session->set_send_callback([&e](std::span<const uint8_t> d) {
      e.outbox.emplace_back(d.begin(), d.end());
      e.sent_sizes.push_back(d.size());
    });
    e.session->set_state_callback([&e](DtlsState st) { e.states.push_back(st); });
  }

  void start(DtlsSession::Clock::time_point now = DtlsSession::Clock::now()) {
    server.session->start(now);
    client.session->start(now);
  }

  // Delivers queued datagrams until both outboxes are empty; drop(from_client, index) may
  // discard one (index counts datagrams sent by that side, from 0). Returns datagrams delivered.
  size_t pump(const std::function<bool(bool from_client, size_t index)>& drop = {}) {
    size_t delivered = 0;
    for (int rounds = 0; rounds < 1000; ++rounds) {
      if (client.outbox.empty() && server.outbox.empty()) break;
      for (bool from_client : {true, false}) {
        Endpoint& from = from_client ? client : server;
        Endpoint& to = from_client ? server : client;
        size_t& counter = from_client ? client_index_ : server_index_;
        while (!from.outbox.empty()) {
          std::vector<uint8_t> d = std::move(from.outbox.front());
          from.outbox.pop_front();
          if (drop && drop(from_client, counter++)) continue;
          to.session->feed(d);
          ++delivered;
        }
      }
    }
    return delivered;
  }

  size_t client_index_ = 0;
  size_t server_index_ = 0;
};

}  // namespace fanout::cp::test

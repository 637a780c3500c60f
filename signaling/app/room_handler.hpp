// The room protocol of signaling/PROTOCOL.md: every method and notification, on top of the room
// model (signaling/rooms), join tokens (signaling/auth) and the control plane (signaling/cpclient).
//
// Threads: requests arrive on each session's strand; control plane replies and events, and the
// grace-period sweep, run on the control plane client's thread. Lock order: a room's mutex, then
// this handler's mutex (the room calls on_room_event with its lock held); the handler never
// calls into a room or the registry while holding its own mutex.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "signaling/auth/jwt.hpp"
#include "signaling/cpclient/cp_client.hpp"
#include "signaling/rooms/room_registry.hpp"
#include "signaling/server/request_handler.hpp"

namespace fanout::sig {

struct RoomHandlerOptions {
  std::string secret;   // HS256 key of join tokens; empty: only open mode joins work
  bool open = false;    // join without a token (local demo)
  std::string api_key;  // REST API bearer key; empty: REST API off
  RoomLimits limits;
  std::chrono::milliseconds sweep_interval{1000};  // grace-period expiry check
  CpClientOptions controlplane;
};

class RoomHandler final : public BuiltinHandler, public RoomObserver {
 public:
  explicit RoomHandler(RoomHandlerOptions options);
  ~RoomHandler() override;
  RoomHandler(const RoomHandler&) = delete;
  RoomHandler& operator=(const RoomHandler&) = delete;

  // Starts the control plane client and the sweep; stop() ends both (before the handler goes).
  void start();
  void stop();

  // RequestHandler
  void on_server_start(Metrics& metrics) override;
  void on_request(const std::shared_ptr<Session>& session, std::string_view method,
                  boost::json::object data, Responder respond) override;
  void on_close(Session& session) override;
  std::optional<HttpAnswer> on_http(const HttpCall& call) override;

  // RoomObserver
  void on_room_event(std::string_view room_id, std::string_view to_peer_id,
                     const RoomEvent& event) override;

  RoomRegistry& registry() { return registry_; }
  CpClient& controlplane() { return *cp_; }

 private:
  struct Member {
    std::string room_id;
    std::string peer_id;
  };
  using PeerKey = std::pair<std::string, std::string>;  // (room id, peer id)
  struct Binding {
    std::uint64_t session_id = 0;
    std::weak_ptr<Session> session;
  };
  // Events for a peer whose join or resume has not yet bound its session (a few microseconds).
  struct Stash {
    std::vector<std::pair<std::string, boost::json::value>> events;
    SteadyTime since;
  };
  struct TransportEntry {
    std::string room_id;
    std::string peer_id;
    bool send = false;
  };
  struct ProducerEntry {
    std::string room_id;
    std::string peer_id;
    MediaKind kind = MediaKind::kAudio;
    boost::json::value app_data;
  };
  struct ConsumerEntry {
    std::string room_id;
    std::string peer_id;
    std::string producer_id;
  };
  using RouterResult = Result<std::string, CpError>;  // rtpCapabilities JSON text
  struct RouterEntry {
    std::string router_id;
    enum class State { kNone, kPending, kReady } state = State::kNone;
    std::string rtp_capabilities_json;
    std::vector<std::function<void(RouterResult)>> waiters;
  };
  using Handler = void (RoomHandler::*)(const std::shared_ptr<Session>&, const Member&,
                                        const boost::json::object&, Responder&);

  // join and its two paths
  void join(const std::shared_ptr<Session>& session, const boost::json::object& data,
            Responder& respond);
  void resume(const std::shared_ptr<Session>& session, const std::string& room_id,
              const std::string& peer_id, const std::string& token, Responder& respond);

  // methods of a joined peer
  void get_router_rtp_capabilities(const std::shared_ptr<Session>&, const Member&,
                                   const boost::json::object&, Responder&);
  void create_webrtc_transport(const std::shared_ptr<Session>&, const Member&,
                               const boost::json::object&, Responder&);
  void connect_webrtc_transport(const std::shared_ptr<Session>&, const Member&,
                                const boost::json::object&, Responder&);
  void restart_ice(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                   Responder&);
  void produce(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
               Responder&);
  void pause_producer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                      Responder&);
  void resume_producer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                       Responder&);
  void set_producer_paused(const Member&, const boost::json::object&, Responder&, bool paused);
  void close_producer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                      Responder&);
  void consume(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
               Responder&);
  void pause_consumer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                      Responder&);
  void resume_consumer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                       Responder&);
  void set_consumer_paused(const Member&, const boost::json::object&, Responder&, bool paused);
  void close_consumer(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                      Responder&);
  void get_stats(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
                 Responder&);
  void leave(const std::shared_ptr<Session>&, const Member&, const boost::json::object&,
             Responder&);

  // sessions and notifications
  std::optional<Member> member_of(std::uint64_t session_id);
  void bind(const std::shared_ptr<Session>& session, const Member& member);
  // `stash`: kept for a peer not bound yet; false for a state (a score) that the next one replaces.
  void deliver(const std::string& room_id, const std::string& peer_id, std::string_view method,
               boost::json::value data, bool stash = true);
  void tell_others(const std::string& room_id, const std::string& except_peer_id,
                   std::string_view method, const boost::json::value& data);
  boost::json::value join_reply(const PeerInfo& peer, const std::string& reconnect_token,
                                const RoomSnapshot& room, bool resumed);
  boost::json::value producer_json(const ProducerInfo& producer);

  // the control plane
  void cp_call(CpBuild build, CpCallback done);
  void with_router(const std::shared_ptr<Room>& room, std::function<void(RouterResult)> done);
  void close_in_cp(int target, std::string id);
  void release(const ClosedResources& closed);
  void release_room(const ClosedRoom& closed);
  void close_room_if_empty(const std::string& room_id);
  void on_cp_event(const cpapi::Envelope& envelope);
  bool owns_transport(const Member& m, const std::string& id, bool* send = nullptr);
  bool owns_producer(const Member& m, const std::string& id);
  bool owns_consumer(const Member& m, const std::string& id);

  void sweep();
  std::string render_metrics();

  // REST API
  HttpAnswer rest(const HttpCall& call);

  const RoomHandlerOptions options_;
  std::optional<JwtSecret> secret_;
  RoomRegistry registry_;
  const std::map<std::string, Handler, std::less<>> handlers_;

  std::mutex mutex_;                                   // guards everything below
  std::unordered_map<std::uint64_t, Member> members_;  // by session id
  std::map<PeerKey, Binding> bindings_;
  std::map<PeerKey, Stash> stashes_;
  std::map<std::string, TransportEntry, std::less<>> transports_;
  std::map<std::string, ProducerEntry, std::less<>> producers_;
  std::map<std::string, ConsumerEntry, std::less<>> consumers_;
  std::map<std::string, RouterEntry, std::less<>> routers_;  // by room id

  std::atomic<std::uint64_t> cp_ok_{0};
  std::atomic<std::uint64_t> cp_errors_{0};
  std::atomic<std::uint64_t> cp_unavailable_{0};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::unique_ptr<CpClient> cp_;  // last: stopped and destroyed first
};

}  // namespace fanout::sig

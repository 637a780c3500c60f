#include "signaling/rooms/room.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/signaling/rooms/recording_observer.hpp"

namespace fanout::sig {
namespace {

using std::chrono::seconds;
using test::claims_for;
using test::RecordingObserver;

class RoomTest : public ::testing::Test {
 protected:
  RoomTest() : room_("r1", "router-1", limits(), observer_) {}

  static RoomLimits limits() {
    RoomLimits l;
    l.max_peers_per_room = 3;
    l.max_transports_per_peer = 2;
    l.max_producers_per_peer = 2;
    l.max_consumers_per_peer = 2;
    l.grace = seconds(30);
    return l;
  }

  JoinResult join(const std::string& sub, bool publish = true, bool subscribe = true) {
    auto r = room_.join(claims_for("r1", sub, publish, subscribe), sub + "-name");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().reason);
    return r.ok() ? r.value() : JoinResult{};
  }

  // A peer with a send transport "<peer>-t" and one producer "<peer>-<kind>".
  std::string publish(const std::string& peer_id, MediaKind kind = MediaKind::kVideo) {
    const std::string t = peer_id + "-t";
    if (!room_.peer(peer_id)) ADD_FAILURE() << "no peer";
    (void)room_.add_transport(peer_id, t);
    const std::string id = peer_id + "-" + std::string(to_string(kind));
    auto r = room_.add_producer(peer_id, {.id = id, .transport_id = t, .kind = kind});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().reason);
    return id;
  }

  RecordingObserver observer_;
  Room room_;
  const SteadyTime t0_ = SteadyTime{} + seconds(1000);
};

TEST_F(RoomTest, JoinIsAnnouncedToTheOthersOnly) {
  const auto a = join("alice");
  EXPECT_TRUE(observer_.take().empty());
  EXPECT_TRUE(a.room.peers.empty());
  EXPECT_EQ(a.room.router_id, "router-1");
  EXPECT_EQ(a.peer.user_id, "alice");
  EXPECT_EQ(a.peer.display_name, "alice-name");
  EXPECT_EQ(a.reconnect_token.size(), 43u);

  const auto b = join("bob");
  auto ev = observer_.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].to, a.peer.id);
  EXPECT_EQ(ev[0].room_id, "r1");
  ASSERT_TRUE(std::holds_alternative<PeerJoinedEvent>(ev[0].event));
  EXPECT_EQ(std::get<PeerJoinedEvent>(ev[0].event).peer.id, b.peer.id);
  ASSERT_EQ(b.room.peers.size(), 1u);
  EXPECT_EQ(b.room.peers[0].id, a.peer.id);
  EXPECT_NE(a.peer.id, b.peer.id);
}

TEST_F(RoomTest, TokenNameWinsAndEmptyNameFallsBackToUser) {
  Claims c = claims_for("r1", "carol");
  c.name = "Carol (verified)";
  auto r = room_.join(c, "someone else");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().peer.display_name, "Carol (verified)");
  auto d = room_.join(claims_for("r1", "dave"), "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().peer.display_name, "dave");
  auto long_name = room_.join(claims_for("r1", "eve"), std::string(129, 'x'));
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.error().code, RoomErrorCode::kInvalidArgument);
}

TEST_F(RoomTest, TokenForAnotherRoomIsRefused) {
  auto r = room_.join(claims_for("r2", "alice"), "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, RoomErrorCode::kWrongRoom);
  EXPECT_EQ(room_.peer_count(), 0u);
}

TEST_F(RoomTest, LeaveIsAnnouncedToTheOthersAndReportsWhatToClose) {
  const auto a = join("alice");
  const auto b = join("bob");
  const auto c = join("carol");
  const std::string producer = publish(a.peer.id);
  ASSERT_TRUE(room_.add_transport(b.peer.id, "b-recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "b-c1", producer, "b-recv").ok());
  observer_.take();

  auto closed = room_.leave(a.peer.id);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed.value().transport_ids, std::vector<std::string>{a.peer.id + "-t"});
  EXPECT_EQ(closed.value().producer_ids, std::vector<std::string>{producer});
  EXPECT_EQ(closed.value().consumer_ids, std::vector<std::string>{"b-c1"});

  const auto ev = observer_.take();
  EXPECT_TRUE(RecordingObserver::of<PeerLeftEvent>(ev, a.peer.id).empty());
  for (const auto& other : {b.peer.id, c.peer.id}) {
    const auto left = RecordingObserver::of<PeerLeftEvent>(ev, other);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].peer_id, a.peer.id);
    EXPECT_EQ(left[0].reason, LeaveReason::kLeft);
    EXPECT_EQ(RecordingObserver::of<ProducerClosedEvent>(ev, other).size(), 1u);
  }
  // Only bob consumed it.
  const auto cc = RecordingObserver::of<ConsumerClosedEvent>(ev, b.peer.id);
  ASSERT_EQ(cc.size(), 1u);
  EXPECT_EQ(cc[0].consumer_id, "b-c1");
  EXPECT_TRUE(RecordingObserver::of<ConsumerClosedEvent>(ev, c.peer.id).empty());

  EXPECT_EQ(room_.peer_count(), 2u);
  EXPECT_TRUE(room_.snapshot().producers.empty());
  EXPECT_EQ(room_.leave(a.peer.id).error().code, RoomErrorCode::kPeerNotFound);
  // Bob's consumer is gone from the model too: its id is free and his count is back to zero.
  ASSERT_TRUE(room_.add_transport(c.peer.id, "c-t").ok());
  ASSERT_TRUE(room_.add_producer(c.peer.id, {.id = "p2", .transport_id = "c-t"}).ok());
  EXPECT_TRUE(room_.add_consumer(b.peer.id, "b-c1", "p2", "b-recv").ok());
}

TEST_F(RoomTest, PeersPerRoomLimit) {
  join("a");
  join("b");
  const auto c = join("c");
  auto d = room_.join(claims_for("r1", "d"), "d");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, RoomErrorCode::kRoomFull);
  EXPECT_NE(d.error().reason.find("3 peers"), std::string::npos);
  // A peer in its grace period still holds its place.
  ASSERT_TRUE(room_.disconnect(c.peer.id, t0_).ok());
  EXPECT_EQ(room_.join(claims_for("r1", "d"), "d").error().code, RoomErrorCode::kRoomFull);
  ASSERT_TRUE(room_.leave(c.peer.id).ok());
  EXPECT_TRUE(room_.join(claims_for("r1", "d"), "d").ok());
}

TEST_F(RoomTest, TransportAndProducerLimits) {
  const auto a = join("a");
  ASSERT_TRUE(room_.add_transport(a.peer.id, "t1").ok());
  ASSERT_TRUE(room_.add_transport(a.peer.id, "t2").ok());
  EXPECT_EQ(room_.add_transport(a.peer.id, "t3").error().code, RoomErrorCode::kTooManyTransports);
  ASSERT_TRUE(room_.add_producer(a.peer.id, {.id = "p1", .transport_id = "t1"}).ok());
  EXPECT_EQ(room_.add_producer(a.peer.id, {.id = "p1", .transport_id = "t1"}).error().code,
            RoomErrorCode::kDuplicateId);
  ASSERT_TRUE(room_.add_producer(a.peer.id, {.id = "p2", .transport_id = "t1"}).ok());
  EXPECT_EQ(room_.check_produce(a.peer.id, "t1").error().code, RoomErrorCode::kTooManyProducers);
  const auto third = room_.add_producer(a.peer.id, {.id = "p3", .transport_id = "t1"});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, RoomErrorCode::kTooManyProducers);
  EXPECT_EQ(to_string(third.error().code), "too_many_producers");
  ASSERT_TRUE(room_.close_producer(a.peer.id, "p2").ok());
  EXPECT_TRUE(room_.add_producer(a.peer.id, {.id = "p3", .transport_id = "t1"}).ok());
  // A transport id is unique in the room.
  const auto b = join("b");
  EXPECT_EQ(room_.add_transport(b.peer.id, "t1").error().code, RoomErrorCode::kDuplicateId);
}

TEST_F(RoomTest, ConsumerLimit) {
  const auto a = join("a");
  const auto b = join("b");
  const std::string p = publish(a.peer.id);
  ASSERT_TRUE(room_.add_transport(b.peer.id, "recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "c1", p, "recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "c2", p, "recv").ok());
  EXPECT_EQ(room_.add_consumer(b.peer.id, "c3", p, "recv").error().code,
            RoomErrorCode::kTooManyConsumers);
  ASSERT_TRUE(room_.close_consumer(b.peer.id, "c1").ok());
  EXPECT_EQ(room_.close_consumer(b.peer.id, "c1").error().code, RoomErrorCode::kConsumerNotFound);
  EXPECT_TRUE(room_.add_consumer(b.peer.id, "c3", p, "recv").ok());
}

TEST_F(RoomTest, PublishAndSubscribePermissions) {
  const auto viewer = join("viewer", /*publish=*/false, /*subscribe=*/true);
  const auto speaker = join("speaker", /*publish=*/true, /*subscribe=*/false);
  ASSERT_TRUE(room_.add_transport(viewer.peer.id, "v-t").ok());
  ASSERT_TRUE(room_.add_transport(speaker.peer.id, "s-t").ok());

  EXPECT_EQ(room_.check_produce(viewer.peer.id, "v-t").error().code,
            RoomErrorCode::kPermissionDenied);
  EXPECT_EQ(room_.add_producer(viewer.peer.id, {.id = "vp", .transport_id = "v-t"}).error().code,
            RoomErrorCode::kPermissionDenied);
  ASSERT_TRUE(room_.add_producer(speaker.peer.id, {.id = "sp", .transport_id = "s-t"}).ok());

  EXPECT_EQ(room_.check_consume(speaker.peer.id, "sp", "s-t").error().code,
            RoomErrorCode::kPermissionDenied);
  EXPECT_EQ(room_.add_consumer(speaker.peer.id, "sc", "sp", "s-t").error().code,
            RoomErrorCode::kPermissionDenied);
  EXPECT_TRUE(room_.check_consume(viewer.peer.id, "sp", "v-t").ok());
  EXPECT_EQ(room_.add_consumer(viewer.peer.id, "vc", "nope", "v-t").error().code,
            RoomErrorCode::kProducerNotFound);
  EXPECT_EQ(room_.add_consumer(viewer.peer.id, "vc", "sp", "s-t").error().code,
            RoomErrorCode::kTransportNotFound);
  EXPECT_TRUE(room_.add_consumer(viewer.peer.id, "vc", "sp", "v-t").ok());
}

TEST_F(RoomTest, OnlyTheOwnerControlsAProducer) {
  const auto a = join("a");
  const auto b = join("b");
  const std::string p = publish(a.peer.id);
  ASSERT_TRUE(room_.add_transport(b.peer.id, "b-t").ok());
  EXPECT_EQ(room_.set_producer_paused(b.peer.id, p, true).error().code,
            RoomErrorCode::kProducerNotFound);
  EXPECT_EQ(room_.close_producer(b.peer.id, p).error().code, RoomErrorCode::kProducerNotFound);
  // Nor can a peer produce on another peer's transport.
  EXPECT_EQ(
      room_.add_producer(b.peer.id, {.id = "x", .transport_id = a.peer.id + "-t"}).error().code,
      RoomErrorCode::kTransportNotFound);
}

TEST_F(RoomTest, ProducerEventsGoToTheOthers) {
  const auto a = join("a");
  const auto b = join("b");
  observer_.take();
  const std::string p = publish(a.peer.id, MediaKind::kAudio);
  auto ev = observer_.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].to, b.peer.id);
  const auto np = std::get<NewProducerEvent>(ev[0].event).producer;
  EXPECT_EQ(np.id, p);
  EXPECT_EQ(np.peer_id, a.peer.id);
  EXPECT_EQ(np.kind, MediaKind::kAudio);

  ASSERT_TRUE(room_.set_producer_paused(a.peer.id, p, true).ok());
  ASSERT_TRUE(room_.set_producer_paused(a.peer.id, p, true).ok());  // no second event
  ASSERT_TRUE(room_.set_producer_paused(a.peer.id, p, false).ok());
  ev = observer_.take();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ProducerPausedEvent>(ev[0].event));
  EXPECT_TRUE(std::holds_alternative<ProducerResumedEvent>(ev[1].event));
  EXPECT_EQ(ev[1].to, b.peer.id);

  // A joiner sees existing producers in its snapshot, with their paused flag.
  ASSERT_TRUE(room_.set_producer_paused(a.peer.id, p, true).ok());
  const auto c = join("c");
  ASSERT_EQ(c.room.producers.size(), 1u);
  EXPECT_EQ(c.room.producers[0].id, p);
  EXPECT_TRUE(c.room.producers[0].paused);

  ASSERT_TRUE(room_.add_transport(b.peer.id, "b-recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "b-c", p, "b-recv").ok());
  observer_.take();
  auto closed = room_.close_producer(a.peer.id, p);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed.value().consumer_ids, std::vector<std::string>{"b-c"});
  ev = observer_.take();
  EXPECT_EQ(RecordingObserver::of<ConsumerClosedEvent>(ev, b.peer.id).size(), 1u);
  EXPECT_EQ(RecordingObserver::of<ProducerClosedEvent>(ev, b.peer.id).size(), 1u);
  EXPECT_EQ(RecordingObserver::of<ProducerClosedEvent>(ev, c.peer.id).size(), 1u);
  EXPECT_TRUE(RecordingObserver::of<ProducerClosedEvent>(ev, a.peer.id).empty());
}

TEST_F(RoomTest, CloseTransportClosesWhatRidesOnIt) {
  const auto a = join("a");
  const auto b = join("b");
  const std::string p = publish(a.peer.id);
  ASSERT_TRUE(room_.add_transport(b.peer.id, "b-recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "b-c", p, "b-recv").ok());
  observer_.take();
  auto closed = room_.close_transport(b.peer.id, "b-recv");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed.value().transport_ids, std::vector<std::string>{"b-recv"});
  EXPECT_EQ(closed.value().consumer_ids, std::vector<std::string>{"b-c"});
  EXPECT_TRUE(observer_.take().empty());  // bob closed it himself
  auto sent = room_.close_transport(a.peer.id, a.peer.id + "-t");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent.value().producer_ids, std::vector<std::string>{p});
  EXPECT_EQ(RecordingObserver::of<ProducerClosedEvent>(observer_.take(), b.peer.id).size(), 1u);
  EXPECT_EQ(room_.close_transport(a.peer.id, "b-recv").error().code,
            RoomErrorCode::kTransportNotFound);
}

TEST_F(RoomTest, GracePeriodResume) {
  const auto a = join("a");
  const auto b = join("b");
  const std::string p = publish(a.peer.id);
  // While connected the token cannot be used by anyone else for another peer.
  EXPECT_EQ(room_.resume(b.peer.id, a.reconnect_token, t0_).error().code,
            RoomErrorCode::kBadReconnectToken);

  auto deadline = room_.disconnect(a.peer.id, t0_);
  ASSERT_TRUE(deadline.ok());
  EXPECT_EQ(deadline.value(), t0_ + seconds(30));
  // Disconnecting again does not extend the grace period.
  EXPECT_EQ(room_.disconnect(a.peer.id, t0_ + seconds(10)).value(), t0_ + seconds(30));
  EXPECT_EQ(room_.peer(a.peer.id)->state, PeerState::kInGrace);
  // Its media stays: the producer is still in the room, but the peer cannot act.
  EXPECT_EQ(room_.snapshot().producers.size(), 1u);
  EXPECT_EQ(room_.set_producer_paused(a.peer.id, p, true).error().code,
            RoomErrorCode::kPeerNotConnected);
  observer_.take();
  // Events while in grace are not delivered to the absent peer.
  const auto c = join("c");
  const auto ev = observer_.take();
  EXPECT_TRUE(RecordingObserver::of<PeerJoinedEvent>(ev, a.peer.id).empty());
  EXPECT_EQ(RecordingObserver::of<PeerJoinedEvent>(ev, b.peer.id).size(), 1u);

  std::string forged = a.reconnect_token;
  forged[0] = forged[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(room_.resume(a.peer.id, forged, t0_ + seconds(5)).error().code,
            RoomErrorCode::kBadReconnectToken);
  EXPECT_EQ(room_.resume("nobody", a.reconnect_token, t0_ + seconds(5)).error().code,
            RoomErrorCode::kBadReconnectToken);

  auto resumed = room_.resume(a.peer.id, a.reconnect_token, t0_ + seconds(29));
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed.value().replaced_connection);
  EXPECT_NE(resumed.value().reconnect_token, a.reconnect_token);
  EXPECT_EQ(room_.peer(a.peer.id)->state, PeerState::kConnected);
  // The snapshot tells it what it missed: carol joined.
  EXPECT_EQ(resumed.value().room.peers.size(), 2u);
  EXPECT_TRUE(std::any_of(resumed.value().room.peers.begin(), resumed.value().room.peers.end(),
                          [&](const PeerInfo& i) { return i.id == c.peer.id; }));
  EXPECT_TRUE(room_.set_producer_paused(a.peer.id, p, true).ok());
  // The old token was good for one resume only.
  ASSERT_TRUE(room_.disconnect(a.peer.id, t0_ + seconds(40)).ok());
  EXPECT_EQ(room_.resume(a.peer.id, a.reconnect_token, t0_ + seconds(41)).error().code,
            RoomErrorCode::kBadReconnectToken);
  EXPECT_TRUE(room_.resume(a.peer.id, resumed.value().reconnect_token, t0_ + seconds(41)).ok());
  EXPECT_TRUE(room_.expire(t0_ + seconds(1000)).empty());
}

TEST_F(RoomTest, ResumeOfAConnectedPeerReplacesTheConnection) {
  const auto a = join("a");
  auto r = room_.resume(a.peer.id, a.reconnect_token, t0_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().replaced_connection);
}

TEST_F(RoomTest, GracePeriodExpiry) {
  const auto a = join("a");
  const auto b = join("b");
  const std::string p = publish(a.peer.id);
  ASSERT_TRUE(room_.add_transport(b.peer.id, "b-recv").ok());
  ASSERT_TRUE(room_.add_consumer(b.peer.id, "b-c", p, "b-recv").ok());
  ASSERT_TRUE(room_.disconnect(a.peer.id, t0_).ok());
  observer_.take();

  EXPECT_TRUE(room_.expire(t0_ + seconds(29)).empty());
  EXPECT_TRUE(observer_.take().empty());
  const auto expired = room_.expire(t0_ + seconds(30));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].peer_id, a.peer.id);
  EXPECT_EQ(expired[0].room_id, "r1");
  EXPECT_EQ(expired[0].transport_ids, std::vector<std::string>{a.peer.id + "-t"});
  EXPECT_EQ(expired[0].producer_ids, std::vector<std::string>{p});
  const auto ev = observer_.take();
  const auto left = RecordingObserver::of<PeerLeftEvent>(ev, b.peer.id);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].reason, LeaveReason::kGraceExpired);
  EXPECT_EQ(RecordingObserver::of<ConsumerClosedEvent>(ev, b.peer.id).size(), 1u);
  EXPECT_FALSE(room_.peer(a.peer.id));
  // Too late to resume.
  EXPECT_EQ(room_.resume(a.peer.id, a.reconnect_token, t0_ + seconds(31)).error().code,
            RoomErrorCode::kBadReconnectToken);
  EXPECT_TRUE(room_.expire(t0_ + seconds(60)).empty());
}

TEST_F(RoomTest, ResumeAtTheDeadlineIsTooLate) {
  const auto a = join("a");
  ASSERT_TRUE(room_.disconnect(a.peer.id, t0_).ok());
  EXPECT_EQ(room_.resume(a.peer.id, a.reconnect_token, t0_ + seconds(30)).error().code,
            RoomErrorCode::kBadReconnectToken);
}

TEST_F(RoomTest, CloseTellsEveryoneAndRefusesLaterCalls) {
  const auto a = join("a");
  const auto b = join("b");
  publish(a.peer.id);
  ASSERT_TRUE(room_.disconnect(b.peer.id, t0_).ok());
  observer_.take();
  const auto closed = room_.close();
  ASSERT_EQ(closed.size(), 2u);
  const auto ev = observer_.take();
  ASSERT_EQ(ev.size(), 1u);  // b is in grace: nobody to tell
  EXPECT_EQ(ev[0].to, a.peer.id);
  EXPECT_TRUE(std::holds_alternative<RoomClosedEvent>(ev[0].event));
  EXPECT_TRUE(room_.closed());
  EXPECT_EQ(room_.join(claims_for("r1", "c"), "c").error().code, RoomErrorCode::kRoomClosed);
  EXPECT_EQ(room_.leave(a.peer.id).error().code, RoomErrorCode::kRoomClosed);
  EXPECT_TRUE(room_.close().empty());
}

}  // namespace
}  // namespace fanout::sig

#include "signaling/rooms/room_registry.hpp"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/signaling/rooms/recording_observer.hpp"

namespace fanout::sig {
namespace {

using std::chrono::seconds;
using test::claims_for;
using test::RecordingObserver;

RoomLimits small_limits() {
  RoomLimits l;
  l.max_rooms = 2;
  l.max_peers_per_room = 3;
  l.grace = seconds(10);
  return l;
}

TEST(RoomRegistry, CreateFindClose) {
  RecordingObserver observer;
  RoomRegistry registry(small_limits(), observer);
  auto r1 = registry.create_room("r1", "router-1");
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(registry.find("r1"), r1.value());
  EXPECT_EQ(registry.find("r1")->router_id(), "router-1");
  EXPECT_EQ(registry.find("r2"), nullptr);
  EXPECT_EQ(registry.create_room("r1", "router-x").error().code, RoomErrorCode::kRoomExists);
  EXPECT_EQ(registry.create_room("", "router-x").error().code, RoomErrorCode::kInvalidArgument);
  EXPECT_EQ(registry.create_room(std::string(129, 'r'), "x").error().code,
            RoomErrorCode::kInvalidArgument);

  const auto a = registry.join("r1", claims_for("r1", "alice"), "Alice");
  ASSERT_TRUE(a.ok());
  auto closed = registry.close_room("r1");
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed.value().router_id, "router-1");
  ASSERT_EQ(closed.value().peers.size(), 1u);
  EXPECT_EQ(closed.value().peers[0].peer_id, a.value().peer.id);
  EXPECT_EQ(RecordingObserver::count<RoomClosedEvent>(observer.take()), 1u);
  EXPECT_EQ(registry.find("r1"), nullptr);
  EXPECT_EQ(registry.room_count(), 0u);
  EXPECT_EQ(registry.close_room("r1").error().code, RoomErrorCode::kRoomNotFound);
  // A holder of the old Room cannot bring it back to life.
  EXPECT_EQ(r1.value()->join(claims_for("r1", "bob"), "Bob").error().code,
            RoomErrorCode::kRoomClosed);
}

TEST(RoomRegistry, MaxRooms) {
  RecordingObserver observer;
  RoomRegistry registry(small_limits(), observer);
  ASSERT_TRUE(registry.create_room("r1", "x1").ok());
  ASSERT_TRUE(registry.create_room("r2", "x2").ok());
  const auto third = registry.create_room("r3", "x3");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, RoomErrorCode::kTooManyRooms);
  EXPECT_NE(third.error().reason.find("2 rooms"), std::string::npos);
  ASSERT_TRUE(registry.close_room("r1").ok());
  EXPECT_TRUE(registry.create_room("r3", "x3").ok());
}

TEST(RoomRegistry, JoinChecksTheTokensRoom) {
  RecordingObserver observer;
  RoomRegistry registry(small_limits(), observer);
  ASSERT_TRUE(registry.create_room("r1", "x1").ok());
  ASSERT_TRUE(registry.create_room("r2", "x2").ok());
  const auto wrong = registry.join("r2", claims_for("r1", "alice"), "Alice");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, RoomErrorCode::kWrongRoom);
  EXPECT_EQ(registry.find("r2")->peer_count(), 0u);
  EXPECT_EQ(registry.join("r9", claims_for("r9", "alice"), "A").error().code,
            RoomErrorCode::kRoomNotFound);
  EXPECT_TRUE(registry.join("r1", claims_for("r1", "alice"), "A").ok());
}

TEST(RoomRegistry, ExpireSweepsEveryRoomAndEmptyRoomsCanBeClosed) {
  RecordingObserver observer;
  RoomRegistry registry(small_limits(), observer);
  ASSERT_TRUE(registry.create_room("r1", "x1").ok());
  ASSERT_TRUE(registry.create_room("r2", "x2").ok());
  const auto a = registry.join("r1", claims_for("r1", "a"), "a").value();
  const auto b = registry.join("r1", claims_for("r1", "b"), "b").value();
  const auto c = registry.join("r2", claims_for("r2", "c"), "c").value();
  const SteadyTime t0 = SteadyTime{} + seconds(100);
  ASSERT_TRUE(registry.find("r1")->disconnect(a.peer.id, t0).ok());
  ASSERT_TRUE(registry.find("r2")->disconnect(c.peer.id, t0 + seconds(5)).ok());
  observer.take();

  EXPECT_TRUE(registry.expire(t0 + seconds(9)).empty());
  auto first = registry.expire(t0 + seconds(10));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].peer_id, a.peer.id);
  EXPECT_EQ(RecordingObserver::of<PeerLeftEvent>(observer.take(), b.peer.id).size(), 1u);

  // Resume through the registry before c's deadline, then its grace is over for good.
  auto resumed = registry.resume("r2", c.peer.id, c.reconnect_token, t0 + seconds(14));
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(registry.resume("r9", c.peer.id, c.reconnect_token, t0).error().code,
            RoomErrorCode::kBadReconnectToken);
  EXPECT_TRUE(registry.expire(t0 + seconds(100)).empty());

  EXPECT_FALSE(registry.close_room_if_empty("r1"));  // b is still there
  ASSERT_TRUE(registry.find("r1")->leave(b.peer.id).ok());
  const auto closed = registry.close_room_if_empty("r1");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->router_id, "x1");
  EXPECT_EQ(registry.room_count(), 1u);
}

// Several threads join two rooms at once; the limit holds exactly, and every peer heard about
// exactly the joins after its own. Then they all leave at once.
TEST(RoomRegistry, ConcurrentJoinsRespectTheLimit) {
  RoomLimits limits;
  limits.max_peers_per_room = 50;
  RecordingObserver observer;
  RoomRegistry registry(limits, observer);
  ASSERT_TRUE(registry.create_room("r1", "x1").ok());
  ASSERT_TRUE(registry.create_room("r2", "x2").ok());

  constexpr int kThreads = 4;
  constexpr int kAttemptsPerThread = 40;  // 160 attempts for 2 x 50 places
  std::atomic<int> full{0};
  std::atomic<int> other{0};
  std::vector<std::vector<std::pair<std::string, std::string>>> joined(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        const std::string room = (i % 2 == 0) ? "r1" : "r2";
        auto r = registry.join(room, claims_for(room, "u" + std::to_string(t * 1000 + i)), "n");
        if (r.ok()) {
          joined[t].emplace_back(room, r.value().peer.id);
        } else if (r.error().code == RoomErrorCode::kRoomFull) {
          ++full;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  threads.clear();

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(full.load(), 60);
  EXPECT_EQ(registry.find("r1")->peer_count(), 50u);
  EXPECT_EQ(registry.find("r2")->peer_count(), 50u);
  std::set<std::pair<std::string, std::string>> unique;
  for (const auto& v : joined) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), 100u);

  // The events are delivered under the room lock, so the n-th peer to join heard 50 - n joins.
  const auto events = observer.take();
  EXPECT_EQ(RecordingObserver::count<PeerJoinedEvent>(events), 2u * (49 * 50 / 2));
  for (const auto& d : events) {
    const auto& joiner = std::get<PeerJoinedEvent>(d.event).peer.id;
    EXPECT_NE(d.to, joiner);
  }
  std::set<size_t> join_counts;
  for (const auto& p : registry.find("r1")->snapshot().peers) {
    join_counts.insert(RecordingObserver::of<PeerJoinedEvent>(events, p.id).size());
  }
  EXPECT_EQ(join_counts.size(), 50u);
  EXPECT_EQ(*join_counts.begin(), 0u);
  EXPECT_EQ(*join_counts.rbegin(), 49u);

  std::atomic<int> left{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& [room, peer] : joined[t]) {
        if (registry.find(room)->leave(peer).ok()) ++left;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(left.load(), 100);
  EXPECT_EQ(registry.find("r1")->peer_count(), 0u);
  EXPECT_EQ(registry.find("r2")->peer_count(), 0u);
  // The k-th to leave a room of 50 tells the 50 - k still there.
  EXPECT_EQ(RecordingObserver::count<PeerLeftEvent>(observer.take()), 2u * (49 * 50 / 2));
}

}  // namespace
}  // namespace fanout::sig

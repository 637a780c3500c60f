#include "controlplane/core/placement.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fanout::cp {
namespace {

using Loads = std::vector<uint32_t>;

TEST(Placement, NoWorkersLetsTheDataplanePick) {
  EXPECT_EQ(place_transport(Loads{}, Loads{}, 200), std::nullopt);
}

TEST(Placement, ANewRouterGoesToTheLeastLoadedWorker) {
  EXPECT_EQ(place_transport(Loads{5, 2, 9}, Loads{}, 200), 1);
  EXPECT_EQ(place_transport(Loads{5, 2, 9}, Loads{0, 0, 0}, 200), 1);
  // Ties: the lowest index.
  EXPECT_EQ(place_transport(Loads{3, 1, 1}, Loads{}, 200), 1);
  EXPECT_EQ(place_transport(Loads{0, 0}, Loads{}, 200), 0);
}

TEST(Placement, ARouterStaysOnItsWorkerWhileItFits) {
  // Worker 0 is the busiest, but the room is there.
  EXPECT_EQ(place_transport(Loads{150, 10, 20}, Loads{3, 0, 0}, 200), 0);
  EXPECT_EQ(place_transport(Loads{250, 10, 20}, Loads{199, 0, 0}, 200), 0);
}

TEST(Placement, AFullRouterSpreadsToTheLeastLoadedWorker) {
  EXPECT_EQ(place_transport(Loads{250, 10, 5}, Loads{200, 0, 0}, 200), 2);
  // Once it has a second worker, it fills that one.
  EXPECT_EQ(place_transport(Loads{250, 10, 6}, Loads{200, 0, 1}, 200), 2);
  EXPECT_EQ(place_transport(Loads{250, 3, 190}, Loads{200, 0, 150}, 200), 2);
}

TEST(Placement, OfSeveralWorkersOfARouterTheFullestThatFits) {
  // Keeps the room's media where most of it is (fewer cross-lcore handoffs).
  EXPECT_EQ(place_transport(Loads{10, 10, 10}, Loads{2, 7, 0}, 200), 1);
  EXPECT_EQ(place_transport(Loads{10, 10, 10}, Loads{2, 200, 0}, 200), 0);
  // Every worker of the room full: the least loaded of the node, even one of the room's.
  EXPECT_EQ(place_transport(Loads{200, 400, 300}, Loads{200, 200, 200}, 200), 0);
}

TEST(Placement, ALimitOfOneSpreadsEveryTransport) {
  Loads node{0, 0, 0}, router{0, 0, 0};
  std::vector<uint16_t> placed;
  for (int i = 0; i < 6; ++i) {
    auto w = place_transport(node, router, 1);
    ASSERT_TRUE(w);
    placed.push_back(*w);
    ++node[*w];
    ++router[*w];
  }
  EXPECT_EQ(placed, (std::vector<uint16_t>{0, 1, 2, 0, 1, 2}));
}

TEST(Placement, RoomsFillWorkersOneAfterAnother) {
  // Two rooms of 3 with a limit of 2: room A on 0 then 1, room B starts on the least loaded.
  Loads node{0, 0, 0}, a{0, 0, 0}, b{0, 0, 0};
  auto place = [&](Loads& router) {
    uint16_t w = *place_transport(node, router, 2);
    ++node[w];
    ++router[w];
    return w;
  };
  EXPECT_EQ(place(a), 0);
  EXPECT_EQ(place(a), 0);
  EXPECT_EQ(place(a), 1);
  EXPECT_EQ(place(b), 2);
  EXPECT_EQ(place(b), 2);
  EXPECT_EQ(place(b), 1);
  EXPECT_EQ(node, (Loads{2, 2, 2}));
}

TEST(Placement, AShorterRouterLoadCountsAsZero) {
  EXPECT_EQ(place_transport(Loads{4, 1, 3}, Loads{2}, 200), 0);
  EXPECT_EQ(place_transport(Loads{4, 1, 3}, Loads{200}, 200), 1);
}

}  // namespace
}  // namespace fanout::cp

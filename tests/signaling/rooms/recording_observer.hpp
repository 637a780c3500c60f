// A RoomObserver that records every (recipient, event) for the tests to inspect.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "signaling/rooms/room_events.hpp"

namespace fanout::sig::test {

struct Delivered {
  std::string room_id;
  std::string to;
  RoomEvent event;
};

class RecordingObserver : public RoomObserver {
 public:
  void on_room_event(std::string_view room_id, std::string_view to_peer_id,
                     const RoomEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back({std::string(room_id), std::string(to_peer_id), event});
  }

  std::vector<Delivered> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

  // The events of type T delivered to `to`, in order.
  template <class T>
  static std::vector<T> of(const std::vector<Delivered>& all, const std::string& to) {
    std::vector<T> out;
    for (const auto& d : all) {
      if (d.to == to && std::holds_alternative<T>(d.event)) out.push_back(std::get<T>(d.event));
    }
    return out;
  }
  template <class T>
  static size_t count(const std::vector<Delivered>& all) {
    size_t n = 0;
    for (const auto& d : all) n += std::holds_alternative<T>(d.event) ? 1 : 0;
    return n;
  }

 private:
  std::mutex mutex_;
  std::vector<Delivered> events_;
};

inline Claims claims_for(std::string room, std::string sub, bool publish = true,
                         bool subscribe = true) {
  Claims c;
  c.room = std::move(room);
  c.sub = std::move(sub);
  c.perms = {.publish = publish, .subscribe = subscribe};
  c.exp = 4'000'000'000;
  return c;
}

}  // namespace fanout::sig::test

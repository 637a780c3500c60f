// At most one keyframe request per producer per interval. A keyframe reaches every consumer of
// the producer, so requests inside the interval are folded into one sent when it ends (a consumer
// resumed 400 ms after another still gets its keyframe), never dropped and never repeated.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace fanout::cp {

class KeyFrameLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit KeyFrameLimiter(std::chrono::milliseconds interval = std::chrono::milliseconds(500))
      : interval_(interval) {}

  // True: send the request for `producer` now. False: one was sent less than an interval ago;
  // this one is pending until due() returns it.
  bool request(uint32_t producer, Clock::time_point now);
  // Pending requests whose interval has ended, each taken as sent at `now`.
  std::vector<uint32_t> due(Clock::time_point now);
  // When the earliest pending request becomes due.
  std::optional<Clock::time_point> next_due() const;
  // The producer is gone: drop its state.
  void forget(uint32_t producer) { producers_.erase(producer); }
  size_t pending_count() const;

 private:
  struct State {
    Clock::time_point last_sent;
    bool pending = false;
  };
  std::chrono::milliseconds interval_;
  std::map<uint32_t, State> producers_;
};

}  // namespace fanout::cp

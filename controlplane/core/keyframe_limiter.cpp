#include "controlplane/core/keyframe_limiter.hpp"

#include <algorithm>

namespace fanout::cp {

bool KeyFrameLimiter::request(uint32_t producer, Clock::time_point now) {
  auto [it, fresh] = producers_.try_emplace(producer);
  State& s = it->second;
  if (fresh || now - s.last_sent >= interval_) {
    s.last_sent = now;
    s.pending = false;
    return true;
  }
  s.pending = true;
  return false;
}

std::vector<uint32_t> KeyFrameLimiter::due(Clock::time_point now) {
  std::vector<uint32_t> out;
  for (auto& [id, s] : producers_) {
    if (s.pending && now - s.last_sent >= interval_) {
      s.pending = false;
      s.last_sent = now;
      out.push_back(id);
    }
  }
  return out;
}

std::optional<KeyFrameLimiter::Clock::time_point> KeyFrameLimiter::next_due() const {
  std::optional<Clock::time_point> out;
  for (const auto& [id, s] : producers_) {
    if (!s.pending) continue;
    const Clock::time_point t = s.last_sent + interval_;
    if (!out || t < *out) out = t;
  }
  return out;
}

size_t KeyFrameLimiter::pending_count() const {
  return static_cast<size_t>(std::count_if(producers_.begin(), producers_.end(),
                                           [](const auto& p) { return p.second.pending; }));
}

}  // namespace fanout::cp

#include "controlplane/core/scores.hpp"

#include <algorithm>
#include <cmath>

namespace fanout::cp {

namespace {

uint8_t push_and_average(std::deque<uint8_t>& window, size_t size, uint8_t score) {
  window.push_back(score);
  while (window.size() > size) window.pop_front();
  unsigned sum = 0;
  for (uint8_t s : window) sum += s;
  return static_cast<uint8_t>((sum + window.size() / 2) / window.size());
}

}  // namespace

uint8_t score_of_delivered(double delivered) {
  const double r = std::clamp(delivered, 0.0, 1.0);
  return static_cast<uint8_t>(std::lround(10.0 * r * r * r * r));
}

uint8_t StreamScore::update(const StreamSample& now, bool paused) {
  const std::optional<StreamSample> last = last_;
  last_ = now;
  if (paused) return score_;
  // The first sample, or counters that went backwards (the data plane's producer is a new one):
  // a base only, unless packets already arrived (then the whole history is the interval).
  const StreamSample base = last && now.packets >= last->packets && now.expected >= last->expected
                                ? *last
                                : StreamSample{};
  const uint64_t expected = now.expected - base.expected;
  const uint64_t received = now.packets - base.packets;
  if (expected == 0 && window_.empty()) return score_;  // nothing was ever sent: 0, no history
  // Nothing arrived in the interval: the sender stopped without a pause (or everything is lost).
  const uint8_t interval =
      expected == 0 ? 0
                    : score_of_delivered(static_cast<double>(std::min(received, expected)) /
                                         static_cast<double>(expected));
  score_ = push_and_average(window_, kWindow, interval);
  return score_;
}

uint8_t ConsumerScoreKeeper::update(const ReportSample& now, uint8_t producer_score) {
  if (now.reports == 0 && window_.empty()) {
    score_ = producer_score;
    return score_;
  }
  if (now.reports == reports_) return score_;
  reports_ = now.reports;
  const double delivered = 1.0 - static_cast<double>(now.fraction_lost) / 256.0;
  score_ = push_and_average(window_, kWindow, score_of_delivered(delivered));
  return score_;
}

}  // namespace fanout::cp

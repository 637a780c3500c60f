// Producer and consumer scores (mediasoup's 0..10), from the data plane's media counters read once
// a second. Pure arithmetic on counter samples: Node (node_scores.cpp) feeds it and sends events.
//
// A producer stream's score is what arrived of what its sender sent in the last interval
// (packets against the growth of the extended highest sequence number); a consumer's is what its
// endpoint's receiver reports say it lost (fraction lost of the latest report). Either ratio r of
// delivered packets maps to round(10 * r^4): 1 % loss is 9.6 -> 10, 5 % is 8, 10 % is 7, 20 % is 4,
// so that the score falls fast where video starts to suffer. The reported score is the mean of the
// last kWindow interval scores, so that one bad second moves it by a step, not to the floor.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace fanout::cp {

// round(10 * delivered^4), delivered in [0, 1].
uint8_t score_of_delivered(double delivered);

// One stream of a producer as the data plane counts it (cumulative).
struct StreamSample {
  uint64_t packets = 0;   // media packets received
  uint64_t expected = 0;  // extended highest seq - first + 1
};

// One producer stream's score over successive samples.
class StreamScore {
 public:
  static constexpr size_t kWindow = 4;
  // The counters now. `paused`: the sender was told to stop, silence is not loss (the score
  // stays). Returns the score after this sample.
  uint8_t update(const StreamSample& now, bool paused);
  uint8_t score() const { return score_; }

 private:
  std::optional<StreamSample> last_;
  std::deque<uint8_t> window_;
  uint8_t score_ = 0;  // nothing received yet
};

// What a consumer's endpoint reported (cumulative report count, latest fraction lost).
struct ReportSample {
  uint64_t reports = 0;
  uint8_t fraction_lost = 0;  // /256
};

class ConsumerScoreKeeper {
 public:
  static constexpr size_t kWindow = 4;
  // No report yet: the consumer's score follows `producer_score` (what the data plane has to
  // forward is all the endpoint can get). A new report: its loss. No new report: unchanged.
  uint8_t update(const ReportSample& now, uint8_t producer_score);
  uint8_t score() const { return score_; }

 private:
  uint64_t reports_ = 0;
  std::deque<uint8_t> window_;
  uint8_t score_ = 0;
};

}  // namespace fanout::cp

// Scores: once every Options::score_interval, one GetCounters(all_media) of the data plane, each
// producer's streams and each consumer's receiver reports through StreamScore and
// ConsumerScoreKeeper (scores.hpp), and an event for every score that changed since it was last
// announced.
#include <algorithm>

#include "controlplane/core/node.hpp"

namespace fanout::cp {

std::optional<std::vector<EncodingScore>> Node::producer_score(const std::string& id) const {
  auto it = producer_scores_.find(id);
  if (it == producer_scores_.end() || producers_.count(id) == 0) return std::nullopt;
  return it->second.announced;
}

std::optional<ConsumerScore> Node::consumer_score(const std::string& id) const {
  auto it = consumer_scores_.find(id);
  if (it == consumer_scores_.end() || consumers_.count(id) == 0) return std::nullopt;
  return it->second.announced;
}

void Node::update_scores() {
  // Forget the closed ones first (their ids are never reused).
  std::erase_if(producer_scores_, [&](const auto& kv) { return !producers_.count(kv.first); });
  std::erase_if(consumer_scores_, [&](const auto& kv) { return !consumers_.count(kv.first); });
  if (producers_.empty() && consumers_.empty()) return;
  StatusOr<DataplaneLink::MediaCounters> counters = link_.media_counters();
  if (!counters.ok()) {
    // An old data plane (schema minor < 2) answers without streams: scores stay at 0. A failed
    // request is counted; the next interval tries again.
    ++score_read_errors_;
    return;
  }
  const DataplaneLink::MediaCounters& m = counters.value;
  for (const auto& [id, p] : producers_) {
    ProducerScoreState& st = producer_scores_[id];
    auto found = m.producers.find(p.dataplane_id);
    const size_t n = p.rtp_parameters.encodings.size();
    if (st.streams.size() != n) st.streams.resize(n);
    std::vector<EncodingScore> scores(n);
    for (size_t i = 0; i < n; ++i) {
      const RtpEncodingParameters& e = p.rtp_parameters.encodings[i];
      StreamSample sample;
      uint32_t ssrc = e.ssrc.value_or(0);
      if (found != m.producers.end() && i < found->second.size()) {
        sample = {found->second[i].packets, found->second[i].expected};
        if (found->second[i].ssrc != 0) ssrc = found->second[i].ssrc;
      }
      scores[i] = {static_cast<uint16_t>(i), ssrc, e.rid.value_or(""),
                   st.streams[i].update(sample, p.paused)};
    }
    if (scores != st.announced) {
      st.announced = scores;
      if (observer_) observer_->on_producer_score(id, scores);
    }
  }
  for (const auto& [id, c] : consumers_) {
    ConsumerScoreState& st = consumer_scores_[id];
    ConsumerScore score;
    if (auto p = producer_scores_.find(c.producer_id); p != producer_scores_.end()) {
      for (const EncodingScore& e : p->second.announced) score.producer_scores.push_back(e.score);
    }
    // The data plane forwards a producer's first stream (no simulcast layer selection yet).
    if (!score.producer_scores.empty()) score.producer_score = score.producer_scores[0];
    ReportSample sample;
    if (auto k = m.consumers.find(c.dataplane_id); k != m.consumers.end()) {
      sample = {k->second.reports, k->second.fraction_lost};
    }
    score.score = st.keeper.update(sample, score.producer_score);
    if (!st.announced || score != *st.announced) {
      st.announced = score;
      if (observer_) observer_->on_consumer_score(id, score);
    }
  }
}

}  // namespace fanout::cp

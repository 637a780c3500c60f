#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace fanout::sig {

// Server counters, updated from every I/O thread. Gauges and plain counters are relaxed atomics;
// labelled series sit behind one mutex (a few per request, far from any packet path).
class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};

  std::atomic<std::int64_t> tcp_connections_current{0};
  std::atomic<std::uint64_t> tcp_connections_total{0};
  std::atomic<std::int64_t> ws_connections_current{0};
  std::atomic<std::uint64_t> ws_connections_total{0};
  std::atomic<std::uint64_t> ws_messages_in{0};
  std::atomic<std::uint64_t> ws_messages_out{0};
  std::atomic<std::int64_t> ws_queued_bytes{0};       // across all sessions' write queues
  std::atomic<std::int64_t> ws_queued_bytes_peak{0};  // highest one session's queue has been
  std::atomic<std::uint64_t> ws_slow_consumer_closes{0};
  std::atomic<std::uint64_t> ws_rate_limit_closes{0};
  std::atomic<std::uint64_t> ws_origin_refused{0};
  std::atomic<std::uint64_t> accept_errors{0};

  // One WebSocket request answered; `result` is "ok" or the error code.
  void record_request(std::string_view method, std::string_view result, double seconds);
  void record_http(std::string_view route, unsigned status);

  std::uint64_t requests(std::string_view method, std::string_view result) const;
  std::uint64_t http_requests(std::string_view route, unsigned status) const;

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

  // Series owned by the request handler (rooms, peers, the control plane link), rendered after
  // the server's own. Set once, before the server serves requests.
  void set_extra(std::function<std::string()> render) { extra_ = std::move(render); }
  // "# HELP/# TYPE" and one unlabelled sample, for such renderers.
  static void append(std::string& out, std::string_view name, std::string_view help,
                     std::string_view type, double value);

 private:
  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> http_;
  std::function<std::string()> extra_;
};

}  // namespace fanout::sig

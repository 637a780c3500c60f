#include "signaling/server/metrics.hpp"

#include <cstdio>

namespace fanout::sig {
namespace {

// Label values come from our own method names and error codes, but quote them properly anyway.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void metric_line(std::string& out, std::string_view name, std::string_view help,
                 std::string_view type, std::string_view value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

void Metrics::record_request(std::string_view method, std::string_view result, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(method), std::string(result)}];
  Histogram& h = latency_[std::string(method)];
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::record_http(std::string_view route, unsigned status) {
  std::lock_guard lock(mutex_);
  ++http_[{std::string(route), status}];
}

std::uint64_t Metrics::requests(std::string_view method, std::string_view result) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find({std::string(method), std::string(result)});
  return it == requests_.end() ? 0 : it->second;
}

std::uint64_t Metrics::http_requests(std::string_view route, unsigned status) const {
  std::lock_guard lock(mutex_);
  auto it = http_.find({std::string(route), status});
  return it == http_.end() ? 0 : it->second;
}

void Metrics::append(std::string& out, std::string_view name, std::string_view help,
                     std::string_view type, double value) {
  metric_line(out, name, help, type, number(value));
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  auto u = [](const auto& v) { return std::to_string(v.load(std::memory_order_relaxed)); };
  metric_line(out, "fanout_sig_tcp_connections", "Open TCP connections (HTTP and WebSocket).",
              "gauge", u(tcp_connections_current));
  metric_line(out, "fanout_sig_tcp_connections_total", "Accepted TCP connections.", "counter",
              u(tcp_connections_total));
  metric_line(out, "fanout_sig_ws_connections", "Open WebSocket sessions.", "gauge",
              u(ws_connections_current));
  metric_line(out, "fanout_sig_ws_connections_total", "WebSocket sessions accepted.", "counter",
              u(ws_connections_total));
  metric_line(out, "fanout_sig_ws_messages_in_total", "WebSocket messages received.", "counter",
              u(ws_messages_in));
  metric_line(out, "fanout_sig_ws_messages_out_total", "WebSocket messages sent.", "counter",
              u(ws_messages_out));
  metric_line(out, "fanout_sig_ws_queued_bytes", "Bytes waiting in WebSocket write queues.",
              "gauge", u(ws_queued_bytes));
  metric_line(out, "fanout_sig_ws_queued_bytes_peak",
              "Largest write queue of one session so far, in bytes.", "gauge",
              u(ws_queued_bytes_peak));
  metric_line(out, "fanout_sig_ws_slow_consumer_closes_total",
              "Sessions closed because their write queue overflowed.", "counter",
              u(ws_slow_consumer_closes));
  metric_line(out, "fanout_sig_ws_rate_limit_closes_total",
              "Sessions closed for repeatedly exceeding the request rate.", "counter",
              u(ws_rate_limit_closes));
  metric_line(out, "fanout_sig_ws_origin_refused_total",
              "WebSocket upgrades refused for their Origin.", "counter", u(ws_origin_refused));
  metric_line(out, "fanout_sig_accept_errors_total", "Failed accepts (e.g. out of descriptors).",
              "counter", u(accept_errors));

  std::lock_guard lock(mutex_);
  out +=
      "# HELP fanout_sig_requests_total WebSocket requests by method and result.\n"
      "# TYPE fanout_sig_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "fanout_sig_requests_total{method=\"" + label(key.first) + "\",result=\"" +
           label(key.second) + "\"} " + std::to_string(n) + '\n';
  }
  out +=
      "# HELP fanout_sig_request_duration_seconds WebSocket request latency, receipt to reply.\n"
      "# TYPE fanout_sig_request_duration_seconds histogram\n";
  for (const auto& [method, h] : latency_) {
    const std::string m = label(method);
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out += "fanout_sig_request_duration_seconds_bucket{method=\"" + m + "\",le=\"" +
             number(kLatencyBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) + '\n';
    }
    out += "fanout_sig_request_duration_seconds_bucket{method=\"" + m + "\",le=\"+Inf\"} " +
           std::to_string(h.count) + '\n';
    out += "fanout_sig_request_duration_seconds_sum{method=\"" + m + "\"} " + number(h.sum) + '\n';
    out += "fanout_sig_request_duration_seconds_count{method=\"" + m + "\"} " +
           std::to_string(h.count) + '\n';
  }
  out +=
      "# HELP fanout_sig_http_requests_total HTTP requests by route and status.\n"
      "# TYPE fanout_sig_http_requests_total counter\n";
  for (const auto& [key, n] : http_) {
    out += "fanout_sig_http_requests_total{route=\"" + label(key.first) + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + '\n';
  }
  if (extra_) out += extra_();
  return out;
}

}  // namespace fanout::sig

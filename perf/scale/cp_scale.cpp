// fanout-cp-scale: the rate at which a running fanout-controlplane creates transports and
// consumers through its API, as signaling drives it (one request per round trip, the reply read
// before the next request is sent). Each request goes the whole way: the control plane's object
// model, the data plane's IPC (a transport is answered once its worker attached it), and the
// restart journal written before the reply.
//
//   fanout-cp-scale --socket PATH [--transports 1000] [--consumers 1000] [--json FILE]
//
// Phases: Hello (waits until the control plane reports its data plane connected), CreateRouter,
// T CreateWebRtcTransport, one Produce (Opus, on the first transport), C Consume of it spread
// over the other transports (round robin), then Close of the router (which closes the rest).
// Prints the rate of each phase, the per-request round trip (p50/p99/max) and the round trip of
// the last tenth against the first tenth (a rate that falls as the model grows shows there).
// Method and how to read the figures: perf/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "controlplane/api/client.hpp"

namespace fanout::cp::scale {
namespace {

namespace fb = fanout::cpapi;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kTimeout{10000};

struct Options {
  std::string socket, json;
  uint32_t transports = 1000;
  uint32_t consumers = 1000;
};

const char* kUsage =
    "usage: fanout-cp-scale --socket PATH [--transports N] [--consumers N] [--json FILE]\n"
    "  --socket PATH    the control plane's API (Unix socket path, or host:port)\n"
    "  --transports N   WebRTC transports created one request each (default 1000, >= 2)\n"
    "  --consumers N    consumers of one audio producer over the other transports (default 1000)\n";

// What a browser's send transport produces for a microphone (mediasoup-client's rtpParameters).
constexpr const char* kOpusProducer = R"({
  "mid": "0",
  "codecs": [{"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000, "channels": 2,
              "parameters": {"minptime": 10, "useinbandfec": 1}, "rtcpFeedback": []}],
  "headerExtensions": [],
  "encodings": [{"ssrc": 11112222, "dtx": false}],
  "rtcp": {"cname": "perf", "reducedSize": true}
})";

// A receiving device's rtpCapabilities (what Device.rtpCapabilities gives after load()).
constexpr const char* kDeviceCapabilities = R"({
  "codecs": [{"mimeType": "audio/opus", "kind": "audio", "preferredPayloadType": 111,
              "clockRate": 48000, "channels": 2, "parameters": {"useinbandfec": 1},
              "rtcpFeedback": []}],
  "headerExtensions": []
})";

struct Phase {
  std::string name;
  uint32_t count = 0;
  double seconds = 0;
  std::vector<double> us;  // per-request round trips, in order

  double rate() const { return seconds > 0 ? count / seconds : 0; }
  double percentile(double p) const {
    if (us.empty()) return 0;
    std::vector<double> s = us;
    std::sort(s.begin(), s.end());
    size_t i = static_cast<size_t>(p * static_cast<double>(s.size() - 1) + 0.5);
    return s[std::min(i, s.size() - 1)];
  }
  // Mean round trip of the first or last tenth of the requests.
  double tenth(bool last) const {
    size_t n = std::max<size_t>(1, us.size() / 10);
    if (us.size() < n) return 0;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += us[last ? us.size() - n + i : i];
    return sum / static_cast<double>(n);
  }
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fanout-cp-scale: %s\n", what.c_str());
  std::exit(1);
}

// One request; dies with the control plane's reason unless the reply is `expected`.
template <typename Build>
double timed_call(api::ApiClient& client, fb::Body expected, const std::string& what,
                  Build&& build) {
  const auto t0 = Clock::now();
  api::ClientResult r = client.call(std::forward<Build>(build), kTimeout);
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  if (!r.ok()) die(what + ": " + r.detail);
  if (const fb::Error* e = r.reply.error()) {
    die(what + ": " + fb::EnumNameErrorCode(e->code()) + ": " +
        (e->reason() ? e->reason()->str() : std::string()));
  }
  if (r.reply->body_type() != expected) {
    die(what + ": unexpected reply " + fb::EnumNameBody(r.reply->body_type()));
  }
  return us;
}

void connect(api::ApiClient& client, const std::string& socket) {
  const auto deadline = Clock::now() + milliseconds(15000);
  std::string last = "no answer";
  while (Clock::now() < deadline) {
    client.close();
    std::string err = client.connect(socket, milliseconds(2000));
    if (err.empty()) {
      api::ClientResult hello = client.hello("fanout-cp-scale", milliseconds(2000));
      const fb::HelloReply* reply =
          hello.ok() && hello.reply ? hello.reply->body_as_HelloReply() : nullptr;
      if (reply != nullptr && reply->dataplane_connected()) return;
      last = hello.ok() ? "the control plane is not connected to its data plane yet" : hello.detail;
    } else {
      last = err;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  die("cannot use " + socket + ": " + last);
}

std::string json_phase(const Phase& p) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"count\": %u, \"seconds\": %.4f, \"per_second\": %.1f, \"p50_us\": %.1f, "
                "\"p99_us\": %.1f, \"max_us\": %.1f, \"first_tenth_mean_us\": %.1f, "
                "\"last_tenth_mean_us\": %.1f}",
                p.count, p.seconds, p.rate(), p.percentile(0.5), p.percentile(0.99),
                p.percentile(1.0), p.tenth(false), p.tenth(true));
  return buf;
}

void print_phase(const Phase& p) {
  std::printf(
      "%-11s %6u in %7.3f s = %8.1f /s   round trip p50 %7.1f us, p99 %7.1f us, max %8.1f us; "
      "mean of the first tenth %7.1f us, of the last %7.1f us\n",
      p.name.c_str(), p.count, p.seconds, p.rate(), p.percentile(0.5), p.percentile(0.99),
      p.percentile(1.0), p.tenth(false), p.tenth(true));
}

int run(const Options& o) {
  api::ApiClient client;
  connect(client, o.socket);
  const std::string router = "perf-cp-scale";
  timed_call(client, fb::Body::RouterCreated, "CreateRouter",
             [&](auto& fbb) { return fb::CreateCreateRouterDirect(fbb, router.c_str()); });

  Phase transports{"transports", o.transports};
  auto t0 = Clock::now();
  for (uint32_t i = 0; i < o.transports; ++i) {
    const std::string id = "t-" + std::to_string(i);
    transports.us.push_back(timed_call(
        client, fb::Body::WebRtcTransportCreated, "CreateWebRtcTransport " + id, [&](auto& fbb) {
          return fb::CreateCreateWebRtcTransportDirect(fbb, router.c_str(), id.c_str(), false);
        }));
  }
  transports.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  timed_call(client, fb::Body::Produced, "Produce", [&](auto& fbb) {
    return fb::CreateProduceDirect(fbb, "t-0", "p-mic", fb::MediaKind::Audio, kOpusProducer);
  });

  Phase consumers{"consumers", o.consumers};
  t0 = Clock::now();
  for (uint32_t i = 0; i < o.consumers; ++i) {
    const std::string id = "c-" + std::to_string(i);
    const std::string transport = "t-" + std::to_string(1 + i % (o.transports - 1));
    consumers.us.push_back(timed_call(client, fb::Body::Consumed, "Consume " + id, [&](auto& fbb) {
      return fb::CreateConsumeDirect(fbb, transport.c_str(), id.c_str(), "p-mic",
                                     kDeviceCapabilities, true);
    }));
  }
  consumers.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  Phase close{"close", 1};
  t0 = Clock::now();
  close.us.push_back(timed_call(client, fb::Body::Ok, "Close router", [&](auto& fbb) {
    return fb::CreateCloseDirect(fbb, fb::Target::Router, router.c_str());
  }));
  close.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  std::printf(
      "fanout-cp-scale: one request per round trip through %s (control plane, data plane "
      "IPC and restart journal each time)\n",
      o.socket.c_str());
  print_phase(transports);
  print_phase(consumers);
  std::printf("close       the router with %u transports and %u consumers in %.1f ms\n",
              o.transports, o.consumers, close.seconds * 1000);
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    f << "{\"tool\": \"fanout-cp-scale\", \"method\": \"one request per round trip\", "
      << "\"transports\": " << json_phase(transports)
      << ", \"consumers\": " << json_phase(consumers)
      << ", \"close_router_ms\": " << close.seconds * 1000 << "}\n";
    if (!f) die("cannot write " + o.json);
  }
  return 0;
}

uint32_t number(const char* flag, const char* text) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text, &end, 10);
  if (end == text || *end != '\0' || v == 0 || v > 1000000) {
    die(std::string(flag) + ": '" + text + "' is not a count 1..1000000");
  }
  return static_cast<uint32_t>(v);
}

}  // namespace
}  // namespace fanout::cp::scale

int main(int argc, char** argv) {
  using namespace fanout::cp::scale;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) die(a + ": needs a value\n" + kUsage);
      return argv[++i];
    };
    if (a == "--socket") {
      o.socket = value();
    } else if (a == "--transports") {
      o.transports = number("--transports", value());
    } else if (a == "--consumers") {
      o.consumers = number("--consumers", value());
    } else if (a == "--json") {
      o.json = value();
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      die("unknown argument " + a + "\n" + kUsage);
    }
  }
  if (o.socket.empty()) die(std::string("--socket is required\n") + kUsage);
  if (o.transports < 2) die("--transports: at least 2 (one produces, the others consume)");
  return run(o);
}

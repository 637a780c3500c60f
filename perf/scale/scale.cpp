// fanout-scale: memory per object and creation rate of a running fanout-dataplane, through its IPC
// only (as the control plane does it). Creates, in phases and in batches, T WebRtc transports on
// the shared ICE port, SRTP keys in both directions on each, P producers (one stream each, on the
// first P transports) and C consumers (spread over the other transports, consumer k consuming
// producer k % P); after each phase it reads the data plane's memory two ways: VmRSS of its
// process (/proc/PID/status: every allocation, malloc'd objects included) and the DPDK heap
// (telemetry /eal/heap_info: rte_malloc'd tables only), and reports bytes per object by
// difference. Then the unbatched rate: transports and consumers created one request per round
// trip. Objects are left in place: perf/run stops the data plane afterwards.
//
//   fanout-scale --socket PATH --pid PID [--telemetry PATH] [--transports 10000]
//                [--producers 1000] [--consumers 100000] [--batch 500] [--unbatched 2000]
//                [--json FILE]
// Method and how to read the figures: perf/README.md.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dataplane/ipc/client.hpp"

namespace fanout::dp::scale {
namespace {

namespace fb = fanout::ipc;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Options {
  std::string socket, telemetry, json;
  int pid = 0;
  uint32_t transports = 10000, producers = 1000, consumers = 100000;
  uint32_t batch = 500, unbatched = 2000, unbatched_transports = 200;
};

const char* kUsage =
    "usage: fanout-scale --socket PATH --pid PID [--telemetry PATH] [--transports N]\n"
    "                    [--producers N] [--consumers N] [--batch N] [--unbatched N] [--json F]\n"
    "  --pid PID        the data plane's process (VmRSS from /proc/PID/status)\n"
    "  --telemetry PATH its DPDK telemetry socket (/eal/heap_info); default: none\n"
    "  --batch N        requests per Batch (default 500)\n"
    "  --unbatched N    consumers created one request each (default 2000)\n"
    "  --unbatched-transports N  transports created one request each (default 200: each waits\n"
    "                   for its worker to attach it)\n";

struct Memory {
  uint64_t rss = 0;         // bytes
  uint64_t heap_alloc = 0;  // rte_malloc heap 0, allocated bytes
  uint64_t heap_size = 0;
  bool heap_ok = false;
};

uint64_t read_rss(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

// One telemetry command on a fresh connection (the socket greets each client with its info).
std::string telemetry(const std::string& path, const std::string& command) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
  if (fd < 0) return "";
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  std::string out;
  std::vector<char> buf(1 << 16);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::read(fd, buf.data(), buf.size()) > 0 &&
      ::write(fd, command.data(), command.size()) == static_cast<ssize_t>(command.size())) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n > 0) out.assign(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

uint64_t json_number(const std::string& j, const std::string& key) {
  size_t at = j.find("\"" + key + "\":");
  return at == std::string::npos ? 0 : std::strtoull(j.c_str() + at + key.size() + 3, nullptr, 10);
}

Memory read_memory(const Options& o) {
  // The workers apply the controller's commands asynchronously: let them settle.
  std::this_thread::sleep_for(milliseconds(300));
  Memory m;
  m.rss = read_rss(o.pid);
  if (!o.telemetry.empty()) {
    std::string j = telemetry(o.telemetry, "/eal/heap_info,0");
    if (j.find("Alloc_size") != std::string::npos) {
      m.heap_alloc = json_number(j, "Alloc_size");
      m.heap_size = json_number(j, "Heap_size");
      m.heap_ok = true;
    }
  }
  return m;
}

class Session {
 public:
  std::string connect(const std::string& path) {
    if (std::string e = client_.connect(path, milliseconds(3000)); !e.empty()) return e;
    uint64_t epoch = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) | 1;
    ipc::ClientResult r = client_.hello("fanout-scale 0.1.0", epoch, milliseconds(3000));
    if (!r.ok()) return "Hello: " + r.detail;
    if (const fb::Error* e = r.reply.error()) return "Hello refused: " + e->reason()->str();
    return "";
  }
  flatbuffers::FlatBufferBuilder& fbb() { return client_.builder(); }
  // One request (built in fbb()) per round trip.
  std::string one(fb::Body type, flatbuffers::Offset<void> body) {
    return check(client_.request_body(type, body, milliseconds(30000)));
  }
  // Requests built in fbb() with `add(i)` for i in [first, last), as Batches of `batch`.
  template <typename Add>
  std::string batched(uint32_t first, uint32_t last, uint32_t batch, Add&& add) {
    for (uint32_t i = first; i < last;) {
      const uint32_t end = std::min(last, i + batch);
      auto& b = fbb();
      b.Clear();
      std::vector<flatbuffers::Offset<fb::Request>> reqs;
      reqs.reserve(end - i);
      for (; i < end; ++i) {
        auto [type, body] = add(b, i);
        reqs.push_back(fb::CreateRequest(b, type, body));
      }
      auto body = fb::CreateBatch(b, b.CreateVector(reqs));
      ipc::ClientResult r =
          client_.request_body(fb::Body::Batch, body.Union(), milliseconds(60000));
      if (std::string e = check(r); !e.empty()) return e;
      const fb::BatchReply* br = r.reply->body_as_BatchReply();
      if (!br || !br->replies()) return "no BatchReply";
      for (const fb::Reply* rep : *br->replies()) {
        if (const fb::Error* e = rep->body_as_Error()) {
          return e->reason() ? e->reason()->str() : "error in batch";
        }
      }
    }
    return "";
  }

 private:
  static std::string check(const ipc::ClientResult& r) {
    if (!r.ok()) return r.detail.empty() ? "IPC failure" : r.detail;
    if (const fb::Error* e = r.reply.error()) {
      return std::string(fb::EnumNameErrorCode(e->code())) + ": " +
             (e->reason() ? e->reason()->str() : "");
    }
    return "";
  }
  ipc::IpcClient client_;
};

using Entry = std::pair<fb::Body, flatbuffers::Offset<void>>;

// Object ids: transports 1.., producers 1'000'000.., consumers 2'000'000.. (distinct spaces are
// not required by the data plane; they keep errors readable).
constexpr uint32_t kProducerId = 1000000, kConsumerId = 2000000;

Entry transport(flatbuffers::FlatBufferBuilder& b, uint32_t i) {
  char ufrag[16], pwd[40];
  std::snprintf(ufrag, sizeof(ufrag), "sc%08x", i);
  std::snprintf(pwd, sizeof(pwd), "fanout-scale-password-%08x", i);
  auto u = b.CreateString(ufrag);
  auto p = b.CreateString(pwd);
  fb::CreateTransportBuilder t(b);
  t.add_id(i + 1);
  t.add_port(0);
  t.add_local_port(0);  // the shared ICE port: no per-transport port range limit
  t.add_ice_ufrag(u);
  t.add_ice_pwd(p);
  t.add_kind(fb::TransportKind::WebRtc);
  return {fb::Body::CreateTransport, t.Finish().Union()};
}

Entry keys(flatbuffers::FlatBufferBuilder& b, uint32_t i) {
  // Entry 2t: inbound of transport t, 2t+1: outbound. AEAD_AES_128_GCM (16 + 12 bytes).
  std::vector<uint8_t> key(16), salt(12);
  for (size_t k = 0; k < key.size(); ++k) key[k] = static_cast<uint8_t>(i * 31 + k);
  for (size_t k = 0; k < salt.size(); ++k) salt[k] = static_cast<uint8_t>(i * 17 + k);
  auto body = fb::CreateSetSrtpKeysDirect(
      b, i / 2 + 1, i % 2 ? fb::Direction::Outbound : fb::Direction::Inbound, 7, &key, &salt);
  return {fb::Body::SetSrtpKeys, body.Union()};
}

Entry producer(flatbuffers::FlatBufferBuilder& b, uint32_t i) {
  std::vector<flatbuffers::Offset<fb::ProducerStream>> streams{
      fb::CreateProducerStreamDirect(b, 0x10000000u + i, 0, 96, 0, 90000, "")};
  auto body = fb::CreateCreateProducerDirect(b, kProducerId + i, i + 1, fb::MediaKind::Video, false,
                                             &streams);
  return {fb::Body::CreateProducer, body.Union()};
}

struct ConsumerLayout {
  uint32_t producers, first_transport, transports;
};

Entry consumer(flatbuffers::FlatBufferBuilder& b, uint32_t i, const ConsumerLayout& l) {
  std::vector<flatbuffers::Offset<fb::PayloadTypeMap>> pts{fb::CreatePayloadTypeMap(b, 96, 97)};
  auto body = fb::CreateCreateConsumerDirect(b, kConsumerId + i, kProducerId + i % l.producers,
                                             l.first_transport + i % l.transports + 1, false,
                                             0x20000000u + i, 0, &pts, 90000);
  return {fb::Body::CreateConsumer, body.Union()};
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string num(double v) {
  char b[64];
  std::snprintf(b, sizeof(b), "%.6g", v);
  return b;
}

struct Phase {
  std::string name;  // "transports", "srtp_keys", "producers", "consumers"
  uint32_t objects = 0;
  double seconds = 0;
  std::string error;  // the limit or failure that stopped the phase early
  Memory after;
};

int run(const Options& o) {
  Session s;
  if (std::string e = s.connect(o.socket); !e.empty()) {
    std::fprintf(stderr, "fanout-scale: %s\n", e.c_str());
    return 2;
  }
  const Memory base = read_memory(o);
  std::printf("fanout-scale: data plane pid %d, RSS %.1f MiB, DPDK heap %s\n", o.pid,
              static_cast<double>(base.rss) / 1048576,
              base.heap_ok
                  ? (num(static_cast<double>(base.heap_alloc) / 1048576) + " MiB allocated").c_str()
                  : "not read (no --telemetry or no answer)");
  std::vector<Phase> phases;
  const uint32_t producers = std::min(o.producers, o.transports - 1);
  const ConsumerLayout layout{producers, producers, o.transports - producers};
  // Runs one batched phase; it stops at the first batch that fails (a table limit: a batch is all
  // or nothing), so the memory is then measured at the last whole batch below the limit.
  auto phase = [&](const std::string& name, uint32_t n, auto&& add) {
    Phase p;
    p.name = name;
    const auto t = Clock::now();
    for (uint32_t i = 0; i < n; i += o.batch) {
      const uint32_t end = std::min(n, i + o.batch);
      if (std::string e = s.batched(i, end, o.batch, add); !e.empty()) {
        p.error = e;
        break;
      }
      p.objects = end;
    }
    p.seconds = seconds_since(t);
    p.after = read_memory(o);
    const Memory& before = phases.empty() ? base : phases.back().after;
    const double d_rss = static_cast<double>(p.after.rss) - static_cast<double>(before.rss);
    const double d_heap =
        static_cast<double>(p.after.heap_alloc) - static_cast<double>(before.heap_alloc);
    std::printf(
        "%-10s %7u in %6.2f s (%8.0f /s, batches of %u): RSS +%.1f MiB = %.0f B each; "
        "DPDK heap +%.0f B each%s%s\n",
        name.c_str(), p.objects, p.seconds, p.objects / p.seconds, o.batch, d_rss / 1048576,
        p.objects ? d_rss / p.objects : 0, p.objects ? d_heap / p.objects : 0,
        p.error.empty() ? "" : "; stopped: ", p.error.c_str());
    std::fflush(stdout);
    phases.push_back(p);
    return p.objects;
  };
  const uint32_t nt = phase("transports", o.transports, transport);
  phase("srtp_keys", 2 * nt, keys);
  const uint32_t np = phase("producers", std::min(producers, nt), producer);
  ConsumerLayout l = layout;
  l.producers = std::max(1u, np);
  l.transports = nt > l.first_transport ? nt - l.first_transport : 1;
  phase("consumers", o.consumers,
        [&](flatbuffers::FlatBufferBuilder& b, uint32_t i) { return consumer(b, i, l); });

  // Unbatched: one round trip per object, on top of what exists.
  double unb_t = 0, unb_c = 0;
  uint32_t nt_u = 0, nc_u = 0;
  std::string unb_error;
  {
    const auto t = Clock::now();
    for (uint32_t i = 0; i < o.unbatched_transports; ++i) {
      auto& b = s.fbb();
      b.Clear();
      auto [type, body] = transport(b, o.transports + i);
      if (std::string e = s.one(type, body); !e.empty()) {
        unb_error = "transport: " + e;
        break;
      }
      ++nt_u;
    }
    unb_t = nt_u / seconds_since(t);
    const uint32_t base_c = phases.back().objects;
    const auto t2 = Clock::now();
    for (uint32_t i = 0; i < o.unbatched && unb_error.empty(); ++i) {
      auto& b = s.fbb();
      b.Clear();
      auto [type, body] = consumer(b, base_c + i, l);
      if (std::string e = s.one(type, body); !e.empty()) {
        unb_error = "consumer: " + e;
        break;
      }
      ++nc_u;
    }
    unb_c = nc_u / seconds_since(t2);
  }
  std::printf("unbatched: %u transports at %.0f /s, %u consumers at %.0f /s%s%s\n", nt_u, unb_t,
              nc_u, unb_c, unb_error.empty() ? "" : "; stopped: ", unb_error.c_str());

  std::ostringstream js;
  auto mem = [&](const Memory& m) {
    return "{\"rss_bytes\":" + std::to_string(m.rss) +
           ",\"heap_alloc_bytes\":" + (m.heap_ok ? std::to_string(m.heap_alloc) : "null") +
           ",\"heap_size_bytes\":" + (m.heap_ok ? std::to_string(m.heap_size) : "null") + "}";
  };
  js << "{\"batch\":" << o.batch << ",\"baseline\":" << mem(base) << ",\"phases\":[";
  for (size_t i = 0; i < phases.size(); ++i) {
    const Phase& p = phases[i];
    const Memory& before = i == 0 ? base : phases[i - 1].after;
    const double n = p.objects ? p.objects : 1;
    js << (i ? "," : "") << "{\"name\":\"" << p.name << "\",\"objects\":" << p.objects
       << ",\"seconds\":" << num(p.seconds)
       << ",\"per_second\":" << num(p.seconds > 0 ? p.objects / p.seconds : 0)
       << ",\"after\":" << mem(p.after) << ",\"rss_bytes_per_object\":"
       << num((static_cast<double>(p.after.rss) - static_cast<double>(before.rss)) / n)
       << ",\"heap_bytes_per_object\":"
       << (p.after.heap_ok && before.heap_ok ? num((static_cast<double>(p.after.heap_alloc) -
                                                    static_cast<double>(before.heap_alloc)) /
                                                   n)
                                             : "null")
       << ",\"stopped_by\":\"";
    for (char c : p.error) js << (c == '"' || c == '\\' ? ' ' : c);
    js << "\"}";
  }
  js << "],\"unbatched\":{\"transports\":" << nt_u << ",\"transports_per_second\":" << num(unb_t)
     << ",\"consumers\":" << nc_u << ",\"consumers_per_second\":" << num(unb_c) << "}}\n";
  if (!o.json.empty()) std::ofstream(o.json) << js.str();
  return 0;
}

}  // namespace
}  // namespace fanout::dp::scale

int main(int argc, char** argv) {
  using namespace fanout::dp::scale;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto u32 = [&](uint32_t* out) { *out = static_cast<uint32_t>(std::strtoul(v, nullptr, 10)); };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (!v) {
      std::fprintf(stderr, "fanout-scale: %s needs a value\n%s", a.c_str(), kUsage);
      return 2;
    }
    ++i;
    if (a == "--socket")
      o.socket = v;
    else if (a == "--telemetry")
      o.telemetry = v;
    else if (a == "--json")
      o.json = v;
    else if (a == "--pid")
      o.pid = std::atoi(v);
    else if (a == "--transports")
      u32(&o.transports);
    else if (a == "--producers")
      u32(&o.producers);
    else if (a == "--consumers")
      u32(&o.consumers);
    else if (a == "--batch")
      u32(&o.batch);
    else if (a == "--unbatched")
      u32(&o.unbatched);
    else if (a == "--unbatched-transports")
      u32(&o.unbatched_transports);
    else {
      std::fprintf(stderr, "fanout-scale: unknown option %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (o.socket.empty() || o.pid <= 0 || o.transports < 2 || o.batch == 0) {
    std::fprintf(stderr, "fanout-scale: --socket and --pid are required\n%s", kUsage);
    return 2;
  }
  return run(o);
}

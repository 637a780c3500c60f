// A load scenario (rooms of producers and consumers) and its creation in a running data plane
// through the data plane's IPC only, as a control plane would: Plain transports with static
// remotes (the pktgen's address and ports, so no ICE), SRTP keys per direction, producers,
// consumers. Slow path: throws nothing, returns "" or the first error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/ipc/client.hpp"

namespace fanout::dp::pktgen {

// IANA DTLS-SRTP profile ids; 0: plain RTP.
enum class SrtpProfile : uint16_t { kNone = 0, kCm80 = 1, kGcm128 = 7 };

const char* profile_label(SrtpProfile p);  // "none", "cm80", "gcm128"
const char* profile_name(SrtpProfile p);   // "none", "AES_CM_128_HMAC_SHA1_80", ...
bool parse_profile(const std::string& text, SrtpProfile* out);

// rooms x (senders -> receivers): each room has `senders` producer transports (one producer each)
// and `receivers` consumer transports, each consuming every producer of its room except, when
// `exclude_self`, the one of the same participant (rooms of participants: receiver i is the
// receive transport of participant i).
struct ScenarioSpec {
  std::string name;  // "1x10", "rooms100x4"
  int rooms = 1;
  int senders = 1;
  int receivers = 1;
  bool exclude_self = false;
  SrtpProfile profile = SrtpProfile::kNone;
  size_t rtp_size = 1200;  // RTP packet (header + payload) before SRTP
  // No data plane: the port returns our frames unchanged (dpdk-testpmd io forwarding on the memif
  // server): one "producer" whose frames are its own "consumer"'s (same SSRC, PT, addresses).
  bool loopback = false;

  // "MxN" (M producers, N consumer transports each consuming all M: "1x10", "100x100") or
  // "roomsRxP" (R rooms of P participants).
  static bool parse(const std::string& text, SrtpProfile profile, size_t rtp_size,
                    ScenarioSpec* out, std::string* error);
  std::string label() const;  // "1x10/cm80/1200"
};

struct KeySalt {
  std::vector<uint8_t> key;   // 16 bytes
  std::vector<uint8_t> salt;  // 14 (CM) or 12 (GCM) bytes
  std::vector<uint8_t> concat() const;
};

struct PeerTransport {
  uint32_t id = 0;
  uint16_t worker = 0;
  uint16_t dp_port = 0;      // the data plane's UDP port (its local_port)
  uint16_t remote_port = 0;  // ours
  KeySalt keys;              // the direction that carries media (inbound for producers)
};

struct ProducerObj {
  uint32_t id = 0;
  uint32_t transport = 0;  // index into Scenario::producer_transports
  uint32_t ssrc = 0;
  uint32_t fanout = 0;  // consumers of this producer
};

struct ConsumerObj {
  uint32_t id = 0;
  uint32_t producer = 0;   // index into Scenario::producers
  uint32_t transport = 0;  // index into Scenario::consumer_transports
  uint32_t ssrc = 0;
};

struct DataplaneInfo {
  std::string server;
  std::string address;  // the port's first IPv4 address
  uint8_t mac[6] = {};
  uint16_t udp_port_min = 0, udp_port_max = 0;
  std::vector<uint16_t> worker_lcores;  // index = worker
};

struct Scenario {
  ScenarioSpec spec;
  std::vector<PeerTransport> producer_transports;
  std::vector<PeerTransport> consumer_transports;
  std::vector<ProducerObj> producers;
  std::vector<ConsumerObj> consumers;
  uint64_t total_fanout() const;  // outputs per round of one packet from every producer
};

inline constexpr uint8_t kPayloadType = 96;
inline constexpr uint8_t kOutPayloadType = 97;  // consumers remap, so the rewrite is visible
inline constexpr uint16_t kProducerPortBase = 10000;
inline constexpr uint16_t kConsumerPortBase = 20000;

// The 1->1 scenario of --loopback, made locally (no IPC): our frames come back as they went.
Scenario loopback_scenario(ScenarioSpec spec);
// The DataplaneInfo --loopback uses: the peer is ourselves (one queue).
DataplaneInfo loopback_info(const std::string& our_address, const uint8_t mac[6]);

class DataplaneSession {
 public:
  // Connects and says Hello (epoch = a fresh non-zero value, so that we may create objects).
  std::string connect(const std::string& socket_path);
  const DataplaneInfo& info() const { return info_; }

  // Creates every object of `spec`; transports are spread over the workers round-robin.
  std::string create(const ScenarioSpec& spec, const std::string& our_address, Scenario* out);
  // Deletes the scenario's transports (their producers and consumers go with them).
  std::string destroy(const Scenario& s);

  // Global counters (GetCounters 0).
  ipc::ClientResult counters();

 private:
  std::string call(const char* what, fanout::ipc::Body type, flatbuffers::Offset<void> body,
                   ipc::ClientResult* result = nullptr);

  ipc::IpcClient client_;
  DataplaneInfo info_;
  uint32_t next_id_ = 1;
};

}  // namespace fanout::dp::pktgen

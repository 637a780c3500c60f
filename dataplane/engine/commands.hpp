// Commands from the main lcore to a worker (one SPSC ring per worker). The worker applies them
// between bursts and returns each one on its completion ring, so that the main lcore frees what a
// command retired (a detached object, a replaced SRTP session) only after the worker let go of it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/engine/objects.hpp"

namespace fanout::dp {

enum class CmdType : uint8_t {
  kAttachTransport,
  kDetachTransport,
  kSetSrtp,  // swaps `session` into the transport's inbound or outbound slot
  kAttachProducer,
  kDetachProducer,
  kSetProducerPaused,
  kAddRemoteWorker,     // producer's owner: a consumer of it now lives on `worker`
  kRemoveRemoteWorker,  // producer's owner: the last consumer on `worker` left
  kAttachConsumer,
  kDetachConsumer,
  kSetConsumerPaused,
  kSyncConsumer,  // the consumer's input jumps (producer resumed): continue seq/ts without a gap
  kSetIce,        // ICE restart: swaps ice_ufrag/ice_pwd/ice_key into the transport (old ones out)
  kSetPlainRemote,  // plain transport: `tuple` is the remote (unset family: none), flag = comedia
};

struct Command {
  CmdType type;
  bool flag = false;    // paused / inbound
  uint16_t worker = 0;  // kAdd/RemoveRemoteWorker
  uint32_t slot = kInvalidSlot;
  Transport* transport = nullptr;
  Producer* producer = nullptr;
  Consumer* consumer = nullptr;
  std::unique_ptr<srtp::SrtpSession> session;  // kSetSrtp: new in, old out
  // kSetIce: new in, old out (swapped, so the worker neither allocates nor frees).
  std::string ice_ufrag;
  std::string ice_pwd;
  HmacSha1Key ice_key;
  net::Tuple tuple{};  // kSetPlainRemote
  // Objects the main lcore deletes when the command comes back (detach commands).
  std::unique_ptr<Transport> retire_transport;
  std::unique_ptr<Producer> retire_producer;
  std::unique_ptr<Consumer> retire_consumer;
};

}  // namespace fanout::dp

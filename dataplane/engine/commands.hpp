// Commands from the main lcore to a worker (one SPSC ring per worker). The worker applies them
// between bursts and returns each one on its completion ring, so that the main lcore frees what a
// command retired (a detached object, a replaced SRTP session) only after the worker let go of it.
#pragma once

#include <cstdint>
#include <memory>

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
  // Objects the main lcore deletes when the command comes back (detach commands).
  std::unique_ptr<Transport> retire_transport;
  std::unique_ptr<Producer> retire_producer;
  std::unique_ptr<Consumer> retire_consumer;
};

}  // namespace fanout::dp

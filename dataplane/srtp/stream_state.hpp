// Per-SSRC SRTP/SRTCP state. The session holds only keys; the engine keeps one of these per stream
// in its tables and passes it to each call, so that state lives next to the rest of the stream.
// Plain, trivially copyable, zero-initialised means "nothing sent/received yet".
#pragma once

#include <cstdint>
#include <type_traits>

#include "dataplane/srtp/replay_window.hpp"

namespace fanout::dp::srtp {

struct SrtpSendState {
  uint32_t roc;       // rollover counter of the highest index sent (RFC 3711 §3.3.1)
  uint16_t last_seq;  // highest sequence number sent
  bool started;
};

struct SrtpRecvState {
  ReplayWindow window;
  uint32_t
      roc;  // ROC of the highest authenticated index; preset it before the first packet if known
  uint16_t s_l;  // highest authenticated sequence number (RFC 3711 Appendix A)
  bool started;
};

struct SrtcpSendState {
  // Index the next packet carries. RFC 3711 §3.4: starts at zero. (libsrtp starts at 1.)
  uint32_t next_index;
};

struct SrtcpRecvState {
  ReplayWindow window;
  uint32_t highest;  // highest authenticated 31-bit SRTCP index
  bool started;
};

static_assert(std::is_trivially_copyable_v<SrtpSendState>);
static_assert(std::is_trivially_copyable_v<SrtpRecvState>);
static_assert(std::is_trivially_copyable_v<SrtcpSendState>);
static_assert(std::is_trivially_copyable_v<SrtcpRecvState>);
static_assert(sizeof(SrtpRecvState) <= 24);

}  // namespace fanout::dp::srtp

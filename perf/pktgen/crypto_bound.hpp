// The crypto bound of this machine, measured in the same run as the load: SRTP protect of packets
// of one size in a tight loop on one core, one packet per call, keys set once (perf/srtp's
// BM_CryptoBound method): raw OpenSSL EVP (AES-128-CTR + HMAC-SHA1-80, or AES-128-GCM), libsrtp2
// srtp_protect, and ours (dataplane/srtp SrtpSession::protect_rtp).
#pragma once

#include <cstddef>

#include "perf/pktgen/scenario.hpp"

namespace fanout::dp::pktgen {

struct CryptoBound {
  double evp_pps = 0;
  double libsrtp_pps = 0;
  double ours_pps = 0;
  double evp_cycles = 0;  // TSC cycles per packet
};

// Runs each loop for about `seconds`. Profile kNone returns zeros.
CryptoBound measure_crypto_bound(SrtpProfile profile, size_t rtp_size, double seconds);

}  // namespace fanout::dp::pktgen

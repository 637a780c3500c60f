// Packets as browsers send them, for tests: Ethernet/IP/UDP frames, ICE checks, RTP.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/net/address.hpp"

namespace fanout::dp::test {

inline constexpr uint8_t kPeerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};

// A UDP frame from `remote` to `local`, as a browser would send it.
std::vector<uint8_t> udp_frame(const net::Tuple& t /* local = data plane */,
                               const std::vector<uint8_t>& payload, const uint8_t* dst_mac);

// An ICE connectivity check (RFC 8445 §7.2.2): USERNAME "local:remote", PRIORITY,
// ICE-CONTROLLING, optional USE-CANDIDATE, MESSAGE-INTEGRITY with `pwd`, FINGERPRINT.
std::vector<uint8_t> stun_request(const std::string& username, const std::string& pwd,
                                  bool use_candidate, uint8_t txid_seed = 1);

// An RTP packet (version 2, no CSRC or extension) with a payload derived from `seq`.
std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t pt,
                                size_t payload);

}  // namespace fanout::dp::test

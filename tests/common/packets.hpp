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

// RTCP as a browser sends it, written here byte by byte (not with the engine's writers) so that
// the tests check the engine against the RFCs. SR (RFC 3550 §6.4.1) with no report blocks,
// followed by an SDES CNAME chunk when `cname` is not empty (a compound, as browsers send).
std::vector<uint8_t> rtcp_sr(uint32_t ssrc, uint32_t ntp_sec, uint32_t ntp_frac, uint32_t rtp_ts,
                             uint32_t packets, uint32_t octets, const std::string& cname = "");
// PLI (RFC 4585 §6.3.1) and FIR (RFC 5104 §4.3.1: media SSRC 0, the target in the FCI).
std::vector<uint8_t> rtcp_pli(uint32_t sender_ssrc, uint32_t media_ssrc);
std::vector<uint8_t> rtcp_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr);
// RR (RFC 3550 §6.4.2) from `reporter` with one report block about `ssrc`.
std::vector<uint8_t> rtcp_rr(uint32_t reporter, uint32_t ssrc, uint8_t fraction_lost,
                             int32_t cumulative_lost, uint32_t jitter);

inline uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace fanout::dp::test

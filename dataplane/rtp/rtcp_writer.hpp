// Writers for the RTCP packets the SFU originates, into a caller's buffer. Each returns the bytes
// written, or 0 when `cap` is too small (nothing is written then). No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace fanout::dp::rtp {

inline constexpr size_t kPliSize = 12;
inline constexpr size_t kFirSize = 20;
inline constexpr size_t kSrSize = 28;
inline constexpr size_t kEmptyRrSize = 8;

struct SenderInfo {
  uint32_t ssrc = 0;
  uint32_t ntp_sec = 0;
  uint32_t ntp_frac = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
};

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;
};

// PLI (RFC 4585 §6.3.1): PSFB FMT 1, no FCI.
size_t write_pli(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
// FIR (RFC 5104 §4.3.1): the header's media SSRC is 0 ("not used"), the target is in the FCI.
size_t write_fir(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                 uint8_t seq_nr);
// SR (RFC 3550 §6.4.1) with no report blocks.
size_t write_sr(uint8_t* out, size_t cap, const SenderInfo& info);
// RR with no report blocks: the report that RFC 3550 §6.1 puts first in a compound when the
// sender has nothing else to report.
size_t write_empty_rr(uint8_t* out, size_t cap, uint32_t sender_ssrc);
// Generic NACK (RFC 4585 §6.2.1). 0 if `items` is empty or the packet would not fit.
size_t write_nack(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                  std::span<const NackItem> items);

}  // namespace fanout::dp::rtp

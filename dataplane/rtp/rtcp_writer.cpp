#include "dataplane/rtp/rtcp_writer.hpp"

#include "dataplane/rtp/byte_order.hpp"
#include "dataplane/rtp/rtcp.hpp"

namespace fanout::dp::rtp {

namespace {

void write_header(uint8_t* out, uint8_t count, RtcpType type, size_t size) {
  out[0] = static_cast<uint8_t>(0x80 | (count & 0x1F));
  out[1] = static_cast<uint8_t>(type);
  store_be16(out + 2, static_cast<uint16_t>(size / 4 - 1));
}

}  // namespace

size_t write_pli(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc) {
  if (cap < kPliSize) return 0;
  write_header(out, kFmtPli, RtcpType::kPsfb, kPliSize);
  store_be32(out + 4, sender_ssrc);
  store_be32(out + 8, media_ssrc);
  return kPliSize;
}

size_t write_fir(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                 uint8_t seq_nr) {
  if (cap < kFirSize) return 0;
  write_header(out, kFmtFir, RtcpType::kPsfb, kFirSize);
  store_be32(out + 4, sender_ssrc);
  store_be32(out + 8, 0);
  store_be32(out + 12, media_ssrc);
  store_be32(out + 16, static_cast<uint32_t>(seq_nr) << 24);
  return kFirSize;
}

size_t write_sr(uint8_t* out, size_t cap, const SenderInfo& info) {
  if (cap < kSrSize) return 0;
  write_header(out, 0, RtcpType::kSr, kSrSize);
  store_be32(out + 4, info.ssrc);
  store_be32(out + 8, info.ntp_sec);
  store_be32(out + 12, info.ntp_frac);
  store_be32(out + 16, info.rtp_timestamp);
  store_be32(out + 20, info.packet_count);
  store_be32(out + 24, info.octet_count);
  return kSrSize;
}

size_t write_empty_rr(uint8_t* out, size_t cap, uint32_t sender_ssrc) {
  if (cap < kEmptyRrSize) return 0;
  write_header(out, 0, RtcpType::kRr, kEmptyRrSize);
  store_be32(out + 4, sender_ssrc);
  return kEmptyRrSize;
}

size_t write_nack(uint8_t* out, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                  std::span<const NackItem> items) {
  // The 16-bit length field bounds a packet to 65536 words.
  if (items.empty() || items.size() > 65535 - 2) return 0;
  size_t size = 12 + 4 * items.size();
  if (cap < size) return 0;
  write_header(out, kFmtNack, RtcpType::kRtpfb, size);
  store_be32(out + 4, sender_ssrc);
  store_be32(out + 8, media_ssrc);
  for (size_t i = 0; i < items.size(); ++i) {
    store_be16(out + 12 + 4 * i, items[i].pid);
    store_be16(out + 14 + 4 * i, items[i].blp);
  }
  return size;
}

}  // namespace fanout::dp::rtp

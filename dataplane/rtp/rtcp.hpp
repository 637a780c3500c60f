// RTCP compound parsing (RFC 3550 §6.1, RFC 4585 §6, RFC 5104 §4.3) as views over the caller's
// buffer. Every packet and every count is checked against the bytes present before a field is
// read; views allow in-place rewriting of the fields an SFU changes when it forwards RTCP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dataplane/rtp/byte_order.hpp"

namespace fanout::dp::rtp {

enum class RtcpStatus : uint8_t {
  kOk,
  kTooShort,        // fewer than 4 bytes left, or a body too small for its type
  kBadVersion,      // version is not 2
  kLengthOverrun,   // length field runs past the end of the buffer
  kPaddingNotLast,  // P bit on a packet that is not the last of the compound (RFC 3550 §6.4.1)
  kBadPadding,      // padding count of 0 or larger than the body
  kCountOverrun,    // RC/SC/item count does not fit in the packet
  kBadSdes,         // SDES chunk or item malformed
  kBadFeedback,     // FCI of the wrong size for its FMT
  kWrongType,       // typed view asked to parse a packet of another type
};

enum class RtcpType : uint8_t {
  kSr = 200,
  kRr = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kRtpfb = 205,
  kPsfb = 206,
  kXr = 207,
};

// FMT values (RFC 4585 §6.2, §6.3; RFC 5104 §4.3.1; draft-holmer-rmcat-transport-wide-cc-01).
inline constexpr uint8_t kFmtNack = 1;
inline constexpr uint8_t kFmtTransportCc = 15;
inline constexpr uint8_t kFmtPli = 1;
inline constexpr uint8_t kFmtFir = 4;
inline constexpr uint8_t kFmtAfb = 15;

inline constexpr size_t kRtcpHeaderSize = 4;
inline constexpr size_t kReportBlockSize = 24;
inline constexpr size_t kSenderInfoSize = 20;

// One packet of a compound: header, body and padding. `size` is a multiple of 4.
struct RtcpPacket {
  uint8_t* data = nullptr;
  size_t size = 0;
  size_t padding = 0;

  uint8_t count() const { return data[0] & 0x1F; }  // RC, SC, subtype or FMT
  uint8_t fmt() const { return count(); }
  uint8_t packet_type() const { return data[1]; }
  bool is(RtcpType t) const { return data[1] == static_cast<uint8_t>(t); }
  uint8_t* body() const { return data + kRtcpHeaderSize; }
  size_t body_size() const { return size - kRtcpHeaderSize - padding; }
};

// Walks a compound packet. Each step checks the common header (version, length, padding) and the
// type-specific layout (check_packet), so a packet returned by next() is safe for its typed view.
class RtcpIterator {
 public:
  RtcpIterator(uint8_t* data, size_t len) : p_(data), len_(len) {
    if (len == 0) status_ = RtcpStatus::kTooShort;
  }
  // False at the end of the compound (status() == kOk) or at the first malformed packet.
  bool next(RtcpPacket& out);
  RtcpStatus status() const { return status_; }
  size_t offset() const { return pos_; }

 private:
  uint8_t* p_;
  size_t len_;
  size_t pos_ = 0;
  RtcpStatus status_ = RtcpStatus::kOk;
};

// Type-specific layout check of one packet (unknown types pass).
RtcpStatus check_packet(const RtcpPacket& pkt);
// Walks the whole compound: kOk when every packet is well formed.
RtcpStatus validate_compound(uint8_t* data, size_t len);
// RFC 3550 §6.1: a compound starts with SR or RR (RFC 5506 reduced-size RTCP need not).
bool starts_with_report(const uint8_t* data, size_t len);

// A 24-byte reception report block (RFC 3550 §6.4.1).
class ReportBlockView {
 public:
  explicit ReportBlockView(uint8_t* p) : p_(p) {}
  uint32_t ssrc() const { return load_be32(p_); }
  uint8_t fraction_lost() const { return p_[4]; }
  int32_t cumulative_lost() const {  // signed 24 bits
    uint32_t v = load_be24(p_ + 5);
    return static_cast<int32_t>(v << 8) >> 8;
  }
  uint32_t highest_seq() const { return load_be32(p_ + 8); }
  uint32_t jitter() const { return load_be32(p_ + 12); }
  uint32_t lsr() const { return load_be32(p_ + 16); }
  uint32_t dlsr() const { return load_be32(p_ + 20); }
  void set_ssrc(uint32_t v) { store_be32(p_, v); }

 private:
  uint8_t* p_;
};

// SR (PT 200): sender info then RC report blocks; profile extensions may follow (ignored).
class SrView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint32_t sender_ssrc() const { return load_be32(b_); }
  uint32_t ntp_sec() const { return load_be32(b_ + 4); }
  uint32_t ntp_frac() const { return load_be32(b_ + 8); }
  uint32_t rtp_timestamp() const { return load_be32(b_ + 12); }
  uint32_t packet_count() const { return load_be32(b_ + 16); }
  uint32_t octet_count() const { return load_be32(b_ + 20); }
  uint8_t report_count() const { return pkt_.count(); }
  ReportBlockView report(size_t i) const { return ReportBlockView(b_ + 24 + kReportBlockSize * i); }

  void set_sender_ssrc(uint32_t v) { store_be32(b_, v); }
  void set_rtp_timestamp(uint32_t v) { store_be32(b_ + 12, v); }
  void set_packet_count(uint32_t v) { store_be32(b_ + 16, v); }
  void set_octet_count(uint32_t v) { store_be32(b_ + 20, v); }
  // Producer SR → consumer: the consumer's SSRC and the RTP timestamp on the consumer's timeline.
  void rewrite_for_consumer(uint32_t consumer_ssrc, uint32_t ts_offset) {
    set_sender_ssrc(consumer_ssrc);
    set_rtp_timestamp(rtp_timestamp() + ts_offset);
  }
  // Drops the report blocks and any profile extension (they describe the producer's receive side,
  // meaningless to a consumer): the packet becomes a 28-byte SR without padding. Returns 28.
  size_t strip_report_blocks();

 private:
  RtcpPacket pkt_;
  uint8_t* b_ = nullptr;
};

// RR (PT 201): reporter SSRC then RC report blocks.
class RrView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint32_t sender_ssrc() const { return load_be32(b_); }
  uint8_t report_count() const { return pkt_.count(); }
  ReportBlockView report(size_t i) const { return ReportBlockView(b_ + 4 + kReportBlockSize * i); }
  void set_sender_ssrc(uint32_t v) { store_be32(b_, v); }

 private:
  RtcpPacket pkt_;
  uint8_t* b_ = nullptr;
};

// SDES items (RFC 3550 §6.5).
enum class SdesItemType : uint8_t {
  kEnd = 0,
  kCname = 1,
  kName = 2,
  kEmail = 3,
  kPhone = 4,
  kLoc = 5,
  kTool = 6,
  kNote = 7,
  kPriv = 8,
};

struct SdesItem {
  uint8_t type = 0;
  std::span<const uint8_t> value;
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::span<const uint8_t> items;  // the item list, without the terminating null octets
};

class SdesItemIterator {
 public:
  explicit SdesItemIterator(std::span<const uint8_t> items) : items_(items) {}
  bool next(SdesItem& out);

 private:
  std::span<const uint8_t> items_;
  size_t pos_ = 0;
};

// SDES (PT 202): SC chunks, each an SSRC, items, a null octet and padding to 32 bits.
class SdesView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint8_t chunk_count() const { return pkt_.count(); }
  // Walks the chunks: parse() has checked that all SC chunks fit.
  class ChunkIterator {
   public:
    explicit ChunkIterator(const SdesView& v)
        : b_(v.pkt_.body()), len_(v.pkt_.body_size()), left_(v.pkt_.count()) {}
    bool next(SdesChunk& out);

   private:
    const uint8_t* b_;
    size_t len_;
    size_t left_;
    size_t pos_ = 0;
  };
  ChunkIterator chunks() const { return ChunkIterator(*this); }

 private:
  RtcpPacket pkt_;
};

// BYE (PT 203): SC SSRCs then an optional length-prefixed reason.
class ByeView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint8_t ssrc_count() const { return pkt_.count(); }
  uint32_t ssrc(size_t i) const { return load_be32(pkt_.body() + 4 * i); }
  std::span<const uint8_t> reason() const { return reason_; }

 private:
  RtcpPacket pkt_;
  std::span<const uint8_t> reason_;
};

// APP (PT 204): SSRC, 4-character name, application data; subtype in the count field.
class AppView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint8_t subtype() const { return pkt_.count(); }
  uint32_t ssrc() const { return load_be32(pkt_.body()); }
  std::span<const uint8_t, 4> name() const {
    return std::span<const uint8_t, 4>(pkt_.body() + 4, 4);
  }
  std::span<const uint8_t> app_data() const { return {pkt_.body() + 8, pkt_.body_size() - 8}; }

 private:
  RtcpPacket pkt_;
};

// Common feedback layout (RFC 4585 §6.1), PT 205 (RTPFB) and 206 (PSFB).
class FeedbackView {
 public:
  RtcpStatus parse(const RtcpPacket& pkt);
  uint8_t fmt() const { return pkt_.fmt(); }
  bool is_transport() const { return pkt_.is(RtcpType::kRtpfb); }
  uint32_t sender_ssrc() const { return load_be32(pkt_.body()); }
  uint32_t media_ssrc() const { return load_be32(pkt_.body() + 4); }
  std::span<uint8_t> fci() const { return {pkt_.body() + 8, pkt_.body_size() - 8}; }
  void set_sender_ssrc(uint32_t v) { store_be32(pkt_.body(), v); }
  void set_media_ssrc(uint32_t v) { store_be32(pkt_.body() + 4, v); }
  const RtcpPacket& packet() const { return pkt_; }

 private:
  RtcpPacket pkt_;
};

// Generic NACK (RTPFB FMT 1, RFC 4585 §6.2.1): (PID, BLP) pairs.
class NackView {
 public:
  RtcpStatus parse(const FeedbackView& fb);
  size_t item_count() const { return fci_.size() / 4; }
  uint16_t pid(size_t i) const { return load_be16(fci_.data() + 4 * i); }
  uint16_t blp(size_t i) const { return load_be16(fci_.data() + 4 * i + 2); }
  // Calls f(seq) for every sequence number item i reports lost, PID first.
  template <typename F>
  void for_each_lost(size_t i, F&& f) const {
    uint16_t p = pid(i);
    uint16_t b = blp(i);
    f(p);
    for (int bit = 0; bit < 16; ++bit)
      if (b & (1u << bit)) f(static_cast<uint16_t>(p + bit + 1));
  }

 private:
  std::span<uint8_t> fci_;
};

// Transport-wide CC feedback (RTPFB FMT 15): the fixed part only; the chunks are the
// controller's business (congestion control runs on the slow path).
class TransportCcView {
 public:
  RtcpStatus parse(const FeedbackView& fb);
  uint16_t base_seq() const { return load_be16(fci_.data()); }
  uint16_t status_count() const { return load_be16(fci_.data() + 2); }
  int32_t reference_time() const {  // signed 24 bits, multiples of 64 ms
    return static_cast<int32_t>(load_be24(fci_.data() + 4) << 8) >> 8;
  }
  uint8_t feedback_count() const { return fci_[7]; }
  std::span<const uint8_t> chunks_and_deltas() const { return fci_.subspan(8); }

 private:
  std::span<uint8_t> fci_;
};

// FIR (PSFB FMT 4, RFC 5104 §4.3.1): entries of (SSRC, seq nr, 3 reserved octets).
class FirView {
 public:
  RtcpStatus parse(const FeedbackView& fb);
  size_t entry_count() const { return fci_.size() / 8; }
  uint32_t entry_ssrc(size_t i) const { return load_be32(fci_.data() + 8 * i); }
  uint8_t entry_seq(size_t i) const { return fci_[8 * i + 4]; }
  void set_entry_ssrc(size_t i, uint32_t v) { store_be32(fci_.data() + 8 * i, v); }
  // Rewrites the entries that name `from`; returns how many.
  size_t rewrite_entries(uint32_t from, uint32_t to);

 private:
  std::span<uint8_t> fci_;
};

// REMB (PSFB FMT 15 with "REMB", draft-alvestrand-rmcat-remb-03 §2.2).
class RembView {
 public:
  RtcpStatus parse(const FeedbackView& fb);
  // Saturates at UINT64_MAX for exponents that would overflow.
  uint64_t bitrate() const;
  uint8_t ssrc_count() const { return fci_[4]; }
  uint32_t ssrc(size_t i) const { return load_be32(fci_.data() + 8 + 4 * i); }

 private:
  std::span<uint8_t> fci_;
};

// Consumer PLI/FIR → producer: sender SSRC becomes ours, the consumer SSRC the producer's, in the
// header's media SSRC (PLI) and in FIR entries. Returns false if nothing named the consumer.
bool rewrite_keyframe_request(FeedbackView& fb, uint32_t sender_ssrc, uint32_t consumer_ssrc,
                              uint32_t producer_ssrc);

}  // namespace fanout::dp::rtp

#include "dataplane/rtp/rtp_packet.hpp"

#include <cstring>

namespace fanout::dp::rtp {

RtpStatus RtpView::parse(uint8_t* data, size_t len) {
  data_ = data;
  len_ = len;
  if (len < kRtpFixedHeaderSize) return RtpStatus::kTooShort;
  if ((data[0] >> 6) != 2) return RtpStatus::kBadVersion;

  size_t off = kRtpFixedHeaderSize + 4 * static_cast<size_t>(data[0] & 0x0F);
  if (off > len) return RtpStatus::kCsrcOverrun;

  ext_profile_offset_ = 0;
  ext_size_ = 0;
  if (data[0] & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in 32-bit words excluding this word.
    if (off + 4 > len) return RtpStatus::kExtensionOverrun;
    size_t ext_size = 4 * static_cast<size_t>(load_be16(data + off + 2));
    if (off + 4 + ext_size > len) return RtpStatus::kExtensionOverrun;
    ext_profile_offset_ = off;
    ext_size_ = ext_size;
    off += 4 + ext_size;
  }
  header_size_ = off;

  padding_size_ = 0;
  if (data[0] & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    size_t pad = data[len - 1];
    if (len == off || pad == 0 || pad > len - off) return RtpStatus::kBadPadding;
    padding_size_ = pad;
  }
  return RtpStatus::kOk;
}

ExtensionForm RtpView::extension_form() const {
  if (ext_profile_offset_ == 0) return ExtensionForm::kNone;
  uint16_t profile = extension_profile();
  if (profile == kOneByteProfile) return ExtensionForm::kOneByte;
  if ((profile & kTwoByteProfileMask) == kTwoByteProfile) return ExtensionForm::kTwoByte;
  return ExtensionForm::kOther;
}

RtpExtensionIterator::RtpExtensionIterator(const RtpView& view) {
  form_ = view.extension_form();
  if (form_ == ExtensionForm::kOneByte || form_ == ExtensionForm::kTwoByte) {
    auto d = view.extension_data();
    p_ = d.data();
    len_ = d.size();
  }
}

bool RtpExtensionIterator::next(RtpExtension& out) {
  while (pos_ < len_) {
    uint8_t b = p_[pos_];
    if (b == 0) {  // padding byte in both forms
      ++pos_;
      continue;
    }
    size_t start = pos_;
    uint8_t id;
    size_t vlen;
    size_t hdr;
    if (form_ == ExtensionForm::kOneByte) {
      id = b >> 4;
      if (id == 15) break;  // RFC 8285 §4.2: stop processing the extension
      vlen = static_cast<size_t>(b & 0x0F) + 1;
      hdr = 1;
    } else {
      if (pos_ + 2 > len_) break;
      id = b;
      vlen = p_[pos_ + 1];
      hdr = 2;
    }
    if (start + hdr + vlen > len_) break;
    pos_ = start + hdr + vlen;
    elem_offset_ = start;
    out.id = id;
    out.value = {p_ + start + hdr, vlen};
    return true;
  }
  pos_ = len_;
  return false;
}

bool RtpView::find_extension(uint8_t id, RtpExtension& out) const {
  if (id == 0) return false;
  RtpExtensionIterator it(*this);
  RtpExtension e;
  while (it.next(e)) {
    if (e.id == id) {
      out = e;
      return true;
    }
  }
  return false;
}

bool RtpView::set_extension(uint8_t id, const uint8_t* value, size_t len) {
  RtpExtension e;
  if (!find_extension(id, e) || e.value.size() != len) return false;
  if (len != 0) std::memmove(e.value.data(), value, len);
  return true;
}

bool RtpView::neutralise_extension(uint8_t id) {
  if (id == 0) return false;
  RtpExtensionIterator it(*this);
  RtpExtension e;
  bool found = false;
  while (it.next(e)) {
    if (e.id != id) continue;
    uint8_t* start = e.value.data() - it.element_header_size();
    std::memset(start, 0, it.element_header_size() + e.value.size());
    found = true;  // keep going: a sender could repeat an id
  }
  return found;
}

size_t RtpView::remap_extensions(std::span<const uint8_t, 256> map) {
  RtpExtensionIterator it(*this);
  bool one_byte = extension_form() == ExtensionForm::kOneByte;
  size_t neutralised = 0;
  RtpExtension e;
  while (it.next(e)) {
    uint8_t* hdr = e.value.data() - it.element_header_size();
    uint8_t to = map[e.id];
    if (to == 0 || (one_byte && to > 14)) {
      std::memset(hdr, 0, it.element_header_size() + e.value.size());
      ++neutralised;
    } else if (one_byte) {
      hdr[0] = static_cast<uint8_t>((to << 4) | (hdr[0] & 0x0F));
    } else {
      hdr[0] = to;
    }
  }
  return neutralised;
}

}  // namespace fanout::dp::rtp

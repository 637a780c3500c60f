#include "dataplane/ice/stun_response.hpp"

#include <cstring>

#include "dataplane/ice/crc32.hpp"
#include "dataplane/ice/stun.hpp"
#include "dataplane/net/bytes.hpp"

namespace fanout::dp::ice {
namespace {

using net::store_be16;
using net::store_be32;

inline constexpr size_t kMaxSoftwareLen = 763;
inline constexpr size_t kTrailerLen = 4 + kMessageIntegrityLen + 4 + 4;  // MI + FINGERPRINT

// Appends attributes after a header, then seals the message with MI and FINGERPRINT. Every append
// is checked against the capacity once, up front, by the callers' size computation.
class Writer {
 public:
  Writer(uint8_t* out, uint16_t type, const uint8_t* txid, uint8_t padding)
      : out_(out), pos_(kStunHeaderLen), padding_(padding) {
    store_be16(out, type);
    store_be32(out + 4, kMagicCookie);
    std::memcpy(out + 8, txid, kTransactionIdLen);
  }

  // Writes the attribute header and returns a pointer to its value; padding is filled in.
  uint8_t* attr(uint16_t type, size_t len) {
    store_be16(out_ + pos_, type);
    store_be16(out_ + pos_ + 2, static_cast<uint16_t>(len));
    uint8_t* v = out_ + pos_ + 4;
    const size_t padded = (len + 3) & ~size_t{3};
    std::memset(v + len, padding_, padded - len);
    pos_ += 4 + padded;
    return v;
  }

  size_t seal(const HmacSha1Key& key) {
    // §15.4: the HMAC covers the header with a length that ends at MESSAGE-INTEGRITY.
    const size_t mi = pos_;
    store_be16(out_ + 2, static_cast<uint16_t>(mi + 4 + kMessageIntegrityLen - kStunHeaderLen));
    uint8_t* mac = attr(kAttrMessageIntegrity, kMessageIntegrityLen);
    key.mac(out_, mi, mac);
    // §15.5: the CRC covers the header with the final length, which includes FINGERPRINT.
    store_be16(out_ + 2, static_cast<uint16_t>(pos_ + 8 - kStunHeaderLen));
    const size_t fp = pos_;
    uint8_t* crc = attr(kAttrFingerprint, 4);
    store_be32(crc, crc32(0, out_, fp) ^ kFingerprintXor);
    return pos_;
  }

 private:
  uint8_t* out_;
  size_t pos_;
  uint8_t padding_;
};

size_t software_size(const StunResponseOptions& opt) {
  return opt.software.empty() ? 0 : 4 + ((opt.software.size() + 3) & ~size_t{3});
}

void write_software(Writer& w, const StunResponseOptions& opt) {
  if (opt.software.empty()) return;
  std::memcpy(w.attr(kAttrSoftware, opt.software.size()), opt.software.data(), opt.software.size());
}

}  // namespace

size_t build_binding_success(uint8_t* out, size_t cap, const uint8_t transaction_id[12],
                             const net::IpAddr& mapped, uint16_t port, const HmacSha1Key& key,
                             const StunResponseOptions& opt) {
  if (opt.software.size() > kMaxSoftwareLen) return 0;
  const bool v6 = mapped.family == net::kFamilyV6;
  if (!v6 && mapped.family != net::kFamilyV4) return 0;
  const size_t addr_len = v6 ? 16 : 4;
  const size_t total = kStunHeaderLen + software_size(opt) + 4 + 4 + addr_len + kTrailerLen;
  if (cap < total) return 0;

  Writer w(out, kBindingSuccess, transaction_id, opt.padding);
  write_software(w, opt);
  uint8_t* v = w.attr(kAttrXorMappedAddress, 4 + addr_len);
  v[0] = 0;
  v[1] = v6 ? 0x02 : 0x01;
  store_be16(v + 2, static_cast<uint16_t>(port ^ (kMagicCookie >> 16)));
  // §15.2: XOR with the magic cookie, then (IPv6) the transaction id; out+4 holds both in order.
  for (size_t i = 0; i < addr_len; ++i) v[4 + i] = mapped.bytes[i] ^ out[4 + i];
  return w.seal(key);
}

size_t build_role_conflict(uint8_t* out, size_t cap, const uint8_t transaction_id[12],
                           const HmacSha1Key& key, const StunResponseOptions& opt) {
  static constexpr std::string_view kReason = "Role Conflict";
  if (opt.software.size() > kMaxSoftwareLen) return 0;
  const size_t err_len = 4 + kReason.size();
  const size_t total =
      kStunHeaderLen + software_size(opt) + 4 + ((err_len + 3) & ~size_t{3}) + kTrailerLen;
  if (cap < total) return 0;

  Writer w(out, kBindingError, transaction_id, opt.padding);
  write_software(w, opt);
  uint8_t* v = w.attr(kAttrErrorCode, err_len);
  // §15.6: 21 reserved bits, class 4, number 87.
  v[0] = v[1] = 0;
  v[2] = 4;
  v[3] = 87;
  std::memcpy(v + 4, kReason.data(), kReason.size());
  return w.seal(key);
}

}  // namespace fanout::dp::ice

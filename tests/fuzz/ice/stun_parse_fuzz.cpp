// STUN parse + verify with a fixed password + build both responses on arbitrary bytes. A response
// we build must parse and verify with the same key.
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "dataplane/ice/stun.hpp"
#include "dataplane/ice/stun_response.hpp"

using namespace fanout::dp;
using namespace fanout::dp::ice;

namespace {

const HmacSha1Key& key() {
  static constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";
  static const HmacSha1Key k(reinterpret_cast<const uint8_t*>(kPassword.data()), kPassword.size());
  return k;
}

void check_response(const uint8_t* out, size_t n, uint16_t type) {
  StunMessage m;
  if (n == 0 || parse_stun(out, n, m) != StunStatus::kOk || m.type != type ||
      !verify_message_integrity(m, key()) || !verify_fingerprint(m)) {
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> msg(data, data + size);
  StunMessage m;
  if (parse_stun(msg.data(), msg.size(), m) != StunStatus::kOk) return 0;
  const bool mi_ok = verify_message_integrity(m, key());
  const bool fp_ok = verify_fingerprint(m);
  (void)mi_ok;
  (void)fp_ok;
  (void)local_ufrag(m.username());
  net::IpAddr mapped;
  uint16_t port = 0;
  if (!xor_mapped_address(m, mapped, port)) {
    // Reflect a fixed address of the family the input's first byte picks.
    const uint8_t b[16] = {198, 18, 0, 1};
    mapped = (size & 1) ? net::IpAddr::v6(data + 4) : net::IpAddr::v4(b);
  }
  uint8_t out[kMaxStunResponseLen];
  const std::string_view software(reinterpret_cast<const char*>(msg.data()) + 20,
                                  std::min<size_t>(size - 20, 40));
  check_response(out,
                 build_binding_success(out, sizeof(out), m.transaction_id(), mapped, port, key(),
                                       {software, msg[0]}),
                 kBindingSuccess);
  check_response(out, build_role_conflict(out, sizeof(out), m.transaction_id(), key()),
                 kBindingError);
  net::IpAddr back;
  uint16_t back_port = 0;
  StunMessage r;
  const size_t n = build_binding_success(out, sizeof(out), m.transaction_id(), mapped, port, key());
  if (parse_stun(out, n, r) != StunStatus::kOk || !xor_mapped_address(r, back, back_port) ||
      back != mapped || back_port != port) {
    abort();
  }
  return 0;
}

// Feeds arbitrary bytes to unprotect_rtp and unprotect_rtcp of every profile (fixed keys), and
// checks that protect followed by unprotect gives the input back whenever protect accepts it.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "dataplane/srtp/srtp_session.hpp"

namespace {

using fanout::dp::srtp::kMaxSrtcpOverhead;
using fanout::dp::srtp::Profile;
using fanout::dp::srtp::SrtcpRecvState;
using fanout::dp::srtp::SrtcpSendState;
using fanout::dp::srtp::SrtpRecvState;
using fanout::dp::srtp::SrtpSendState;
using fanout::dp::srtp::SrtpSession;
using fanout::dp::srtp::Status;

constexpr Profile kProfiles[] = {Profile::kAesCm128HmacSha1_80, Profile::kAesCm128HmacSha1_32,
                                 Profile::kAeadAes128Gcm, Profile::kAeadAes256Gcm};

// Master key 00 01 02 ..., salt a0 a1 ... (the seed corpus was protected with these).
std::unique_ptr<SrtpSession> make_session(Profile p) {
  uint8_t key[32];
  uint8_t salt[14];
  for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 14; ++i) salt[i] = static_cast<uint8_t>(0xa0 + i);
  auto s = SrtpSession::create(p, {key, fanout::dp::srtp::master_key_length(p)},
                               {salt, fanout::dp::srtp::master_salt_length(p)}, nullptr);
  if (!s) std::abort();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<SrtpSession> sessions[4] = {
      make_session(kProfiles[0]), make_session(kProfiles[1]), make_session(kProfiles[2]),
      make_session(kProfiles[3])};
  if (size > 4096) return 0;
  std::vector<uint8_t> buf(size + kMaxSrtcpOverhead);
  for (auto& s : sessions) {
    size_t n = 0;
    std::memcpy(buf.data(), data, size);
    SrtpRecvState rx{};
    if (s->unprotect_rtp(buf.data(), size, &n, rx) == Status::kOk && (n >= size || !rx.started))
      std::abort();

    std::memcpy(buf.data(), data, size);
    SrtcpRecvState rcx{};
    if (s->unprotect_rtcp(buf.data(), size, &n, rcx) == Status::kOk && (n >= size || !rcx.started))
      std::abort();

    // Round trip: whatever protect accepts must come back unchanged.
    SrtpSendState tx{};
    if (s->protect_rtp(data, size, buf.data(), buf.size(), &n, tx) == Status::kOk) {
      SrtpRecvState rx2{};
      size_t m = 0;
      if (s->unprotect_rtp(buf.data(), n, &m, rx2) != Status::kOk) std::abort();
      if (m != size || std::memcmp(buf.data(), data, size) != 0) std::abort();
    }
    SrtcpSendState tcx{};
    if (s->protect_rtcp(data, size, buf.data(), buf.size(), &n, tcx) == Status::kOk) {
      SrtcpRecvState rcx2{};
      size_t m = 0;
      if (s->unprotect_rtcp(buf.data(), n, &m, rcx2) != Status::kOk) std::abort();
      if (m != size || std::memcmp(buf.data(), data, size) != 0) std::abort();
    }
  }
  return 0;
}

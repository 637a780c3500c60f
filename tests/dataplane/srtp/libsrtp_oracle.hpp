// libsrtp2 wrapped as the test oracle: same master key and salt, same packets, byte-for-byte.
#pragma once

#include <srtp2/srtp.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "dataplane/srtp/profile.hpp"

namespace fanout::dp::srtp::test {

inline void libsrtp_init_once() {
  static const bool done = [] {
    if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("srtp_init");
    return true;
  }();
  (void)done;
}

class LibSrtp {
 public:
  // rtcp_encrypt = false makes libsrtp send SRTCP with E = 0 (authenticated only).
  LibSrtp(Profile profile, const std::vector<uint8_t>& key, const std::vector<uint8_t>& salt,
          bool outbound, bool rtcp_encrypt = true) {
    libsrtp_init_once();
    std::vector<uint8_t> material = key;
    material.insert(material.end(), salt.begin(), salt.end());
    srtp_policy_t policy{};
    const auto p = static_cast<srtp_profile_t>(static_cast<uint16_t>(profile));
    if (srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, p) != srtp_err_status_ok ||
        srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, p) != srtp_err_status_ok) {
      throw std::runtime_error("libsrtp profile");
    }
    if (!rtcp_encrypt) policy.rtcp.sec_serv = sec_serv_auth;
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = material.data();
    policy.window_size = 128;
    policy.allow_repeat_tx = 1;
    if (srtp_create(&session_, &policy) != srtp_err_status_ok)
      throw std::runtime_error("srtp_create");
  }
  ~LibSrtp() { srtp_dealloc(session_); }
  LibSrtp(const LibSrtp&) = delete;
  LibSrtp& operator=(const LibSrtp&) = delete;

  srtp_err_status_t protect(std::vector<uint8_t>& pkt) {
    return run(pkt, srtp_protect, SRTP_MAX_TRAILER_LEN);
  }
  srtp_err_status_t unprotect(std::vector<uint8_t>& pkt) { return run(pkt, srtp_unprotect, 0); }
  srtp_err_status_t protect_rtcp(std::vector<uint8_t>& pkt) {
    return run(pkt, srtp_protect_rtcp, SRTP_MAX_TRAILER_LEN + 4);
  }
  srtp_err_status_t unprotect_rtcp(std::vector<uint8_t>& pkt) {
    return run(pkt, srtp_unprotect_rtcp, 0);
  }

 private:
  template <typename Fn>
  srtp_err_status_t run(std::vector<uint8_t>& pkt, Fn fn, size_t room) {
    int len = static_cast<int>(pkt.size());
    pkt.resize(pkt.size() + room);
    const srtp_err_status_t st = fn(session_, pkt.data(), &len);
    pkt.resize(st == srtp_err_status_ok ? static_cast<size_t>(len) : pkt.size() - room);
    return st;
  }

  srtp_t session_ = nullptr;
};

}  // namespace fanout::dp::srtp::test

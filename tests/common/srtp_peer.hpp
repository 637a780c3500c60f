// A browser's SRTP side for tests: libsrtp, the reference implementation.
#pragma once

#include <srtp2/srtp.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace fanout::dp::test {

class SrtpPeer {
 public:
  // srtp_init() must have run. `profile`: IANA id. key = 16/32 bytes, salt = 14/12 bytes,
  // concatenated as libsrtp wants.
  SrtpPeer(uint16_t profile, const std::vector<uint8_t>& key_salt, bool inbound) {
    srtp_policy_t policy{};
    switch (profile) {
      case 1:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case 2:  // RFC 5764: the 32-bit tag is for RTP only; SRTCP keeps 80 bits
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case 7:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case 8:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
      default:
        ADD_FAILURE() << "SrtpPeer: no libsrtp policy for profile " << profile;
    }
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = const_cast<uint8_t*>(key_salt.data());
    policy.window_size = 128;
    EXPECT_EQ(srtp_create(&session_, &policy), srtp_err_status_ok);
  }
  ~SrtpPeer() { srtp_dealloc(session_); }
  std::vector<uint8_t> protect(std::vector<uint8_t> rtp) {
    int len = static_cast<int>(rtp.size());
    rtp.resize(rtp.size() + SRTP_MAX_TRAILER_LEN);
    EXPECT_EQ(srtp_protect(session_, rtp.data(), &len), srtp_err_status_ok);
    rtp.resize(len);
    return rtp;
  }
  bool unprotect(std::vector<uint8_t>& srtp) {
    int len = static_cast<int>(srtp.size());
    if (srtp_unprotect(session_, srtp.data(), &len) != srtp_err_status_ok) return false;
    srtp.resize(len);
    return true;
  }
  std::vector<uint8_t> protect_rtcp(std::vector<uint8_t> rtcp) {
    int len = static_cast<int>(rtcp.size());
    rtcp.resize(rtcp.size() + SRTP_MAX_TRAILER_LEN + 4);
    EXPECT_EQ(srtp_protect_rtcp(session_, rtcp.data(), &len), srtp_err_status_ok);
    rtcp.resize(len);
    return rtcp;
  }
  bool unprotect_rtcp(std::vector<uint8_t>& srtcp) {
    int len = static_cast<int>(srtcp.size());
    if (srtp_unprotect_rtcp(session_, srtcp.data(), &len) != srtp_err_status_ok) return false;
    srtcp.resize(len);
    return true;
  }

 private:
  srtp_t session_ = nullptr;
};

}  // namespace fanout::dp::test

#include "perf/pktgen/crypto_bound.hpp"

#include <openssl/evp.h>
#include <rte_cycles.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <string>
#include <vector>

#include "dataplane/common/hmac_sha1.hpp"
#include "dataplane/srtp/srtp_session.hpp"

namespace fanout::dp::pktgen {

namespace {

// Calls `one()` in chunks of 256 until `seconds` of TSC have passed; returns calls per second.
template <typename F>
double run_for(double seconds, F&& one, double* cycles = nullptr) {
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t t0 = rte_rdtsc();
  const uint64_t end = t0 + static_cast<uint64_t>(seconds * static_cast<double>(hz));
  uint64_t n = 0, t = t0;
  while ((t = rte_rdtsc()) < end) {
    for (int i = 0; i < 256; ++i) one();
    n += 256;
  }
  const double ticks = static_cast<double>(t - t0);
  if (cycles) *cycles = ticks / static_cast<double>(n);
  return static_cast<double>(n) * static_cast<double>(hz) / ticks;
}

std::vector<uint8_t> rtp_packet(size_t size) {
  std::vector<uint8_t> p(size, 0x5a);
  p[0] = 0x80;
  p[1] = 96;
  p[8] = 0x12, p[9] = 0x34, p[10] = 0x56, p[11] = 0x78;
  return p;
}

}  // namespace

CryptoBound measure_crypto_bound(SrtpProfile profile, size_t size, double seconds) {
  CryptoBound b;
  if (profile == SrtpProfile::kNone) return b;
  const bool gcm = profile == SrtpProfile::kGcm128;
  std::vector<uint8_t> in = rtp_packet(size), out(size + 64);
  const std::vector<uint8_t> key(16, 0x11);
  const std::vector<uint8_t> salt(gcm ? 12 : 14, 0x22);

  // Raw EVP: IV set per packet, AAD = the 12-byte header for GCM; CTR + HMAC-SHA1 for CM.
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  uint8_t iv[16] = {};
  int n = 0;
  const int payload = static_cast<int>(size - 12);
  if (gcm) {
    EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nullptr);
    b.evp_pps = run_for(
        seconds,
        [&] {
          ++iv[11];
          EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
          EVP_EncryptUpdate(ctx, nullptr, &n, in.data(), 12);
          EVP_EncryptUpdate(ctx, out.data() + 12, &n, in.data() + 12, payload);
          EVP_EncryptFinal_ex(ctx, out.data() + size, &n);
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + size);
        },
        &b.evp_cycles);
  } else {
    EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key.data(), nullptr);
    const uint8_t auth_key[20] = {1};
    HmacSha1Key mac(auth_key, sizeof(auth_key));
    uint8_t tag[20];
    b.evp_pps = run_for(
        seconds,
        [&] {
          ++iv[13];
          EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
          EVP_EncryptUpdate(ctx, out.data() + 12, &n, in.data() + 12, payload);
          mac.mac(out.data(), size, tag);
          out[0] ^= tag[0];  // keeps the MAC observable
        },
        &b.evp_cycles);
  }
  EVP_CIPHER_CTX_free(ctx);

  // libsrtp: a fresh sequence number per call (it refuses to reuse an index on send).
  srtp_policy_t policy{};
  if (gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  std::vector<uint8_t> ks(key);
  ks.insert(ks.end(), salt.begin(), salt.end());
  policy.ssrc.type = ssrc_any_outbound;
  policy.key = ks.data();
  policy.window_size = 1024;
  srtp_t session = nullptr;
  if (srtp_create(&session, &policy) == srtp_err_status_ok) {
    uint16_t seq = 0;
    b.libsrtp_pps = run_for(seconds, [&] {
      std::memcpy(out.data(), in.data(), size);
      ++seq;
      out[2] = static_cast<uint8_t>(seq >> 8), out[3] = static_cast<uint8_t>(seq);
      int len = static_cast<int>(size);
      srtp_protect(session, out.data(), &len);
    });
    srtp_dealloc(session);
  }

  // Ours: out-of-place protect (copy and encrypt in one pass), as the engine's fan-out does.
  std::string error;
  auto ours = srtp::SrtpSession::create(static_cast<srtp::Profile>(profile), key, salt, &error);
  if (ours) {
    srtp::SrtpSendState state{};
    uint16_t seq = 0;
    b.ours_pps = run_for(seconds, [&] {
      ++seq;
      in[2] = static_cast<uint8_t>(seq >> 8), in[3] = static_cast<uint8_t>(seq);
      size_t len = 0;
      ours->protect_rtp(in.data(), size, out.data(), out.size(), &len, state);
    });
  }
  return b;
}

}  // namespace fanout::dp::pktgen

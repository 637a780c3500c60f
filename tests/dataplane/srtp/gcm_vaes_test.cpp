// AesGcm and AesCtr against OpenSSL EVP, byte for byte, on every path: VAES (dataplane/srtp/
// gcm_vaes: 512-bit on AVX-512 CPUs, else the 256-bit variant; the 256-bit one also forced through
// vaes::set_zmm_allowed) and EVP (forced through the set_vaes_allowed test hook).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

#include "dataplane/srtp/aes.hpp"
#include "dataplane/srtp/gcm_vaes.hpp"

namespace fanout::dp::srtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes random_bytes(std::mt19937& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// The reference: a fresh EVP context per call, AAD fed as its two parts.
void evp_gcm_seal(const Bytes& key, const uint8_t* iv, const Bytes& aad1, const Bytes& aad2,
                  const Bytes& in, Bytes* out, uint8_t tag[kGcmTagSize]) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_NE(ctx, nullptr);
  int n = 0;
  ASSERT_EQ(EVP_EncryptInit_ex(ctx, key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
                               nullptr, key.data(), iv),
            1);
  if (!aad1.empty()) {
    ASSERT_EQ(EVP_EncryptUpdate(ctx, nullptr, &n, aad1.data(), static_cast<int>(aad1.size())), 1);
  }
  if (!aad2.empty()) {
    ASSERT_EQ(EVP_EncryptUpdate(ctx, nullptr, &n, aad2.data(), static_cast<int>(aad2.size())), 1);
  }
  out->assign(in.size() + 16, 0);
  if (!in.empty()) {
    ASSERT_EQ(EVP_EncryptUpdate(ctx, out->data(), &n, in.data(), static_cast<int>(in.size())), 1);
  }
  ASSERT_EQ(EVP_EncryptFinal_ex(ctx, out->data() + in.size(), &n), 1);
  out->resize(in.size());
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kGcmTagSize, tag), 1);
  EVP_CIPHER_CTX_free(ctx);
}

Bytes evp_ctr(const Bytes& key, const uint8_t* iv, const Bytes& in) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(in.size() + 16);
  int n = 0;
  EVP_EncryptInit_ex(ctx, key.size() == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr(), nullptr,
                     key.data(), iv);
  if (!in.empty()) EVP_EncryptUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size()));
  EVP_CIPHER_CTX_free(ctx);
  out.resize(in.size());
  return out;
}

// Parameter: kVaes = the VAES path as dispatched (skipped on CPUs without VAES + VPCLMULQDQ),
// kVaes256 = its 256-bit variant forced (skipped without it), kEvp = EVP forced.
enum Path { kVaes, kVaes256, kEvp };

class AesPaths : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (GetParam() == kVaes && !vaes::cpu_supported()) GTEST_SKIP() << "no VAES on this CPU";
    if (GetParam() == kVaes256 && !vaes::ymm::cpu_supported()) {
      GTEST_SKIP() << "no VAES/VPCLMULQDQ/AVX2 on this CPU";
    }
    set_vaes_allowed(GetParam() != kEvp);
    vaes::set_zmm_allowed(GetParam() != kVaes256);
  }
  void TearDown() override {
    set_vaes_allowed(true);
    vaes::set_zmm_allowed(true);
  }
  bool fast() const { return GetParam() != kEvp; }

  // Seals with ours out of place and in place, checks both against EVP, then opens both ways.
  void check_gcm(const Bytes& key, const Bytes& aad1, const Bytes& aad2, const Bytes& pt,
                 std::mt19937& rng) {
    SCOPED_TRACE(::testing::Message() << "key " << key.size() << " aad " << aad1.size() << "+"
                                      << aad2.size() << " len " << pt.size());
    const Bytes iv = random_bytes(rng, kGcmIvSize);
    AesGcm seal;
    AesGcm open;
    ASSERT_TRUE(seal.set_key(key.data(), key.size(), true));
    ASSERT_TRUE(open.set_key(key.data(), key.size(), false));
    ASSERT_EQ(seal.uses_vaes(), fast());
    ASSERT_EQ(open.uses_vaes(), fast());
    Bytes want;
    uint8_t want_tag[kGcmTagSize];
    evp_gcm_seal(key, iv.data(), aad1, aad2, pt, &want, want_tag);

    // Out of place, with guard bytes after the output that must survive.
    Bytes out(pt.size() + 32, 0xee);
    uint8_t tag[kGcmTagSize];
    ASSERT_TRUE(seal.seal(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(), pt.data(),
                          out.data(), pt.size(), tag));
    EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<ptrdiff_t>(pt.size())), want);
    EXPECT_EQ(Bytes(out.begin() + static_cast<ptrdiff_t>(pt.size()), out.end()), Bytes(32, 0xee));
    EXPECT_EQ(0, std::memcmp(tag, want_tag, kGcmTagSize));

    // In place.
    Bytes buf = pt;
    uint8_t tag2[kGcmTagSize];
    ASSERT_TRUE(seal.seal(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(), buf.data(),
                          buf.data(), buf.size(), tag2));
    EXPECT_EQ(buf, want);
    EXPECT_EQ(0, std::memcmp(tag2, want_tag, kGcmTagSize));

    // Open out of place and in place.
    Bytes back(pt.size() + 32, 0xee);
    ASSERT_TRUE(open.open(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(),
                          want.data(), back.data(), want.size(), want_tag));
    EXPECT_EQ(Bytes(back.begin(), back.begin() + static_cast<ptrdiff_t>(pt.size())), pt);
    EXPECT_EQ(Bytes(back.begin() + static_cast<ptrdiff_t>(pt.size()), back.end()), Bytes(32, 0xee));
    ASSERT_TRUE(open.open(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(), buf.data(),
                          buf.data(), buf.size(), want_tag));
    EXPECT_EQ(buf, pt);
  }
};

TEST_P(AesPaths, GcmMatchesEvpEveryLengthTo600AndLarge) {
  std::mt19937 rng(7714);
  std::vector<size_t> lens;
  for (size_t len = 0; len <= 600; ++len) lens.push_back(len);
  for (size_t len : {1023, 1024, 1025, 1188, 1200, 1488, 1500, 4096, 8191, 9000}) {
    lens.push_back(len);
  }
  for (size_t key_len : {16, 32}) {
    for (size_t len : lens) {
      const Bytes key = random_bytes(rng, key_len);
      // AAD shapes vary with the length: an RTP header (12 + 4 * CSRC), SRTCP's 8 + 4, odd ones.
      const Bytes aad1 = random_bytes(rng, (len * 7) % 41);
      const Bytes aad2 = random_bytes(rng, len % 5 == 0 ? 0 : len % 9);
      check_gcm(key, aad1, aad2, random_bytes(rng, len), rng);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(AesPaths, GcmMatchesEvpForEveryAadSplitTo64) {
  std::mt19937 rng(8452);
  for (size_t key_len : {16, 32}) {
    const Bytes key = random_bytes(rng, key_len);
    for (size_t aad_len = 0; aad_len <= 64; ++aad_len) {
      for (size_t a1 = 0; a1 <= aad_len; ++a1) {
        const Bytes aad1 = random_bytes(rng, a1);
        const Bytes aad2 = random_bytes(rng, aad_len - a1);
        const size_t len = (aad_len * 37 + a1 * 11) % 300;  // 0..299, many tail shapes
        check_gcm(key, aad1, aad2, random_bytes(rng, len), rng);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Every single-bit change of ciphertext, tag, or either AAD part must fail open().
TEST_P(AesPaths, GcmEveryBitFlipFailsOpen) {
  std::mt19937 rng(3711);
  for (size_t key_len : {16, 32}) {
    for (size_t len : {0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 257, 300}) {
      const Bytes key = random_bytes(rng, key_len);
      const Bytes iv = random_bytes(rng, kGcmIvSize);
      Bytes aad1 = random_bytes(rng, 12 + len % 5);
      Bytes aad2 = random_bytes(rng, len % 3 == 0 ? 0 : 4);
      const Bytes pt = random_bytes(rng, len);
      AesGcm seal;
      AesGcm open;
      ASSERT_TRUE(seal.set_key(key.data(), key.size(), true));
      ASSERT_TRUE(open.set_key(key.data(), key.size(), false));
      Bytes ct(len);
      uint8_t tag[kGcmTagSize];
      ASSERT_TRUE(seal.seal(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(),
                            pt.data(), ct.data(), len, tag));
      Bytes back(len);
      auto opens = [&] {
        return open.open(iv.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(), ct.data(),
                         back.data(), len, tag);
      };
      ASSERT_TRUE(opens());
      auto flip_each = [&](uint8_t* p, size_t n, const char* what) {
        for (size_t bit = 0; bit < n * 8; ++bit) {
          p[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
          EXPECT_FALSE(opens()) << what << " bit " << bit << " len " << len;
          p[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        }
      };
      flip_each(ct.data(), ct.size(), "ciphertext");
      flip_each(tag, kGcmTagSize, "tag");
      flip_each(aad1.data(), aad1.size(), "aad1");
      flip_each(aad2.data(), aad2.size(), "aad2");
      // A wrong IV fails too, and the untouched packet still opens afterwards.
      Bytes iv2 = iv;
      iv2[11] ^= 1;
      EXPECT_FALSE(open.open(iv2.data(), aad1.data(), aad1.size(), aad2.data(), aad2.size(),
                             ct.data(), back.data(), len, tag));
      ASSERT_TRUE(opens());
      EXPECT_EQ(back, pt);
    }
  }
}

// Buffers that end (and start) exactly at an inaccessible page: a read or write outside
// [p, p + len) faults. The tail of an mbuf may be the end of mapped memory.
TEST_P(AesPaths, NeverTouchesBytesOutsideTheBuffers) {
  const long page = sysconf(_SC_PAGESIZE);
  ASSERT_GT(page, 0);
  const size_t psz = static_cast<size_t>(page);
  // Guard page, 3 data pages, guard page.
  uint8_t* base = static_cast<uint8_t*>(
      mmap(nullptr, 5 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(base, MAP_FAILED);
  ASSERT_EQ(mprotect(base, psz, PROT_NONE), 0);
  ASSERT_EQ(mprotect(base + 4 * psz, psz, PROT_NONE), 0);
  uint8_t* lo = base + psz;
  uint8_t* hi_end = base + 4 * psz;
  std::mt19937 rng(1);
  const Bytes key = random_bytes(rng, 16);
  const Bytes iv = random_bytes(rng, 16);
  AesGcm gcm;
  AesCtr ctr;
  ASSERT_TRUE(gcm.set_key(key.data(), key.size(), true));
  ASSERT_TRUE(ctr.set_key(key.data(), key.size()));
  for (size_t len : {1, 5, 16, 33, 100, 255, 257, 1188, 4000}) {
    for (size_t aad_len : {1, 12, 20}) {
      // Everything at the end of the mapping, then everything at its start.
      for (bool at_end : {true, false}) {
        uint8_t* aad = at_end ? hi_end - aad_len : lo;
        uint8_t* data = at_end ? hi_end - aad_len - len - kGcmTagSize : lo + aad_len;
        uint8_t* tag = at_end ? hi_end - aad_len - kGcmTagSize : lo + aad_len + len;
        std::memset(aad, 1, aad_len);
        std::memset(data, 2, len);
        ASSERT_TRUE(gcm.seal(iv.data(), aad, aad_len, nullptr, 0, data, data, len, tag));
        ASSERT_TRUE(ctr.crypt(iv.data(), data, data, len));
        uint8_t* tail = hi_end - len;  // CTR alone, ending at the guard page
        ASSERT_TRUE(ctr.crypt(iv.data(), tail, tail, len));
      }
    }
  }
  munmap(base, 5 * psz);
}

TEST_P(AesPaths, CtrMatchesEvp) {
  std::mt19937 rng(3686);
  // Counter blocks whose low 64 bits wrap inside the packet, or the whole 128 bits do.
  const std::vector<Bytes> edge_ivs = {
      Bytes{1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd},
      Bytes{1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
      Bytes{0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0},
      Bytes(16, 0xff),
  };
  std::vector<size_t> lens;
  for (size_t len = 0; len <= 600; ++len) lens.push_back(len);
  for (size_t len : {1024, 1188, 1500, 4099, 9000}) lens.push_back(len);
  for (size_t key_len : {16, 32}) {
    for (size_t len : lens) {
      const Bytes key = random_bytes(rng, key_len);
      AesCtr ctr;
      ASSERT_TRUE(ctr.set_key(key.data(), key.size()));
      ASSERT_EQ(ctr.uses_vaes(), fast());
      const Bytes pt = random_bytes(rng, len);
      Bytes iv = len % 4 == 0 ? edge_ivs[(len / 4) % edge_ivs.size()] : random_bytes(rng, 16);
      const Bytes want = evp_ctr(key, iv.data(), pt);
      Bytes out(len + 32, 0xee);
      ASSERT_TRUE(ctr.crypt(iv.data(), pt.data(), out.data(), len));
      EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<ptrdiff_t>(len)), want)
          << key_len << " " << len;
      EXPECT_EQ(Bytes(out.begin() + static_cast<ptrdiff_t>(len), out.end()), Bytes(32, 0xee));
      Bytes buf = pt;
      ASSERT_TRUE(ctr.crypt(iv.data(), buf.data(), buf.data(), len));
      EXPECT_EQ(buf, want) << key_len << " " << len << " in place";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, AesPaths, ::testing::Values(kVaes, kVaes256, kEvp),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == kVaes      ? "Vaes"
                                  : info.param == kVaes256 ? "Vaes256"
                                                           : "Evp";
                         });

// Without the hook, set_key takes the VAES path exactly when the CPU has it.
TEST(AesDispatch, DefaultFollowsTheCpu) {
  const uint8_t key[16] = {1};
  AesGcm gcm;
  AesCtr ctr;
  ASSERT_TRUE(gcm.set_key(key, sizeof(key), true));
  ASSERT_TRUE(ctr.set_key(key, sizeof(key)));
  EXPECT_EQ(gcm.uses_vaes(), vaes::cpu_supported());
  EXPECT_EQ(ctr.uses_vaes(), vaes::cpu_supported());
  EXPECT_EQ(vaes_active(), vaes::cpu_supported());
}

// Re-keying across the hook switches paths and both keep working.
TEST(AesDispatch, RekeyAcrossPaths) {
  if (!vaes::cpu_supported()) GTEST_SKIP() << "no VAES on this CPU";
  const uint8_t key[32] = {9};
  const uint8_t iv[kGcmIvSize] = {3};
  const uint8_t pt[40] = {7};
  uint8_t ct_fast[40];
  uint8_t ct_evp[40];
  uint8_t tag_fast[kGcmTagSize];
  uint8_t tag_evp[kGcmTagSize];
  AesGcm gcm;
  ASSERT_TRUE(gcm.set_key(key, sizeof(key), true));
  ASSERT_TRUE(gcm.uses_vaes());
  ASSERT_TRUE(gcm.seal(iv, pt, 5, nullptr, 0, pt, ct_fast, sizeof(pt), tag_fast));
  set_vaes_allowed(false);
  ASSERT_TRUE(gcm.set_key(key, sizeof(key), true));
  set_vaes_allowed(true);
  ASSERT_FALSE(gcm.uses_vaes());
  ASSERT_TRUE(gcm.seal(iv, pt, 5, nullptr, 0, pt, ct_evp, sizeof(pt), tag_evp));
  EXPECT_EQ(0, std::memcmp(ct_fast, ct_evp, sizeof(pt)));
  EXPECT_EQ(0, std::memcmp(tag_fast, tag_evp, kGcmTagSize));
}

}  // namespace
}  // namespace fanout::dp::srtp

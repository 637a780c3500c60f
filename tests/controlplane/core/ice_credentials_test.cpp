#include "controlplane/core/ice_credentials.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace fanout::cp {
namespace {

TEST(IceCredentials, HaveTheIssuedLengthsAndOnlyIceCharacters) {
  for (int i = 0; i < 100; ++i) {
    IceCredentials c = generate_ice_credentials();
    EXPECT_EQ(c.ufrag.size(), 16u);
    EXPECT_EQ(c.pwd.size(), 32u);
    for (char ch : c.ufrag + c.pwd) {
      EXPECT_NE(kIceAlphabet.find(ch), std::string_view::npos) << "'" << ch << "'";
    }
    EXPECT_EQ(c.ufrag.find(':'), std::string::npos);
  }
}

TEST(IceCredentials, AreFreshEachTime) {
  std::set<std::string> ufrags, pwds;
  for (int i = 0; i < 1000; ++i) {
    IceCredentials c = generate_ice_credentials();
    ufrags.insert(c.ufrag);
    pwds.insert(c.pwd);
    EXPECT_NE(c.ufrag, c.pwd.substr(0, 16));
  }
  EXPECT_EQ(ufrags.size(), 1000u);
  EXPECT_EQ(pwds.size(), 1000u);
}

TEST(IceCredentials, UseTheWholeAlphabetEvenly) {
  // 62,000 draws: each letter expects 1000; a modulo bias (bytes 248..255 folded onto the first
  // 8 letters) would put those near 1130. 5 sigma of a binomial(62000, 1/62) is ~157.
  std::map<char, int> counts;
  std::string s = random_ice_string(62000);
  ASSERT_EQ(s.size(), 62000u);
  for (char ch : s) ++counts[ch];
  EXPECT_EQ(counts.size(), kIceAlphabet.size());
  int first8 = 0;
  for (char ch : kIceAlphabet.substr(0, 8)) first8 += counts[ch];
  for (auto [ch, n] : counts) EXPECT_NEAR(n, 1000, 160) << ch;
  EXPECT_NEAR(first8 / 8.0, 1000.0, 60.0);
}

TEST(IceCredentials, ZeroLengthIsEmpty) {
  EXPECT_EQ(random_ice_string(0), "");
}

}  // namespace
}  // namespace fanout::cp

#include "signaling/auth/base64url.hpp"

#include <gtest/gtest.h>

namespace fanout::sig {
namespace {

// RFC 4648 §10 vectors, without padding.
TEST(Base64Url, Rfc4648Vectors) {
  EXPECT_EQ(base64url_encode(std::string_view("")), "");
  EXPECT_EQ(base64url_encode(std::string_view("f")), "Zg");
  EXPECT_EQ(base64url_encode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(base64url_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(base64url_encode(std::string_view("foob")), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string_view("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64url_encode(std::string_view("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64url_decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(Base64Url, UsesUrlAlphabet) {
  const std::string bytes = "\xfb\xff\xfe";
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_EQ(base64url_decode("-__-"), bytes);
}

TEST(Base64Url, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(base64url_decode(base64url_encode(data)), data) << i;
    data.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64Url, RejectsPaddingForeignCharactersAndBadLengths) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm9v+g"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v/g"));
  EXPECT_FALSE(base64url_decode("Zm 9v"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // 5 chars: a lone 6-bit group
  EXPECT_FALSE(base64url_decode(std::string_view("Zm\0v", 4)));
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  // "Zg" is "f"; "Zh" decodes to the same byte with a non-zero leftover bit.
  EXPECT_FALSE(base64url_decode("Zh"));
  EXPECT_FALSE(base64url_decode("Zm9"));
  EXPECT_TRUE(base64url_decode("Zm8"));
}

}  // namespace
}  // namespace fanout::sig

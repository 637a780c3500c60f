#include "signaling/server/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace fanout::sig {
namespace {

namespace fs = std::filesystem;

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    top_ = fs::temp_directory_path() / ("fanout-sig-sf-" + std::to_string(getpid()));
    fs::remove_all(top_);
    fs::create_directories(top_ / "www" / "js");
    std::ofstream(top_ / "www" / "index.html") << "x";
    std::ofstream(top_ / "www" / "js" / "app.js") << "x";
    std::ofstream(top_ / "outside.txt") << "x";
    fs::create_symlink(top_ / "outside.txt", top_ / "www" / "out.txt");
    root_ = (top_ / "www").string();
  }
  void TearDown() override { fs::remove_all(top_); }
  StaticLookup lookup(std::string_view target) {
    fs::path p;
    return resolve_static_file(root_, target, p);
  }
  fs::path top_;
  std::string root_;
};

TEST_F(StaticFiles, FindsFilesAndIndex) {
  fs::path p;
  EXPECT_EQ(resolve_static_file(root_, "/js/app.js?x=1", p), StaticLookup::kFound);
  EXPECT_EQ(p.filename(), "app.js");
  EXPECT_EQ(resolve_static_file(root_, "/", p), StaticLookup::kFound);
  EXPECT_EQ(p.filename(), "index.html");
  EXPECT_EQ(lookup("/js"), StaticLookup::kNotFound);
  EXPECT_EQ(lookup("/nope.js"), StaticLookup::kNotFound);
  EXPECT_EQ(resolve_static_file("", "/index.html", p), StaticLookup::kNotFound);
}

TEST_F(StaticFiles, RefusesTraversal) {
  for (const char* t : {"/../outside.txt", "/js/../../outside.txt", "/%2E%2E/outside.txt", "/..",
                        "/out.txt", "/js\\..\\index.html", "/a%00b", "/%zz", "js/app.js"}) {
    EXPECT_EQ(lookup(t), StaticLookup::kForbidden) << t;
  }
}

TEST(MimeType, ByExtension) {
  EXPECT_EQ(mime_type("a/index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type("x.wasm"), "application/wasm");
  EXPECT_EQ(mime_type("README"), "application/octet-stream");
}

}  // namespace
}  // namespace fanout::sig

#include "signaling/server/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace fanout::sig {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

StaticLookup resolve_static_file(const std::string& root, std::string_view target,
                                 std::filesystem::path& out) {
  namespace fs = std::filesystem;
  if (root.empty()) return StaticLookup::kNotFound;
  target = target.substr(0, target.find_first_of("?#"));
  std::string path;
  if (!percent_decode(target, path) || path.empty() || path[0] != '/') {
    return StaticLookup::kForbidden;
  }
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
    return StaticLookup::kForbidden;
  }
  // Checked on the decoded path so that %2e%2e is caught too.
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.compare(start, end - start, "..") == 0) return StaticLookup::kForbidden;
    start = end + 1;
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return StaticLookup::kNotFound;
  fs::path candidate = base / fs::path(path).relative_path();
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  const fs::path real = fs::canonical(candidate, ec);
  if (ec) return StaticLookup::kNotFound;
  // A symlink inside the directory must not lead out of it.
  const auto rel = real.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return StaticLookup::kForbidden;
  if (!fs::is_regular_file(real, ec)) return StaticLookup::kNotFound;
  out = real;
  return StaticLookup::kFound;
}

std::string_view mime_type(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(path.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "ico") return "image/vnd.microsoft.icon";
  if (ext == "wasm") return "application/wasm";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

}  // namespace fanout::sig

#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace fanout::sig {

enum class StaticLookup { kFound, kNotFound, kForbidden };

// Maps a request target ("/app/main.js?v=1") to a regular file under `root`. Refuses (kForbidden)
// any '..' segment, backslash, NUL or bad percent-escape, and anything that resolves outside
// `root` through a symlink; "/" and directories map to their index.html.
StaticLookup resolve_static_file(const std::string& root, std::string_view target,
                                 std::filesystem::path& out);

// Content-Type from the file extension; application/octet-stream when unknown.
std::string_view mime_type(std::string_view path);

}  // namespace fanout::sig

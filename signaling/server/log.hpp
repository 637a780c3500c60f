#pragma once

#include <string_view>

namespace fanout::sig {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Lines go to stderr, one write per line so lines from several I/O threads do not interleave.
void log(LogLevel level, std::string_view message);
void set_log_level(LogLevel level);

inline void log_debug(std::string_view m) {
  log(LogLevel::kDebug, m);
}
inline void log_info(std::string_view m) {
  log(LogLevel::kInfo, m);
}
inline void log_warn(std::string_view m) {
  log(LogLevel::kWarn, m);
}
inline void log_error(std::string_view m) {
  log(LogLevel::kError, m);
}

}  // namespace fanout::sig

// fanoutctl's command line, parsed into the request it sends. Pure, so it is unit tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/dataplane_generated.h"

namespace fanout::dp::ctl {

inline constexpr const char* kDefaultSocket = "/run/fanout/dataplane.sock";
inline constexpr const char* kSocketEnv = "FANOUT_DP_SOCKET";

enum class Verb : uint8_t { kHelp, kHello, kRequest, kWatch };

struct CtlCommand {
  std::string socket = kDefaultSocket;
  bool json = false;
  int timeout_ms = 3000;
  Verb verb = Verb::kHelp;
  fanout::ipc::BodyUnion request;  // for Verb::kRequest
  uint64_t watch_count = 0;        // 0: unlimited
  double watch_seconds = 0;        // 0: unlimited
};

struct ParseResult {
  bool ok = false;
  std::string error;  // "fanoutctl: ..." when !ok
  CtlCommand command;
};

// `args` excludes argv[0]. `env_socket` is getenv(kSocketEnv) (may be null); --socket wins.
ParseResult parse_args(const std::vector<std::string>& args, const char* env_socket);

std::string usage();

// "0a1B..." -> bytes; false on odd length or a non-hex digit.
bool parse_hex(const std::string& text, std::vector<uint8_t>& out);

}  // namespace fanout::dp::ctl

// fanoutctl: the operator's view into fanout-dataplane over its IPC socket.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dataplane/ctl/args.hpp"
#include "dataplane/ctl/format.hpp"
#include "dataplane/ipc/client.hpp"

namespace {

namespace fi = fanout::ipc;
using fanout::dp::ctl::CtlCommand;
using fanout::dp::ctl::Verb;
using fanout::dp::ipc::ClientResult;
using fanout::dp::ipc::IpcClient;

constexpr const char* kClientName = "fanoutctl 0.1.0";

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int fail(const std::string& message) {
  std::fprintf(stderr, "fanoutctl: %s\n", message.c_str());
  return 1;
}

// 0 for a successful reply, 1 for an Error reply.
int print_reply(const ClientResult& result, bool json) {
  print(fanout::dp::ctl::format_envelope(*result.reply.get(), json));
  std::fflush(stdout);
  return result.reply.error() == nullptr ? 0 : 1;
}

int watch(IpcClient& client, const CtlCommand& cmd) {
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      cmd.watch_seconds > 0
          ? Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(cmd.watch_seconds * 1000))
          : Clock::time_point::max();
  uint64_t seen = 0;
  while (cmd.watch_count == 0 || seen < cmd.watch_count) {
    auto now = Clock::now();
    if (now >= deadline) break;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<Clock::duration>(deadline - now, std::chrono::seconds(1)));
    auto event = client.next_event(wait);
    if (event.status == fanout::dp::ipc::ClientStatus::kTimeout) continue;
    if (!event.ok()) return fail(event.detail);
    print(fanout::dp::ctl::format_envelope(*event.reply.get(), cmd.json));
    std::fflush(stdout);
    ++seen;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = fanout::dp::ctl::parse_args(args, std::getenv(fanout::dp::ctl::kSocketEnv));
  if (!parsed.ok) {
    std::fprintf(stderr, "%s\n", parsed.error.c_str());
    return 2;
  }
  const CtlCommand& cmd = parsed.command;
  if (cmd.verb == Verb::kHelp) {
    print(fanout::dp::ctl::usage());
    return 0;
  }
  const auto timeout = std::chrono::milliseconds(cmd.timeout_ms);
  IpcClient client;
  if (auto error = client.connect(cmd.socket, timeout); !error.empty()) {
    return fail(error + " \u2014 is fanout-dataplane running?");
  }
  // Epoch 0: an observer, so the data plane's epoch (the control plane's) stays as it is.
  auto hello = client.hello(kClientName, 0, timeout);
  if (!hello.ok()) return fail(hello.detail);
  if (hello.reply.error() != nullptr || cmd.verb == Verb::kHello) {
    return print_reply(hello, cmd.json);
  }
  if (cmd.verb == Verb::kWatch) return watch(client, cmd);

  auto& fbb = client.builder();
  fbb.Clear();
  auto body = cmd.request.Pack(fbb);
  auto result = client.request_body(cmd.request.type, body, timeout);
  if (!result.ok()) return fail(result.detail);
  return print_reply(result, cmd.json);
}

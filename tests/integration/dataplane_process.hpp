// The real fanout-dataplane binary for integration tests: started on a net_tap port inside the
// test's network namespace (run_in_netns.sh), the tap's kernel side given an address, stopped with
// SIGTERM. One per test binary.
#pragma once

#include <sys/types.h>

#include <string>

namespace fanout::test {

class DataplaneProcess {
 public:
  struct Options {
    std::string iface = "fo-it0";  // the tap interface DPDK creates
    std::string kernel_address = "198.18.0.1/24";
    std::string dataplane_address = "198.18.0.2";
    std::string file_prefix = "fanout-it";  // + the test's pid
  };

  // Returns "" or what went wrong (the log path is in the message).
  std::string start(const Options& options);
  // SIGTERM, then waits up to 10 s (SIGKILL after). Returns the exit status, -1 if killed.
  int stop();

  const std::string& socket_path() const { return socket_; }
  const std::string& dir() const { return dir_; }
  const Options& options() const { return options_; }
  pid_t pid() const { return pid_; }

 private:
  bool ready() const;

  Options options_;
  std::string dir_;
  std::string socket_;
  pid_t pid_ = 0;
};

}  // namespace fanout::test

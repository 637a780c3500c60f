// The real fanout-controlplane binary for integration tests ($FANOUT_CONTROLPLANE_BIN), started as
// a child with `--set` overrides and its stderr in a log file. Stopped with SIGTERM (stop) or, as
// a crash, SIGKILL (kill_hard).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fanout::test {

class ControlplaneProcess {
 public:
  ControlplaneProcess() = default;
  ControlplaneProcess(const ControlplaneProcess&) = delete;
  ControlplaneProcess& operator=(const ControlplaneProcess&) = delete;
  ~ControlplaneProcess();

  // Returns "" or what went wrong. `append`: a restarted process adds to the same log.
  std::string start(const std::string& log_path, const std::vector<std::string>& sets,
                    bool append = false);
  // Reaps the process if it has exited (its status is then what stop() returns).
  bool alive();
  // SIGTERM, up to 10 s, then SIGKILL. The exit status; -1 if killed or it died of a signal.
  int stop();
  // As a crash: no cleanup of any kind (sockets, journal, data plane objects).
  void kill_hard();
  std::string log() const;

 private:
  pid_t pid_ = 0;
  int exit_status_ = -1;
  std::string log_;
};

}  // namespace fanout::test

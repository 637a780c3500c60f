#include "tests/integration/controlplane_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace fanout::test {

ControlplaneProcess::~ControlplaneProcess() {
  if (pid_ > 0) stop();
}

std::string ControlplaneProcess::start(const std::string& log_path,
                                       const std::vector<std::string>& sets, bool append) {
  const char* bin = std::getenv("FANOUT_CONTROLPLANE_BIN");
  if (bin == nullptr) return "FANOUT_CONTROLPLANE_BIN is not set";
  log_ = log_path;
  std::vector<std::string> args = {bin};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  exit_status_ = -1;
  pid_ = fork();
  if (pid_ == 0) {
    FILE* f = std::freopen(log_.c_str(), append ? "a" : "w", stderr);
    (void)f;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin, argv.data());
    _exit(127);
  }
  return pid_ > 0 ? "" : "fork failed";
}

bool ControlplaneProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  pid_ = 0;
  return false;
}

int ControlplaneProcess::stop() {
  if (!alive()) return exit_status_;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200 && alive(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (pid_ > 0) kill_hard();
  return exit_status_;
}

void ControlplaneProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = 0;
  exit_status_ = -1;
}

std::string ControlplaneProcess::log() const {
  std::ifstream f(log_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace fanout::test

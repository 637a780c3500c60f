#include "tests/integration/dataplane_process.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace fanout::test {

std::string DataplaneProcess::start(const Options& options) {
  options_ = options;
  const char* bin = getenv("FANOUT_DATAPLANE_BIN");
  if (!bin) return "FANOUT_DATAPLANE_BIN is not set";
  if (!getenv("FANOUT_NETNS")) return "run this test through run_in_netns.sh";
  char tmpl[] = "/tmp/fanout-it-XXXXXX";
  if (!mkdtemp(tmpl)) return "mkdtemp failed";
  dir_ = tmpl;
  socket_ = dir_ + "/dataplane.sock";
  std::string conf = dir_ + "/dataplane.conf";
  std::ofstream(conf) << "[eal]\n"
                      << "args = --no-huge -m 512 --no-shconf --no-pci --lcores 0@0,1@1,2@1 "
                      << "--file-prefix " << options.file_prefix << "-" << getpid()
                      << " --log-level *:warning\n"
                      << "[dataplane]\nipc_socket = " << socket_ << "\nmbufs = 8191\n"
                      << "[port.0]\ndevice = net_tap0\ndevargs = iface=" << options.iface
                      << "\nipv4 = " << options.dataplane_address << "\n";
  std::string log = dir_ + "/dataplane.log";
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(bin, bin, "--", "--config", conf.c_str(), nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200 && !ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ready()) return "fanout-dataplane did not come up; log: " + log;
  std::string cmd = "ip addr add " + options.kernel_address + " dev " + options.iface +
                    " && ip link set " + options.iface + " up";
  if (system(cmd.c_str()) != 0) return "cannot configure " + options.iface;
  return "";
}

bool DataplaneProcess::ready() const {
  struct stat st;
  return stat(socket_.c_str(), &st) == 0 && if_nametoindex(options_.iface.c_str()) != 0;
}

int DataplaneProcess::stop() {
  const pid_t pid = pid_;
  if (pid <= 0) return -1;
  pid_ = 0;
  kill(pid, SIGTERM);
  int status = 0;
  pid_t r = 0;
  for (int i = 0; i < 100 && (r = waitpid(pid, &status, WNOHANG)) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (r == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace fanout::test

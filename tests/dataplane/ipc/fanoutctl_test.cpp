// Runs the fanoutctl binary (path in $FANOUTCTL) against an IpcServer with a scripted handler.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/dataplane/ipc/test_server.hpp"

namespace fanout::dp::ipc {
namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

Run fanoutctl(const std::string& args) {
  const char* exe = std::getenv("FANOUTCTL");
  EXPECT_NE(exe, nullptr) << "set FANOUTCTL to the fanoutctl binary";
  std::string command = std::string(exe ? exe : "fanoutctl") + " " + args + " 2>&1";
  Run run{-1, {}};
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(Fanoutctl, MissingSocketGivesAClearError) {
  auto run = fanoutctl("--socket /nonexistent/dp.sock transports");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output,
            "fanoutctl: cannot connect to /nonexistent/dp.sock: No such file or directory "
            "\u2014 is fanout-dataplane running?\n");
}

TEST(Fanoutctl, UsageErrorsExitWith2) {
  auto run = fanoutctl("delete router 1");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("delete takes transport, producer or consumer"), std::string::npos);
  run = fanoutctl("--help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("usage: fanoutctl"), std::string::npos);
}

TEST(Fanoutctl, CommandsAgainstAServer) {
  test::ServerThread st;
  ASSERT_EQ(st.listen_error(), "");
  const std::string sock = "--socket " + st.path() + " ";

  auto run = fanoutctl(sock + "hello");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("server  fanout-dataplane 0.1.0"), std::string::npos) << run.output;

  run = fanoutctl(sock + "transports");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("SELECTED TUPLE"), std::string::npos) << run.output;

  run = fanoutctl(sock + "create-transport --id 77 --ufrag u --pwd p");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "transport 77 on worker 1 at 192.0.2.1:40002\n");

  run = fanoutctl(sock + "delete transport 404");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output, "error: NotFound: no transport 404\n");

  run = fanoutctl(sock + "--json counters");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.output.find("\"body_type\": \"Counters\""), std::string::npos) << run.output;

  run = fanoutctl(sock + "pause producer 20");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.output, "ok\n");
}

TEST(Fanoutctl, EnvironmentSelectsTheSocket) {
  test::ServerThread st;
  ::setenv("FANOUT_DP_SOCKET", st.path().c_str(), 1);
  auto run = fanoutctl("flush 42");
  ::unsetenv("FANOUT_DP_SOCKET");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "ok\n");
}

TEST(Fanoutctl, WatchPrintsEvents) {
  test::ServerThread st;
  // A second fanoutctl triggers the handler's KeyFrameRequested broadcast while watch waits.
  std::string exe = std::getenv("FANOUTCTL") ? std::getenv("FANOUTCTL") : "fanoutctl";
  std::string both = "sh -c '" + exe + " --socket " + st.path() +
                     " watch --count 1 --seconds 5 & " + "sleep 0.3; " + exe + " --socket " +
                     st.path() + " keyframe 20 >/dev/null; wait'";
  FILE* pipe = ::popen((both + " 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[1024];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(output, "keyframe-requested producer=20 consumer=0\n");
}

}  // namespace
}  // namespace fanout::dp::ipc

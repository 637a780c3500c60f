#include "dataplane/ipc/channel.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace fanout::dp::ipc {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/fanout-ipc-chan-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

int connect_to(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(IpcListener, ReplacesStaleSocketFile) {
  TempDir dir;
  const auto path = dir.file("dp.sock");
  {
    // A socket file left behind by a crashed process: bound, never listened on, closed.
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  Listener listener;
  EXPECT_EQ(listener.open(path), "");
  int client = connect_to(path);
  EXPECT_GE(client, 0);
  int accepted = listener.accept();
  EXPECT_GE(accepted, 0);
  EXPECT_LT(listener.accept(), 0);  // none pending, non-blocking
  ::close(client);
  ::close(accepted);
}

TEST(IpcListener, RefusesALiveSocketAndANonSocket) {
  TempDir dir;
  Listener first;
  ASSERT_EQ(first.open(dir.file("dp.sock")), "");
  Listener second;
  EXPECT_NE(second.open(dir.file("dp.sock")).find("another process"), std::string::npos);
  std::ofstream(dir.file("plain")) << "x";
  EXPECT_NE(second.open(dir.file("plain")).find("not a socket"), std::string::npos);
  EXPECT_NE(second.open(std::string(200, 'a')).find("longer than"), std::string::npos);
}

TEST(IpcListener, CreatesParentDirectoryAndUnlinksOnClose) {
  TempDir dir;
  const auto path = dir.file("run") + "/dp.sock";
  Listener listener;
  ASSERT_EQ(listener.open(path, 0600), "");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  listener.close();
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST(IpcConnection, KeepsBoundariesAndQueuesWhenFull) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  int small = 4096;
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  Connection sender(fds[0], QueueLimits{.max_queued_frames = 4, .max_queued_bytes = 1 << 20});
  Connection receiver(fds[1]);
  std::vector<uint8_t> frame(1000, 0xAB);
  int sent = 0, queued = 0;
  Connection::SendStatus status;
  while ((status = sender.send(frame)) != Connection::SendStatus::kQueueFull) {
    ASSERT_NE(status, Connection::SendStatus::kClosed);
    if (status == Connection::SendStatus::kSent) ++sent;
    if (status == Connection::SendStatus::kQueued) ++queued;
    ASSERT_LT(sent, 10000);
  }
  EXPECT_EQ(queued, 4);
  EXPECT_TRUE(sender.has_pending());

  // Drain everything; the queued frames follow once the receiver makes room.
  std::vector<uint8_t> buffer(2000);
  int received = 0;
  for (int spins = 0; spins < 1000 && received < sent + queued; ++spins) {
    size_t length = 0;
    while (receiver.recv(buffer, length) == Connection::RecvStatus::kFrame) {
      EXPECT_EQ(length, 1000u);  // one datagram, one frame
      ++received;
    }
    ASSERT_TRUE(sender.flush());
  }
  EXPECT_EQ(received, sent + queued);
  EXPECT_FALSE(sender.has_pending());
}

TEST(IpcConnection, OversizedDatagramIsReportedWithItsLength) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  Connection a(fds[0]), b(fds[1]);
  std::vector<uint8_t> big(5000, 1);
  ASSERT_EQ(a.send(big), Connection::SendStatus::kSent);
  ASSERT_EQ(a.send(std::vector<uint8_t>(10, 2)), Connection::SendStatus::kSent);
  std::vector<uint8_t> buffer(1024);
  size_t length = 0;
  EXPECT_EQ(b.recv(buffer, length), Connection::RecvStatus::kTooLarge);
  EXPECT_EQ(length, 5000u);
  EXPECT_EQ(b.recv(buffer, length), Connection::RecvStatus::kFrame);  // next one intact
  EXPECT_EQ(length, 10u);
  EXPECT_EQ(buffer[0], 2);
  EXPECT_EQ(b.recv(buffer, length), Connection::RecvStatus::kWouldBlock);
  a.close();
  EXPECT_EQ(b.recv(buffer, length), Connection::RecvStatus::kClosed);
}

}  // namespace
}  // namespace fanout::dp::ipc

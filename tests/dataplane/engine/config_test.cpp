#include "dataplane/engine/config.hpp"

#include <gtest/gtest.h>

namespace fanout::dp {
namespace {

bool load(const std::string& text, DataplaneConfig* c, std::string* error) {
  IniFile ini;
  return parse_ini(text, "test.conf", &ini, error) && load_config(ini, c, error);
}

const char* kMinimal = "[port.0]\ndevice = net_tap0\nipv4 = 198.18.0.2\n";

TEST(Config, MinimalFileGetsDefaults) {
  DataplaneConfig c;
  std::string error;
  ASSERT_TRUE(load(kMinimal, &c, &error)) << error;
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].device, "net_tap0");
  EXPECT_EQ(c.ports[0].ice_port, 40000);
  EXPECT_EQ(c.ports[0].announced_ip, "198.18.0.2");
  EXPECT_EQ(c.ipc_socket, "/run/fanout/dataplane.sock");
  EXPECT_EQ(c.ice_consent_timeout_ms, 30000u);
}

TEST(Config, FullFileIsRead) {
  DataplaneConfig c;
  std::string error;
  ASSERT_TRUE(
      load("[eal]\nargs = -l 0-2 --in-memory\n"
           "[dataplane]\nmbufs = 4095\nring_size = 512\nlog_level = debug\n"
           "[port.0]\ndevice = net_memif0\ndevargs = role=server\n"
           "ipv4 = 198.18.0.2, 198.18.0.3\nipv6 = 2001:db8::2\nannounced_ip = 203.0.113.9\n"
           "ice_port = 3478\nudp_port_min = 50000\nudp_port_max = 50100\n"
           "[port.1]\ndevice = net_null0\nipv6 = ::1\n",
           &c, &error))
      << error;
  EXPECT_EQ(c.eal_args, (std::vector<std::string>{"-l", "0-2", "--in-memory"}));
  EXPECT_EQ(c.mbufs, 4095u);
  EXPECT_EQ(c.ports[0].ipv4.size(), 2u);
  EXPECT_EQ(c.ports[0].announced_ip, "203.0.113.9");
  EXPECT_EQ(c.ports[1].announced_ip, "::1");
}

struct BadCase {
  const char* text;
  const char* must_mention;
};

TEST(Config, ErrorsNameTheKeyAndLine) {
  const BadCase cases[] = {
      {"[port.0]\ndevice = x\nipv4 = 198.18.0.2\n[dataplane]\nmbufs = lots\n",
       "test.conf:5: dataplane.mbufs: 'lots' is not a number"},
      {"[dataplane]\nmbfus = 10\n[port.0]\ndevice=x\nipv4=1.2.3.4\n",
       "dataplane.mbfus: unknown key"},
      {"[port.0]\ndevice = x\nipv4 = 300.1.1.1\n", "port.0.ipv4: '300.1.1.1' is not an IPv4"},
      {"[port.0]\nipv4 = 198.18.0.2\n", "port.0.device: missing"},
      {"[port.0]\ndevice = x\n", "at least one ipv4 or ipv6"},
      {"[dataplane]\nring_size = 1000\n[port.0]\ndevice=x\nipv4=1.2.3.4\n", "not a power of two"},
      {"[port.0]\ndevice=x\nipv4=1.2.3.4\nice_port = 40005\n", "port.0.ice_port: inside"},
      {"[port.1]\ndevice=x\nipv4=1.2.3.4\n", "[port.0] missing"},
      {"[dataplane]\n", "no [port.N] section"},
      {"[ports]\n", "unknown section"},
      {"[port.0\n", "malformed section header"},
      {"[port.0]\ndevice\n", "expected 'key = value'"},
      {"[port.0]\ndevice = a\ndevice = b\n", "set twice"},
      {"[dataplane]\nlog_level = loud\n[port.0]\ndevice=x\nipv4=1.2.3.4\n", "log_level"},
  };
  for (const BadCase& b : cases) {
    DataplaneConfig c;
    std::string error;
    EXPECT_FALSE(load(b.text, &c, &error)) << b.text;
    EXPECT_NE(error.find(b.must_mention), std::string::npos)
        << "error '" << error << "' does not mention '" << b.must_mention << "'";
  }
}

TEST(Config, OverridesApplyOnTopOfTheFile) {
  IniFile ini;
  std::string error;
  ASSERT_TRUE(parse_ini(kMinimal, "test.conf", &ini, &error));
  ASSERT_TRUE(apply_override("port.0.ipv4=198.18.5.5", &ini, &error));
  ASSERT_TRUE(apply_override("dataplane.mbufs=2047", &ini, &error));
  EXPECT_FALSE(apply_override("nodot=1", &ini, &error));
  DataplaneConfig c;
  ASSERT_TRUE(load_config(ini, &c, &error)) << error;
  EXPECT_EQ(c.ports[0].ipv4[0], "198.18.5.5");
  EXPECT_EQ(c.mbufs, 2047u);
}

}  // namespace
}  // namespace fanout::dp

// The control plane's INI config: every key, defaults, --set overrides, and errors that name
// FILE:LINE: section.key.
#include "controlplane/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace fanout::cp {
namespace {

ControlplaneConfig load_ok(const std::string& text) {
  IniFile ini;
  std::string error;
  EXPECT_TRUE(parse_ini(text, "cp.conf", ini, error)) << error;
  ControlplaneConfig config;
  EXPECT_TRUE(load_config(ini, config, error)) << error;
  return config;
}

std::string load_error(const std::string& text, const std::vector<std::string>& sets = {}) {
  IniFile ini;
  std::string error;
  if (!parse_ini(text, "cp.conf", ini, error)) return error;
  for (const auto& s : sets) {
    if (!apply_override(s, ini, error)) return error;
  }
  ControlplaneConfig config;
  EXPECT_FALSE(load_config(ini, config, error));
  return error;
}

TEST(ControlplaneConfig, DefaultsMatchTheContract) {
  ControlplaneConfig c = load_ok("");
  EXPECT_EQ(c.dataplane_socket, "/run/fanout/dataplane.sock");
  EXPECT_EQ(c.api_socket, "/run/fanout/controlplane.sock");
  EXPECT_EQ(c.api_tcp, "");
  EXPECT_EQ(c.state_file, "/run/fanout/controlplane.state");
  EXPECT_EQ(c.certificate, "");
  EXPECT_EQ(c.private_key, "");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.own_port);
  EXPECT_EQ(c.announced_address, "");
}

TEST(ControlplaneConfig, EveryKey) {
  ControlplaneConfig c = load_ok(
      "# comment\n"
      "[controlplane]\n"
      "dataplane_socket = /tmp/dp.sock\n"
      "api_socket = /tmp/cp.sock\n"
      "api_tcp = 127.0.0.1:4100\n"
      "state_file = /var/lib/fanout/cp.state\n"
      "certificate = /etc/fanout/cert.pem\n"
      "private_key = /etc/fanout/key.pem\n"
      "log_level = debug\n"
      "; another comment\n"
      "[webrtc]\n"
      "own_port = true\n"
      "announced_address = 2001:db8::1\n");
  EXPECT_EQ(c.dataplane_socket, "/tmp/dp.sock");
  EXPECT_EQ(c.api_socket, "/tmp/cp.sock");
  EXPECT_EQ(c.api_tcp, "127.0.0.1:4100");
  EXPECT_EQ(c.state_file, "/var/lib/fanout/cp.state");
  EXPECT_EQ(c.certificate, "/etc/fanout/cert.pem");
  EXPECT_EQ(c.private_key, "/etc/fanout/key.pem");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_TRUE(c.own_port);
  EXPECT_EQ(c.announced_address, "2001:db8::1");
}

TEST(ControlplaneConfig, TheShippedFileIsValidAndHoldsTheDefaults) {
  IniFile ini;
  std::string error;
  ASSERT_TRUE(read_ini_file(FANOUT_SOURCE_ROOT "/deploy/controlplane.conf", ini, error)) << error;
  ControlplaneConfig c;
  ASSERT_TRUE(load_config(ini, c, error)) << error;
  ControlplaneConfig defaults;
  EXPECT_EQ(c.dataplane_socket, defaults.dataplane_socket);
  EXPECT_EQ(c.api_socket, defaults.api_socket);
  EXPECT_EQ(c.api_tcp, defaults.api_tcp);
  EXPECT_EQ(c.state_file, defaults.state_file);
  EXPECT_EQ(c.log_level, defaults.log_level);
  EXPECT_EQ(c.own_port, defaults.own_port);
  // Every key is written out (documented), so none is absent from the shipped file.
  for (const char* key : {"dataplane_socket", "api_socket", "api_tcp", "state_file", "certificate",
                          "private_key", "log_level"}) {
    EXPECT_EQ(ini.sections["controlplane"].count(key), 1u) << key;
  }
  for (const char* key : {"own_port", "announced_address"}) {
    EXPECT_EQ(ini.sections["webrtc"].count(key), 1u) << key;
  }
}

TEST(ControlplaneConfig, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(load_error("[controlplane]\n\napi_sockett = /x\n"),
            "cp.conf:3: controlplane.api_sockett: unknown key (see deploy/controlplane.conf for "
            "the keys)");
  EXPECT_EQ(load_error("[webrtc]\nown_port = maybe\n"),
            "cp.conf:2: webrtc.own_port: 'maybe' is not a boolean (true or false)");
  EXPECT_EQ(load_error("[controlplane]\nlog_level = loud\n"),
            "cp.conf:2: controlplane.log_level: 'loud' is not one of error, warn, info, debug");
  EXPECT_EQ(load_error("[controlplane]\napi_tcp = localhost\n"),
            "cp.conf:2: controlplane.api_tcp: 'localhost' is not host:port");
  EXPECT_NE(load_error("[controlplane]\napi_tcp = 127.0.0.1:70000\n")
                .find("cp.conf:2: controlplane.api_tcp: "),
            std::string::npos);
  EXPECT_EQ(load_error("[webrtc]\nannounced_address = 1.2.3\n"),
            "cp.conf:2: webrtc.announced_address: '1.2.3' is not an IPv4 or IPv6 address");
  EXPECT_EQ(load_error("[controlplane]\ndataplane_socket =\n"),
            "cp.conf:2: controlplane.dataplane_socket: must not be empty");
  EXPECT_NE(load_error("[controlplane]\napi_socket = /" + std::string(120, 'a') + "\n")
                .find("cp.conf:2: controlplane.api_socket: "),
            std::string::npos);
  EXPECT_EQ(load_error("[controlplane]\n\ncertificate = /c.pem\n"),
            "cp.conf:3: controlplane.certificate: set both certificate and private_key, or neither "
            "(a certificate is then generated at start)");
  EXPECT_EQ(load_error("[dataplane]\nmbufs = 1\n"),
            "cp.conf:2: [dataplane]: unknown section (expected [controlplane] or [webrtc]; see "
            "deploy/controlplane.conf)");
}

TEST(ControlplaneConfig, SyntaxErrorsNameTheLine) {
  IniFile ini;
  std::string error;
  EXPECT_FALSE(parse_ini("[controlplane\n", "f", ini, error));
  EXPECT_EQ(error, "f:1: malformed section header '[controlplane'");
  EXPECT_FALSE(parse_ini("[controlplane]\njust words\n", "f", ini, error));
  EXPECT_EQ(error, "f:2: expected 'key = value', got 'just words'");
  EXPECT_FALSE(parse_ini("log_level = info\n", "f", ini, error));
  EXPECT_EQ(error,
            "f:1: log_level: key outside a section (put it under [controlplane] or [webrtc])");
  IniFile twice;
  EXPECT_FALSE(
      parse_ini("[controlplane]\nlog_level = info\n\nlog_level = debug\n", "f", twice, error));
  EXPECT_EQ(error, "f:4: controlplane.log_level: set twice (first on line 2)");
  std::string missing;
  EXPECT_FALSE(read_ini_file("/nonexistent/cp.conf", ini, missing));
  EXPECT_NE(missing.find("cannot read config file /nonexistent/cp.conf"), std::string::npos);
}

TEST(ControlplaneConfig, OverridesWinAndAreNamedInErrors) {
  IniFile ini;
  std::string error;
  ASSERT_TRUE(parse_ini("[controlplane]\nlog_level = info\n", "cp.conf", ini, error));
  ASSERT_TRUE(apply_override("controlplane.log_level=debug", ini, error));
  ASSERT_TRUE(apply_override("webrtc.own_port = true", ini, error));
  ASSERT_TRUE(apply_override("controlplane.api_tcp=", ini, error));
  ControlplaneConfig c;
  ASSERT_TRUE(load_config(ini, c, error)) << error;
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_TRUE(c.own_port);
  EXPECT_EQ(c.api_tcp, "");

  EXPECT_EQ(load_error("", {"controlplane.nope=1"}),
            "--set: controlplane.nope: unknown key (see deploy/controlplane.conf for the keys)");
  EXPECT_EQ(load_error("", {"webrtc.own_port=2"}),
            "--set: webrtc.own_port: '2' is not a boolean (true or false)");
  EXPECT_EQ(load_error("", {"log_level"}),
            "--set log_level: expected section.key=value (e.g. "
            "controlplane.api_tcp=127.0.0.1:4100)");
  EXPECT_EQ(load_error("", {"log_level=debug"}),
            "--set log_level=debug: expected section.key=value (e.g. "
            "controlplane.api_tcp=127.0.0.1:4100)");
}

}  // namespace
}  // namespace fanout::cp

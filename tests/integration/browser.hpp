// A "browser" for integration tests of the control plane with the real data plane (net_tap in the
// test's network namespace, run_in_netns.sh): one kernel UDP socket on the tap's kernel side, its
// own DTLS identity (a fresh certificate) and an independent DtlsSession in the client role. It
// does ICE checks (USE-CANDIDATE) and the DTLS handshake through the data plane; the SRTP keys it
// exports are what tests protect and unprotect media with (tests/common/srtp_peer.hpp).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "controlplane/core/webrtc_transport.hpp"
#include "controlplane/dtls/dtls_session.hpp"
#include "dataplane/ice/stun.hpp"
#include "tests/common/packets.hpp"

namespace fanout::cp::test {

// The kernel side of the tap (DataplaneProcess::Options::kernel_address).
inline constexpr const char* kBrowserAddress = "198.18.0.1";

// A browser: one UDP socket in the namespace, its own DTLS identity and a DTLS client session.
class Browser {
 public:
  using Clock = std::chrono::steady_clock;
  using milliseconds = std::chrono::milliseconds;

  explicit Browser(const std::string& name, const std::string& address = kBrowserAddress)
      : name_(name), context_(std::make_shared<const DtlsContext>(Certificate::generate())) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0) << strerror(errno);
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Browser() { ::close(fd_); }

  Fingerprint fingerprint() const {
    return {HashAlgorithm::kSha256, context_->certificate().fingerprint()};
  }

  void target(const IceCandidate& candidate) {
    to_ = {};
    to_.sin_family = AF_INET;
    to_.sin_port = htons(candidate.port);
    inet_pton(AF_INET, candidate.address.c_str(), &to_.sin_addr);
  }

  void send(std::span<const uint8_t> data) {
    ASSERT_EQ(
        sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to_), sizeof(to_)),
        static_cast<ssize_t>(data.size()))
        << strerror(errno);
  }

  // One datagram, waiting up to `timeout`; empty after it.
  std::vector<uint8_t> recv(milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return {};
    std::vector<uint8_t> buf(2048);
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }

  // RFC 8445 §7.2.2 check with USE-CANDIDATE; true on a valid success response.
  bool ice_check(const IceParameters& ice) {
    send(dp::test::stun_request(ice.username_fragment + ":" + name_, ice.password, true,
                                static_cast<uint8_t>(port_)));
    auto r = recv(milliseconds(500));
    dp::ice::StunMessage msg;
    if (r.empty() || dp::ice::parse_stun(r.data(), r.size(), msg) != dp::ice::StunStatus::kOk) {
      return false;
    }
    dp::HmacSha1Key key(reinterpret_cast<const uint8_t*>(ice.password.data()), ice.password.size());
    return msg.type == dp::ice::kBindingSuccess && dp::ice::verify_message_integrity(msg, key);
  }

  // Client role, as a browser answering our "auto" with "client" would be.
  void start_dtls(const Fingerprint& remote) {
    DtlsSessionConfig config;
    config.role = DtlsRole::kClient;
    config.remote_fingerprint = remote;
    // The profiles tests/common/srtp_peer.hpp speaks; Chromium offers these among others.
    config.srtp_profiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";
    dtls_ = std::make_unique<DtlsSession>(context_, config);
    dtls_->set_send_callback([this](std::span<const uint8_t> d) { send(d); });
    dtls_->set_state_callback([this](DtlsState s) {
      states_.push_back(s);
      // Kept: a close_notify from the transport clears the session's copy.
      if (s == DtlsState::kConnected) keys_ = dtls_->srtp_keys();
    });
    started_ = Clock::now();
    dtls_->start(started_);
  }

  // Reads what arrived without blocking: DTLS to the session, the rest kept; fires timers.
  void poll_once() {
    for (;;) {
      auto d = recv(milliseconds(0));
      if (d.empty()) break;
      if (d[0] >= 20 && d[0] <= 63 && dtls_) {
        dtls_->feed(d);
      } else {
        other_.push_back(std::move(d));
      }
    }
    if (dtls_) {
      auto now = Clock::now();
      if (auto t = dtls_->next_timeout(now); t && *t <= now) dtls_->on_timer(now);
    }
  }

  DtlsSession* dtls() { return dtls_.get(); }
  const std::optional<SrtpKeyingMaterial>& keys() const { return keys_; }
  const std::vector<DtlsState>& states() const { return states_; }
  Clock::time_point started() const { return started_; }
  // What poll_once() read that was not DTLS (media, RTCP, STUN), oldest first; cleared.
  std::deque<std::vector<uint8_t>> take_other() { return std::exchange(other_, {}); }
  uint16_t port() const { return port_; }

 private:
  std::string name_;
  std::shared_ptr<const DtlsContext> context_;
  int fd_ = -1;
  uint16_t port_ = 0;
  sockaddr_in to_{};
  std::unique_ptr<DtlsSession> dtls_;
  std::optional<SrtpKeyingMaterial> keys_;
  std::vector<DtlsState> states_;
  std::deque<std::vector<uint8_t>> other_;
  Clock::time_point started_{};
};

}  // namespace fanout::cp::test

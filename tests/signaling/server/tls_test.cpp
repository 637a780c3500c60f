// TLS on the signaling port: the real server with a certificate made here (ECDSA P-256,
// self-signed), reached with Beast's OpenSSL streams. wss and https work and verify against that
// certificate; plain connections are refused unless tls.allow_plain is set.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "signaling/server/request_handler.hpp"
#include "signaling/server/server.hpp"
#include "tests/signaling/server/ws_client.hpp"

namespace fanout::sig {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Writes cert.pem and key.pem (self-signed, CN=127.0.0.1, valid for a day) into `dir`.
void make_certificate(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASSERT_NE(cert, nullptr);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen((dir / "cert.pem").c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen((dir / "key.pem").c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fanout-tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    make_certificate(dir_);
  }
  void TearDown() override {
    if (server_) server_->stop(500);
    std::filesystem::remove_all(dir_);
  }
  void start(bool allow_plain) {
    ServerConfig cfg;
    cfg.listen_port = 0;
    cfg.io_threads = 2;
    cfg.tls_certificate = (dir_ / "cert.pem").string();
    cfg.tls_private_key = (dir_ / "key.pem").string();
    cfg.tls_allow_plain = allow_plain;
    server_ = std::make_unique<Server>(std::move(cfg), std::make_shared<BuiltinHandler>());
    server_->start();
  }
  // A client context that trusts only the test's certificate.
  ssl::context client_context() const {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file((dir_ / "cert.pem").string());
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(TlsTest, WssEchoAndHttpsHealthzVerifyAgainstTheCertificate) {
  start(false);
  asio::io_context ioc;
  ssl::context ctx = client_context();

  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  ws.next_layer().handshake(ssl::stream_base::client);
  EXPECT_GE(SSL_version(ws.next_layer().native_handle()), TLS1_2_VERSION);
  ws.handshake("127.0.0.1", "/ws");
  ws.write(asio::buffer(std::string(R"({"id":1,"method":"echo","data":{"over":"tls"}})")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  const auto reply = boost::json::parse(beast::buffers_to_string(buffer.data()));
  EXPECT_EQ(reply, boost::json::parse(R"({"id":1,"ok":true,"data":{"over":"tls"}})"));
  ws.close(websocket::close_code::normal);

  beast::ssl_stream<beast::tcp_stream> https(ioc, ctx);
  beast::get_lowest_layer(https).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  https.handshake(ssl::stream_base::client);
  http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(https, req);
  http::response<http::string_body> res;
  beast::flat_buffer http_buffer;
  http::read(https, http_buffer, res);
  EXPECT_EQ(res.result(), http::status::ok);
}

TEST_F(TlsTest, AClientThatDoesNotTrustTheCertificateFailsTheHandshake) {
  start(false);
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths();  // the system's CAs: our self-signed certificate is not among
                                   // them
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
  beast::get_lowest_layer(s).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  beast::error_code ec;
  s.handshake(ssl::stream_base::client, ec);
  EXPECT_TRUE(ec) << "a handshake with an untrusted certificate succeeded";
}

TEST_F(TlsTest, PlainConnectionsAreRefusedUnlessAllowed) {
  start(false);
  {
    test::WsClient plain;
    // The WebSocket handshake over plain TCP must fail (the server expects a TLS ClientHello);
    // if it did not, no request may be answered.
    if (!plain.connect(server_->port())) {
      EXPECT_TRUE(plain.call(1, "ping").is_null()) << "a plain connection got an answer";
    }
  }
  server_->stop(500);
  server_.reset();
  start(true);
  test::WsClient plain;
  ASSERT_FALSE(plain.connect(server_->port()));
  const auto reply = plain.call(2, "ping");
  EXPECT_EQ(reply.at("data").at("pong"), true);
}

}  // namespace
}  // namespace fanout::sig

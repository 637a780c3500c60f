#include "signaling/server/fail.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <string>

#include "signaling/server/log.hpp"

namespace fanout::sig {

void fail(const boost::beast::error_code& ec, std::string_view what, std::string_view remote) {
  namespace net = boost::asio;
  const bool routine = ec == net::error::operation_aborted || ec == net::error::eof ||
                       ec == net::error::connection_reset || ec == net::error::broken_pipe ||
                       ec == boost::beast::websocket::error::closed ||
                       ec == boost::beast::http::error::end_of_stream ||
                       ec == net::ssl::error::stream_truncated;
  const std::string line = std::string(remote) + ": " + std::string(what) + ": " + ec.message();
  if (routine) {
    log_debug(line);
  } else {
    log_info(line);
  }
}

}  // namespace fanout::sig

#pragma once

#include <boost/beast/core/error.hpp>

#include <string_view>

namespace fanout::sig {

// The one place where a failed I/O operation is reported. Peers going away (EOF, reset, closed,
// aborted by our own shutdown) are routine and logged at debug level; the rest at info, with the
// session so the lines of one connection can be followed.
void fail(const boost::beast::error_code& ec, std::string_view what, std::string_view remote);

}  // namespace fanout::sig

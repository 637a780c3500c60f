// DTLS roles as mediasoup signals them in dtlsParameters.role ("auto", "client", "server").
#pragma once

#include <optional>
#include <string_view>

namespace fanout::cp {

enum class DtlsRole { kAuto, kClient, kServer };

std::string_view dtls_role_name(DtlsRole role);
std::optional<DtlsRole> parse_dtls_role(std::string_view name);

// Our concrete role (client or server) from our configured role and the one the remote signaled.
// As mediasoup's WebRtcTransport::connect: a remote "client" makes us server; a remote "server"
// or "auto" makes us client (we are ICE-lite, hence ICE-controlled, and RFC 5763 §5 lets the
// answerer pick; taking the client side starts the handshake without waiting for the browser).
// An explicit local role wins unless it equals the remote's explicit role: two clients or two
// servers never handshake, so that is nullopt (an error to signal back).
std::optional<DtlsRole> resolve_dtls_role(DtlsRole local, DtlsRole remote);

}  // namespace fanout::cp

// Object ids signaling chooses for the control plane: UUID v4 strings (RFC 9562 §5.4), as
// mediasoup-client expects for transports, producers and consumers.
#pragma once

#include <string>

namespace fanout::sig {

// 122 random bits from the OpenSSL CSPRNG, lower-case 8-4-4-4-12. Throws if the CSPRNG fails.
std::string uuid_v4();

}  // namespace fanout::sig

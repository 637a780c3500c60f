// CRC-32/ISO-HDLC (the zlib/Ethernet CRC, reflected polynomial 0xedb88320) for STUN FINGERPRINT.
// The SSE4.2 crc32 instruction computes CRC-32C, a different polynomial, so this is slicing-by-8.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fanout::dp::ice {

// crc32(0, data, len) equals zlib's crc32(0, data, len); pass the previous result to continue.
uint32_t crc32(uint32_t crc, const uint8_t* data, size_t len);

}  // namespace fanout::dp::ice

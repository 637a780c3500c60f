// RtpView on arbitrary bytes: parse, every accessor, extension walk, lookup, rewrite, neutralise.
// The input is copied into a buffer of exactly its size so ASan sees any read past the end.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/rtp/rtp_packet.hpp"
#include "dataplane/rtp/seq_manager.hpp"
#include "dataplane/rtp/ts_rewriter.hpp"

using namespace fanout::dp::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  RtpView v;
  if (v.parse(buf.data(), buf.size()) != RtpStatus::kOk) return 0;
  if (v.header_size() + v.payload_size() + v.padding_size() != size) __builtin_trap();

  volatile uint32_t sink = v.ssrc() ^ v.timestamp() ^ v.sequence() ^ v.payload_type();
  for (size_t i = 0; i < v.csrc_count(); ++i) sink = sink ^ v.csrc(i);
  auto payload = v.payload();
  if (!payload.empty()) sink = sink ^ payload.back();

  RtpExtensionIterator it(v);
  RtpExtension e;
  const uint8_t* end = buf.data() + buf.size();
  while (it.next(e)) {
    if (e.value.data() + e.value.size() > end) __builtin_trap();
    if (!e.value.empty()) sink = sink ^ e.value[0] ^ e.value.back();
  }
  uint8_t value[3] = {1, 2, 3};
  for (uint8_t id = 1; id < 16; ++id) {
    if (v.find_extension(id, e) && e.value.size() <= sizeof(value))
      v.set_extension(id, value, e.value.size());
  }
  v.neutralise_extension(size > 0 ? data[0] : 1);
  uint8_t map[256];
  for (size_t id = 0; id < 256; ++id) map[id] = static_cast<uint8_t>(id * 3 + (size & 7));
  v.remap_extensions(map);

  // Rewrite as the engine does per consumer.
  SeqManager seq(100);
  TsRewriter ts(7);
  uint16_t out;
  if (seq.input(v.sequence(), out)) v.set_sequence(out);
  v.set_timestamp(ts.rewrite(v.timestamp(), 1000, 90000));
  v.set_ssrc(0x12345678);
  v.set_payload_type(100);
  v.set_marker(!v.marker());
  RtpView again;
  if (again.parse(buf.data(), buf.size()) != RtpStatus::kOk) __builtin_trap();
  return 0;
}

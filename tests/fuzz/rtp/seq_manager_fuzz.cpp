// SeqManager and TsRewriter driven by arbitrary operations (3 bytes each: op, 16-bit value):
// checks the continuity contract after sync and that a repeated input maps the same way.
#include <cstddef>
#include <cstdint>

#include "dataplane/rtp/seq_manager.hpp"
#include "dataplane/rtp/ts_rewriter.hpp"

using namespace fanout::dp::rtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  SeqManager m(static_cast<uint16_t>(data[0] << 8 | data[1]));
  TsRewriter ts(data[0]);
  bool expect_continuation = false;
  uint16_t continuation = 0;
  uint64_t now = 0;
  for (size_t i = 2; i + 3 <= size; i += 3) {
    uint16_t v = static_cast<uint16_t>(data[i + 1] << 8 | data[i + 2]);
    switch (data[i] % 4) {
      case 0:
      case 1: {
        uint16_t out = 0;
        bool ok = m.input(v, out);
        if (expect_continuation) {
          if (!ok || out != continuation) __builtin_trap();
          expect_continuation = false;
        }
        uint16_t again = 0;
        if (m.input(v, again) != ok || (ok && again != out)) __builtin_trap();
        uint32_t t = ts.rewrite(static_cast<uint32_t>(v) * 960, now, 48000);
        if (ts.rewrite(static_cast<uint32_t>(v) * 960, now, 48000) != t) __builtin_trap();
        break;
      }
      case 2:
        m.drop(v);
        break;
      case 3:
        if (m.started()) {
          expect_continuation = true;
          continuation = static_cast<uint16_t>(m.max_output() + 1);
        }
        m.sync();
        ts.sync();
        break;
    }
    now += data[i];
  }
  return 0;
}

#!/usr/bin/env bash
# Proves the load generator works end to end (suite 'integration', run through
# tests/integration/run_in_netns.sh): the real fanout-dataplane with a net_memif server port,
# fanout-pktgen creating a 1->2 scenario over IPC and sending AES_CM_128_HMAC_SHA1_80 SRTP for 1 s
# at a low fixed rate; fails unless out == 2 * in and every sampled output authenticates and
# decrypts to the input. Needs FANOUT_DATAPLANE_BIN and FANOUT_PKTGEN_BIN.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/dataplane_memif.sh"
: "${FANOUT_DATAPLANE_BIN:?}" "${FANOUT_PKTGEN_BIN:?}"
dir="$(mktemp -d /tmp/fanout-pktgen-it-XXXXXX)"
trap 'dp_stop; rm -rf "$dir"' EXIT
dp_start "$FANOUT_DATAPLANE_BIN" "$dir" 1 || exit 1
"$FANOUT_PKTGEN_BIN" --no-huge -m 256 --no-shconf --no-pci --lcores 0@0 \
  --file-prefix "fanout-pktgen-it-$$" --log-level '*:warning' \
  --vdev "net_memif0,role=client,socket=$DP_MEMIF,socket-abstract=no" -- \
  --socket "$DP_SOCKET" --scenario 1x2:cm80:1200 --mode fixed --rate 2000 --duration 1 \
  --bound-seconds 0 --check --json "$dir/result.json"
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "fanout-pktgen exited $rc; data plane log:"
  cat "$dir/dataplane.log"
  exit 1
fi
# The JSON must say the same: one trial that passed with verified samples and no failure.
python3 - "$dir/result.json" <<'EOF' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))["scenarios"][0]["trials"][0]
assert r["pass"] and r["received"] == r["expected"] == 2 * r["sent"] > 0, r
assert r["verified"] > 0 and r["verify_failures"] == 0, r
print("integration_pktgen: in %d, out %d, verified %d" % (r["sent"], r["received"], r["verified"]))
EOF

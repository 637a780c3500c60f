#!/usr/bin/env bash
# run_fuzzer.sh BINARY SEED_DIR: fuzz for FANOUT_FUZZ_SECONDS on a scratch copy of the seeds.
set -euo pipefail
bin=$1; seeds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/ 2>/dev/null || true
exec "$bin" -max_total_time="${FANOUT_FUZZ_SECONDS:-10}" -rss_limit_mb=2048 -print_final_stats=1 "$work"

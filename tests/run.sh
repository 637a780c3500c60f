#!/usr/bin/env bash
# Fanout's test command (README.md): installs what is missing, builds, runs every suite, and ends
# with one line "N passed, N failed". Exit status is non-zero when anything failed.
#   FANOUT_BUILD=dir     build directory (default build)
#   FANOUT_FUZZ_SECONDS  seconds per fuzz target (default 10; 0 skips fuzzing)
set -uo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

build=${FANOUT_BUILD:-build}
fuzz_build=${build}-fuzz
fuzz_seconds=${FANOUT_FUZZ_SECONDS:-10}
jobs=$(nproc)

configure() {  # dir, extra meson args...
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then meson setup --reconfigure "$dir" "$@"; else meson setup "$dir" "$@"; fi
}

start=$(date +%s)
if ! configure "$build" -Ddemo=enabled >/dev/null || ! ninja -C "$build" -j "$jobs"; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
rm -rf "$build/test-results" && mkdir -p "$build/test-results"
meson test -C "$build" --no-rebuild --print-errorlogs --num-processes "$jobs" \
  --suite unit --suite eal --suite integration --suite e2e
echo "main suites took $(( $(date +%s) - start )) s"

dirs=("$build")
if [ "$fuzz_seconds" != 0 ]; then
  start=$(date +%s)
  if CC=clang-14 CXX=clang++-14 configure "$fuzz_build" -Dfuzzing=true -Db_lundef=false >/dev/null &&
     ninja -C "$fuzz_build" -j "$jobs"; then
    FANOUT_FUZZ_SECONDS=$fuzz_seconds meson test -C "$fuzz_build" --no-rebuild --print-errorlogs \
      --num-processes "$jobs" --suite fuzz
    dirs+=("$fuzz_build")
  else
    echo "fuzz build failed"; echo "0 passed, 1 failed"; exit 1
  fi
  echo "fuzz suite took $(( $(date +%s) - start )) s"
fi

exec python3 tests/summarize.py "${dirs[@]}"

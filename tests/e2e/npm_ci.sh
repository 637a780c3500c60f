#!/usr/bin/env bash
# npm_ci.sh SRC_DIR OUT_DIR STAMP: installs the e2e harness's npm packages (playwright-core) into
# OUT_DIR/node_modules, in the build tree for the reasons given in signaling/web/build.sh; runs
# 'npm ci' only when package-lock.json changed.
set -euo pipefail
src=$1
out=$2
stamp=$3
mkdir -p "$out"
if ! cmp -s "$src/package-lock.json" "$out/package-lock.json" || [ ! -d "$out/node_modules/playwright-core" ]; then
  cp "$src/package.json" "$src/package-lock.json" "$out/"
  if ! (cd "$out" && npm ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error); then
    rm -f "$out/package-lock.json"
    echo "tests/e2e: 'npm ci' failed (is the npm registry or a warm npm cache reachable?)" >&2
    exit 1
  fi
fi
touch "$stamp"

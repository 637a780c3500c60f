#!/usr/bin/env bash
# build.sh SRC_DIR OUT_DIR: the demo page's bundle, run by meson (signaling/web/meson.build).
# npm installs into OUT_DIR/npm (the build directory), not into the source tree: several build
# directories can be configured from one checkout at once without sharing (or racing on) one
# node_modules, the source stays clean, and removing the build directory removes everything. The
# install runs only when package-lock.json changed; --prefer-offline takes packages from npm's
# cache when they are there, so a rebuild needs no network. --ignore-scripts: no package runs code
# at install (esbuild finds its native binary in @esbuild/linux-x64 without its postinstall).
set -euo pipefail
src=$1
out=$2
npm_dir=$out/npm
mkdir -p "$npm_dir"
if ! cmp -s "$src/package-lock.json" "$npm_dir/package-lock.json" ||
   [ ! -x "$npm_dir/node_modules/.bin/esbuild" ]; then
  cp "$src/package.json" "$src/package-lock.json" "$npm_dir/"
  if ! (cd "$npm_dir" && npm ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error); then
    rm -f "$npm_dir/package-lock.json"
    echo "signaling/web: 'npm ci' failed (is the npm registry or a warm npm cache reachable?)." >&2
    echo "  Configure with -Ddemo=disabled to build without the demo page." >&2
    exit 1
  fi
fi
# The sources live in the source tree and node_modules in the build tree: NODE_PATH joins them.
NODE_PATH="$npm_dir/node_modules" "$npm_dir/node_modules/.bin/esbuild" "$src/src/main.js" --bundle --format=iife --minify \
  --sourcemap --target=chrome100,firefox100,safari15 --log-level=warning \
  --outfile="$out/app.js"
cp "$src/index.html" "$src/style.css" "$out/"

#!/usr/bin/env bash
# Installs every Debian package Fanout needs to build, test and run, on a fresh Debian 12 machine.
# Idempotent: packages already present are skipped by apt. Must run as root (or through sudo).
set -euo pipefail

PACKAGES=(
  # build
  build-essential pkg-config meson ninja-build python3
  # data plane
  libdpdk-dev dpdk dpdk-dev libsrtp2-dev libssl-dev
  # IPC
  flatbuffers-compiler libflatbuffers-dev
  # signaling (later planes)
  libboost1.81-dev libboost-json1.81-dev
  # tests, fuzzers and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev
  # network namespaces and packet tools used by tests
  iproute2 procps iputils-ping
  # end-to-end tests: headless Chromium (and a font to render the demo page), the aiortc client
  # (tests/clients/aiortc: aiortc and websockets)
  chromium fonts-dejavu-core python3-aiortc python3-websockets
)
# The demo page is built with node and npm. A machine that already has them (e.g. Node.js from
# another repository, whose nodejs package carries npm) keeps them: Debian's npm would conflict.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: run as root (or install sudo): apt-get needs it" >&2; exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

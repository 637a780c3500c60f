#!/usr/bin/env bash
# Builds and runs a local fanout-dataplane on a net_tap port inside its own network namespace:
# the data plane answers as 198.18.0.2 on interface fanout0, whose kernel side is 198.18.0.1.
# Ctrl-C stops it and removes the namespace. Run as root on Debian 12.
#   FANOUT_NETNS=name    namespace (default fanout)
#   FANOUT_BUILD=dir     build directory (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
ns=${FANOUT_NETNS:-fanout}
build=${FANOUT_BUILD:-build}
sock=/run/fanout/dataplane.sock

bash deploy/install-deps.sh
[ -f "$build/build.ninja" ] || meson setup "$build"
ninja -C "$build" dataplane/engine/fanout-dataplane dataplane/ctl/fanoutctl

# Hugepages are optional: without free ones EAL runs on ordinary memory.
free_huge=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free_huge:-0}" -gt 128 ]; then mem="--in-memory"; else mem="--no-huge -m 1024 --no-shconf"; fi

created_ns=0
if ! ip netns list | grep -qw "$ns"; then ip netns add "$ns"; created_ns=1; fi
ip -n "$ns" link set lo up
pid=
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  [ "$created_ns" = 1 ] && ip netns delete "$ns"
  rm -f "$sock"
  echo "run-dataplane: stopped"
}
trap cleanup INT TERM EXIT

ip netns exec "$ns" "$build/dataplane/engine/fanout-dataplane" -- \
  --config deploy/dataplane.conf --set "eal.args=-l 0-1 $mem --file-prefix fanout-$ns" \
  --set "dataplane.ipc_socket=$sock" &
pid=$!
for _ in $(seq 100); do
  ip -n "$ns" link show fanout0 >/dev/null 2>&1 && [ -S "$sock" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "run-dataplane: fanout-dataplane exited; see above"; exit 1; }
  sleep 0.1
done
ip -n "$ns" addr add 198.18.0.1/24 dev fanout0
ip -n "$ns" link set fanout0 up
cat <<MSG

fanout-dataplane is running in network namespace '$ns' (pid $pid).
  ip netns exec $ns ping 198.18.0.2                   # ARP and ICMP are answered by DPDK
  FANOUT_DP_SOCKET=$sock $build/dataplane/ctl/fanoutctl hello
  FANOUT_DP_SOCKET=$sock $build/dataplane/ctl/fanoutctl counters
Ctrl-C stops it.
MSG
wait "$pid"

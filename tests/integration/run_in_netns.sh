#!/usr/bin/env bash
# run_in_netns.sh COMMAND...: runs COMMAND inside a network namespace made for it (loopback up),
# then kills whatever is left in the namespace and deletes it. Tests that start the data plane
# with a net_tap port run here, so the tap interface and all traffic stay inside the namespace.
set -uo pipefail
ns="fanout-it-$$"
ip netns add "$ns" || { echo "run_in_netns: cannot create a network namespace (root needed)"; exit 1; }
cleanup() {
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  ip netns delete "$ns" 2>/dev/null
}
trap cleanup EXIT
ip -n "$ns" link set lo up
FANOUT_NETNS="$ns" ip netns exec "$ns" "$@"

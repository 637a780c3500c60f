# Sourced by perf/run and perf/pktgen/integration_test.sh: starts fanout-dataplane with one
# net_memif server port (its socket in a directory of ours, not the abstract namespace) and stops
# it by PID.
#
#   dp_start DATAPLANE_BIN DIR WORKERS   sets DP_PID, DP_SOCKET (IPC), DP_MEMIF (memif socket),
#                                        DP_TELEMETRY (DPDK telemetry socket)
#     DP_MAX_TRANSPORTS (default 4096), DP_EXTRA: more lines for the [dataplane] section
#   dp_stop                              SIGTERM, then SIGKILL after 10 s

dp_start() {
  local bin="$1" dir="$2" workers="$3" ncpu lcores w
  ncpu="$(nproc)"
  # The main lcore (IPC, timers) on CPU 0, workers on CPUs 1.. (wrapping on small machines).
  lcores="0@0"
  for ((w = 1; w <= workers; w++)); do lcores+=",$w@$((w % ncpu))"; done
  DP_SOCKET="$dir/dataplane.sock"
  DP_MEMIF="$dir/memif.sock"
  rm -f "$DP_SOCKET" "$DP_MEMIF"  # a socket left by an earlier start would look ready
  cat > "$dir/dataplane.conf" <<EOF
[eal]
args = --no-huge -m 1024 --no-shconf --no-pci --lcores $lcores --file-prefix fanout-perf-$$ --log-level *:warning
[dataplane]
ipc_socket = $DP_SOCKET
mbufs = 32767
max_transports = ${DP_MAX_TRANSPORTS:-4096}
${DP_EXTRA:-}
[port.0]
device = net_memif0
devargs = role=server,socket=$DP_MEMIF,socket-abstract=no
ipv4 = 198.18.0.2
EOF
  # DPDK's telemetry socket of an EAL with this --file-prefix (root: /var/run/dpdk/PREFIX).
  DP_TELEMETRY="${XDG_RUNTIME_DIR:-/var/run}/dpdk/fanout-perf-$$/dpdk_telemetry.v2"
  [[ $(id -u) -eq 0 ]] && DP_TELEMETRY="/var/run/dpdk/fanout-perf-$$/dpdk_telemetry.v2"
  "$bin" -- --config "$dir/dataplane.conf" > "$dir/dataplane.log" 2>&1 &
  DP_PID=$!
  for _ in $(seq 100); do
    [[ -S "$DP_SOCKET" ]] && return 0
    kill -0 "$DP_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "fanout-dataplane did not come up; its log:" >&2
  cat "$dir/dataplane.log" >&2
  dp_stop
  return 1
}

dp_stop() {
  [[ -n "${DP_PID:-}" ]] || return 0
  kill -TERM "$DP_PID" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$DP_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$DP_PID" 2>/dev/null || true
  wait "$DP_PID" 2>/dev/null || true
  DP_PID=""
}

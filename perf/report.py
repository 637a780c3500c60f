#!/usr/bin/env python3
"""perf/run's report: merges the parts of one run (BASE.pktgen.json, BASE.pktgen2.json: the
2-worker scenarios, BASE.testpmd.json: dpdk-testpmd io, BASE.scale.json: memory and creation
rate) into BASE.json, writes the markdown table BASE.md and the charts BASE-throughput.png and
BASE-latency.png (matplotlib), removes the parts and prints the table and where everything is.
Method: perf/README.md."""
import argparse
import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def f(x, d=0):
    return "-" if x is None else f"{x:,.{d}f}"


def lat(trial):
    t = trial["latency_us"]
    return f'{f(t["p50"], 1)} / {f(t["p99"], 1)} / {f(t["p99_9"], 1)}'


def main():
    ap = argparse.ArgumentParser()
    for k in ("base", "command", "commit", "stamp", "load-before", "load-after", "seconds",
              "mode", "workers"):
        ap.add_argument("--" + k, required=True)
    a = ap.parse_args()
    base = a.base
    parts = {k: base + "." + k + ".json" for k in ("pktgen", "pktgen2", "testpmd", "scale",
                                                  "cpscale")}
    main_r = load(parts["pktgen"])
    if main_r is None:
        sys.exit(f"perf/report.py: {parts['pktgen']} missing (fanout-pktgen failed?)")
    r = {"machine": main_r["machine"], "scenarios": []}
    for s in main_r["scenarios"]:
        s["dataplane_workers"] = main_r["machine"]["dataplane_workers"]
        s["label"] = ""
        r["scenarios"].append(s)
    two = load(parts["pktgen2"])
    if two:
        for s in two["scenarios"]:
            s["dataplane_workers"] = two["machine"]["dataplane_workers"]
            s["label"] = "2 workers sharing the 2 CPUs"
            r["scenarios"].append(s)
    tp = load(parts["testpmd"])
    testpmd = {}
    if tp:
        for s in tp["scenarios"]:
            cap = s["trials"][0]["out_pps"] if s["trials"] else None
            testpmd[s["rtp_bytes"]] = {
                "rtp_bytes": s["rtp_bytes"], "ndr_pps": s["ndr_in_pps"], "capacity_pps": cap,
                "generator_limited": bool((s["ndr"] or {}).get("generator_limited")),
                "latency": s["latency"], "trials": s["trials"]}
        r["testpmd_io"] = {"method": "dpdk-testpmd --forward-mode=io --port-topology=loop on a "
                                     "net_memif server port (forwarding lcore on CPU 1), driven by "
                                     "fanout-pktgen --loopback",
                           "sizes": list(testpmd.values())}
    for s in r["scenarios"]:
        t = testpmd.get(s["rtp_bytes"]) if s["profile"] == "none" else None
        if t and t["ndr_pps"]:
            s["ratio_to_testpmd_io"] = s["ndr_out_pps_per_worker"] / t["ndr_pps"]
            cap = s["trials"][0]["out_pps"] / max(1, s["dataplane_workers"]) if s["trials"] else 0
            s["capacity_ratio_to_testpmd_io"] = cap / t["capacity_pps"] if t["capacity_pps"] else None
    sc = load(parts["scale"])
    if sc:
        r["scale"] = sc
    cps = load(parts["cpscale"])
    if cps:
        r["cpscale"] = cps
    r["run"] = {"command": a.command, "commit": a.commit, "date_utc": a.stamp, "mode": a.mode,
                "loadavg_before": a.load_before, "loadavg_after": a.load_after,
                "seconds": int(a.seconds),
                "placement": "pktgen on CPU 0 with the data plane's (or testpmd's) main lcore; "
                             "workers (testpmd's forwarding lcore) on CPUs 1.."}
    with open(base + ".json", "w") as fp:
        json.dump(r, fp, indent=1)

    m = r["machine"]
    out = [f'# perf/run {a.mode}: {a.stamp}, commit {a.commit}', '',
           f'- machine: {m["cpu"]}, {m["cpus_online"]} CPUs, TSC {m["tsc_hz"] / 1e9:.2f} GHz, '
           f'{m["dpdk"]}, PMD {m["pmd"]}; data plane {m["dataplane"]} with '
           f'{m["dataplane_workers"]} worker(s)',
           f'- command: `{a.command}` ({a.seconds} s); load average before {a.load_before}, '
           f'after {a.load_after}',
           f'- placement: {r["run"]["placement"]}', '',
           '| scenario | SRTP | RTP B | no-drop in pps | out pps | out pps / worker | Gbit/s out | '
           'crypto bound (EVP / libsrtp / ours) pps | out per core ÷ bound (EVP; plain: testpmd io) | '
           'latency µs p50 / p99 / p99.9 at 10 % | at 50 % | at 90 % | drops at NDR | '
           'verified / failed |',
           '|' + '---|' * 14]
    for s in r["scenarios"]:
        n = s["ndr"] or {}
        b = s["crypto_bound"]
        bound = "-" if not b["evp_pps"] else \
            f'{f(b["evp_pps"])} / {f(b["libsrtp_pps"])} / {f(b["ours_pps"])}'
        if b["evp_pps"]:
            ratio = f'{s["ratio_to_evp_bound"]:.3f} of EVP'
        elif s.get("ratio_to_testpmd_io") is not None:
            t = testpmd[s["rtp_bytes"]]
            ratio = f'{s["ratio_to_testpmd_io"]:.2f} of testpmd io'
            if s.get("capacity_ratio_to_testpmd_io") is not None:
                ratio += f' (unpaced capacity: {s["capacity_ratio_to_testpmd_io"]:.2f})'
            if t["generator_limited"] or n.get("generator_limited"):
                ratio += " (pktgen-limited)"
        else:
            ratio = "-"
        lats = {x["percent_of_ndr"]: lat(x["trial"]) for x in s["latency"]}
        drops = ", ".join(f"{k} {v}" for k, v in (n.get("drops") or {}).items()) or "0"
        ver = sum(t["verified"] for t in s["trials"])
        bad = sum(t["verify_failures"] for t in s["trials"])
        lim = " (pktgen-limited)" if n.get("generator_limited") else ""
        label = f' [{s["label"]}]' if s["label"] else ""
        out.append(f'| {s["scenario"]} ({s["producers"]}→{s["consumers"]}){label} | {s["profile"]} | '
                   f'{s["rtp_bytes"]} | {f(s["ndr_in_pps"])}{lim} | {f(s["ndr_out_pps"])} | '
                   f'{f(s["ndr_out_pps_per_worker"])} | {f(n.get("out_gbps"), 3)} | {bound} | '
                   f'{ratio} | {lats.get(10, "-")} | {lats.get(50, "-")} | {lats.get(90, "-")} | '
                   f'{drops} | {ver} / {bad} |')
    if testpmd:
        out += ['', '## dpdk-testpmd io forwarding over net_memif (the plain-RTP reference)', '',
                f'{r["testpmd_io"]["method"]}.', '',
                '| RTP B | no-drop pps | unpaced capacity pps | latency µs p50 / p99 / p99.9 at 50 % |',
                '|---|---|---|---|']
        for t in testpmd.values():
            l50 = {x["percent_of_ndr"]: lat(x["trial"]) for x in t["latency"]}.get(50, "-")
            lim = " (pktgen-limited)" if t["generator_limited"] else ""
            out.append(f'| {t["rtp_bytes"]} | {f(t["ndr_pps"])}{lim} | {f(t["capacity_pps"])} | '
                       f'{l50} |')
    if sc:
        out += ['', '## Memory per object and creation rate (fanout-scale, fresh data plane, '
                    f'batches of {sc["batch"]})', '',
                f'Baseline: RSS {sc["baseline"]["rss_bytes"] / 2**20:.1f} MiB, DPDK heap '
                + (f'{sc["baseline"]["heap_alloc_bytes"] / 2**20:.1f} MiB allocated'
                   if sc["baseline"]["heap_alloc_bytes"] is not None else 'not read') + '.', '',
                '| objects | count | created/s (batched) | RSS bytes each | DPDK heap bytes each | '
                'stopped by |', '|---|---|---|---|---|---|']
        for p in sc["phases"]:
            heap = "-" if p["heap_bytes_per_object"] is None else f(p["heap_bytes_per_object"])
            out.append(f'| {p["name"]} | {f(p["objects"])} | {f(p["per_second"])} | '
                       f'{f(p["rss_bytes_per_object"])} | {heap} | {p["stopped_by"] or "-"} |')
        u = sc["unbatched"]
        out += ['', f'Unbatched (one request per round trip): {f(u["transports"])} transports at '
                    f'{f(u["transports_per_second"])} /s, {f(u["consumers"])} consumers at '
                    f'{f(u["consumers_per_second"])} /s.']
    if cps:
        out += ['', '## Control plane creation rate (fanout-cp-scale through the API, one request '
                    'per round trip, fresh data plane)', '',
                '| objects | count | created/s | round trip p50 us | p99 us | max us |',
                '|---|---|---|---|---|---|']
        for name in ("transports", "consumers"):
            p = cps[name]
            out.append(f'| {name} | {f(p["count"])} | {f(p["per_second"])} | {f(p["p50_us"])} | '
                       f'{f(p["p99_us"])} | {f(p["max_us"])} |')
        out += ['', f'Close of the router holding them: {cps["close_router_ms"]:.1f} ms.']

    charts = []
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        charts = draw(plt, r, testpmd, base)
    except ImportError:
        out += ['', 'Charts: not drawn (no matplotlib: install Debian\'s python3-matplotlib).']
    if charts:
        out += ['', 'Charts: ' + ", ".join(os.path.basename(c) for c in charts)]
    with open(base + ".md", "w") as fp:
        fp.write("\n".join(out) + "\n")
    print("\n".join(out))
    print(f"\nwritten: {base}.json, {base}.md" + "".join(", " + c for c in charts))
    for p in parts.values():
        if os.path.exists(p):
            os.remove(p)


def draw(plt, r, testpmd, base):
    """Throughput vs fan-out (1xN scenarios) and the latency distributions at 50 % of the NDR."""
    written = []
    fig, ax = plt.subplots(figsize=(8, 5))
    lines = {}
    for s in r["scenarios"]:
        if s["producers"] != 1 or not s["ndr_out_pps_per_worker"] or s["label"]:
            continue
        key = f'{s["profile"]} {s["rtp_bytes"]} B'
        lines.setdefault(key, []).append((s["fanout"], s["ndr_out_pps_per_worker"] / 1e6))
    for key, pts in sorted(lines.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=key)
    for size, t in sorted(testpmd.items()):
        if t["ndr_pps"]:
            ax.axhline(t["ndr_pps"] / 1e6, linestyle="--", linewidth=0.8, color="grey")
            ax.annotate(f"testpmd io {size} B", (1, t["ndr_pps"] / 1e6), fontsize=7,
                        color="grey", va="bottom")
    if lines:
        ax.set_xscale("log")
        ax.set_xlabel("fan-out (consumers per producer)")
        ax.set_ylabel("output Mpps per worker core at the no-drop rate")
        ax.set_title(f'fanout-dataplane over net_memif, 1 producer -> N ({r["run"]["commit"]})',
                     fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        path = base + "-throughput.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        written.append(path)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 5))
    drew = False
    for s in r["scenarios"]:
        for x in s["latency"]:
            if x["percent_of_ndr"] != 50:
                continue
            q = x["trial"]["latency_us"].get("quantiles") or []
            if not q:
                continue
            label = f'{s["scenario"]} {s["profile"]} {s["rtp_bytes"]} B'
            if s["label"]:
                label += " (2 workers)"
            ax.plot([v for _, v in q], [p for p, _ in q], marker=".", label=label)
            drew = True
    if drew:
        ax.set_xscale("log")
        ax.set_yscale("logit")
        ax.set_xlabel("latency µs (pktgen TX -> RX, two memif copies included)")
        ax.set_ylabel("percentile")
        ax.set_title("latency distribution at 50 % of the no-drop rate", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6, ncol=2)
        path = base + "-latency.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        written.append(path)
    plt.close(fig)
    return written


if __name__ == "__main__":
    main()

// The e2e harness: starts Fanout's three processes inside the network namespace this test runs
// in (run_in_netns.sh made it), drives headless Chromium pages of the demo page through
// playwright-core, runs named cases with timings and writes JUnit XML for tests/summarize.py.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const kChromium = process.env.FANOUT_CHROMIUM || '/usr/bin/chromium';
// ../shared/TESTING.md: the flags measured to work here (fake devices, no sandbox as root,
// loopback candidates allowed).
const kChromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
];

// Address plan inside the namespace (198.18.0.0/15, RFC 2544 benchmarking range).
const kKernelAddress = '198.18.0.1/24';
const kDataplaneAddress = '198.18.0.2';
const kTapName = 'fanout-e2e0';
const kSignalingPort = 8080;

// Drop reasons that mean a bug or overload, never normal traffic (dataplane/common/drop_reasons.hpp).
// Others (unknown_source, no_consumers, producer_paused, rtcp_unhandled, ...) are normal.
const kUnexpectedDrops = [
  'eth_malformed', 'ipv4_malformed', 'ipv4_bad_checksum', 'ipv6_malformed', 'udp_malformed',
  'udp_bad_checksum', 'demux_unknown', 'stun_malformed', 'stun_bad_integrity',
  'stun_bad_fingerprint', 'rtp_malformed', 'rtcp_malformed', 'srtp_auth_fail', 'srtp_replay',
  'srtp_other', 'srtcp_auth_fail', 'srtcp_replay', 'handoff_ring_full', 'slowpath_ring_full',
  'mbuf_alloc_fail', 'tx_full',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function requireRoot() {
  if (!process.env.FANOUT_NETNS) {
    // Chromium must never gather the host's real addresses: only run inside a test namespace.
    throw new Error('run this test through tests/integration/run_in_netns.sh (FANOUT_NETNS unset)');
  }
}

async function waitFor(what, fn, { timeoutMs = 10000, intervalMs = 100 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
        (last ? ` (last error: ${last.message})` : ''));
    }
    await sleep(intervalMs);
  }
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

function socketAccepts(file) {
  return new Promise((resolve) => {
    if (!fs.existsSync(file)) return resolve(false);
    // A SOCK_SEQPACKET socket refuses a stream connect with EPROTOTYPE: it exists and listens.
    const s = net.connect(file);
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', (e) => resolve(e.code === 'EPROTOTYPE' || e.code === 'ENOTSOCK' ? true : false));
  });
}

class Proc {
  constructor(name, bin, args, logFile) {
    this.name = name;
    this.logFile = logFile;
    const out = fs.openSync(logFile, 'w');
    this.child = spawn(bin, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.exited = null;
    this.child.on('exit', (code, signal) => { this.exited = { code, signal }; });
  }

  alive() { return this.exited === null; }

  tail(lines = 30) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(timeoutMs = 5000) {
    if (!this.alive()) return this.exited;
    this.child.kill('SIGTERM');
    const end = Date.now() + timeoutMs;
    while (this.alive() && Date.now() < end) await sleep(50);
    if (this.alive()) {
      this.child.kill('SIGKILL');
      while (this.alive()) await sleep(20);
    }
    return this.exited;
  }
}

// The three processes, started in order (each waits for the previous one's socket).
class Stack {
  constructor({ withMedia }) {
    this.withMedia = withMedia;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-e2e-'));
    this.procs = [];
    this.dpSocket = path.join(this.dir, 'dataplane.sock');
    this.cpSocket = path.join(this.dir, 'controlplane.sock');
    this.url = `http://127.0.0.1:${kSignalingPort}`;
  }

  env(name) {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set (tests/e2e/meson.build sets it)`);
    return v;
  }

  async startProc(name, bin, args, ready, timeoutMs = 20000) {
    const p = new Proc(name, bin, args, path.join(this.dir, `${name}.log`));
    this.procs.push(p);
    try {
      await waitFor(`${name} to be ready`, async () => {
        if (!p.alive()) throw new Error(`${name} exited (${JSON.stringify(p.exited)})`);
        return ready();
      }, { timeoutMs });
    } catch (e) {
      throw new Error(`${e.message}\n--- ${name} log (${p.logFile}) ---\n${p.tail()}`);
    }
    return p;
  }

  async start() {
    const t0 = Date.now();
    if (this.withMedia) {
      const conf = path.join(this.dir, 'dataplane.conf');
      fs.writeFileSync(conf, [
        '[eal]',
        `args = --no-huge -m 512 --no-shconf --no-pci --lcores 0@0,1@1 --file-prefix fanout-e2e-${process.pid} --log-level *:warning`,
        '[dataplane]', `ipc_socket = ${this.dpSocket}`, 'mbufs = 8191',
        '[port.0]', 'device = net_tap0', `devargs = iface=${kTapName}`, `ipv4 = ${kDataplaneAddress}`,
        '',
      ].join('\n'));
      await this.startProc('dataplane', this.env('FANOUT_DATAPLANE_BIN'),
        ['--', '--config', conf],
        async () => fs.existsSync(this.dpSocket) &&
          fs.existsSync(`/sys/class/net/${kTapName}`));
      execFileSync('ip', ['addr', 'add', kKernelAddress, 'dev', kTapName]);
      execFileSync('ip', ['link', 'set', kTapName, 'up']);
      await this.startControlplane();
    }
    const sigArgs = [
      '--listen.address=127.0.0.1', `--listen.port=${kSignalingPort}`,
      `--http.static_dir=${this.env('FANOUT_DEMO_DIR')}`,
      // The demo's open mode (no join tokens); signaling refuses to start without it or a secret.
      '--auth.open=true',
    ];
    // Without media the control plane socket names nothing: joins then fail with `unavailable`.
    sigArgs.push(`--controlplane.socket=${this.withMedia ? this.cpSocket : `${this.dir}/no-controlplane.sock`}`);
    await this.startProc('signaling', this.env('FANOUT_SIGNALING_BIN'), sigArgs,
      async () => (await httpGet(`${this.url}/healthz`)).status === 200);
    this.startupMs = Date.now() - t0;
  }

  // Started again after killControlplane(), with the same restart journal.
  async startControlplane() {
    this.controlplane = await this.startProc('controlplane', this.env('FANOUT_CONTROLPLANE_BIN'), [
      '--set', `controlplane.dataplane_socket=${this.dpSocket}`,
      '--set', `controlplane.api_socket=${this.cpSocket}`,
      '--set', `controlplane.state_file=${path.join(this.dir, 'controlplane.state')}`,
      '--set', `webrtc.announced_address=${kDataplaneAddress}`,
    ], () => socketAccepts(this.cpSocket));
  }

  // SIGKILL: no chance to clean up, as in a crash.
  async killControlplane() {
    const p = this.controlplane;
    p.child.kill('SIGKILL');
    while (p.alive()) await sleep(20);
    this.procs = this.procs.filter((x) => x !== p);
    this.deadLogs = (this.deadLogs || '') + `--- controlplane before SIGKILL ---\n${p.tail()}\n`;
  }

  // The data plane's drop counters ({ reason: count }), read with fanoutctl.
  drops() {
    if (!this.withMedia) return {};
    const out = execFileSync(this.env('FANOUT_CTL_BIN'),
      ['--socket', this.dpSocket, '--json', 'counters'], { encoding: 'utf8' });
    const drops = {};
    const walk = (v) => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (v && typeof v === 'object') {
        if (Array.isArray(v.drops)) {
          // Zero counts are left out of the JSON.
          for (const d of v.drops) drops[d.reason] = Number(d.count || 0);
        }
        Object.values(v).forEach(walk);
      }
    };
    walk(JSON.parse(out));
    return drops;
  }

  checkProcesses() {
    for (const p of this.procs) {
      assert(p.alive(), `${p.name} died (${JSON.stringify(p.exited)}):\n${p.tail()}`);
    }
  }

  async stop() {
    // Reverse order: signaling first, the data plane last (it outlives the others by design).
    for (const p of [...this.procs].reverse()) await p.stop();
  }

  logs() {
    return this.procs.map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.tail(40)}`).join('\n');
  }
}

function dropDelta(before, after) {
  const bad = {};
  for (const r of kUnexpectedDrops) {
    const d = (after[r] || 0) - (before[r] || 0);
    if (d > 0) bad[r] = d;
  }
  return bad;
}

class Browser {
  async launch() {
    let chromium;
    try {
      ({ chromium } = require('playwright-core'));
    } catch (e) {
      throw new Error(`playwright-core not found (NODE_PATH=${process.env.NODE_PATH}): ${e.message}`);
    }
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fanout-e2e-chromium-'));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: kChromium, headless: true, args: kChromiumArgs,
    });
    this.pages = [];
  }

  async open(url, label) {
    const page = await this.context.newPage();
    page.label = label;
    page.consoleLines = [];
    page.on('console', (m) => {
      page.consoleLines.push(`[${label}] ${m.type()}: ${m.text()}`);
      if (page.consoleLines.length > 200) page.consoleLines.shift();
    });
    page.on('pageerror', (e) => page.consoleLines.push(`[${label}] pageerror: ${e.message}`));
    await page.goto(url);
    this.pages.push(page);
    return page;
  }

  async closePages() {
    for (const p of this.pages) await p.close().catch(() => {});
    this.pages = [];
  }

  async close() {
    if (this.context) await this.context.close().catch(() => {});
    fs.rmSync(this.profile, { recursive: true, force: true });
  }

  consoleTail(n = 20) {
    return this.pages.flatMap((p) => p.consoleLines.slice(-n)).join('\n');
  }
}

function xmlEscape(s) {
  return String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]));
}

// JUnit XML where tests/summarize.py reads it: the file named by GTEST_OUTPUT=xml:PATH.
function writeJunit(suite, results) {
  const spec = process.env.GTEST_OUTPUT || '';
  if (!spec.startsWith('xml:')) return;
  const file = spec.slice(4);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const failures = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const total = results.reduce((a, r) => a + r.seconds, 0);
  const cases = results.map((r) => {
    const head = `  <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(r.name)}" time="${r.seconds.toFixed(3)}"`;
    if (r.status === 'failed') {
      return `${head}>\n    <failure message="${xmlEscape(r.error.split('\n')[0])}">${xmlEscape(r.error)}</failure>\n  </testcase>`;
    }
    if (r.status === 'skipped') {
      return `${head}>\n    <skipped message="${xmlEscape(r.error)}"/>\n  </testcase>`;
    }
    return `${head}/>`;
  });
  fs.writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${results.length}" failures="${failures}" time="${total.toFixed(3)}">\n<testsuite name="${xmlEscape(suite)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${total.toFixed(3)}">\n${cases.join('\n')}\n</testsuite>\n</testsuites>\n`);
}

// Runs cases in order; each gets a fresh context from setup() and is timed. Returns the exit code.
async function runCases(suite, cases, { only } = {}) {
  const results = [];
  for (const c of cases) {
    if (only && !only.includes(c.name)) continue;
    const t0 = Date.now();
    let status = 'passed';
    let error = '';
    try {
      await c.fn();
    } catch (e) {
      if (e && e.skip) {
        status = 'skipped';
        error = e.message;
      } else {
        status = 'failed';
        error = (e && e.stack) || String(e);
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    results.push({ name: c.name, status, error, seconds });
    const tag = { passed: 'ok', failed: 'FAILED', skipped: 'skipped' }[status];
    console.log(`e2e: ${suite}.${c.name} ${tag} (${seconds.toFixed(1)} s)`);
    if (status !== 'passed') console.log(error.replace(/^/gm, '    '));
  }
  writeJunit(suite, results);
  const failed = results.filter((r) => r.status === 'failed').length;
  const passed = results.filter((r) => r.status === 'passed').length;
  console.log(`e2e: ${suite}: ${passed} passed, ${failed} failed, ` +
    `${results.length - passed - failed} skipped, ${results.reduce((a, r) => a + r.seconds, 0).toFixed(1)} s`);
  if (failed) return 1;
  return passed === 0 && results.length > 0 ? 77 : 0;
}

class Skip extends Error {
  constructor(message) {
    super(message);
    this.skip = true;
  }
}

module.exports = {
  Stack, Browser, Skip, assert, waitFor, sleep, runCases, requireRoot, dropDelta,
  kSignalingPort, kDataplaneAddress,
};

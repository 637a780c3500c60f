// Calls through the whole of Fanout (issue 5): data plane (net_tap in this namespace), control
// plane and signaling, with headless Chromium pages running the demo page's code (mediasoup-client
// via window.fanout). Every assertion reads RTCPeerConnection.getStats() in the pages, and after
// each case the data plane's drop counters.
'use strict';

const fs = require('node:fs');
const { Stack, Browser, Skip, assert, waitFor, sleep, runCases, requireRoot, dropDelta } =
  require('./harness.cjs');

const kFlowSeconds = Number(process.env.FANOUT_E2E_FLOW_SECONDS || 10);
const kMaxLoss = 0.01;

let stack;
let browser;
const firstFrames = []; // { case, page, ms, first } for the summary

// Opens one page per name in `room`; the page joins by itself from ?room=. Waits until all joined.
async function openPeers(room, names, { res } = {}) {
  const pages = [];
  for (const name of names) {
    const q = new URLSearchParams({ room, name });
    if (res) q.set('res', res);
    pages.push(await browser.open(`${stack.url}/?${q}`, name));
  }
  for (const p of pages) {
    // Joined, or a failed join shown on the page (no need to wait for the timeout then).
    const outcome = await waitFor(`${p.label} to join`, async () => {
      if (await p.evaluate(() => window.fanout && window.fanout.state().joined)) return 'joined';
      const status = await p.textContent('#status');
      return status.startsWith('join failed') ? status : null;
    }, { timeoutMs: 20000, intervalMs: 200 }).catch(async (e) =>
      `${e.message}; page status: '${await p.textContent('#status').catch(() => '?')}'`);
    if (outcome === 'joined') continue;
    if (/unknown_method/.test(outcome)) {
      throw new Skip(`fanout-signaling does not serve 'join' yet (${outcome})`);
    }
    throw new Error(`${p.label}: ${outcome}`);
  }
  return pages;
}

const pageStats = (p) => p.evaluate(() => window.fanout.stats());
const pageState = (p) => p.evaluate(() => window.fanout.state());

// Waits until each page decodes `video` video and receives `audio` audio streams, then checks for
// kFlowSeconds that every stream keeps going (video framesDecoded, audio packetsReceived grow each
// second) with loss under 1%. Records join-to-first-frame times.
async function assertFlowing(caseName, pages, { video, audio }) {
  const streamsUp = async (p) => {
    const s = await pageStats(p);
    const v = s.inbound.filter((r) => r.kind === 'video' && r.framesDecoded > 0).length;
    const a = s.inbound.filter((r) => r.kind === 'audio' && r.packetsReceived > 0).length;
    return v === video && a === audio ? s : null;
  };
  for (const p of pages) {
    try {
      await waitFor(`${p.label}: ${video} video + ${audio} audio streams`, () => streamsUp(p),
        { timeoutMs: 30000, intervalMs: 250 });
    } catch (e) {
      const s = await pageStats(p).catch(() => null);
      const st = await pageState(p).catch(() => null);
      throw new Error(`${e.message}\n  inbound: ${JSON.stringify(s && s.inbound)}\n` +
        `  transports: ${JSON.stringify(s && s.transports)}\n  state: ${JSON.stringify(st)}`);
    }
  }
  let prev = await Promise.all(pages.map(pageStats));
  const first = prev.map((s) => s);
  for (let sec = 1; sec <= kFlowSeconds; ++sec) {
    await sleep(1000);
    const now = await Promise.all(pages.map(pageStats));
    pages.forEach((p, i) => {
      for (const r of now[i].inbound) {
        const before = prev[i].inbound.find((b) => b.ssrc === r.ssrc && b.kind === r.kind);
        assert(before, `${p.label}: a new inbound ${r.kind} stream (ssrc ${r.ssrc}) appeared at ${sec} s`);
        if (r.kind === 'video') {
          assert(r.framesDecoded > before.framesDecoded,
            `${p.label}: video from ${r.peerId} stalled at ${sec} s (framesDecoded ${r.framesDecoded})`);
        } else {
          assert(r.packetsReceived > before.packetsReceived,
            `${p.label}: audio from ${r.peerId} stalled at ${sec} s (packetsReceived ${r.packetsReceived})`);
        }
      }
    });
    prev = now;
  }
  pages.forEach((p, i) => {
    for (const r of prev[i].inbound) {
      const b = first[i].inbound.find((x) => x.ssrc === r.ssrc && x.kind === r.kind);
      const got = r.packetsReceived - b.packetsReceived;
      const lost = Math.max(0, r.packetsLost - b.packetsLost);
      const loss = lost / Math.max(1, got + lost);
      assert(loss < kMaxLoss, `${p.label}: ${r.kind} from ${r.peerId} lost ${(100 * loss).toFixed(2)}% ` +
        `(${lost} of ${got + lost}) over ${kFlowSeconds} s`);
    }
  });
  const summary = [];
  for (const [i, p] of pages.entries()) {
    const st = await pageState(p);
    firstFrames.push({ caseName, page: p.label, ms: st.timing.firstFrameMs, first: i === 0 });
    const kbps = prev[i].inbound.reduce((a, r) => a + r.bytesReceived - first[i].inbound
      .find((x) => x.ssrc === r.ssrc && x.kind === r.kind).bytesReceived, 0) * 8 / kFlowSeconds / 1000;
    summary.push(`${p.label} ${Math.round(st.timing.firstFrameMs)} ms to first frame, ` +
      `${kbps.toFixed(0)} kb/s in`);
  }
  console.log(`e2e: ${caseName}: ${summary.join('; ')}`);
  return prev;
}

// A case: fresh pages, the data plane's unexpected drops checked at the end, pages closed.
function withPages(name, fn) {
  return {
    name,
    fn: async () => {
      const before = stack.drops();
      try {
        await fn();
        stack.checkProcesses();
        const bad = dropDelta(before, stack.drops());
        assert(Object.keys(bad).length === 0, `unexpected data plane drops: ${JSON.stringify(bad)}`);
      } catch (e) {
        if (!e.skip) e.message += `\n--- page consoles ---\n${browser.consoleTail(8)}`;
        throw e;
      } finally {
        // Leave cleanly so the next case starts with an empty data plane.
        for (const p of browser.pages) {
          await p.evaluate(() => window.fanout && window.fanout.leave()).catch(() => {});
        }
        await browser.closePages();
      }
    },
  };
}

const cases = [
  withPages('two_pages', async () => {
    const pages = await openPeers('two', ['alice', 'bob']);
    await assertFlowing('two_pages', pages, { video: 1, audio: 1 });
    const s = await pageStats(pages[0]);
    const t = s.transports.recv || {};
    console.log(`e2e: two_pages: ${t.tlsVersion || '?'} ${t.dtlsCipher || '?'} / ${t.srtpCipher || '?'}, ` +
      `RTT ${t.rtt !== undefined ? Math.round(t.rtt * 1000) + ' ms' : '?'}`);
    assert(t.srtpCipher, 'the receive transport reports no SRTP cipher');
    // Scores from the control plane (once a second, on change): on a clean link every producer's
    // encodings and every consumer score high; a consumer's comes from Chromium's receiver
    // reports. The flow check above lasted long enough for several readings.
    for (const p of pages) {
      const st = await pageState(p);
      for (const pr of st.producers) {
        assert(Array.isArray(pr.score) && pr.score.length > 0,
          `${p.label}: no producerScore for its ${pr.source} producer: ${JSON.stringify(pr)}`);
        assert(pr.score.every((e) => e.score >= 7),
          `${p.label}: ${pr.source} producer scored low on a clean link: ${JSON.stringify(pr.score)}`);
      }
      assert(st.consumers.length > 0, `${p.label}: no consumers`);
      for (const c of st.consumers) {
        assert(c.score && c.score.score >= 7 && c.score.producerScore >= 7,
          `${p.label}: consumer ${c.kind} scored low or not at all: ${JSON.stringify(c.score)}`);
      }
      console.log(`e2e: two_pages: ${p.label} scores: producers ` +
        st.producers.map((pr) => `${pr.source} ${pr.score.map((e) => e.score).join('/')}`).join(', ') +
        '; consumers ' + st.consumers.map((c) => `${c.kind} ${c.score.score}`).join(', '));
    }
  }),

  withPages('four_pages', async () => {
    const pages = await openPeers('four', ['p1', 'p2', 'p3', 'p4'], { res: '320x240' });
    const stats = await assertFlowing('four_pages', pages, { video: 3, audio: 3 });
    for (const [i, p] of pages.entries()) {
      const from = new Set(stats[i].inbound.map((r) => r.peerId));
      assert(from.size === 3, `${p.label} receives from ${from.size} peers, not 3`);
    }
  }),

  withPages('two_rooms_isolated', async () => {
    const red = await openPeers('red', ['red1', 'red2'], { res: '320x240' });
    const blue = await openPeers('blue', ['blue1', 'blue2'], { res: '320x240' });
    const all = [...red, ...blue];
    const stats = await assertFlowing('two_rooms_isolated', all, { video: 1, audio: 1 });
    const states = await Promise.all(all.map(pageState));
    for (const [i, p] of all.entries()) {
      const mates = (i < 2 ? states.slice(0, 2) : states.slice(2)).map((s) => s.peerId);
      const others = states[i].peers.map((x) => x.peerId);
      assert(others.length === 1 && mates.includes(others[0]) && others[0] !== states[i].peerId,
        `${p.label} sees peers ${JSON.stringify(others)}, not only its room mate`);
      for (const r of stats[i].inbound) {
        assert(mates.includes(r.peerId) && r.peerId !== states[i].peerId,
          `${p.label} receives ${r.kind} from ${r.peerId}, outside its room`);
      }
    }
  }),

  withPages('leave_closes_consumers', async () => {
    const [stay, go] = await openPeers('leave', ['stay', 'go'], { res: '320x240' });
    await assertFlowing('leave_closes_consumers', [stay, go], { video: 1, audio: 1 });
    const goId = (await pageState(go)).peerId;
    const consumersBefore = (await pageState(stay)).consumers.map((c) => c.consumerId);
    assert(consumersBefore.length === 2, `stay has ${consumersBefore.length} consumers, not 2`);
    const t0 = Date.now();
    await go.evaluate(() => window.fanout.leave());
    await waitFor('peerLeft and consumerClosed on the page that stays', async () => {
      const ev = await stay.evaluate(() => window.fanout.events());
      const left = ev.some((e) => e.method === 'peerLeft' && e.data.peerId === goId);
      const closed = new Set(ev.filter((e) => e.method === 'consumerClosed').map((e) => e.data.consumerId));
      return left && consumersBefore.every((id) => closed.has(id));
    }, { timeoutMs: 5000 });
    console.log(`e2e: leave_closes_consumers: notifications after ${Date.now() - t0} ms`);
    const st = await pageState(stay);
    assert(st.consumers.length === 0, `consumers left open: ${JSON.stringify(st.consumers)}`);
    assert(st.peers.length === 0, `peer list still has ${JSON.stringify(st.peers)}`);
    const tiles = await stay.evaluate(() => document.querySelectorAll('#tiles .tile').length);
    assert(tiles === 0, `${tiles} remote tile(s) still shown after the peer left`);
  }),

  withPages('pause_resume_video', async () => {
    const [sender, viewer] = await openPeers('pause', ['sender', 'viewer'], { res: '320x240' });
    await assertFlowing('pause_resume_video', [sender, viewer], { video: 1, audio: 1 });
    const decoded = async () => {
      const s = await pageStats(viewer);
      return s.inbound.find((r) => r.kind === 'video').framesDecoded;
    };
    const audioIn = async () => {
      const s = await pageStats(viewer);
      return s.inbound.find((r) => r.kind === 'audio').packetsReceived;
    };
    await sender.evaluate(() => window.fanout.pause('webcam'));
    await waitFor('producerPaused on the viewer', () => viewer.evaluate(() =>
      window.fanout.events().some((e) => e.method === 'producerPaused')), { timeoutMs: 5000 });
    await sleep(1000); // frames in flight and in the jitter buffer
    const [v0, a0] = [await decoded(), await audioIn()];
    await sleep(3000);
    const [v1, a1] = [await decoded(), await audioIn()];
    assert(v1 === v0, `video kept decoding while paused (${v0} -> ${v1} frames in 3 s)`);
    assert(a1 > a0, 'audio stopped too while only video was paused');
    const t0 = Date.now();
    await sender.evaluate(() => window.fanout.resume('webcam'));
    await waitFor('video to decode again after resume', async () => (await decoded()) > v1 + 5,
      { timeoutMs: 10000, intervalMs: 100 });
    console.log(`e2e: pause_resume_video: video back ${Date.now() - t0} ms after resume`);
    const ev = await viewer.evaluate(() => window.fanout.events().map((e) => e.method));
    assert(ev.includes('producerResumed'), `no producerResumed notification (got ${ev.join(', ')})`);
  }),
  // mediasoup-client's transport.restartIce() on both transports of both pages: signaling's
  // restartIce gives new credentials, the data plane accepts checks only with them, the browsers
  // select a new candidate pair, and media never stops.
  withPages('ice_restart', async () => {
    const pages = await openPeers('restart', ['r1', 'r2'], { res: '320x240' });
    await assertFlowing('ice_restart', pages, { video: 1, audio: 1 });
    const before = await Promise.all(pages.map(pageStats));
    const t0 = Date.now();
    for (const p of pages) {
      for (const which of ['send', 'recv']) {
        const first = await p.evaluate((w) => window.fanout.restartIce(w), which);
        const second = await p.evaluate((w) => window.fanout.restartIce(w), which);
        assert(first.usernameFragment && first.password && first.iceLite === true,
          `${p.label} ${which}: iceParameters ${JSON.stringify(first)}`);
        assert(first.usernameFragment !== second.usernameFragment && first.password !== second.password,
          `${p.label} ${which}: a restart kept the ICE credentials`);
      }
    }
    for (const [i, p] of pages.entries()) {
      await waitFor(`${p.label}: a candidate pair checked with the new credentials`, async () => {
        const s = await pageStats(p);
        return ['send', 'recv'].every((w) => {
          const a = before[i].transports[w] || {};
          const b = s.transports[w] || {};
          return b.iceState === 'connected' && b.selectedPairId && (b.selectedPairId !== a.selectedPairId ||
            (b.selectedPairChanges || 0) > (a.selectedPairChanges || 0));
        });
      }, { timeoutMs: 15000, intervalMs: 200 });
    }
    console.log(`e2e: ice_restart: 4 transports re-selected a path ${Date.now() - t0} ms after restartIce`);
    await assertFlowing('ice_restart', pages, { video: 1, audio: 1 });
  }),
  // A second, independent client: python3-aiortc (tests/clients/aiortc/fanout_client.py) speaks
  // the same protocol, publishes audio and video and consumes the Chromium page's.
  withPages('aiortc_interop', async () => {
    const { spawn } = require('node:child_process');
    const path = require('node:path');
    const [page] = await openPeers('interop', ['chrome'], { res: '320x240' });
    const client = path.join(__dirname, '..', 'clients', 'aiortc', 'fanout_client.py');
    const seconds = kFlowSeconds + 8;
    const child = spawn('/usr/bin/python3', [client, '--url', `${stack.url.replace(/^http/, "ws")}/ws`, '--room', 'interop',
      '--name', 'aiortc', '--expect-producers', '2', '--seconds', String(seconds)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await assertFlowing('aiortc_interop', [page], { video: 1, audio: 1 });
    } catch (e) {
      child.kill('SIGTERM');
      await exited;
      e.message += `\n--- aiortc ---\n${out}${err.split('\n').slice(-15).join('\n')}`;
      throw e;
    }
    const code = await exited;
    let result;
    try {
      result = JSON.parse(out.trim().split('\n').pop());
    } catch (e) {
      throw new Error(`aiortc client printed no result (exit ${code}): ${out}\n${err.slice(-2000)}`);
    }
    assert(result.ok, `aiortc client failed: ${JSON.stringify(result.errors)}\n${err.slice(-1500)}`);
    const got = Object.values(result.received);
    const video = got.find((r) => r.kind === 'video');
    const audio = got.find((r) => r.kind === 'audio');
    // The fake camera runs at 20 fps (Chromium may lower it at its start bitrate) and Opus frames
    // are 20 ms: demand a quarter and half of that.
    assert(video && video.frames >= seconds * 5,
      `aiortc decoded ${video ? video.frames : 0} video frames from Chromium in ${seconds} s`);
    assert(audio && audio.frames >= seconds * 25,
      `aiortc decoded ${audio ? audio.frames : 0} audio frames from Chromium in ${seconds} s`);
    console.log(`e2e: aiortc_interop: aiortc decoded ${video.frames} video frames (first after ` +
      `${video.first_frame_s} s) and ${audio.frames} audio frames from Chromium`);
  }),
  // Issue 3: the control plane is killed (SIGKILL) during a call; media keeps flowing while it is
  // down, and once restarted it has adopted the same routers, transports, producers and consumers
  // (its journal reconciled with the data plane's Dump): pausing a producer works again.
  withPages('controlplane_sigkill', async () => {
    const [left, right] = await openPeers('restart', ['left', 'right'], { res: '320x240' });
    await assertFlowing('controlplane_sigkill', [left, right], { video: 1, audio: 1 });
    const inbound = async (p, kind) => (await pageStats(p)).inbound.find((r) => r.kind === kind);
    await stack.killControlplane();
    const before = [await inbound(right, 'video'), await inbound(left, 'video')];
    await sleep(3000);
    const after = [await inbound(right, 'video'), await inbound(left, 'video')];
    for (let i = 0; i < 2; ++i) {
      assert(after[i].framesDecoded > before[i].framesDecoded + 20,
        `video stalled while the control plane was down (${before[i].framesDecoded} -> ` +
        `${after[i].framesDecoded} frames in 3 s)`);
    }
    const t0 = Date.now();
    await stack.startControlplane();
    const log = stack.controlplane.tail(40);
    assert(/restored 1 routers, 4 transports, 4 producers, 4 consumers; dropped 0/.test(log),
      `the restarted control plane did not adopt the call:\n${log}`);
    // Signaling reconnects (backoff up to 2 s); then a pause must reach the restored producer.
    await waitFor('pauseProducer through the restarted control plane', async () => {
      try {
        await left.evaluate(() => window.fanout.pause('webcam'));
        return true;
      } catch (e) {
        return false;
      }
    }, { timeoutMs: 10000, intervalMs: 300 });
    await waitFor('producerPaused on the other page', () => right.evaluate(() =>
      window.fanout.events().some((e) => e.method === 'producerPaused')), { timeoutMs: 5000 });
    await left.evaluate(() => window.fanout.resume('webcam'));
    const v = (await inbound(right, 'video')).framesDecoded;
    await waitFor('video again after resume', async () =>
      (await inbound(right, 'video')).framesDecoded > v + 5, { timeoutMs: 10000, intervalMs: 200 });
    console.log(`e2e: controlplane_sigkill: media flowed 3 s without a control plane; restarted ` +
      `and serving in ${Date.now() - t0} ms`);
  }),
];

async function main() {
  requireRoot();
  const only = process.argv.slice(2);
  if (!process.env.FANOUT_CONTROLPLANE_BIN || !fs.existsSync(process.env.FANOUT_CONTROLPLANE_BIN)) {
    // Registered before fanout-controlplane exists: report every case as skipped, say why.
    const why = 'fanout-controlplane is not built yet (FANOUT_CONTROLPLANE_BIN unset)';
    const code = await runCases('e2e_call', cases.map((c) => ({ name: c.name, fn: async () => { throw new Skip(why); } })));
    process.exit(code);
  }
  stack = new Stack({ withMedia: true });
  browser = new Browser();
  let code = 1;
  try {
    await stack.start();
    console.log(`e2e: three processes up in ${stack.startupMs} ms`);
    await browser.launch();
    code = await runCases('e2e_call', cases, { only: only.length ? only : undefined });
    const joins = firstFrames.filter((f) => !f.first && f.ms !== null).map((f) => f.ms);
    if (joins.length) {
      joins.sort((a, b) => a - b);
      console.log(`e2e: join to first decoded frame (pages joining a room with media): ` +
        `median ${Math.round(joins[joins.length >> 1])} ms, max ${Math.round(joins[joins.length - 1])} ms ` +
        `over ${joins.length} pages`);
    }
  } catch (e) {
    console.log(`e2e: set-up failed: ${e.stack || e}`);
  } finally {
    if (code !== 0 && code !== 77) console.log(stack.logs());
    await browser.close().catch(() => {});
    await stack.stop();
  }
  process.exit(code);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

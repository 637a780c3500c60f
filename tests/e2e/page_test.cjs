// The demo page served by the real fanout-signaling: it renders, its bundle loads, and its
// protocol module (the code path every e2e call takes) talks to the server over the WebSocket.
// Needs only fanout-signaling and the built page, so it runs before the media planes exist.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { Stack, Browser, assert, waitFor, runCases, requireRoot } = require('./harness.cjs');

async function main() {
  requireRoot();
  const stack = new Stack({ withMedia: false });
  const browser = new Browser();
  let page;
  const cases = [
    {
      name: 'serves_page_and_bundle',
      fn: async () => {
        await stack.start();
        console.log(`e2e: signaling up in ${stack.startupMs} ms`);
        await browser.launch();
        page = await browser.open(`${stack.url}/?room=lobby&autojoin=0`, 'page');
        assert((await page.title()) === 'Fanout demo', `title is '${await page.title()}'`);
        await waitFor('window.fanout', () => page.evaluate(() => typeof window.fanout === 'object'));
        assert(await page.isVisible('#join-form'), 'the join form is not visible');
        assert(await page.isHidden('#controls'), 'the call controls show before joining');
        const room = await page.inputValue('#room');
        assert(room === 'lobby', `?room= did not fill the form (room field '${room}')`);
        const css = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert(css === 'rgb(22, 24, 29)', `style.css not applied (body background ${css})`);
        const shot = process.env.FANOUT_E2E_SCREENSHOT_DIR;
        if (shot) {
          fs.mkdirSync(shot, { recursive: true });
          await page.screenshot({ path: path.join(shot, 'demo_page.png') });
        }
      },
    },
    {
      name: 'websocket_ping_echo',
      fn: async () => {
        assert(page, 'no page (previous case failed)');
        await page.evaluate(() => window.fanout.connect());
        await waitFor('status "connected"', async () =>
          (await page.textContent('#status')) === 'connected');
        const pong = await page.evaluate(() => window.fanout.ping());
        assert(pong && pong.pong === true, `ping answered ${JSON.stringify(pong)}`);
        const sent = { text: 'héllo', n: 42, list: [1, 2, 3] };
        const echo = await page.evaluate((d) => window.fanout.echo(d), sent);
        assert(JSON.stringify(echo) === JSON.stringify(sent), `echo answered ${JSON.stringify(echo)}`);
        // Pipelined requests are matched to their responses by id.
        const many = await page.evaluate(() =>
          Promise.all([...Array(20).keys()].map((i) => window.fanout.echo({ i }))));
        assert(many.every((r, i) => r.i === i), `pipelined echoes mismatched: ${JSON.stringify(many)}`);
      },
    },
    {
      name: 'protocol_errors_reach_the_page',
      fn: async () => {
        assert(page, 'no page (previous case failed)');
        const err = await page.evaluate(() =>
          window.fanout.request('noSuchMethod', {}).then(() => null, (e) => ({ code: e.code, msg: e.message })));
        assert(err && err.code === 'unknown_method', `expected unknown_method, got ${JSON.stringify(err)}`);
        // A room method before join: not_joined (or unknown_method while the room handler is not
        // wired into the server yet); either way a typed error and the connection stays usable.
        const err2 = await page.evaluate(() =>
          window.fanout.request('getRouterRtpCapabilities', {}).then(() => null, (e) => e.code));
        assert(err2 === 'not_joined' || err2 === 'unknown_method', `getRouterRtpCapabilities before join: ${err2}`);
        const pong = await page.evaluate(() => window.fanout.ping());
        assert(pong.pong === true, 'the connection did not survive an error');
      },
    },
    {
      name: 'score_and_unknown_notifications_are_kept_or_ignored',
      fn: async () => {
        assert(page, 'no page (previous case failed)');
        // No media plane here: the notifications go in where the WebSocket hands them over.
        const got = await page.evaluate(() => {
          const s = window.fanout.session;
          const before = s.events.length;
          s.signaling.emit('notification', 'noSuchNotification', { x: 1 });
          s.signaling.emit('notification', 'producerScore',
            { producerId: 'p1', score: [{ encodingIdx: 0, ssrc: 1, score: 9 }] });
          s.signaling.emit('notification', 'producerScore',
            { producerId: 'p1', score: [{ encodingIdx: 0, ssrc: 1, score: 7 }] });
          s.signaling.emit('notification', 'consumerScore',
            { consumerId: 'c1', score: { score: 8, producerScore: 7, producerScores: [7] } });
          return {
            producer: s.producerScores.get('p1'),
            consumer: s.consumerScores.get('c1'),
            events: s.events.slice(before).map((e) => e.method),
          };
        });
        assert(JSON.stringify(got.producer) === '[{"encodingIdx":0,"ssrc":1,"score":7}]',
          `the latest producer score is not kept: ${JSON.stringify(got.producer)}`);
        assert(got.consumer && got.consumer.score === 8,
          `the consumer score is not kept: ${JSON.stringify(got.consumer)}`);
        assert(JSON.stringify(got.events) === '["noSuchNotification"]',
          `events: ${JSON.stringify(got.events)}`);
        const pong = await page.evaluate(() => window.fanout.ping());
        assert(pong.pong === true, 'the page broke on an unknown notification');
      },
    },
    {
      name: 'join_failure_is_shown',
      fn: async () => {
        // With no control plane behind signaling a join cannot complete: the page must say so
        // (whatever the error) and offer the form again, not hang.
        const p = await browser.open(`${stack.url}/?room=nomedia`, 'join-fail');
        await waitFor('a join result on the page', async () => {
          const s = await p.textContent('#status');
          return s.startsWith('join failed') || s === 'joined';
        }, { timeoutMs: 15000 });
        const status = await p.textContent('#status');
        if (status === 'joined') return; // a full stack answered: nothing to check here
        assert(await p.isVisible('#join-form'), 'the join form is not offered again after a failure');
      },
    },
  ];
  let code;
  try {
    code = await runCases('e2e_page', cases);
  } finally {
    if (code !== 0) console.log(browser.consoleTail ? `${browser.consoleTail()}\n${stack.logs()}` : '');
    await browser.close().catch(() => {});
    await stack.stop();
  }
  process.exit(code);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

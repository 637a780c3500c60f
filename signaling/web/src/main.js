// The demo page: a join form, media toggles, a tile per remote peer and live statistics. All
// signaling and media logic is in Session (session.js); this file only draws it. window.fanout
// exposes the same Session to tests and to the browser console.
import { Session } from './session.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

let session = new Session();
const tiles = new Map(); // peerId -> { el, videos: Map(consumerId -> video), audios: Map }
let lastStats = null;
let statsTimer = null;

function setStatus(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${kind}`;
}

function log(text) {
  const el = $('log');
  const line = document.createElement('div');
  line.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  el.prepend(line);
  while (el.childElementCount > 50) el.lastElementChild.remove();
}

function peerName(peerId) {
  const p = session.peers.get(peerId);
  return (p && p.displayName) || (peerId ? peerId.slice(0, 8) : '?');
}

function tileFor(peerId) {
  let t = tiles.get(peerId);
  if (t) return t;
  const el = document.createElement('div');
  el.className = 'tile';
  el.dataset.peerId = peerId;
  el.innerHTML = '<div class="media"></div><div class="caption"><span class="name"></span>' +
    '<span class="badges"></span><span class="stats"></span></div>';
  $('tiles').append(el);
  t = { el, media: new Map() };
  tiles.set(peerId, t);
  updateTileCaption(peerId);
  return t;
}

function updateTileCaption(peerId) {
  const t = tiles.get(peerId);
  if (!t) return;
  const p = session.peers.get(peerId);
  t.el.querySelector('.name').textContent = peerName(peerId);
  t.el.classList.toggle('disconnected', !!(p && p.disconnected));
}

function removeTile(peerId) {
  const t = tiles.get(peerId);
  if (!t) return;
  t.el.remove();
  tiles.delete(peerId);
}

function renderPeers(peers) {
  $('peer-count').textContent = String(peers.length);
  const ids = new Set(peers.map((p) => p.peerId));
  for (const p of peers) {
    tileFor(p.peerId);
    updateTileCaption(p.peerId);
  }
  for (const id of [...tiles.keys()]) if (!ids.has(id)) removeTile(id);
}

function onConsumer(c) {
  if (!c.added) {
    const t = tiles.get(c.peerId);
    if (!t) return;
    const m = t.media.get(c.consumerId);
    if (m) {
      m.srcObject = null;
      m.remove();
      t.media.delete(c.consumerId);
    }
    return;
  }
  const t = tileFor(c.peerId);
  let m = t.media.get(c.consumerId);
  if (!m) {
    m = document.createElement(c.kind === 'video' ? 'video' : 'audio');
    m.autoplay = true;
    m.playsInline = true;
    m.dataset.consumerId = c.consumerId;
    if (c.source === 'screen') m.className = 'screen';
    m.srcObject = new MediaStream([c.track]);
    m.play().catch(() => {}); // autoplay of audio may need a click: the Join click counts
    t.el.querySelector('.media').append(m);
    t.media.set(c.consumerId, m);
  }
  m.classList.toggle('paused', c.paused);
  const badges = [];
  for (const e of session.consumers.values()) {
    if (e.peerId === c.peerId && e.paused) badges.push(`${e.source || e.kind} off`);
  }
  t.el.querySelector('.badges').textContent = badges.join(' · ');
}

function onProducer({ source, state, track }) {
  const button = $(`btn-${source}`);
  if (button) {
    button.classList.toggle('on', state === 'open');
    button.textContent = {
      mic: state === 'open' ? 'Mute' : 'Unmute',
      webcam: state === 'open' ? 'Camera off' : 'Camera on',
      screen: state === 'closed' ? 'Share screen' : 'Stop sharing',
    }[source];
  }
  const video = source === 'webcam' ? $('local-video') : source === 'screen' ? $('local-screen') : null;
  if (!video) return;
  if (state === 'closed') {
    video.srcObject = null;
    video.hidden = source === 'screen';
  } else if (track) {
    video.srcObject = new MediaStream([track]);
    video.hidden = false;
    video.classList.toggle('paused', state === 'paused');
  }
}

function fmtRate(bitsPerSecond) {
  if (bitsPerSecond >= 1e6) return `${(bitsPerSecond / 1e6).toFixed(2)} Mb/s`;
  return `${(bitsPerSecond / 1e3).toFixed(0)} kb/s`;
}

async function refreshStats() {
  if (!session.joined) return;
  const s = await session.stats();
  const prev = lastStats;
  lastStats = s;
  if (!prev) return;
  const dt = (s.at - prev.at) / 1000;
  const sum = (list, key) => list.reduce((a, r) => a + (r[key] || 0), 0);
  const sent = (sum(s.outbound, 'bytesSent') - sum(prev.outbound, 'bytesSent')) * 8 / dt;
  const recv = (sum(s.inbound, 'bytesReceived') - sum(prev.inbound, 'bytesReceived')) * 8 / dt;
  const got = sum(s.inbound, 'packetsReceived') - sum(prev.inbound, 'packetsReceived');
  const lost = sum(s.inbound, 'packetsLost') - sum(prev.inbound, 'packetsLost');
  const loss = got + lost > 0 ? (100 * Math.max(lost, 0)) / (got + lost) : 0;
  const rtts = Object.values(s.transports).map((t) => t.rtt).filter((r) => r !== undefined);
  const rtt = rtts.length ? `${Math.round(1000 * Math.max(...rtts))} ms` : '–';
  // Our producers' score as the server receives them: per producer its best encoding (a simulcast
  // layer that the browser stopped sending scores 0 though nothing is lost), then the lowest.
  const upScores = [...session.producers.values()]
    .map((p) => session.producerScores.get(p.id))
    .filter((sc) => sc && sc.length)
    .map((sc) => Math.max(...sc.map((e) => e.score)));
  const upScore = upScores.length ? ` · up score ${Math.min(...upScores)}` : '';
  $('stats').textContent = `up ${fmtRate(sent)} · down ${fmtRate(recv)} · loss ${loss.toFixed(1)}% · RTT ${rtt}${upScore}`;
  // Per peer: the inbound bitrate of its streams.
  const perPeer = new Map();
  for (const r of s.inbound) {
    const before = prev.inbound.find((p) => p.ssrc === r.ssrc && p.kind === r.kind);
    const bits = before ? (r.bytesReceived - before.bytesReceived) * 8 / dt : 0;
    perPeer.set(r.peerId, (perPeer.get(r.peerId) || 0) + bits);
  }
  // And the lowest score of its streams that we consume: the one to worry about.
  const peerScore = new Map();
  for (const e of session.consumers.values()) {
    const sc = session.consumerScores.get(e.consumer.id);
    if (sc) peerScore.set(e.peerId, Math.min(sc.score, peerScore.get(e.peerId) ?? 10));
  }
  for (const [peerId, t] of tiles) {
    const score = peerScore.has(peerId) ? ` · score ${peerScore.get(peerId)}` : '';
    t.el.querySelector('.stats').textContent = fmtRate(perPeer.get(peerId) || 0) + score;
  }
  const tr = s.transports.recv || s.transports.send;
  $('cipher').textContent = tr && tr.srtpCipher ? `${tr.tlsVersion || ''} ${tr.srtpCipher}` : '';
}

function showJoined(joined) {
  $('join-form').hidden = joined;
  $('controls').hidden = !joined;
  $('room-name').textContent = joined ? session.roomId : '';
  document.body.classList.toggle('joined', joined);
}

// Handlers ignore a session that has been replaced (after a leave or a failed join), so its
// late events (its WebSocket closing) do not overwrite the new state.
function wireSession(s) {
  const mine = (fn) => (detail) => {
    if (s === session) fn(detail);
  };
  s.on('peers', mine(renderPeers));
  s.on('consumer', mine(onConsumer));
  s.on('producer', mine(onProducer));
  s.on('transport', mine(({ which, state }) => {
    $(`state-${which}`).textContent = state;
    log(`${which} transport ${state}`);
  }));
  s.on('signaling', mine(({ state, code, reason }) => {
    if (state === 'open') setStatus('connected', 'ok');
    if (state === 'closed') {
      setStatus(`disconnected${reason ? `: ${reason}` : ''}`, code === 1000 ? '' : 'bad');
      showJoined(false);
    }
  }));
  s.on('notification', mine(({ method, data }) => {
    const who = data.peerId ? ` ${peerName(data.peerId)}` : '';
    log(`${method}${who}`);
  }));
  s.on('firstFrame', mine(({ ms }) => log(`first video frame ${Math.round(ms)} ms after join`)));
}

// A fresh Session for the next join: a Session is good for one call.
function replaceSession() {
  const old = session;
  session = new Session();
  wireSession(session);
  window.fanout.session = session;
  old.signaling.close();
}

async function join(options) {
  const roomId = options.roomId;
  setStatus('joining…');
  try {
    const reply = await session.join(options);
    showJoined(true);
    setStatus('joined', 'ok');
    log(`joined room ${roomId} as ${reply.displayName || reply.peerId}`);
    history.replaceState(null, '', `?room=${encodeURIComponent(roomId)}`);
    lastStats = null;
    clearInterval(statsTimer);
    statsTimer = setInterval(() => refreshStats().catch(() => {}), 1000);
    return reply;
  } catch (e) {
    setStatus(`join failed: ${e.message}`, 'bad');
    log(`join failed: ${e.message}`);
    // A failed join leaves a half-made session: start over with a fresh one.
    const failed = session;
    replaceSession();
    await failed.leave().catch(() => {});
    throw e;
  }
}

async function leave() {
  clearInterval(statsTimer);
  await session.leave().catch((e) => log(`leave: ${e.message}`));
  for (const id of [...tiles.keys()]) removeTile(id);
  showJoined(false);
  setStatus('left');
  replaceSession();
}

async function toggle(source) {
  try {
    const p = session.producers.get(source);
    if (source === 'screen') {
      if (p) await session.closeProducer(source);
      else await session.produce(source);
    } else if (!p) {
      await session.produce(source);
    } else if (p.paused) {
      await session.resume(source);
    } else {
      await session.pause(source);
    }
  } catch (e) {
    log(`${source}: ${e.message}`);
  }
}

// The test and console interface: the same calls the buttons make.
window.fanout = {
  session,
  join: (opts) => join(opts),
  leave,
  connect: () => session.connect(),
  ping: () => session.signaling.request('ping'),
  echo: (data) => session.signaling.request('echo', data),
  request: (method, data) => session.signaling.request(method, data),
  produce: (source) => session.produce(source),
  pause: (source) => session.pause(source),
  resume: (source) => session.resume(source),
  closeProducer: (source) => session.closeProducer(source),
  restartIce: (which) => session.restartIce(which),
  stats: () => session.stats(),
  state: () => session.state(),
  events: () => session.events.map((e) => ({ method: e.method, data: e.data })),
};
window.fanout.session = session;

wireSession(session);
$('join-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  join({
    roomId: $('room').value.trim(),
    displayName: $('name').value.trim(),
    audio: $('with-audio').checked,
    video: $('with-video').checked,
  }).catch(() => {});
});
$('btn-mic').addEventListener('click', () => toggle('mic'));
$('btn-webcam').addEventListener('click', () => toggle('webcam'));
$('btn-screen').addEventListener('click', () => toggle('screen'));
$('btn-leave').addEventListener('click', () => leave());
if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) $('btn-screen').hidden = true;

const room = params.get('room');
if (room) $('room').value = room;
if (params.get('name')) $('name').value = params.get('name');
setStatus('not connected');
// With ?room= the page joins at once (autojoin=0 leaves it to the form or to window.fanout).
// res=WxH asks the camera for another size (the e2e tests use 320x240 to save CPU).
const res = /^(\d+)x(\d+)$/.exec(params.get('res') || '');
if (room && params.get('autojoin') !== '0') {
  join({
    roomId: room,
    displayName: params.get('name') || '',
    videoSize: res ? { width: Number(res[1]), height: Number(res[2]) } : undefined,
  }).catch(() => {});
}

// One peer in one room: mediasoup-client's Device, a send and a receive transport, producers for
// mic / webcam / screen and a consumer per remote producer. It follows "A call, step by step" of
// signaling/PROTOCOL.md and knows nothing of the DOM beyond getUserMedia, so the page's UI and the
// e2e tests (through window.fanout) share this code path.
import { Device } from 'mediasoup-client';
import { SignalingClient } from './protocol.js';

const kSources = ['mic', 'webcam', 'screen'];

export class Session {
  constructor({ url } = {}) {
    this.signaling = new SignalingClient({ url });
    this.device = null;
    this.sendTransport = null;
    this.recvTransport = null;
    this.peerId = null;
    this.roomId = null;
    this.displayName = '';
    this.permissions = { publish: false, subscribe: false };
    this.joined = false;
    this.peers = new Map(); // peerId -> { peerId, displayName }
    this.producers = new Map(); // source -> mediasoup-client Producer
    this.consumers = new Map(); // consumerId -> { consumer, peerId, producerId, kind, source, paused }
    this.remoteProducers = new Map(); // producerId -> { producerId, peerId, kind, paused, appData }
    this.consumed = new Set(); // producer ids consumed (or being consumed) once
    this.ready = false; // transports made: newProducer before this waits in remoteProducers
    this.events = []; // every notification received but scores, for the tests: { at, method, data }
    // The latest producerScore / consumerScore of each of ours (PROTOCOL.md): producerId -> [
    // { encodingIdx, ssrc, rid?, score } ], consumerId -> { score, producerScore, producerScores }.
    this.producerScores = new Map();
    this.consumerScores = new Map();
    this.listeners = new Map();
    this.timing = { joinStart: 0, joined: 0, firstFrame: 0 };
    this.transportStates = { send: 'new', recv: 'new' };
    this.videoSize = { width: 640, height: 480 };
    this.signaling.on('notification', (method, data) => this.onNotification(method, data));
    this.signaling.on('close', (info) => {
      this.joined = false;
      this.emit('signaling', { state: 'closed', ...info });
    });
  }

  // Events for the UI: 'peers', 'consumer' (added/removed), 'producer', 'transport', 'signaling',
  // 'notification', 'score', 'firstFrame'.
  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }

  emit(event, detail) {
    for (const cb of this.listeners.get(event) || []) {
      try {
        cb(detail);
      } catch (e) {
        console.error(`fanout: ${event} listener failed`, e);
      }
    }
  }

  async connect() {
    await this.signaling.connect();
    this.emit('signaling', { state: 'open' });
  }

  // Joins roomId; publishes the microphone and camera when asked (and allowed) and consumes every
  // producer in the room. Returns the join reply.
  // videoSize: { width, height } asked of the camera (default 640x480).
  async join({ roomId, displayName = '', token, audio = true, video = true, videoSize } = {}) {
    if (this.joined) throw new Error('already joined');
    if (!roomId) throw new Error('a room name is needed');
    this.timing = { joinStart: performance.now(), joined: 0, firstFrame: 0 };
    this.videoSize = videoSize || { width: 640, height: 480 };
    await this.connect();
    const req = { roomId, displayName, protocolVersion: 1 };
    if (token) req.token = token;
    const reply = await this.signaling.request('join', req);
    this.roomId = roomId;
    this.peerId = reply.peerId;
    this.displayName = reply.displayName;
    this.reconnectToken = reply.reconnectToken;
    this.permissions = reply.permissions || { publish: true, subscribe: true };
    this.joined = true;
    for (const p of reply.peers || []) this.peers.set(p.peerId, p);
    this.emit('peers', this.peerList());

    const { rtpCapabilities } = await this.signaling.request('getRouterRtpCapabilities');
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: rtpCapabilities });

    for (const p of reply.producers || []) this.remoteProducers.set(p.producerId, p);
    if (this.permissions.subscribe) await this.createRecvTransport();
    if (this.permissions.publish) await this.createSendTransport();
    this.timing.joined = performance.now();
    this.ready = true;
    this.watchFirstFrame();

    const work = [];
    if (this.permissions.publish && audio) work.push(this.produce('mic'));
    if (this.permissions.publish && video) work.push(this.produce('webcam'));
    // The join reply's producers and any newProducer that came while the transports were made.
    for (const p of this.remoteProducers.values()) work.push(this.consumeOnce(p));
    const results = await Promise.allSettled(work);
    for (const r of results) {
      if (r.status === 'rejected') console.warn('fanout: join step failed:', r.reason);
    }
    return reply;
  }

  async createSendTransport() {
    const params = await this.signaling.request('createWebRtcTransport', { direction: 'send' });
    const t = this.device.createSendTransport({ ...params, iceServers: [] });
    t.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    t.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.signaling
        .request('produce', { transportId: t.id, kind, rtpParameters, appData })
        .then(({ id }) => callback({ id }), errback);
    });
    t.on('connectionstatechange', (state) => this.setTransportState('send', state));
    this.sendTransport = t;
  }

  async createRecvTransport() {
    const params = await this.signaling.request('createWebRtcTransport', { direction: 'recv' });
    const t = this.device.createRecvTransport({ ...params, iceServers: [] });
    t.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    t.on('connectionstatechange', (state) => this.setTransportState('recv', state));
    this.recvTransport = t;
  }

  setTransportState(which, state) {
    this.transportStates[which] = state;
    this.emit('transport', { which, state });
    // A path that stopped answering (the network changed, consent expired): ask for new ICE
    // credentials, which makes the browser gather and check again. 'disconnected' may heal on its
    // own, so give it a moment first; one restart at a time per transport.
    clearTimeout(this.restartTimers?.[which]);
    if (state === 'failed' || state === 'disconnected') {
      this.restartTimers = this.restartTimers || {};
      this.restartTimers[which] = setTimeout(() => {
        if (this.transportStates[which] !== state) return;
        this.restartIce(which).catch((e) => console.warn(`fanout: ICE restart (${which}) failed`, e));
      }, state === 'failed' ? 0 : 2000);
    }
  }

  // mediasoup-client's transport.restartIce() with the server's new iceParameters (signaling
  // restartIce). Media keeps flowing on the current path until the new checks select one.
  async restartIce(which) {
    const t = which === 'send' ? this.sendTransport : this.recvTransport;
    if (!t || t.closed) throw new Error(`no ${which} transport`);
    this.restarting = this.restarting || {};
    if (this.restarting[which]) return this.restarting[which];
    this.restarting[which] = (async () => {
      try {
        const { iceParameters } = await this.signaling.request('restartIce', { transportId: t.id });
        await t.restartIce({ iceParameters });
        this.emit('transport', { which, state: this.transportStates[which], restarted: true });
        return iceParameters;
      } finally {
        this.restarting[which] = null;
      }
    })();
    return this.restarting[which];
  }

  // source: 'mic' | 'webcam' | 'screen'. Screen sharing is a second video producer.
  async produce(source) {
    if (!kSources.includes(source)) throw new Error(`unknown source ${source}`);
    if (!this.sendTransport) throw new Error('cannot publish (no send transport)');
    if (this.producers.has(source)) return this.producers.get(source).id;
    let stream;
    if (source === 'mic') {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } else if (source === 'webcam') {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: this.videoSize.width }, height: { ideal: this.videoSize.height } },
      });
    } else {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    }
    const track = source === 'mic' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    const options = { track, appData: { source } };
    if (source === 'screen') options.codecOptions = { videoGoogleStartBitrate: 1000 };
    const producer = await this.sendTransport.produce(options);
    this.producers.set(source, producer);
    // The browser's "stop sharing" button ends the track: close the producer with it.
    track.addEventListener('ended', () => this.closeProducer(source).catch(() => {}));
    this.emit('producer', { source, state: 'open', track });
    return producer.id;
  }

  async pause(source) {
    const p = this.producers.get(source);
    if (!p) throw new Error(`no ${source} producer`);
    p.pause();
    await this.signaling.request('pauseProducer', { producerId: p.id });
    this.emit('producer', { source, state: 'paused', track: p.track });
  }

  async resume(source) {
    const p = this.producers.get(source);
    if (!p) throw new Error(`no ${source} producer`);
    p.resume();
    await this.signaling.request('resumeProducer', { producerId: p.id });
    this.emit('producer', { source, state: 'open', track: p.track });
  }

  async closeProducer(source) {
    const p = this.producers.get(source);
    if (!p) return;
    this.producers.delete(source);
    this.producerScores.delete(p.id);
    p.close();
    if (p.track) p.track.stop();
    this.emit('producer', { source, state: 'closed' });
    if (this.joined) await this.signaling.request('closeProducer', { producerId: p.id });
  }

  // Consumes a remote producer unless it is ours, already consumed, or the transports are not made
  // yet (join consumes it then).
  consumeOnce(remote) {
    if (!this.ready || !this.permissions.subscribe || remote.peerId === this.peerId) return null;
    if (this.consumed.has(remote.producerId)) return null;
    this.consumed.add(remote.producerId);
    return this.consume(remote).catch((e) => {
      this.consumed.delete(remote.producerId);
      throw e;
    });
  }

  async consume(remote) {
    if (!this.recvTransport) return null;
    const data = await this.signaling.request('consume', {
      transportId: this.recvTransport.id,
      producerId: remote.producerId,
      rtpCapabilities: this.device.rtpCapabilities,
    });
    const consumer = await this.recvTransport.consume({
      id: data.id,
      producerId: data.producerId,
      kind: data.kind,
      rtpParameters: data.rtpParameters,
    });
    const entry = {
      consumer,
      peerId: remote.peerId,
      producerId: data.producerId,
      kind: data.kind,
      source: (data.appData && data.appData.source) || (remote.appData && remote.appData.source),
      paused: !!data.producerPaused,
    };
    this.consumers.set(consumer.id, entry);
    this.emit('consumer', { added: true, ...this.describeConsumer(entry), track: consumer.track });
    await this.signaling.request('resumeConsumer', { consumerId: consumer.id });
    return consumer.id;
  }

  removeConsumer(consumerId, reason) {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.consumerScores.delete(consumerId);
    this.consumed.delete(entry.producerId);
    entry.consumer.close();
    this.emit('consumer', { added: false, reason, ...this.describeConsumer(entry) });
  }

  onNotification(method, data) {
    // Scores come up to once a second per producer and consumer: only the latest is kept (in
    // state()), not a growing list of them, and they are not 'notification' events for the log.
    if (method === 'producerScore') {
      this.producerScores.set(data.producerId, data.score);
      this.emit('score', { producerId: data.producerId, score: data.score });
      return;
    }
    if (method === 'consumerScore') {
      this.consumerScores.set(data.consumerId, data.score);
      this.emit('score', { consumerId: data.consumerId, score: data.score });
      return;
    }
    this.events.push({ at: performance.now(), method, data });
    this.emit('notification', { method, data });
    switch (method) {
      case 'peerJoined':
        this.peers.set(data.peerId, data);
        this.emit('peers', this.peerList());
        break;
      case 'peerLeft':
        this.peers.delete(data.peerId);
        // The server sends consumerClosed for each consumer; this only cleans up a lost one.
        for (const [id, e] of this.consumers) {
          if (e.peerId === data.peerId) this.removeConsumer(id, 'peerLeft');
        }
        this.emit('peers', this.peerList());
        break;
      case 'peerDisconnected':
      case 'peerReconnected': {
        const p = this.peers.get(data.peerId);
        if (p) p.disconnected = method === 'peerDisconnected';
        this.emit('peers', this.peerList());
        break;
      }
      case 'newProducer':
        this.remoteProducers.set(data.producerId, data);
        if (this.joined) {
          const c = this.consumeOnce(data);
          if (c) c.catch((e) => console.warn('fanout: consume failed:', e));
        }
        break;
      case 'producerPaused':
      case 'producerResumed':
        for (const e of this.consumers.values()) {
          if (e.producerId !== data.producerId) continue;
          e.paused = method === 'producerPaused';
          this.emit('consumer', { added: true, updated: true, ...this.describeConsumer(e) });
        }
        break;
      case 'producerClosed':
        this.remoteProducers.delete(data.producerId);
        this.consumed.delete(data.producerId);
        for (const [id, e] of this.consumers) {
          if (e.producerId === data.producerId) this.removeConsumer(id, 'producerClosed');
        }
        break;
      case 'consumerClosed':
        this.removeConsumer(data.consumerId, data.reason || 'consumerClosed');
        break;
      default:
        break;
    }
  }

  async leave() {
    if (!this.joined) return;
    try {
      await this.signaling.request('leave');
    } finally {
      this.joined = false;
      this.ready = false;
      for (const source of [...this.producers.keys()]) {
        const p = this.producers.get(source);
        p.close();
        if (p.track) p.track.stop();
        this.emit('producer', { source, state: 'closed' });
      }
      this.producers.clear();
      this.producerScores.clear();
      for (const id of [...this.consumers.keys()]) this.removeConsumer(id, 'left');
      if (this.sendTransport) this.sendTransport.close();
      if (this.recvTransport) this.recvTransport.close();
      this.sendTransport = this.recvTransport = null;
      this.peers.clear();
      this.emit('peers', []);
      this.signaling.close();
    }
  }

  peerList() {
    return [...this.peers.values()].map((p) => ({ ...p }));
  }

  describeConsumer(e) {
    return {
      consumerId: e.consumer.id,
      peerId: e.peerId,
      producerId: e.producerId,
      kind: e.kind,
      source: e.source,
      paused: e.paused,
      score: this.consumerScores.get(e.consumer.id) || null,
    };
  }

  // Polls the receive side every 100 ms until a video frame is decoded: join-to-first-frame.
  watchFirstFrame() {
    const started = this.timing.joinStart;
    const poll = async () => {
      if (!this.joined || this.timing.joinStart !== started) return;
      const s = this.recvTransport ? await this.recvTransport.getStats() : null;
      let decoded = 0;
      if (s) {
        s.forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') decoded += r.framesDecoded || 0;
        });
      }
      if (decoded > 0) {
        this.timing.firstFrame = performance.now();
        this.emit('firstFrame', { ms: this.timing.firstFrame - this.timing.joinStart });
        return;
      }
      setTimeout(poll, 100);
    };
    setTimeout(poll, 100);
  }

  // RTCPeerConnection-level statistics of both transports, summarised: what the page shows and
  // what the e2e tests assert on. Counters are cumulative; rates are computed by the caller.
  async stats() {
    const out = {
      at: performance.now(),
      transports: {},
      inbound: [],
      outbound: [],
      remoteInbound: [],
    };
    const collect = async (which, transport) => {
      if (!transport) return;
      const report = await transport.getStats();
      const byId = new Map();
      report.forEach((r) => byId.set(r.id, r));
      report.forEach((r) => {
        if (r.type === 'transport') {
          const pair = byId.get(r.selectedCandidatePairId);
          out.transports[which] = {
            dtlsState: r.dtlsState,
            iceState: r.iceState,
            dtlsCipher: r.dtlsCipher,
            srtpCipher: r.srtpCipher,
            tlsVersion: r.tlsVersion,
            bytesSent: r.bytesSent,
            bytesReceived: r.bytesReceived,
            rtt: pair ? pair.currentRoundTripTime : undefined,
            selectedPairId: r.selectedCandidatePairId,
            selectedPairChanges: r.selectedCandidatePairChanges,
            connectionState: this.transportStates[which],
          };
        } else if (r.type === 'inbound-rtp') {
          out.inbound.push({
            kind: r.kind,
            ssrc: r.ssrc,
            mid: r.mid,
            trackIdentifier: r.trackIdentifier,
            packetsReceived: r.packetsReceived || 0,
            packetsLost: r.packetsLost || 0,
            bytesReceived: r.bytesReceived || 0,
            framesDecoded: r.framesDecoded || 0,
            jitter: r.jitter,
          });
        } else if (r.type === 'outbound-rtp') {
          out.outbound.push({
            kind: r.kind,
            ssrc: r.ssrc,
            mid: r.mid,
            packetsSent: r.packetsSent || 0,
            bytesSent: r.bytesSent || 0,
            framesEncoded: r.framesEncoded || 0,
          });
        } else if (r.type === 'remote-inbound-rtp') {
          out.remoteInbound.push({
            kind: r.kind,
            ssrc: r.ssrc,
            packetsLost: r.packetsLost || 0,
            fractionLost: r.fractionLost || 0,
            roundTripTime: r.roundTripTime,
          });
        }
      });
    };
    await collect('send', this.sendTransport);
    await collect('recv', this.recvTransport);
    // Which peer each inbound stream comes from (by the consumer's track id).
    const trackPeer = new Map();
    for (const e of this.consumers.values()) {
      trackPeer.set(e.consumer.track.id, { peerId: e.peerId, consumerId: e.consumer.id });
    }
    for (const i of out.inbound) Object.assign(i, trackPeer.get(i.trackIdentifier) || {});
    return out;
  }

  state() {
    return {
      joined: this.joined,
      roomId: this.roomId,
      peerId: this.peerId,
      permissions: this.permissions,
      peers: this.peerList(),
      producers: [...this.producers.entries()].map(([source, p]) => ({
        source,
        producerId: p.id,
        kind: p.kind,
        paused: p.paused,
        score: this.producerScores.get(p.id) || null,
      })),
      consumers: [...this.consumers.values()].map((e) => this.describeConsumer(e)),
      transports: { ...this.transportStates },
      timing: {
        joinMs: this.timing.joined ? this.timing.joined - this.timing.joinStart : null,
        firstFrameMs: this.timing.firstFrame ? this.timing.firstFrame - this.timing.joinStart : null,
      },
    };
  }
}

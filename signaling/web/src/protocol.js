// The Fanout signaling protocol v1 (signaling/PROTOCOL.md) over one WebSocket: requests with ids
// answered by responses in any order, and server notifications. No UI and no media here, so the
// page and the e2e tests drive the same code.

export class ProtocolError extends Error {
  constructor(method, code, reason) {
    super(`${method}: ${code}${reason ? `: ${reason}` : ''}`);
    this.name = 'ProtocolError';
    this.method = method;
    this.code = code;
    this.reason = reason;
  }
}

export class SignalingClient {
  // url: ws://host:port/ws (default: the page's own origin); timeoutMs bounds each request.
  constructor({ url, timeoutMs = 10000 } = {}) {
    this.url = url || SignalingClient.defaultUrl();
    this.timeoutMs = timeoutMs;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, reject, timer, method }
    this.listeners = new Map(); // event name -> Set of callbacks
  }

  static defaultUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  // Events: 'notification' (method, data), 'open', 'close' ({ code, reason }).
  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
    return () => this.listeners.get(event).delete(callback);
  }

  emit(event, ...args) {
    for (const cb of this.listeners.get(event) || []) {
      try {
        cb(...args);
      } catch (e) {
        console.error(`fanout: ${event} listener failed`, e);
      }
    }
  }

  connect() {
    if (this.ws) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.emit('open');
        resolve();
      };
      ws.onmessage = (ev) => this.onMessage(ev.data);
      ws.onerror = () => {
        if (!opened) reject(new Error(`cannot connect to ${this.url}`));
      };
      ws.onclose = (ev) => {
        this.ws = null;
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new ProtocolError(p.method, 'connection_closed', ev.reason || `code ${ev.code}`));
        }
        this.pending.clear();
        if (!opened) reject(new Error(`cannot connect to ${this.url} (code ${ev.code})`));
        this.emit('close', { code: ev.code, reason: ev.reason });
      };
    });
  }

  close() {
    if (this.ws) this.ws.close(1000, 'bye');
  }

  request(method, data = {}) {
    if (!this.connected) {
      return Promise.reject(new ProtocolError(method, 'not_connected', 'WebSocket is not open'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProtocolError(method, 'timeout', `no response in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.ws.send(JSON.stringify({ id, method, data }));
    });
  }

  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      console.warn('fanout: ignoring a frame that is not JSON');
      return;
    }
    if (msg.notification) {
      this.emit('notification', msg.method, msg.data || {});
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // a response after its timeout
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) {
      p.resolve(msg.data || {});
    } else {
      const err = msg.error || {};
      p.reject(new ProtocolError(p.method, err.code || 'error', err.reason || ''));
    }
  }
}

// RESP, the Redis wire protocol, over a plain `node:net` socket: encoding a
// command, parsing replies, and one persistent, pipelined, self-reconnecting
// connection per peer. Nothing here knows about rings or hints.
import net from 'node:net';

/** Encodes a command as a RESP array of bulk strings: `*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`. */
export function encodeCommand(...args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A Redis error reply (`-ERR ...`): a value, not an exception. */
export class RedisError extends Error {}

/**
 * Parses replies from a byte stream fed in arbitrary chunks. Returns
 * `{ value, end }` for a complete reply starting at `at`, or `undefined` if
 * more bytes are needed. Bulk strings come back as UTF-8 strings, nil as null.
 */
export function parseReply(buf, at = 0) {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RedisError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`not a RESP reply: byte ${buf[at]} at offset ${at}`);
  }
}

/**
 * One persistent connection to one Redis server. Commands are pipelined:
 * `send` writes at once and replies are matched to commands in order.
 * When the connection drops it reconnects by itself, with exponential
 * backoff, until `close()`.
 */
export class RedisConnection {
  #socket = null;
  #pending = []; // one { resolve, reject, onLost } per command sent, oldest first
  #buffer = Buffer.alloc(0);
  #backoffMs;
  #closed = false;
  #timer = null;
  #settle;

  constructor({ host, port }, { minBackoffMs = 50, maxBackoffMs = 1000, connectTimeoutMs = 2000, onUp = () => {} } = {}) {
    Object.assign(this, { host, port, minBackoffMs, maxBackoffMs, connectTimeoutMs, onUp });
    this.up = false; // true while the socket is connected
    this.settled = new Promise((resolve) => (this.#settle = resolve)); // the first attempt connected or failed
    this.#backoffMs = minBackoffMs;
    this.#connect();
  }

  /**
   * Writes one command's bytes and resolves with its reply (a RedisError
   * reply resolves too). If the connection is down, or drops before the
   * reply: calls `onLost()` if given, synchronously and in send order, and
   * resolves with what it returns; otherwise rejects.
   */
  send(bytes, onLost) {
    if (!this.up) return new Promise((resolve, reject) => this.#lose({ resolve, reject, onLost }));
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject, onLost });
      this.#socket.write(bytes);
    });
  }

  /** Stops reconnecting and closes the socket; commands in flight count as lost. */
  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.destroy();
  }

  #connect() {
    const socket = net.createConnection({ host: this.host, port: this.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.connectTimeoutMs, () => socket.destroy()); // an unreachable host fails like a refusal
    socket.on('connect', () => {
      // With nothing listening on a loopback port, TCP can connect a socket to itself.
      if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) return socket.destroy();
      socket.setTimeout(0);
      this.up = true;
      this.#settle();
      this.#backoffMs = this.minBackoffMs;
      this.onUp();
    });
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', () => {}); // 'close' follows and does the work
    socket.on('close', () => this.#onClose());
  }

  #onData(chunk) {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let at = 0;
    for (let reply; (reply = parseReply(this.#buffer, at)) !== undefined; at = reply.end) {
      this.#pending.shift()?.resolve(reply.value);
    }
    this.#buffer = this.#buffer.subarray(at);
  }

  #onClose() {
    this.up = false;
    this.#settle();
    this.#buffer = Buffer.alloc(0);
    const lost = this.#pending;
    this.#pending = [];
    for (const command of lost) this.#lose(command);
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.#connect(), this.#backoffMs);
    this.#timer.unref();
    this.#backoffMs = Math.min(this.maxBackoffMs, this.#backoffMs * 2);
  }

  #lose({ resolve, reject, onLost }) {
    try {
      if (onLost) resolve(onLost());
      else reject(new Error(`redis ${this.host}:${this.port} is down`));
    } catch (err) {
      reject(err); // onLost itself failed, e.g. the hint store is full
    }
  }
}

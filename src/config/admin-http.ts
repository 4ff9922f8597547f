/**
 * Reading topology sources over HTTP: a Dynomite node's admin port
 * (`stats_listen`), a florida seeds server, Dynomite Manager. Node-only
 * (`node:net`): not part of the browser bundle.
 *
 * A raw socket rather than `node:http`: the admin port writes a header with
 * bare LF line ends and trailing spaces, which Node's strict parser rejects.
 */
import { connect } from 'node:net';
import { ConfigError, TopologySourceError } from '../errors.js';
import { endpointKey, parsePort, type Peer } from '../ring/peer.js';
import { parseClusterDescribe } from './cluster-describe.js';
import { parseDynomiteManager, type DynomiteManagerOptions, type DynomiteManagerTopology } from './dynomite-manager.js';
import { parseFloridaSeeds } from './florida.js';

/** Options for reading an admin or seeds endpoint. */
export interface AdminRequestOptions {
  /** Give up when the whole reply has not arrived by then, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Port used when the URL names none. @default 22222 (a Dynomite node's `stats_listen`) */
  defaultPort?: number;
  /** Largest reply accepted, in bytes; a longer one is a bad reply. @default 16777216 */
  maxBytes?: number;
}

/** Defaults of {@link AdminRequestOptions}. */
export const ADMIN_REQUEST_DEFAULTS = Object.freeze({ timeoutMs: 5000, defaultPort: 22222, maxBytes: 16 << 20 });

/** Where each source is served, and its usual port. */
export const TOPOLOGY_SOURCE_PATHS = Object.freeze({
  /** A Dynomite node's admin port. */
  clusterDescribe: { path: '/cluster_describe', defaultPort: 22222 },
  /** The seeds server `florida_provider` polls (its default `DYNOMITE_FLORIDA_PORT` is 8080). */
  floridaSeeds: { path: '/REST/v1/admin/get_seeds', defaultPort: 8080 },
  /** Dynomite Manager's REST port, where Dyno reads its token map. */
  dynomiteManager: { path: '/REST/v1/admin/cluster_describe', defaultPort: 8080 },
});

/** An HTTP reply: status, headers (names lower-cased, values trimmed) and the body as UTF-8 text. */
export interface AdminReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * GETs `path` from `url` (`http://host:port` or `host:port`; a bare host
 * takes `defaultPort`) with HTTP/1.0, and reads the reply until the server
 * closes or `Content-Length` bytes have arrived. Any status is returned;
 * callers decide what a non-200 means.
 *
 * @throws {ConfigError} for a malformed URL (it usually comes from the user).
 * @throws {TypeError} for a URL that is not a string, a malformed path, and for `path === '/'`:
 *   a Dynomite admin port answers `/` by replaying the previous request's
 *   command (which can re-apply `/state/standby`).
 * @throws {TopologySourceError} `SourceUnreachable`, `SourceTimeout`, or
 *   `SourceBadReply` for a reply that is not HTTP or is cut short.
 */
export function requestAdmin(url: string, path: string, options: AdminRequestOptions = {}): Promise<AdminReply> {
  const { timeoutMs, defaultPort, maxBytes } = { ...ADMIN_REQUEST_DEFAULTS, ...options };
  // A control character or space would end the request line early or inject a header.
  // eslint-disable-next-line no-control-regex
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s\u0000-\u001f\u007f]/.test(path)) {
    throw new TypeError(`path must start with '/' and hold no whitespace or control characters, got ${JSON.stringify(path)}`);
  }
  if (path === '/') {
    throw new TypeError(
      "refusing to request '/': a Dynomite admin port replays the previous request's command there; name the path, e.g. '/cluster_describe'",
    );
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  const { host, port, base } = parseAdminUrl(url, defaultPort);
  const full = base + path;
  return new Promise<AdminReply>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let head: { status: number; headers: Record<string, string>; bodyAt: number; length?: number } | undefined;
    let settled = false;
    const socket = connect({ host, port });
    const finish = (error: TopologySourceError | undefined, reply?: AdminReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const bad = (what: string) => new TopologySourceError('SourceBadReply', `${full}: ${what}`, full);
    const timer = setTimeout(
      () =>
        finish(
          new TopologySourceError(
            'SourceTimeout',
            `${full}: no complete reply within ${timeoutMs} ms; check that the address is the admin port and the node is not hung`,
            full,
          ),
        ),
      timeoutMs,
    );
    const complete = () => {
      const all = Buffer.concat(chunks, received);
      const body = all.subarray(head!.bodyAt, head!.length === undefined ? undefined : head!.bodyAt + head!.length);
      finish(undefined, { status: head!.status, headers: head!.headers, body: body.toString('utf8') });
    };
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\nAccept: */*\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received > maxBytes) return finish(bad(`the reply is larger than ${maxBytes} bytes`));
      if (head === undefined) {
        const all = Buffer.concat(chunks, received);
        const parsed = parseHead(all);
        if (parsed === undefined) return;
        if (typeof parsed === 'string') return finish(bad(parsed));
        head = parsed;
      }
      if (head.length !== undefined && received - head.bodyAt >= head.length) complete();
    });
    socket.on('end', () => {
      if (head === undefined)
        return finish(bad(received === 0 ? 'the server closed without replying' : 'the server closed before the end of the HTTP header'));
      if (head.length !== undefined && received - head.bodyAt < head.length) {
        return finish(bad(`the server closed after ${received - head.bodyAt} of ${head.length} body bytes (Content-Length)`));
      }
      complete();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const kind = UNREACHABLE.has(code) || head === undefined ? 'SourceUnreachable' : 'SourceBadReply';
      finish(
        new TopologySourceError(kind, `${full}: ${err.message}; check the address and that the node is running`, full, { cause: err }),
      );
    });
  });
}

/**
 * Splits the status line and headers off the front of a reply: `undefined`
 * while the header is incomplete, a string saying what is wrong when it is
 * not HTTP. Lines may end in LF or CRLF and carry trailing spaces, as the
 * admin port writes them.
 */
function parseHead(all: Buffer): { status: number; headers: Record<string, string>; bodyAt: number; length?: number } | string | undefined {
  const crlf = all.indexOf('\r\n\r\n');
  const lf = all.indexOf('\n\n');
  const candidates = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((n) => n >= 0);
  if (candidates.length === 0) return all.length >= 5 && !all.subarray(0, 5).equals(Buffer.from('HTTP/')) ? 'not an HTTP reply' : undefined;
  const bodyAt = Math.min(...candidates);
  const lines = all
    .subarray(0, bodyAt)
    .toString('latin1')
    .split('\n')
    .map((l) => l.replace(/[\r ]+$/, ''))
    .filter((l) => l !== '');
  const status = /^HTTP\/1\.[01] ([0-9]{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) return `not an HTTP reply: the status line is ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line ${JSON.stringify(line.slice(0, 80))}`;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const lengthText = headers['content-length'];
  if (lengthText !== undefined && !/^[0-9]{1,10}$/.test(lengthText)) return `malformed Content-Length ${JSON.stringify(lengthText)}`;
  return { status: Number(status[1]), headers, bodyAt, ...(lengthText === undefined ? {} : { length: Number(lengthText) }) };
}

/** `http://host:port`, `host:port` or `host` (a trailing `/` allowed); IPv6 in brackets. */
function parseAdminUrl(url: string, defaultPort: number): { host: string; port: number; base: string } {
  if (typeof url !== 'string') throw new TypeError(`url must be a string such as 'http://host:port', got ${typeof url}`);
  const m = /^(?:http:\/\/)?(\[[^\]\s/]+\]|[^:/\s[\]@?#]+)(?::([0-9]+))?\/?$/i.exec(url);
  const port = m && (m[2] === undefined ? defaultPort : parsePort(m[2]));
  if (!m || port === undefined || port === null) {
    throw new ConfigError(
      `invalid url ${JSON.stringify(url)}: expected http://host:port, host:port or host (IPv6 in brackets), with no path`,
    );
  }
  const endpoint = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
  return { ...endpoint, base: `http://${endpointKey(endpoint)}` };
}

async function fetchOk(
  url: string,
  which: keyof typeof TOPOLOGY_SOURCE_PATHS,
  options: AdminRequestOptions,
): Promise<{ body: string; source: string }> {
  const { path, defaultPort } = TOPOLOGY_SOURCE_PATHS[which];
  const base = parseAdminUrl(url, options.defaultPort ?? defaultPort).base;
  const reply = await requestAdmin(base, path, { ...options, defaultPort: options.defaultPort ?? defaultPort });
  if (reply.status !== 200) {
    const full = base + path;
    throw new TopologySourceError('SourceBadReply', `${full}: HTTP ${reply.status}: ${reply.body.slice(0, 200).trim()}`, full, {
      status: reply.status,
    });
  }
  return { body: reply.body, source: base };
}

/**
 * A live node's view of the cluster: `GET /cluster_describe` on its admin
 * port (default 22222), parsed by `parseClusterDescribe` (peer 0 is that node).
 *
 * @throws {TopologySourceError} for network failures and non-200 replies.
 * @throws {ConfigError} for a malformed body.
 */
export async function fetchClusterDescribe(url: string, options: AdminRequestOptions = {}): Promise<Peer[]> {
  const { body, source } = await fetchOk(url, 'clusterDescribe', options);
  return parseClusterDescribe(body, { source });
}

/**
 * A florida seeds server's body: `GET /REST/v1/admin/get_seeds` (default
 * port 8080), parsed by `parseFloridaSeeds`.
 *
 * @throws {TopologySourceError} for network failures and non-200 replies.
 * @throws {ConfigError} for a malformed body.
 */
export async function fetchFloridaSeeds(url: string, options: AdminRequestOptions = {}): Promise<Peer[]> {
  const { body, source } = await fetchOk(url, 'floridaSeeds', options);
  return parseFloridaSeeds(body, { source });
}

/**
 * Dynomite Manager's token map: `GET /REST/v1/admin/cluster_describe`
 * (default port 8080), parsed by `parseDynomiteManager`.
 *
 * @throws {TopologySourceError} for network failures and non-200 replies.
 * @throws {ConfigError} for a malformed body.
 */
export async function fetchDynomiteManager(
  url: string,
  options: AdminRequestOptions & Pick<DynomiteManagerOptions, 'local'> = {},
): Promise<DynomiteManagerTopology> {
  const { body, source } = await fetchOk(url, 'dynomiteManager', options);
  return parseDynomiteManager(body, { source, ...(options.local === undefined ? {} : { local: options.local }) });
}

/**
 * What the topology-source parsers share: one error shape naming the source,
 * the entry and what is wrong, and field readers over lossless JSON.
 */
import { ConfigError } from '../errors.js';
import { makePeer, parsePort, type Peer } from '../ring/peer.js';
import { parseToken } from '../ring/token.js';
import { JsonNumber, describeJson, parseJsonLossless, type JsonValue } from './json.js';

/** Which body is being read, and where it came from (a URL or file name), for messages. */
export interface BodyContext {
  /** The format's name, e.g. `cluster_describe`. */
  readonly format: string;
  /** Where the body came from, when the caller said. */
  readonly source?: string;
}

/** `cluster_describe from http://h:22222: dcs[0].name: expected ...`. */
export function bodyError(ctx: BodyContext, entry: string, what: string): ConfigError {
  const from = ctx.source === undefined ? '' : ` from ${ctx.source}`;
  return new ConfigError(`${ctx.format}${from}: ${entry === '' ? '' : `${entry}: `}${what}`);
}

/** Parses a JSON body, turning a syntax error into a {@link ConfigError} for this source. */
export function parseJsonBody(ctx: BodyContext, body: string): JsonValue {
  if (typeof body !== 'string') throw new TypeError(`${ctx.format}: expected the body as a string, got ${typeof body}`);
  try {
    return parseJsonLossless(body);
  } catch (err) {
    throw bodyError(ctx, '', (err as Error).message);
  }
}

/** Reads a JSON body with the path of every value, for messages. */
export class JsonFields {
  constructor(private readonly ctx: BodyContext) {}

  /** An error about the entry at `path`. */
  error(path: string, what: string): ConfigError {
    return bodyError(this.ctx, path, what);
  }

  /** The value as an array. */
  array(v: JsonValue | undefined, path: string): JsonValue[] {
    if (!Array.isArray(v)) throw bodyError(this.ctx, path, `expected an array, got ${describeJson(v)}`);
    return v;
  }

  /** The value as an object (not an array). */
  object(v: JsonValue | undefined, path: string): { [key: string]: JsonValue } {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof JsonNumber) {
      throw bodyError(this.ctx, path, `expected an object, got ${describeJson(v)}`);
    }
    return v;
  }

  /** A non-empty string (names, hosts). */
  name(v: JsonValue | undefined, path: string): string {
    if (typeof v !== 'string' || v === '') throw bodyError(this.ctx, path, `expected a non-empty string, got ${describeJson(v)}`);
    return v;
  }

  /** A token: a u32 written as an unquoted number, or also as decimal digits in a string when `quoted` is allowed. */
  token(v: JsonValue | undefined, path: string, quoted = false): number {
    const text = v instanceof JsonNumber ? v.text : quoted && typeof v === 'string' ? v : undefined;
    try {
      if (text !== undefined) return parseToken(text);
    } catch {
      // Fall through to the message this source's readers expect.
    }
    throw bodyError(this.ctx, path, `expected a u32, got ${describeJson(v)}`);
  }

  /** A TCP port, 1 to 65535, as a number or (when `quoted`) decimal digits in a string. */
  port(v: JsonValue | undefined, path: string, quoted = false): number {
    const text = v instanceof JsonNumber ? v.text : quoted && typeof v === 'string' ? v : undefined;
    const port = text === undefined ? undefined : parsePort(text);
    if (port === undefined) throw bodyError(this.ctx, path, `expected a port from 1 to 65535, got ${describeJson(v)}`);
    return port;
  }
}

/** One node as a topology source lists it: one token, the peer port. */
export interface ListedNode {
  dc: string;
  rack: string;
  host: string;
  port: number;
  token: number;
}

/**
 * Peers indexed in listing order; `localAt` (when known) is local, and
 * `isSameDc` is relative to its datacenter, or to the first node's.
 */
export function listedPeers(nodes: readonly ListedNode[], localAt: number | undefined): Peer[] {
  const localDc = nodes[localAt ?? 0]!.dc;
  return nodes.map((n, index) =>
    makePeer({
      index,
      endpoint: { host: n.host, port: n.port },
      rack: n.rack,
      dc: n.dc,
      tokens: [n.token],
      isLocal: index === localAt,
      isSameDc: n.dc === localDc,
    }),
  );
}

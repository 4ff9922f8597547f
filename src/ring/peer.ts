import { ConfigError, type ConfigLocation } from '../errors.js';
import { describe, parseToken, parseTokenList } from './token.js';

/** Where a peer listens for peer-to-peer (dyn) traffic. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** One node of the pool. */
export interface Peer {
  /** Position in the pool's peer list; the local node is 0 in a server's view. */
  readonly index: number;
  readonly endpoint: Endpoint;
  readonly rack: string;
  readonly dc: string;
  /** Zero or more tokens, in the order the config gives them. */
  readonly tokens: readonly number[];
  /** Is this the node whose configuration the topology was loaded from? */
  readonly isLocal: boolean;
  /** Is the peer in the local node's datacenter? */
  readonly isSameDc: boolean;
  /** Is the link to this peer encrypted (per `secure_server_option`)? */
  readonly isSecure: boolean;
  /** Optional name, written after the tokens in a seed string. */
  readonly name?: string;
}

/** Flags a caller can set when parsing a seed; all default to `false`. */
export interface SeedFlags {
  isLocal?: boolean;
  isSameDc?: boolean;
  isSecure?: boolean;
}

/**
 * Parses a seed string `host:port:rack:dc:tokens [name]`, as `dyn_seeds`
 * writes it. Fields are split from the right, so an IPv6 host keeps its
 * colons; `tokens` may be a comma-separated list.
 *
 * @throws {ConfigError} naming the part that is wrong.
 * @example
 * parseSeed('10.0.0.2:8101:rack1:dc1:1383429731', 1);
 * // { index: 1, endpoint: { host: '10.0.0.2', port: 8101 }, rack: 'rack1', dc: 'dc1', tokens: [1383429731], ... }
 */
export function parseSeed(text: string, index: number, flags: SeedFlags = {}, where?: ConfigLocation): Peer {
  if (typeof text !== 'string')
    throw new ConfigError(`invalid seed ${describe(text)}: expected a string 'host:port:rack:dc:tokens'`, where);
  checkIndex(index);
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  const main = space < 0 ? trimmed : trimmed.slice(0, space);
  const name = space < 0 ? undefined : trimmed.slice(space).trim();
  const parts = splitFromRight(main, 5);
  if (parts === undefined) {
    throw new ConfigError(`invalid seed '${text}': expected 'host:port:rack:dc:tokens [name]' (five fields separated by ':')`, where);
  }
  const [host, portText, rack, dc, tokenText] = parts;
  const what = (part: string) => `invalid seed '${text}': ${part}`;
  if (host === '') throw new ConfigError(what('the host is empty'), where);
  const port = parsePort(portText);
  if (port === undefined) throw new ConfigError(what(`port '${portText}' is not a number from 1 to 65535`), where);
  if (rack === '') throw new ConfigError(what('the rack is empty'), where);
  if (dc === '') throw new ConfigError(what('the datacenter is empty'), where);
  if (tokenText === '') throw new ConfigError(what("no token (the last field lists the peer's tokens)"), where);
  // A space ends the tokens: in `1 ,2` the `,2` would silently become the name.
  if (name !== undefined && (name.startsWith(',') || tokenText.endsWith(',')))
    throw new ConfigError(what('a space inside the token list: write the tokens as 1,2 with no spaces (a space starts the name)'), where);
  let tokens: number[];
  try {
    tokens = parseTokenList(tokenText);
  } catch (err) {
    throw new ConfigError(what((err as Error).message), where);
  }
  // Only the flags are taken from `flags`: a JavaScript caller's extra fields must not override what was checked above.
  return makePeer({ index, endpoint: { host, port }, rack, dc, tokens, ...checkFlags(flags, `seed '${text}'`), ...(name ? { name } : {}) });
}

const FLAGS = ['isLocal', 'isSameDc', 'isSecure'] as const;

/** The flags of `flags`, each checked to be a boolean or absent. */
function checkFlags(flags: SeedFlags, what: string): SeedFlags {
  if (typeof flags !== 'object' || flags === null) throw new TypeError(`${what}: flags must be an object, got ${describe(flags)}`);
  const out: SeedFlags = {};
  for (const flag of FLAGS) {
    const value = flags[flag];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new ConfigError(`${what}: ${flag} must be true or false, got ${describe(value)}`);
    out[flag] = value;
  }
  return out;
}

/**
 * Writes a peer as a seed string `host:port:rack:dc:tokens`, the inverse of
 * {@link parseSeed}: as `dyn_seeds` lists a peer, and (one token each,
 * joined by `|`) as a florida seeds body carries it. Tokens are joined by
 * commas. The host is written bare, IPv6 too (fields are split from the
 * right). A `name` is not written: the server reads none. Takes a
 * {@link Peer} or anything with its placement, such as a parsed declaration;
 * errors name the peer by index, or without one by `host:port`.
 *
 * @throws {ConfigError} for a peer without tokens, or a field a seed cannot
 *   carry (empty, whitespace or `|`; `:` in a rack or datacenter).
 * @example
 * formatSeed(parseSeed('10.0.0.2:8101:rack1:dc1:1383429731', 1)); // '10.0.0.2:8101:rack1:dc1:1383429731'
 */
export function formatSeed(p: Pick<Peer, 'endpoint' | 'rack' | 'dc' | 'tokens'> & { readonly index?: number }): string {
  const what = (problem: string) => new ConfigError(`peer ${p.index ?? endpointKey(p.endpoint)}: ${problem}`);
  if (p.tokens.length === 0) throw what('has no tokens; a seed lists at least one');
  for (const [field, value] of [
    ['host', p.endpoint.host],
    ['rack', p.rack],
    ['dc', p.dc],
  ] as const) {
    if (value === '' || /[\s|]/.test(value) || (field !== 'host' && value.includes(':'))) {
      throw what(
        `${field} '${value}' cannot be written: it must be non-empty, without whitespace or '|'${field === 'host' ? '' : " or ':'"}`,
      );
    }
  }
  return `${p.endpoint.host}:${p.endpoint.port}:${p.rack}:${p.dc}:${p.tokens.join(',')}`;
}

/** Builds a frozen peer, filling in the flags a caller left out. */
export function makePeer(p: Omit<Peer, 'isLocal' | 'isSameDc' | 'isSecure'> & SeedFlags): Peer {
  return Object.freeze({
    index: p.index,
    endpoint: Object.freeze({ host: p.endpoint.host, port: p.endpoint.port }),
    rack: p.rack,
    dc: p.dc,
    tokens: Object.freeze([...p.tokens]),
    isLocal: p.isLocal ?? false,
    isSameDc: p.isSameDc ?? false,
    isSecure: p.isSecure ?? false,
    ...(p.name === undefined ? {} : { name: p.name }),
  });
}

/** `host:port`, the identity of a peer across several nodes' configs. */
export function endpointKey(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/**
 * The identity of a (datacenter, rack) as a map key. Unambiguous for any
 * names: a separator character would merge `('a\0b', 'c')` with `('a', 'b\0c')`.
 */
export function rackKey(dc: string, rack: string): string {
  return JSON.stringify([dc, rack]);
}

/** Parses `host:port` (split at the last colon). */
export function parseEndpoint(text: string): Endpoint | undefined {
  const at = text.lastIndexOf(':');
  if (at <= 0) return undefined;
  const port = parsePort(text.slice(at + 1));
  if (port === undefined) return undefined;
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/** Parses a port written in decimal digits, 1 to 65535; `undefined` otherwise. */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function splitFromRight(text: string, fields: number): string[] | undefined {
  const out: string[] = [];
  let end = text.length;
  for (let i = 0; i < fields - 1; i++) {
    const at = text.lastIndexOf(':', end - 1);
    if (at < 0) return undefined;
    out.unshift(text.slice(at + 1, end));
    end = at;
  }
  out.unshift(text.slice(0, end));
  return out;
}

/** Checks that a peer index is a u32. */
export function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new RangeError(`peer index must be an integer from 0 to 4294967295, got ${describe(index)}`);
  }
}

/**
 * Checks a peer given as a plain object (index, endpoint, dc, rack, tokens
 * and flags) and returns a frozen copy.
 *
 * @throws {ConfigError | TypeError | RangeError} naming the peer and the field.
 */
export function checkPeer(p: Peer, position: number): Peer {
  checkPeerFields(p, position);
  const { host, port } = (p.endpoint ?? {}) as Partial<Endpoint>;
  if (typeof host !== 'string' || host === '' || typeof port !== 'number' || parsePort(String(port)) !== port) {
    throw new ConfigError(
      `peer ${p.index}: endpoint must be { host: non-empty string, port: integer from 1 to 65535 }, got host ${describe(host)} and port ${describe(port)}`,
    );
  }
  const tokens = p.tokens.map((t) => {
    try {
      return parseToken(t);
    } catch (err) {
      throw new ConfigError(`peer ${p.index}: ${(err as Error).message}`);
    }
  });
  return makePeer({ ...p, tokens, ...checkFlags(p, `peer ${p.index}`) });
}

/**
 * Checks what placement needs of a peer given as a plain object: a u32
 * index, non-empty dc and rack, and a tokens array (its values are checked
 * by the caller, which knows whether to copy them).
 */
export function checkPeerFields(p: Peer, position: number): void {
  if (typeof p !== 'object' || p === null) throw new TypeError(`peer ${position} must be an object, got ${describe(p)}`);
  checkIndex(p.index);
  for (const field of ['rack', 'dc'] as const) {
    if (typeof p[field] !== 'string' || p[field] === '')
      throw new ConfigError(`peer ${p.index}: ${field} must be a non-empty string, got ${describe(p[field])}`);
  }
  if (!Array.isArray(p.tokens)) throw new ConfigError(`peer ${p.index}: tokens must be an array, got ${describe(p.tokens)}`);
}

/**
 * The florida seeds body: what `GET /REST/v1/admin/get_seeds` returns to a
 * Dynomite node started with `dyn_seed_provider: florida_provider`.
 */
import { ConfigError } from '../errors.js';
import { formatSeed, makePeer, parseSeed, type Peer } from '../ring/peer.js';
import { bodyError, type BodyContext } from './body.js';

/** Options for {@link parseFloridaSeeds}. */
export interface FloridaSeedsOptions {
  /** Where the body came from (a URL or file), named in every error. */
  source?: string;
}

/**
 * Parses `host:peer_port:rack:dc:token|host:peer_port:rack:dc:token...`.
 * Fields are split from the right, as the server does, so an IPv6 host keeps
 * its colons. Exactly one token per node: the server reads a list `1,2` as
 * its last token alone, so a list is refused rather than half-read. No
 * whitespace anywhere (the server would read a trailing newline into the
 * last token and get a wrong one). No peer is local; `isSameDc` is relative
 * to the first node's datacenter.
 *
 * @throws {ConfigError} naming the source, the entry (index and text) and
 *   what is wrong.
 * @example
 * parseFloridaSeeds('10.0.0.1:8101:rack1:dc1:0|10.0.0.2:8101:rack2:dc1:0');
 */
export function parseFloridaSeeds(body: string, options: FloridaSeedsOptions = {}): Peer[] {
  const ctx: BodyContext = { format: 'florida seeds', ...(options.source === undefined ? {} : { source: options.source }) };
  if (typeof body !== 'string') throw new TypeError(`florida seeds: expected the body as a string, got ${typeof body}`);
  if (body === '') throw bodyError(ctx, '', 'the body is empty: expected host:peer_port:rack:dc:token entries separated by |');
  const entries = body.split('|');
  const parsed = entries.map((text, i) => {
    const entry = `entry ${i} '${text}'`;
    const space = /\s/.exec(text);
    if (space) throw bodyError(ctx, entry, `whitespace at offset ${space.index}: the body has none (the server would misread it)`);
    if (text === '') throw bodyError(ctx, entry, "empty entry: two '|' in a row, or one at an end");
    let peer: Peer;
    try {
      peer = parseSeed(text, i);
    } catch (err) {
      throw bodyError(ctx, entry, (err as Error).message);
    }
    if (peer.tokens.length !== 1) {
      throw bodyError(
        ctx,
        entry,
        `one token per node, got ${peer.tokens.length}: the server would keep only the last (${peer.tokens.at(-1)})`,
      );
    }
    return peer;
  });
  const firstDc = parsed[0]!.dc;
  return parsed.map((p) => makePeer({ ...p, isSameDc: p.dc === firstDc }));
}

/**
 * Writes peers as a florida seeds body, the exact inverse of
 * {@link parseFloridaSeeds}: each peer as {@link formatSeed} writes it,
 * `host:port:rack:dc:token`, joined by `|`, no whitespace.
 *
 * @throws {ConfigError} for no peers, a peer without exactly one token, or
 *   a field the format cannot carry (`|`, whitespace; `:` in a rack or
 *   datacenter).
 * @example
 * formatFloridaSeeds(parseFloridaSeeds('10.0.0.1:8101:rack1:dc1:0')); // '10.0.0.1:8101:rack1:dc1:0'
 */
export function formatFloridaSeeds(peers: readonly Peer[]): string {
  if (!Array.isArray(peers) || peers.length === 0)
    throw new ConfigError('florida seeds: no peers to write: the server refuses an empty body');
  return peers
    .map((p, i) => {
      const entry = `florida seeds: entry ${i}`;
      if (p.tokens.length !== 1)
        throw new ConfigError(`${entry}: peer ${p.index}: has ${p.tokens.length} tokens; the format carries exactly one per node`);
      try {
        return formatSeed(p);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        throw new ConfigError(`${entry}: ${err.message}`);
      }
    })
    .join('|');
}

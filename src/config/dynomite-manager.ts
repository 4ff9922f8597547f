/**
 * Dynomite Manager's topology body (what Netflix Dyno reads as its token
 * map): a flat list of nodes.
 */
import type { Peer } from '../ring/peer.js';
import { JsonFields, listedPeers, parseJsonBody, type BodyContext } from './body.js';

/** Options for {@link parseDynomiteManager}. */
export interface DynomiteManagerOptions {
  /** Where the body came from (a URL), named in every error. */
  source?: string;
  /**
   * The node to mark local, matched against each entry's `hostname` or `ip`
   * (and `port` when given). Without it no peer is local.
   */
  local?: { host: string; port?: number };
}

/** What a Dynomite Manager body describes. */
export interface DynomiteManagerTopology {
  /** Every node, in document order. */
  peers: Peer[];
  /** The hash tag every entry agrees on, when any entry names one. */
  hashTag?: string;
}

/**
 * Parses `[{"token","hostname","ip","zone","dc","port","secure_port","hashtag"}]`.
 * `zone` is the rack; `token` and `port` may be numbers or decimal strings;
 * `port` is the peer port. The endpoint host is `hostname` (Dyno connects to
 * the hostname: its `Host` builds the socket address from it), or `ip` when
 * the hostname is empty or missing.
 *
 * `isSameDc` is relative to the local node's datacenter, or to the first
 * entry's when no `local` is given (the datacenter a `Topology` then takes
 * as local).
 *
 * @throws {ConfigError} naming the source, the entry (`[3].token`) and what
 *   is wrong; also when entries name different hash tags or `local` matches
 *   no entry.
 * @example
 * parseDynomiteManager('[{"token":"0","hostname":"h1","ip":"10.0.0.1","zone":"us-east-1a","dc":"us-east-1","port":"8101"}]');
 * // { peers: [{ index: 0, endpoint: { host: 'h1', port: 8101 }, rack: 'us-east-1a', dc: 'us-east-1', tokens: [0], ... }] }
 */
export function parseDynomiteManager(body: string, options: DynomiteManagerOptions = {}): DynomiteManagerTopology {
  const ctx: BodyContext = { format: 'Dynomite Manager topology', ...(options.source === undefined ? {} : { source: options.source }) };
  const f = new JsonFields(ctx);
  const entries = f.array(parseJsonBody(ctx, body), 'the body');
  if (entries.length === 0) throw f.error('the body', 'no nodes: expected at least one entry');
  let hashTag: { value: string; at: number } | undefined;
  let localAt: number | undefined;
  const nodes = entries.map((value, i) => {
    const path = `[${i}]`;
    const e = f.object(value, path);
    const hostname =
      e.hostname === undefined || e.hostname === '' || e.hostname === null ? undefined : f.name(e.hostname, `${path}.hostname`);
    const ip = e.ip === undefined || e.ip === '' || e.ip === null ? undefined : f.name(e.ip, `${path}.ip`);
    const host = hostname ?? ip;
    if (host === undefined) throw f.error(path, 'neither hostname nor ip is given: an entry needs an address');
    const node = {
      host,
      port: f.port(e.port, `${path}.port`, true),
      rack: f.name(e.zone, `${path}.zone`),
      dc: f.name(e.dc, `${path}.dc`),
      token: f.token(e.token, `${path}.token`, true),
    };
    if (e.secure_port !== undefined && e.secure_port !== null) f.port(e.secure_port, `${path}.secure_port`, true);
    if (e.hashtag !== undefined && e.hashtag !== null && e.hashtag !== '') {
      const tag = f.name(e.hashtag, `${path}.hashtag`);
      if (hashTag === undefined) hashTag = { value: tag, at: i };
      else if (hashTag.value !== tag)
        throw f.error(`${path}.hashtag`, `'${tag}' differs from '${hashTag.value}' in [${hashTag.at}]: a cluster has one hash tag`);
    }
    const local = options.local;
    if (local && (local.host === hostname || local.host === ip) && (local.port === undefined || local.port === node.port)) {
      if (localAt !== undefined)
        throw f.error(path, `matches local ${local.host} as [${localAt}] does: give local.port to tell them apart`);
      localAt = i;
    }
    return node;
  });
  if (options.local && localAt === undefined) {
    const { host, port } = options.local;
    throw f.error(
      'the body',
      `no entry is the local node ${host}${port === undefined ? '' : `:${port}`} (matched against hostname, ip and port)`,
    );
  }
  const peers = listedPeers(nodes, localAt);
  return hashTag === undefined ? { peers } : { peers, hashTag: hashTag.value };
}

/**
 * Writing `dynomite.yml` files: a new node's from settings, or an existing
 * node's with its seeds (and, for a node made from another's file, its own
 * address, rack and token) replaced. Built with the `yaml` package's
 * document API, so an existing file keeps its other settings and comments.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, type YAMLMap } from 'yaml';
import { ConfigError } from '../errors.js';
import { endpointKey, formatSeed, parseEndpoint, type Peer } from '../ring/peer.js';

/** Dynomite's `data_store` values. */
export const DATA_STORES = { redis: 0, memcache: 1 } as const;
/** A data store the server speaks to. */
export type DataStore = keyof typeof DATA_STORES;
/** The consistency levels `read_consistency` and `write_consistency` accept. */
export const CONSISTENCIES = ['DC_ONE', 'DC_QUORUM', 'DC_SAFE_QUORUM', 'DC_EACH_SAFE_QUORUM'] as const;
/** A consistency level. */
export type Consistency = (typeof CONSISTENCIES)[number];

/**
 * Dynomite's `dyn_seed_provider` values a plan writes: `simple` reads the
 * peers from `dyn_seeds`; `florida` polls a seeds server over HTTP (such as
 * `dynoring serve-seeds`), so the file lists no seeds.
 */
export const SEED_PROVIDERS = { simple: 'simple_provider', florida: 'florida_provider' } as const;
/** Where a node takes its peers from. */
export type SeedProvider = keyof typeof SEED_PROVIDERS;

/** Providers that take the peers from outside the file; the server reads any other value as `simple_provider`. */
const EXTERNAL_PROVIDERS: readonly string[] = ['florida_provider', 'dns_provider'];

/** What a new node's file says besides its peer (address, rack, datacenter, token) and seeds. */
export interface NodeSettings {
  /** The pool's name, the file's one top-level key. */
  pool: string;
  /** Port for clients (`listen`), on the node's own host. */
  clientPort: number;
  /** Port of the admin HTTP server (`stats_listen`), on the node's own host. */
  statsPort: number;
  /** The data store beside the node, `host:port`; `{host}` stands for the node's own host. */
  server: string;
  hash: string;
  hashTag?: string;
  dataStore: DataStore;
  readConsistency: Consistency;
  writeConsistency: Consistency;
  seedProvider: SeedProvider;
}

/** `host:port`, bracketing an IPv6 host as the server's listen parser expects. */
const listenText = (host: string, port: number) => endpointKey({ host, port });

/**
 * A complete `dynomite.yml` for a new node: its own host in `dyn_listen`,
 * `listen` and `stats_listen` (never `0.0.0.0`, so nodes can share a machine
 * on different addresses), every other node of the plan in `dyn_seeds`
 * (none with the `florida` provider: the seeds server lists them).
 */
export function renderNodeYaml(peer: Peer, seeds: readonly Peer[], settings: NodeSettings): string {
  const host = peer.endpoint.host;
  const server = settings.server.replaceAll('{host}', host);
  const doc = new Document({
    [settings.pool]: {
      datacenter: peer.dc,
      rack: peer.rack,
      dyn_listen: listenText(host, peer.endpoint.port),
      listen: listenText(host, settings.clientPort),
      stats_listen: listenText(host, settings.statsPort),
      // The server reads `host:port:weight`; the weight is parsed and ignored.
      servers: [`${server}:1`],
      data_store: DATA_STORES[settings.dataStore],
      hash: settings.hash,
      ...(settings.hashTag === undefined ? {} : { hash_tag: settings.hashTag }),
      read_consistency: settings.readConsistency,
      write_consistency: settings.writeConsistency,
      dyn_seed_provider: SEED_PROVIDERS[settings.seedProvider],
    },
  });
  setPeer(doc, poolOf(doc), peer, seeds);
  return doc.toString({ lineWidth: 0 });
}

/**
 * Rewrites a node's file for `peer`: its `datacenter`, `rack`, `tokens`,
 * `dyn_listen` and `dyn_seeds` replaced, everything else kept. When the
 * file is another node's (a template for a new node), every address on that
 * node's host (`listen`, `stats_listen`, `servers`) moves to the new host.
 * A file whose `dyn_seed_provider` takes the peers from elsewhere (florida,
 * dns) gets no `dyn_seeds`.
 *
 * @throws {ConfigError} when the text has no pool mapping or `dyn_listen`.
 */
export function rewriteNodeYaml(text: string, peer: Peer, seeds: readonly Peer[], file?: string): string {
  const doc = parseDocument(text);
  const pool = poolOf(doc, file);
  const listen = pool.get('dyn_listen');
  const own = typeof listen === 'string' ? parseEndpoint(listen) : undefined;
  if (!own) throw new ConfigError(`${file ?? 'the template'}: no usable dyn_listen to take the node's settings from`);
  if (own.host !== peer.endpoint.host) {
    for (const field of ['listen', 'stats_listen']) {
      const value = pool.get(field);
      if (typeof value === 'string') pool.set(field, moveHost(value, own.host, peer.endpoint.host));
    }
    const servers = pool.get('servers', true);
    if (isSeq(servers)) {
      servers.items = servers.items.map((item) =>
        isScalar(item) && typeof item.value === 'string' ? doc.createNode(moveHost(item.value, own.host, peer.endpoint.host)) : item,
      );
    }
  }
  setPeer(doc, pool, peer, seeds);
  return doc.toString({ lineWidth: 0 });
}

/** `host:rest` with `host` replaced when it is `from` (an IPv6 host in brackets). */
function moveHost(value: string, from: string, to: string): string {
  const bracketed = `[${from}]:`;
  const prefix = value.startsWith(bracketed) ? bracketed : value.startsWith(`${from}:`) ? `${from}:` : undefined;
  if (prefix === undefined) return value;
  return `${to.includes(':') ? `[${to}]` : to}:${value.slice(prefix.length)}`;
}

/** Sets the peer's own fields, and `dyn_seeds` unless the file's seed provider reads the peers from elsewhere. */
function setPeer(doc: Document, pool: YAMLMap, peer: Peer, seeds: readonly Peer[]): void {
  pool.set('datacenter', peer.dc);
  pool.set('rack', peer.rack);
  pool.set('dyn_listen', listenText(peer.endpoint.host, peer.endpoint.port));
  // Quoted, as Dynomite's own examples write it: a plain 4294967295 could be read as a number.
  const tokens = new Scalar(peer.tokens.join(','));
  tokens.type = Scalar.QUOTE_SINGLE;
  pool.set('tokens', tokens);
  if (seeds.length === 0 || EXTERNAL_PROVIDERS.includes(String(pool.get('dyn_seed_provider')))) pool.delete('dyn_seeds');
  else pool.set('dyn_seeds', doc.createNode(seeds.map(formatSeed)));
}

function poolOf(doc: Document, file?: string): YAMLMap {
  const root = doc.contents;
  const pool = isMap(root) && root.items.length === 1 ? root.items[0]!.value : undefined;
  if (!isMap(pool)) throw new ConfigError(`${file ?? 'the template'}: expected one pool mapping (e.g. dyn_o_mite:) to write the node into`);
  return pool;
}

/**
 * Reading `dynomite.yml` files (and plain lists of seed strings) into peers,
 * with the file and line of everything that can be wrong.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError, type ConfigLocation } from '../errors.js';
import { checkHashName, type HashName } from '../hash/functions.js';
import { keyHashing } from '../ring/key-hashing.js';
import { parseEndpoint, parseSeed, type Endpoint } from '../ring/peer.js';
import { isWildcardHost } from './merge.js';
import { describe, parseTokenList } from '../ring/token.js';

/** A configuration text and, for messages, the file it came from. */
export interface ConfigSource {
  text: string;
  file?: string;
}

/** How one peer is declared in one file. */
export interface PeerDeclaration {
  endpoint: Endpoint;
  rack: string;
  dc: string;
  tokens: number[];
  name?: string;
  /** Is this the file's own node (from `dyn_listen`, `rack`, `datacenter`, `tokens`)? */
  own: boolean;
  /** Where it is declared: the seed's line, or the node's `tokens:` line (else its `dyn_listen:` line). */
  where: ConfigLocation;
  /** For the file's own node, where its `dyn_listen` is. */
  listenAt?: ConfigLocation;
}

/** When a link is encrypted, per Dynomite's `secure_server_option`. */
export type SecureServerOption = 'none' | 'rack' | 'datacenter' | 'all';

/** One node's configuration file, or a list of seeds. */
export interface NodeConfig {
  file?: string;
  /** The node's own declaration first (absent for a seed list), then its seeds. */
  peers: PeerDeclaration[];
  hash?: HashName;
  hashTag?: string;
  secureServerOption: SecureServerOption;
  /**
   * Where the node takes client (RESP) traffic, from `listen:`. A wildcard
   * host (`0.0.0.0`, `::`) is replaced by the `dyn_listen` host, the address
   * peers already reach the node on.
   */
  listen?: Endpoint;
  /**
   * `dyn_seed_provider` as written, and where. Only `simple_provider` (the
   * server's default) takes the peers from `dyn_seeds`; the server treats any
   * other value but `dns_provider` and `florida_provider` as simple too.
   */
  seedProvider?: { name: string; where: ConfigLocation };
}

// The server's own defaults (conf.h) when a file leaves these out.
const DEFAULT_DC = 'localdc';
const DEFAULT_RACK = 'localrack';
const SECURE_OPTIONS: readonly SecureServerOption[] = ['none', 'rack', 'datacenter', 'all'];

/**
 * Parses one node's `dynomite.yml`: its own `datacenter`, `rack`, `tokens`
 * and `dyn_listen` (the node itself), its `dyn_seeds`, and the pool's `hash`,
 * `hash_tag` and `secure_server_option`.
 *
 * @throws {ConfigError} with file and line for YAML errors and bad values.
 */
export function parseDynomiteYaml(source: ConfigSource | string): NodeConfig {
  const { text, file } = sourceText(source, 'a dynomite.yml');
  const at = (line?: number): ConfigLocation => ({ ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) });
  if (text.trim() === '') throw new ConfigError('the file is empty: expected a dynomite.yml with one pool', at());

  const lines = new LineCounter();
  // The failsafe schema keeps every scalar as the text written, so `tokens: 0x10`
  // or `1e3` is refused as written instead of silently read as a number.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'failsafe' });
  const error = doc.errors[0];
  if (error)
    throw new ConfigError(`invalid YAML: ${error.message.split('\n')[0]}`, at(error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line));
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as YamlNode | undefined)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };

  const root = doc.contents;
  if (!isMap(root)) throw new ConfigError('expected a mapping from a pool name to its settings (e.g. dyn_o_mite:)', at(lineOf(root) ?? 1));
  if (root.items.length !== 1) {
    throw new ConfigError(`expected exactly one pool, found ${root.items.length}: Dynomite serves one pool per node`, at(lineOf(root)));
  }
  const poolName = String(isScalar(root.items[0]!.key) ? root.items[0]!.key.value : root.items[0]!.key);
  const pool = root.items[0]!.value;
  if (!isMap(pool))
    throw new ConfigError(`pool '${poolName}' must be a mapping of settings`, at(lineOf(pool) ?? lineOf(root.items[0]!.key)));

  const field = (name: string) => pool.items.find((item) => isScalar(item.key) && item.key.value === name);
  const scalar = (name: string): { value: string; line?: number } | undefined => {
    const item = field(name);
    if (!item) return undefined;
    const line = lineOf(item.value) ?? lineOf(item.key);
    // `rack:` with nothing after it is an empty value, refused below where empty is wrong.
    if (item.value === null) return { value: '', ...(line === undefined ? {} : { line }) };
    if (!isScalar(item.value) || typeof item.value.value !== 'string') {
      throw new ConfigError(`'${name}' must be a single value`, at(line));
    }
    return { value: String(item.value.value), ...(line === undefined ? {} : { line }) };
  };

  const listen = scalar('dyn_listen');
  if (!listen) throw new ConfigError(`pool '${poolName}' has no dyn_listen (the host:port peers reach this node on)`, at(lineOf(pool)));
  const endpoint = parseEndpoint(listen.value);
  if (!endpoint) throw new ConfigError(`invalid dyn_listen '${listen.value}': expected host:port`, at(listen.line));

  const tokensField = scalar('tokens');
  const tokens = tokensField ? parseTokenList(tokensField.value, at(tokensField.line)) : [];
  // Left out, the server uses its defaults; written empty, it is a mistake the topology would only meet later.
  const name = (field: 'datacenter' | 'rack', fallback: string): string => {
    const stated = scalar(field);
    if (stated === undefined) return fallback;
    if (stated.value.trim() === '')
      throw new ConfigError(`'${field}' is empty: name the node's ${field}, or leave the line out for '${fallback}'`, at(stated.line));
    return stated.value;
  };
  const own: PeerDeclaration = {
    endpoint,
    dc: name('datacenter', DEFAULT_DC),
    rack: name('rack', DEFAULT_RACK),
    tokens,
    own: true,
    where: at(tokensField?.line ?? listen.line),
    listenAt: at(listen.line),
  };

  const peers = [own];
  const seeds = field('dyn_seeds');
  // An empty `dyn_seeds:` (a lone node) reads as an empty scalar.
  if (seeds && seeds.value !== null && !(isScalar(seeds.value) && seeds.value.value === '')) {
    if (!isSeq(seeds.value))
      throw new ConfigError("'dyn_seeds' must be a list of 'host:port:rack:dc:tokens' strings", at(lineOf(seeds.value)));
    for (const item of seeds.value.items) {
      const line = lineOf(item);
      if (!isScalar(item) || typeof item.value !== 'string') {
        // A seed ending in ':' (its token forgotten) reads as a YAML mapping key.
        const hint = isMap(item)
          ? ": YAML read it as a mapping, which happens when it ends in ':' or holds ': '; give it its token, or quote it"
          : '';
        throw new ConfigError(
          `a seed must be a string 'host:port:rack:dc:tokens', got ${describe(isScalar(item) ? item.value : item)}${hint}`,
          at(line),
        );
      }
      peers.push(declaration(item.value, at(line)));
    }
  }

  const clientListen = scalar('listen');
  const clientEndpoint = clientListen ? parseEndpoint(clientListen.value) : undefined;
  if (clientListen && !clientEndpoint) {
    throw new ConfigError(`invalid listen '${clientListen.value}': expected host:port`, at(clientListen.line));
  }

  const secure = scalar('secure_server_option')?.value ?? 'none';
  if (!(SECURE_OPTIONS as readonly string[]).includes(secure)) {
    throw new ConfigError(
      `invalid secure_server_option '${secure}': expected one of ${SECURE_OPTIONS.join(', ')}`,
      at(scalar('secure_server_option')?.line),
    );
  }
  const provider = scalar('dyn_seed_provider');
  const hashField = scalar('hash');
  const tagField = scalar('hash_tag');
  const hashTag = tagField?.value;
  // Check the settings here, where their lines are known.
  let hash: HashName | undefined;
  try {
    hash = hashField === undefined ? undefined : checkHashName(hashField.value);
  } catch (err) {
    throw new ConfigError((err as Error).message, at(hashField?.line));
  }
  try {
    keyHashing({ ...(hashTag === undefined ? {} : { hashTag }) });
  } catch (err) {
    throw new ConfigError((err as Error).message, at(tagField?.line));
  }
  return {
    ...(file === undefined ? {} : { file }),
    peers,
    ...(hash === undefined ? {} : { hash }),
    ...(hashTag === undefined ? {} : { hashTag }),
    secureServerOption: secure as SecureServerOption,
    ...(clientEndpoint === undefined
      ? {}
      : { listen: { host: isWildcardHost(clientEndpoint.host) ? endpoint.host : clientEndpoint.host, port: clientEndpoint.port } }),
    ...(provider === undefined ? {} : { seedProvider: { name: provider.value, where: at(provider.line) } }),
  };
}

/**
 * Parses a list of seed strings, one per line; blank lines and lines
 * starting with `#` are skipped. No peer is the local node.
 */
export function parseSeedList(source: ConfigSource | string): NodeConfig {
  const { text, file } = sourceText(source, 'a seed list');
  const peers: PeerDeclaration[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    peers.push(declaration(line.replace(/^-\s*/, ''), { ...(file === undefined ? {} : { file }), line: i + 1 }));
  });
  if (peers.length === 0) {
    throw new ConfigError('no seeds found: expected one host:port:rack:dc:tokens per line', file === undefined ? {} : { file });
  }
  return { ...(file === undefined ? {} : { file }), peers, secureServerOption: 'none' };
}

/**
 * Parses a file as `dynomite.yml` when it has a YAML `key:` line, else as a
 * seed list. A seed line (`host:port:rack:dc:tokens`) is also a valid YAML
 * scalar, but its first colon is never followed by a space or the line's end,
 * which a mapping key's always is; so one malformed seed line is reported as
 * a bad seed on its own line, not as YAML.
 */
export function parseConfigFile(source: ConfigSource | string): NodeConfig {
  const { text } = sourceText(source, 'a dynomite.yml or a seed list');
  const yaml = text.split(/\r?\n/).some((l) => /^\s*[^\s#:][^:]*:(\s|$)/.test(l));
  return yaml || text.trim() === '' ? parseDynomiteYaml(source) : parseSeedList(source);
}

/** The text and file of a source, or a TypeError for a caller passing something else. */
function sourceText(source: ConfigSource | string, what: string): ConfigSource {
  if (typeof source === 'string') return { text: source };
  if (typeof source !== 'object' || source === null || typeof source.text !== 'string')
    throw new TypeError(`expected the text of ${what} (a string, or { text, file }), got ${describe(source)}`);
  return source;
}

function declaration(seed: string, where: ConfigLocation): PeerDeclaration {
  // parseSeed validates the text; the index is assigned when files are merged.
  const p = parseSeed(seed, 0, {}, where);
  return {
    // `[fd00::1]` and `fd00::1` are one host, as dyn_listen reads them.
    endpoint: { host: p.endpoint.host.replace(/^\[(.*)\]$/, '$1'), port: p.endpoint.port },
    rack: p.rack,
    dc: p.dc,
    tokens: [...p.tokens],
    own: false,
    where,
    ...(p.name === undefined ? {} : { name: p.name }),
  };
}

/**
 * loadCluster, the one library entry for what the CLI reads: wildcard
 * dyn_listen addresses, seed providers, names, IPv6 and drift as data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, checkTokenCoverage, describeConfigNote, loadCluster, Topology, type ConfigSource } from '../../src/index.js';

const fixture = (name: string): ConfigSource => ({
  file: name,
  text: readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), 'utf8'),
});
const lineOf = (source: ConfigSource, text: string) => source.text.split('\n').findIndex((l) => l.includes(text)) + 1;

const EAST = fixture('wildcard-east.yml');
const WEST = fixture('wildcard-west.yml');

describe('a wildcard dyn_listen', () => {
  it('takes the address the other file seeds it with, so a two-datacenter pair is two peers and clean', () => {
    const { config, topology, notes, drift } = loadCluster([EAST, WEST]);
    expect(config.peers.map((p) => [p.index, p.endpoint.host, p.endpoint.port, p.dc, p.isLocal])).toEqual([
      [0, '192.168.7.10', 8101, 'east', true],
      [1, '192.168.7.20', 8101, 'west', false],
    ]);
    expect(checkTokenCoverage(config.peers)).toEqual([]);
    expect(drift).toEqual([]);
    expect(topology.datacenters()).toEqual(['east', 'west']);
    expect(notes).toEqual([
      {
        kind: 'WildcardMatched',
        level: 'note',
        listen: '0.0.0.0:8101',
        endpoint: '192.168.7.10:8101',
        where: { file: EAST.file, line: lineOf(EAST, 'dyn_listen:') },
        matchedAt: { file: WEST.file, line: lineOf(WEST, '192.168.7.10') },
      },
      {
        kind: 'WildcardMatched',
        level: 'note',
        listen: '0.0.0.0:8101',
        endpoint: '192.168.7.20:8101',
        where: { file: WEST.file, line: lineOf(WEST, 'dyn_listen:') },
        matchedAt: { file: EAST.file, line: lineOf(EAST, '192.168.7.20') },
      },
    ]);
    expect(describeConfigNote(notes[0]!)).toBe(
      `wildcard-east.yml:7: dyn_listen 0.0.0.0:8101 is a wildcard address; taking 192.168.7.10:8101, the seed at wildcard-west.yml:8 with the same datacenter, rack, port and tokens`,
    );
  });

  it('is matched only on the same datacenter, rack, port and tokens', () => {
    for (const [from, to] of [
      [':e1:east:', ':e2:east:'],
      [':e1:east:', ':e1:north:'],
      ['192.168.7.10:8101', '192.168.7.10:8111'],
      [':east:2147483648', ':east:2147483649'],
    ] as const) {
      const west = { ...WEST, text: WEST.text.replace(from, to) };
      const { notes, config } = loadCluster([EAST, west]);
      expect(notes[0], to).toMatchObject({ kind: 'WildcardUnmatched', level: 'warning', listen: '0.0.0.0:8101', candidates: [] });
      expect(config.peers[0]!.endpoint.host).toBe('0.0.0.0');
    }
  });

  it('alone, or matched by several seeds, is a warning naming the fix, and the peer keeps the wildcard address', () => {
    const alone = loadCluster([EAST]);
    expect(alone.notes).toEqual([
      {
        kind: 'WildcardUnmatched',
        level: 'warning',
        listen: '0.0.0.0:8101',
        dc: 'east',
        rack: 'e1',
        port: 8101,
        tokens: [2147483648],
        candidates: [],
        where: { file: EAST.file, line: lineOf(EAST, 'dyn_listen:') },
      },
    ]);
    expect(describeConfigNote(alone.notes[0]!)).toMatch(/cannot be matched.*put the node's real address in dyn_listen/);
    expect(alone.config.peers[0]!.endpoint.host).toBe('0.0.0.0');

    const twice = { file: 'two.txt', text: '192.168.7.10:8101:e1:east:2147483648\n192.168.7.11:8101:e1:east:2147483648\n' };
    const { notes } = loadCluster([EAST, twice]);
    expect(notes[0]).toMatchObject({ kind: 'WildcardUnmatched', candidates: ['192.168.7.10:8101', '192.168.7.11:8101'] });
    expect(describeConfigNote(notes[0]!)).toContain('several seeds that match it (192.168.7.10:8101, 192.168.7.11:8101)');
  });

  it('left unmatched in several files keeps each file its own peer: one wildcard address is not one node', () => {
    const other = { file: 'east-2.yml', text: EAST.text.replace("tokens: '2147483648'", "tokens: '0'") };
    const { config, topology, notes, drift } = loadCluster([EAST, other]);
    expect(notes.map((n) => [n.kind, n.where.file])).toEqual([
      ['WildcardUnmatched', EAST.file],
      ['WildcardUnmatched', other.file],
    ]);
    expect(drift).toEqual([]);
    expect(config.disagreements).toEqual([]);
    const wildcards = config.peers.filter((p) => p.endpoint.host === '0.0.0.0');
    expect(wildcards.map((p) => [p.tokens, p.isLocal])).toEqual([
      [[2147483648], true],
      [[0], false],
    ]);
    expect(config.origins[wildcards[1]!.index]).toEqual([{ file: other.file, line: lineOf(other, 'tokens:') }]);
    expect(checkTokenCoverage(topology.peers)).toEqual([]);
  });

  it('in IPv6 (::) is matched the same way', () => {
    const east = { ...EAST, text: EAST.text.replace('0.0.0.0:8101', "'[::]:8101'") };
    const { notes, config } = loadCluster([east, WEST]);
    expect(notes[0]).toMatchObject({ kind: 'WildcardMatched', listen: '[::]:8101', endpoint: '192.168.7.10:8101' });
    expect(config.peers).toHaveLength(2);
  });
});

describe('peers from a seed provider', () => {
  it.each([
    ['provider-dns.yml', 'dns_provider', 1],
    ['provider-florida.yml', 'florida_provider', 2],
  ] as const)('%s: a warning that the result covers only the peers the file lists', (name, provider, peers) => {
    const source = fixture(name);
    const { notes } = loadCluster([source]);
    expect(notes).toEqual([
      { kind: 'ExternalSeeds', level: 'warning', provider, peers, where: { file: name, line: lineOf(source, 'dyn_seed_provider:') } },
    ]);
    expect(describeConfigNote(notes[0]!)).toMatch(new RegExp(`${provider}: the node takes its peers from .* covers only the`));
  });

  it('given with other files, a note that the result covers the files given', () => {
    const source = fixture('provider-florida.yml');
    const { notes } = loadCluster([source, fixture('wildcard-east.yml')]);
    const external = notes.filter((n) => n.kind === 'ExternalSeeds');
    expect(external).toEqual([
      {
        kind: 'ExternalSeeds',
        level: 'note',
        provider: 'florida_provider',
        files: 2,
        where: { file: 'provider-florida.yml', line: lineOf(source, 'dyn_seed_provider:') },
      },
    ]);
    expect(describeConfigNote(external[0]!)).toMatch(/florida_provider: the node takes its peers from .*; this covers the 2 files given/);
  });

  it('simple_provider (or none) takes the peers from the file, with no warning', () => {
    expect(loadCluster([{ text: fixture('provider-dns.yml').text.replace('dns_provider', 'simple_provider') }]).notes).toEqual([]);
    expect(loadCluster([{ text: fixture('provider-dns.yml').text.replace(/^.*dyn_seed_provider.*\n/m, '') }]).notes).toEqual([]);
  });
});

describe('names and addresses', () => {
  it.each([
    ['rack', "  rack: ''\n"],
    ['rack', '  rack:\n'],
    ['datacenter', "  datacenter: ' '\n"],
  ])('an empty %s is a ConfigError with file and line at parse time', (field, line) => {
    const text = `pool:\n  dyn_listen: 10.0.0.1:8101\n${line}  tokens: '0'\n`;
    let thrown: unknown;
    try {
      loadCluster([{ file: 'n.yml', text }]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).location).toEqual({ file: 'n.yml', line: 3 });
    expect((thrown as ConfigError).message).toBe(
      `n.yml:3: '${field}' is empty: name the node's ${field}, or leave the line out for '${field === 'rack' ? 'localrack' : 'localdc'}'`,
    );
  });

  it('a bracketed IPv6 host is the same host in dyn_listen and in seeds', () => {
    const { config } = loadCluster([fixture('ipv6-a.yml'), fixture('ipv6-b.yml')]);
    expect(config.peers.map((p) => p.endpoint)).toEqual([
      { host: 'fd00::1', port: 8101 },
      { host: 'fd00::2', port: 8101 },
    ]);
    expect(checkTokenCoverage(config.peers)).toEqual([]);
    expect(config.disagreements).toEqual([]);
  });
});

describe('seed lists', () => {
  it('report one bad line on that line, saying what is wrong with it', () => {
    expect(() => loadCluster([fixture('seeds-bad-line.txt')])).toThrow(
      "seeds-bad-line.txt:4: invalid seed '10.3.0.3:8101:r1:2863311530 c': expected 'host:port:rack:dc:tokens [name]' (five fields separated by ':')",
    );
  });

  it.each(['10.0.0.1:8101:r1:dc1:1 ,2', '10.0.0.1:8101:r1:dc1:1, 2 name'])('refuse a space inside a token list: %s', (seed) => {
    expect(() => loadCluster([{ file: 's.txt', text: `${seed}\n` }])).toThrow(/^s\.txt:1: invalid seed .*a space inside the token list/);
  });
});

describe('the arguments', () => {
  it.each([null, 42, {}, { text: 7 }])('fromDynomiteYaml(%j) is a TypeError saying what it takes', (value) => {
    expect(() => Topology.fromDynomiteYaml(value as never)).toThrow(TypeError);
    expect(() => Topology.fromDynomiteYaml(value as never)).toThrow(
      /expected the text of a dynomite\.yml \(a string, or \{ text, file \}\)/,
    );
  });

  it.each([[[]], ['text' as never], [undefined as never], [[null] as never]])('loadCluster(%j) is a TypeError', (value) => {
    expect(() => loadCluster(value)).toThrow(TypeError);
  });
});

describe('drift', () => {
  const a = {
    file: 'a.yml',
    text: 'p:\n  dyn_listen: 10.0.0.1:8101\n  tokens: "0"\n  dyn_seeds:\n  - 10.0.0.2:8101:localrack:localdc:5\n',
  };
  const b = { file: 'b.yml', text: 'p:\n  dyn_listen: 10.0.0.2:8101\n  tokens: "6"\n' };

  it('is returned as data where fromDynomiteYaml throws, the first file winning', () => {
    const { drift, config, topology } = loadCluster([a, b]);
    expect(drift).toEqual([
      {
        kind: 'PeerMismatch',
        endpoint: '10.0.0.2:8101',
        field: 'tokens',
        values: [
          { value: '5', where: { file: 'a.yml', line: 5 } },
          { value: '6', where: { file: 'b.yml', line: 3 } },
        ],
      },
    ]);
    expect(config.disagreements).toBe(drift);
    expect(topology.peer(1).tokens).toEqual([5]);
    expect(() => Topology.fromDynomiteYaml([a, b])).toThrow(ConfigError);
  });

  it('keeps the files’ hash settings unless options set them', () => {
    const tagged = { ...b, text: `${b.text}  hash: fnv1a_64\n  hash_tag: '{}'\n` };
    expect(loadCluster([tagged]).topology).toMatchObject({ hash: 'fnv1a_64', hashTag: '{}' });
    expect(loadCluster([tagged], { hash: 'md5', hashTag: undefined }).topology).toMatchObject({ hash: 'md5', hashTag: '{}' });
  });
});

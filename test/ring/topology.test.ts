import { describe, expect, it } from 'vitest';
import {
  COVERAGE_DEFAULTS,
  ConfigError,
  HASH_DEFAULTS,
  TOPOLOGY_DEFAULTS,
  NoTargetsError,
  Topology,
  UnknownLocationError,
  checkTokenCoverage,
  hash,
  parseSeed,
  type Peer,
  type SeedFlags,
} from '../../src/index.js';

const NODE1 = `
dyn_o_mite:
  datacenter: dc1
  rack: rack1
  dyn_listen: 10.0.0.1:8101
  dyn_seeds:
  - 10.0.0.2:8101:rack1:dc1:2147483648
  - 10.0.0.3:8101:rack2:dc1:0
  - 10.0.0.4:8101:rack2:dc1:2147483648
  - 10.1.0.1:8101:rack1:dc2:100
  listen: 0.0.0.0:8102
  servers:
  - 127.0.0.1:22122:1
  tokens: '0'
  secure_server_option: datacenter
  hash: murmur
  hash_tag: '{}'
`;

describe('Topology.fromDynomiteYaml', () => {
  const t = Topology.fromDynomiteYaml({ text: NODE1, file: 'node1.yml' });

  it('makes the local node peer 0 and its seeds the next peers', () => {
    expect(t.peers.map((p) => `${p.endpoint.host}:${p.endpoint.port}`)).toEqual([
      '10.0.0.1:8101',
      '10.0.0.2:8101',
      '10.0.0.3:8101',
      '10.0.0.4:8101',
      '10.1.0.1:8101',
    ]);
    expect(t.peers[0]).toMatchObject({ index: 0, rack: 'rack1', dc: 'dc1', tokens: [0], isLocal: true, isSameDc: true, isSecure: false });
    expect(t.peers[3]).toMatchObject({ isLocal: false, isSameDc: true, isSecure: false });
    // secure_server_option: datacenter encrypts links to other datacenters only.
    expect(t.peers[4]).toMatchObject({ dc: 'dc2', isSameDc: false, isSecure: true });
    expect(t.localDc).toBe('dc1');
    expect(t.hash).toBe('murmur');
    expect(t.hashTag).toBe('{}');
  });

  it('lists racks sorted by datacenter then rack', () => {
    expect(t.racks()).toEqual([
      { dc: 'dc1', rack: 'rack1' },
      { dc: 'dc1', rack: 'rack2' },
      { dc: 'dc2', rack: 'rack1' },
    ]);
    expect(t.racks('dc2')).toEqual([{ dc: 'dc2', rack: 'rack1' }]);
  });

  it('dispatches with the wrap-around rule and reports ownership', () => {
    const c = t.continuum('dc1', 'rack1');
    expect(c.size).toBe(2);
    expect(c.dispatch(0)).toBe(0);
    expect(c.dispatch(1)).toBe(1);
    expect(c.dispatch(2147483648)).toBe(1);
    expect(c.dispatch(2147483649)).toBe(0);
    expect(c.dispatch(4294967295)).toBe(0);
    expect(c.ownership()).toEqual(
      new Map([
        [0, 0.5],
        [1, 0.5],
      ]),
    );
    expect(t.continuum('dc2', 'rack1').ownership()).toEqual(new Map([[4, 1]]));
  });

  it('routes a key to one owner per rack of the local datacenter, honouring the hash tag', () => {
    const owners = t.route('user:{42}:name');
    expect(owners).toHaveLength(2);
    const token = hash('murmur', '42');
    expect(t.token('user:{42}:name')).toBe(token);
    expect(owners[0]).toBe(t.peer(t.continuum('dc1', 'rack1').dispatch(token)));
    expect(owners[1]).toBe(t.peer(t.continuum('dc1', 'rack2').dispatch(token)));
    expect(t.route('user:{42}:mail')).toEqual(owners);
    expect(t.route('user:{42}:name', 'dc2')).toEqual([t.peer(4)]);
  });

  it("merges several nodes' files: the same host:port is the same peer", () => {
    const node2 = NODE1.replace('dyn_listen: 10.0.0.1:8101', 'dyn_listen: 10.0.0.2:8101')
      .replace("tokens: '0'", "tokens: '2147483648'")
      .replace('- 10.0.0.2:8101:rack1:dc1:2147483648', '- 10.0.0.1:8101:rack1:dc1:0');
    const merged = Topology.fromDynomiteYaml([NODE1, node2]);
    expect(merged.peers).toHaveLength(5);
    expect(merged.peers[0]!.isLocal).toBe(true);
    expect(merged.peers.filter((p) => p.isLocal)).toHaveLength(1);
  });

  it('refuses files that disagree about a peer, naming both', () => {
    const drift = NODE1.replace('dyn_listen: 10.0.0.1:8101', 'dyn_listen: 10.0.0.9:8101').replace(
      '- 10.0.0.2:8101:rack1:dc1:2147483648',
      '- 10.0.0.2:8101:rack1:dc1:5',
    );
    expect(() =>
      Topology.fromDynomiteYaml([
        { text: NODE1, file: 'a.yml' },
        { text: drift, file: 'b.yml' },
      ]),
    ).toThrow(/peer 10\.0\.0\.2:8101: tokens '2147483648' in a\.yml:7 vs '5' in b\.yml:7/);
  });

  it.each([
    ['', 'empty'],
    ['- a\n- b\n', 'mapping'],
    ['a: [1,\n', 'invalid YAML'],
    ['p:\n  dyn_listen: h:1\n  tokens: 4294967296\n', "'4294967296'"],
    ['p:\n  dyn_listen: h:1\n  dyn_seeds:\n  - h2:1:r:d\n', 'five fields'],
    ['p:\n  tokens: 1\n', 'dyn_listen'],
    ['p:\n  dyn_listen: h:1\n  tokens: 0x10\n', "invalid token '0x10'"],
    ['p:\n  dyn_listen: h:1\n  tokens: 1e3\n', "invalid token '1e3'"],
    ['p:\n  dyn_listen: h:1\n  tokens: +5\n', "invalid token '+5'"],
    ['p:\n  dyn_listen: h:1\n  tokens: 1.0\n', "invalid token '1.0'"],
    ['p:\n  dyn_listen: h:1\n  tokens: 4294967295.0\n', "invalid token '4294967295.0'"],
    ['p:\n  dyn_listen: h:1\n  tokens:\n', 'empty token list'],
    ['p:\n  dyn_listen: h:1\n  hash_tag: ""\n', 'two ASCII characters'],
    ['p:\n  dyn_listen: h:1\n  dyn_seeds:\n  - h2:1:r:d:\n', 'give it its token, or quote it'],
    ['p:\n  dyn_listen: h:1\n  hash: murmur3\n', 'never computes'],
    ['p:\n  dyn_listen: h:1\n  hash: sha1\n', 'one_at_a_time'],
    ['p:\n  dyn_listen: h:1\n  hash_tag: "{"\n', 'two ASCII characters'],
    ['a:\n  dyn_listen: h:1\nb:\n  dyn_listen: h:2\n', 'one pool'],
  ])('refuses %j with a ConfigError (%s)', (text, fragment) => {
    expect(() => Topology.fromDynomiteYaml({ text, file: 'bad.yml' })).toThrow(ConfigError);
    expect(() => Topology.fromDynomiteYaml({ text, file: 'bad.yml' })).toThrow(fragment);
    expect(() => Topology.fromDynomiteYaml({ text, file: 'bad.yml' })).toThrow('bad.yml');
  });

  it('reads a lone node with an empty dyn_seeds, and tokens written as numbers', () => {
    const t = Topology.fromDynomiteYaml('p:\n  dyn_listen: 10.0.0.1:8101\n  dyn_seeds:\n  tokens: 007\n');
    expect(t.peers).toHaveLength(1);
    expect(t.peers[0]!.tokens).toEqual([7]);
  });

  it("lets options override the file's hash settings, but not with undefined", () => {
    const text = "p:\n  dyn_listen: h:1\n  tokens: '1'\n  hash: md5\n  hash_tag: '[]'\n";
    expect(Topology.fromDynomiteYaml(text, { hash: undefined, hashTag: undefined })).toMatchObject({ hash: 'md5', hashTag: '[]' });
    expect(Topology.fromDynomiteYaml(text, { hash: 'crc32' })).toMatchObject({ hash: 'crc32', hashTag: '[]' });
  });

  it('gives the line of a bad seed', () => {
    const text = 'p:\n  dyn_listen: h:1\n  dyn_seeds:\n  - h2:1:r:d:1\n  - h3:1:r:d:-5\n';
    try {
      Topology.fromDynomiteYaml({ text, file: 'n.yml' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).location).toEqual({ file: 'n.yml', line: 5 });
      expect((err as Error).message).toMatch(/^n\.yml:5: invalid seed 'h3:1:r:d:-5'/);
    }
  });
});

describe('Topology errors', () => {
  const peers = [parseSeed('a:1:r1:dc1:10', 0), parseSeed('b:1:r2:dc1:1', 1, {})];
  const t = Topology.fromPeers([...peers, { ...parseSeed('c:1:r3:dc1:1', 2), tokens: [] }]);

  it('throws NoTargetsError naming dc and rack for an empty continuum', () => {
    const c = t.continuum('dc1', 'r3');
    expect(c.size).toBe(0);
    expect(() => c.dispatch(5)).toThrow(NoTargetsError);
    expect(() => c.dispatch(5)).toThrow("rack 'r3' in datacenter 'dc1'");
    expect(() => t.route('k')).toThrow(NoTargetsError);
    expect(() => t.routeKeys(['k'])).toThrow(NoTargetsError);
    expect(c.ownership().size).toBe(0);
  });

  it('names unknown datacenters and racks', () => {
    expect(() => t.continuum('dc9', 'r1')).toThrow(UnknownLocationError);
    expect(() => t.continuum('dc9', 'r1')).toThrow("unknown datacenter 'dc9'; known datacenters: dc1");
    expect(() => t.continuum('dc1', 'r9')).toThrow("unknown rack 'r9' in datacenter 'dc1'; its racks are: r1, r2, r3");
    expect(() => t.route('k', 'nope')).toThrow(UnknownLocationError);
  });

  it.each([-1, 1.5, NaN, 4294967296, '5'])('refuses the token %j at dispatch', (bad) => {
    expect(() => t.continuum('dc1', 'r1').dispatch(bad as number)).toThrow(typeof bad === 'string' ? TypeError : RangeError);
  });

  it('refuses a batch that is not a Uint32Array, and a wrong-sized out', () => {
    const c = t.continuum('dc1', 'r1');
    expect(() => c.dispatchBatch([1, 2] as unknown as Uint32Array)).toThrow(TypeError);
    expect(() => c.dispatchBatch(Uint32Array.of(1, 2), new Uint32Array(1))).toThrow(RangeError);
  });

  it('refuses bad peers and options before building anything', () => {
    expect(() => Topology.fromPeers([])).toThrow(ConfigError);
    expect(() => Topology.fromPeers([peers[0]!, { ...peers[1]!, index: 0 }])).toThrow('two peers have index 0');
    expect(() => Topology.fromPeers([{ ...peers[0]!, tokens: [-1] }])).toThrow(ConfigError);
    expect(() => Topology.fromPeers(peers, { engine: 'gpu' as 'js' })).toThrow(RangeError);
    expect(() => Topology.fromPeers(peers, { localDc: 'dc7' })).toThrow("local datacenter 'dc7'");
  });

  it('checks key batches before doing any work', () => {
    const ok = Topology.fromPeers(peers);
    const bytes = new TextEncoder().encode('abcdef');
    expect(() => ok.routeKeyBytes(bytes, Uint32Array.of(0, 4, 2))).toThrow('ascending');
    expect(() => ok.routeKeyBytes(bytes, Uint32Array.of(0, 7))).toThrow('past the buffer');
    expect(() => ok.routeKeyBytes(bytes, [0, 6] as unknown as Uint32Array)).toThrow(TypeError);
    expect(() => ok.routeKeyBytes(bytes, Uint32Array.of(0, 6), { dc: 'dcX' })).toThrow(UnknownLocationError);
    expect(() => ok.routeKeyBytes(bytes, Uint32Array.of(0, 6), { out: new Uint32Array(1) })).toThrow('keys × racks');
    // The old positional form from JavaScript: a datacenter where the options go, or bytes where the strings go.
    expect(() => ok.routeKeys(['a'], 'dc1' as unknown as { dc: string })).toThrow('options must be an object');
    expect(() => ok.routeKeys(bytes as unknown as string[])).toThrow('use routeKeyBytes');
    expect(() => ok.route(42 as unknown as string)).toThrow(TypeError);
    expect(() => ok.routeKeys(['a', 7 as unknown as string])).toThrow('key 1 must be a string');
  });
});

describe('names and peers from JavaScript', () => {
  const peer = (index: number, dc: string, rack: string, tokens: number[]) => ({
    index,
    endpoint: { host: `10.0.0.${index + 1}`, port: 8101 },
    dc,
    rack,
    tokens,
    isLocal: false,
    isSameDc: true,
    isSecure: false,
  });

  it('keeps (dc, rack) pairs apart when a name holds a NUL', () => {
    // With a `${dc}\0${rack}` key these two racks were one, and token 7 an overlap.
    const peers = [peer(0, 'a\u0000b', 'c', [7]), peer(1, 'a', 'b\u0000c', [7])];
    const t = Topology.fromPeers(peers);
    expect(t.racks()).toEqual([
      { dc: 'a', rack: 'b\u0000c' },
      { dc: 'a\u0000b', rack: 'c' },
    ]);
    expect(t.continuum('a', 'b\u0000c').entries()).toEqual([[7, 1]]);
    expect(t.continuum('a\u0000b', 'c').entries()).toEqual([[7, 0]]);
    expect(checkTokenCoverage(peers)).toEqual([]);
  });

  it('refuses an empty host, a port outside 1 to 65535 and non-boolean flags', () => {
    const ok = peer(0, 'dc1', 'r1', [1]);
    for (const endpoint of [
      { host: '', port: 8101 },
      { host: 'h', port: 0 },
      { host: 'h', port: 65536 },
      { host: 'h', port: 80.5 },
      { host: 'h', port: '8101' },
    ]) {
      expect(() => Topology.fromPeers([{ ...ok, endpoint } as Peer]), JSON.stringify(endpoint)).toThrow(ConfigError);
    }
    for (const flag of ['isLocal', 'isSameDc', 'isSecure']) {
      expect(() => Topology.fromPeers([{ ...ok, [flag]: 'yes' } as unknown as Peer])).toThrow(`${flag} must be true or false`);
    }
    expect(Topology.fromPeers([{ ...ok, endpoint: { host: 'h', port: 65535 }, isSecure: true }]).peers[0]).toMatchObject({
      endpoint: { host: 'h', port: 65535 },
      isSecure: true,
    });
  });

  it('parseSeed takes only the flags from its flags argument', () => {
    const sneaky = { isLocal: true, index: 9, tokens: [5], endpoint: { host: 'x', port: 1 }, dc: 'dcX' } as SeedFlags;
    const p = parseSeed('10.0.0.2:8101:rack1:dc1:100', 1, sneaky);
    expect(p).toMatchObject({ index: 1, tokens: [100], endpoint: { host: '10.0.0.2', port: 8101 }, dc: 'dc1', isLocal: true });
    expect(() => parseSeed('10.0.0.2:8101:rack1:dc1:100', 1, { isSecure: 1 as unknown as boolean })).toThrow(
      'isSecure must be true or false',
    );
  });
});

describe('defaults as data', () => {
  it('are the values a topology and a coverage check use when an option is left out', () => {
    const peers = [
      { index: 0, endpoint: { host: 'h', port: 1 }, dc: 'd', rack: 'r', tokens: [5], isLocal: true, isSameDc: true, isSecure: false },
    ];
    const t = Topology.fromPeers(peers);
    expect(t.hash).toBe(TOPOLOGY_DEFAULTS.hash);
    expect(HASH_DEFAULTS.hash).toBe('murmur');
    expect(TOPOLOGY_DEFAULTS.engine).toBe('auto');
    expect(t.token('k')).toBe(hash(HASH_DEFAULTS.hash, 'k'));
    expect(COVERAGE_DEFAULTS).toEqual({ racks: [], engine: 'auto' });
    for (const d of [TOPOLOGY_DEFAULTS, HASH_DEFAULTS, COVERAGE_DEFAULTS]) expect(Object.isFrozen(d)).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedFields } from '../ring/peers.js';
import {
  ConfigError,
  formatFloridaSeeds,
  parseClusterDescribe,
  parseDynomiteManager,
  parseFloridaSeeds,
  Topology,
} from '../../src/index.js';

const raw = readFileSync(new URL('../fixtures/dynomite-admin/cluster_describe.raw', import.meta.url));
const fixtureBody = raw.subarray(raw.indexOf('\r\n\r\n') + 4).toString('utf8');

interface Described {
  dcs: { name: string; racks: { name: string; servers: { name: string; host: string; port: number; token: number }[] }[] }[];
}

const describeBody = (token: string) =>
  `{"dcs":[{"name":"dc1","racks":[{"name":"r1","servers":[{"name":"10.0.0.1","host":"10.0.0.1","port":8101,"token":0},{"name":"10.0.0.2","host":"h2","port":8101,"token":${token}}]}]}]}`;

const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
};

describe('parseClusterDescribe', () => {
  it("gives exactly the fixture's servers, in document order, the first one local", () => {
    const doc = JSON.parse(fixtureBody) as Described;
    const expected = doc.dcs.flatMap((dc) => dc.racks.flatMap((rack) => rack.servers.map((s) => ({ dc: dc.name, rack: rack.name, s }))));
    const peers = parseClusterDescribe(fixtureBody, { source: 'http://127.0.0.1:22222' });
    expect(peers).toHaveLength(expected.length);
    peers.forEach((p, i) => {
      const e = expected[i]!;
      expect(p).toEqual({
        index: i,
        endpoint: { host: e.s.host, port: e.s.port },
        rack: e.rack,
        dc: e.dc,
        tokens: [e.s.token],
        isLocal: i === 0,
        isSameDc: e.dc === expected[0]!.dc,
        isSecure: false,
      });
    });
    // The fixture is a valid two-rack ring a Topology accepts.
    expect(
      Topology.fromPeers(peers)
        .racks('dc1')
        .map((r) => r.rack),
    ).toEqual(doc.dcs[0]!.racks.map((r) => r.name).sort());
  });

  it('marks same-dc peers relative to the first (local) node and takes name when host is a wildcard', () => {
    const body = JSON.stringify({
      dcs: [
        { name: 'dc2', racks: [{ name: 'a', servers: [{ name: '10.1.0.1', host: 'h', port: 8101, token: 5 }] }] },
        { name: 'dc1', racks: [{ name: 'a', servers: [{ name: '10.0.0.9', host: '0.0.0.0', port: 8101, token: 7 }] }] },
      ],
    });
    const peers = parseClusterDescribe(body);
    expect(peers.map((p) => [p.dc, p.isLocal, p.isSameDc, p.endpoint.host])).toEqual([
      ['dc2', true, true, 'h'],
      ['dc1', false, false, '10.0.0.9'],
    ]);
  });

  it('refuses a token over 2^32 - 1, naming the source and the path', () => {
    const err = thrown(() => parseClusterDescribe(describeBody('4294967296'), { source: 'http://h:22222' }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('cluster_describe from http://h:22222: dcs[0].racks[0].servers[1].token: expected a u32, got 4294967296');
  });

  it('reads the number text: values a double would round to a valid token are refused', () => {
    // JSON.parse makes these 9007199254740992, 1 and 1: the text is what counts.
    for (const t of ['9007199254740993', '1.0000000000000001', '1e0', '-0', '"7"']) {
      expect(() => parseClusterDescribe(describeBody(t)), t).toThrow(/servers\[1\]\.token: expected a u32, got/);
    }
    expect(parseClusterDescribe(describeBody('4294967295'))[1]!.tokens).toEqual([4294967295]);
  });

  it('names every malformed part', () => {
    const cases: [string, RegExp][] = [
      ['', /cluster_describe: JSON value expected but reached end of input at position 0/],
      ['{"dcs":[]', /reached end of input at position 9/],
      ['[]', /the body: expected an object, got an array/],
      ['{}', /dcs: expected an array, got nothing/],
      ['{"dcs":[]}', /dcs: no servers/],
      ['{"dcs":[{"name":"","racks":[]}]}', /dcs\[0\]\.name: expected a non-empty string, got ""/],
      [
        '{"dcs":[{"name":"d","racks":[{"name":"r","servers":[{"name":"i","host":"h","port":0,"token":1}]}]}]}',
        /servers\[0\]\.port: expected a port/,
      ],
      [
        '{"dcs":[{"name":"d","racks":[{"name":"r","servers":[{"name":"i","port":1,"token":1}]}]}]}',
        /servers\[0\]\.host: expected a non-empty string/,
      ],
      ['{"dcs":[{"name":"d","racks":[{"name":"r"}]}]}', /racks\[0\]\.servers: expected an array/],
      ['{"dcs":[]} x', /Expected end of input but got 'x' at position 11/],
    ];
    for (const [body, message] of cases) expect(() => parseClusterDescribe(body), body).toThrow(message);
    expect(thrown(() => parseClusterDescribe('{'))).toBeInstanceOf(ConfigError);
  });
});

describe('parseDynomiteManager', () => {
  const entry = (over: Record<string, unknown>) => ({
    token: '0',
    hostname: 'h1',
    ip: '10.0.0.1',
    zone: 'z1',
    dc: 'us-east-1',
    port: '8101',
    secure_port: '8103',
    hashtag: '{}',
    ...over,
  });

  it('reads zone as the rack, hostname as the host, string or number tokens and ports, and one hash tag', () => {
    const body = JSON.stringify([
      entry({}),
      entry({ token: 2147483648, hostname: 'h2', ip: '10.0.0.2', port: 8101 }),
      entry({ hostname: '', ip: '10.1.0.1', dc: 'eu-west-1', zone: 'z9', hashtag: null }),
    ]);
    const { peers, hashTag } = parseDynomiteManager(body, { local: { host: '10.0.0.2' } });
    expect(hashTag).toBe('{}');
    expect(peers.map((p) => [p.index, p.endpoint.host, p.endpoint.port, p.rack, p.dc, p.tokens, p.isLocal, p.isSameDc])).toEqual([
      [0, 'h1', 8101, 'z1', 'us-east-1', [0], false, true],
      [1, 'h2', 8101, 'z1', 'us-east-1', [2147483648], true, true],
      [2, '10.1.0.1', 8101, 'z9', 'eu-west-1', [0], false, false],
    ]);
    expect(parseDynomiteManager(JSON.stringify([entry({ hashtag: '' })])).hashTag).toBeUndefined();
  });

  it('refuses malformed entries, different hash tags and an unknown local node', () => {
    const cases: [unknown, RegExp, object?][] = [
      [[], /no nodes/],
      [{}, /the body: expected an array/],
      [[entry({ token: '-1' })], /^Dynomite Manager topology from u: \[0\]\.token: expected a u32, got "-1"$/],
      [[entry({ token: '4294967296' })], /\[0\]\.token: expected a u32/],
      [[entry({}), entry({ zone: '' })], /\[1\]\.zone: expected a non-empty string/],
      [[entry({ hostname: undefined, ip: undefined })], /\[0\]: neither hostname nor ip/],
      [[entry({ port: '70000' })], /\[0\]\.port: expected a port/],
      [[entry({}), entry({ hashtag: '[]' })], /\[1\]\.hashtag: '\[\]' differs from '\{\}' in \[0\]/],
      [[entry({})], /no entry is the local node h9:8101/, { local: { host: 'h9', port: 8101 } }],
    ];
    for (const [body, message, extra] of cases) {
      const err = thrown(() => parseDynomiteManager(JSON.stringify(body), { source: 'u', ...extra }));
      expect(err, JSON.stringify(body)).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(message);
    }
  });
});

describe('parseFloridaSeeds / formatFloridaSeeds', () => {
  it('parses the format the server documents, IPv6 hosts included', () => {
    const body = 'ec2-54-145-17-101.compute-1.amazonaws.com:8101:dyno_pds--useast1e:us-east-1:1383429731|fd00::1:8101:r2:eu-west-1:0';
    const peers = parseFloridaSeeds(body);
    expect(peers.map((p) => [p.index, p.endpoint.host, p.endpoint.port, p.rack, p.dc, p.tokens, p.isLocal, p.isSameDc])).toEqual([
      [0, 'ec2-54-145-17-101.compute-1.amazonaws.com', 8101, 'dyno_pds--useast1e', 'us-east-1', [1383429731], false, true],
      [1, 'fd00::1', 8101, 'r2', 'eu-west-1', [0], false, false],
    ]);
    expect(formatFloridaSeeds(peers)).toBe(body);
  });

  it('refuses token lists, whitespace, empty entries and bad fields, naming the entry', () => {
    const cases: [string, RegExp][] = [
      [
        'h:8101:r:d:1,2',
        /^florida seeds from s: entry 0 'h:8101:r:d:1,2': one token per node, got 2: the server would keep only the last \(2\)$/,
      ],
      ['h:8101:r:d:1|h2:8101:r:d:2\n', /entry 1 'h2:8101:r:d:2\n': whitespace at offset 13/],
      ['h:8101:r:d:1 |h2:8101:r:d:2', /entry 0 .*whitespace/],
      ['h:8101:r:d:1||h2:8101:r:d:2', /entry 1 '': empty entry/],
      ['h:8101:r:d:1|', /entry 1 '': empty entry/],
      ['', /the body is empty/],
      ['h:8101:r:d', /entry 0 'h:8101:r:d': invalid seed/],
      ['h:0:r:d:1', /entry 0 .*port '0'/],
      ['h:8101:r:d:4294967296', /entry 0 .*larger than 4294967295/],
      ['h:8101::d:1', /entry 0 .*rack is empty/],
    ];
    for (const [body, message] of cases) {
      const err = thrown(() => parseFloridaSeeds(body, { source: 's' }));
      expect(err, body).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses to write what the format cannot carry', () => {
    const [p] = parseFloridaSeeds('h:8101:r:d:1');
    expect(() => formatFloridaSeeds([])).toThrow(ConfigError);
    expect(() => formatFloridaSeeds([{ ...p!, tokens: [1, 2] }])).toThrow(/has 2 tokens/);
    expect(() => formatFloridaSeeds([{ ...p!, rack: 'a:b' }])).toThrow(/rack 'a:b' cannot be written/);
    expect(() => formatFloridaSeeds([{ ...p!, dc: 'a b' }])).toThrow(/dc 'a b' cannot be written/);
    expect(() => formatFloridaSeeds([{ ...p!, endpoint: { host: 'a|b', port: 1 } }])).toThrow(/host 'a\|b'/);
  });

  it('format and parse are exact inverses', () => {
    fc.assert(
      fc.property(fc.array(seedFields({ minLength: 1, maxLength: 1 }), { minLength: 1, maxLength: 20 }), (nodes) => {
        const body = nodes.map((n) => `${n.host}:${n.port}:${n.rack}:${n.dc}:${n.tokens[0]}`).join('|');
        const peers = parseFloridaSeeds(body);
        expect(peers.map((p) => [p.endpoint.host, p.endpoint.port, p.rack, p.dc, p.tokens])).toEqual(
          nodes.map((n) => [n.host, n.port, n.rack, n.dc, n.tokens]),
        );
        expect(formatFloridaSeeds(peers)).toBe(body);
        expect(parseFloridaSeeds(formatFloridaSeeds(peers))).toEqual(peers);
      }),
    );
  });
});

/**
 * The command line, run in-process through run(argv, io) on the example
 * configs and on bad input: output, exit statuses, and never a stack trace.
 * (bin.test.ts runs the built bin as a subprocess.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { Topology } from '../../src/index.js';
import { dynoring, hasStack } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLUSTER = 'examples/cluster/dynomite.yml';
const OVERLAP = 'examples/overlap/dynomite.yml';
const EMPTY_RACK = 'examples/empty-rack/dynomite.yml';
const DRIFT = ['examples/drift/node-a1.yml', 'examples/drift/node-a2.yml'];

/** The 1-based line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${file} has no line containing ${text}`);
  return index + 1;
}

function expectNoStack(r: Parameters<typeof hasStack>[0]): void {
  expect(hasStack(r)).toBe(false);
}

let scratch: string;

beforeAll(() => {
  // Relative paths in the tests and in the expected messages are the repository's.
  process.chdir(ROOT);
  scratch = mkdtempSync(join(tmpdir(), 'dynoring-cli-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Writes a file into the scratch directory and returns its path. */
function scratchFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

/** `{ "dc/rack": [share percent...] }` from `dynoring ring` output. */
function sharesByRack(stdout: string): Map<string, number[]> {
  const racks = new Map<string, number[]>();
  let current = '';
  for (const line of stdout.split('\n')) {
    const header = /^datacenter (\S+), rack (\S+):/.exec(line);
    if (header) racks.set((current = `${header[1]}/${header[2]}`), []);
    const share = /\s(\d+\.\d{4})%$/.exec(line);
    if (share && current) racks.get(current)!.push(Number(share[1]));
  }
  return racks;
}

describe('dynoring ring', () => {
  it('shows every rack, peer and token of the example cluster, each rack summing to 100%, shares with four decimals as plan and diff print them', async () => {
    const r = await dynoring('ring', CLUSTER);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^9 peers in 3 racks of 1 datacenter, 9 tokens; hash murmur, hash_tag \{\}/);
    for (const rack of ['us-east-1a', 'us-east-1b', 'us-east-1c'])
      expect(r.stdout).toContain(`datacenter us-east-1, rack ${rack}: 3 peers, 3 tokens`);
    expect(r.stdout).toMatch(/^ {2}PEER +ENDPOINT +NAME +TOKENS +SHARE$/m);
    expect(r.stdout).toMatch(/^ {2}0\* +10\.20\.1\.11:8101 +0 +33\.3333%$/m);
    expect(r.stdout).toMatch(/^ {2}8 +10\.20\.3\.13:8101 +dyn-c3 +2863311530 +33\.3333%$/m);
    expect(r.stdout).toContain('* local node');
    const shares = sharesByRack(r.stdout);
    expect([...shares.keys()]).toEqual(['us-east-1/us-east-1a', 'us-east-1/us-east-1b', 'us-east-1/us-east-1c']);
    for (const [rack, list] of shares) {
      expect(list, rack).toHaveLength(3);
      expect(Math.abs(list.reduce((a, b) => a + b, 0) - 100), rack).toBeLessThanOrEqual(0.0002);
    }
  });

  it('aligns the columns of each table', async () => {
    const r = await dynoring('ring', CLUSTER);
    const table = r.stdout.split('\n').filter((l) => /^ {2}(PEER|\d)/.test(l));
    const shareEnd = new Set(table.map((l) => l.length));
    expect(shareEnd.size).toBe(1);
    const endpointStart = new Set(table.map((l) => l.search(/ENDPOINT|10\.20/)));
    expect(endpointStart.size).toBe(1);
  });

  it('flags an overlap and an empty rack under their tables, shares still summing to 100%', async () => {
    const overlap = await dynoring('ring', OVERLAP);
    expect(overlap.code).toBe(0);
    expect(overlap.stdout).toContain(
      "  ! overlapping token: peers 4 (10.20.2.12:8101) and 5 (10.20.2.13:8101) both claim token 1431655765 in rack 'us-east-1b'",
    );
    for (const [rack, list] of sharesByRack(overlap.stdout)) {
      expect(Math.abs(list.reduce((a, b) => a + b, 0) - 100), rack).toBeLessThanOrEqual(0.0002);
    }
    const empty = await dynoring('ring', EMPTY_RACK);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(
      /rack us-east-1c: 1 peer, 0 tokens\n.*\n {2}0\* +10\.20\.3\.11:8101 +\(none\) +-\n {2}! empty rack: rack 'us-east-1c' in datacenter 'us-east-1' has no tokens/,
    );
  });

  it('merges several files and notes on stderr when they disagree', async () => {
    const r = await dynoring('ring', ...DRIFT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^3 peers in 1 rack/);
    expect(r.stderr).toContain(
      "the files disagree in 1 place; showing what the first file to declare each peer says. Run 'dynoring validate'",
    );
  });
});

describe('dynoring validate', () => {
  it('passes the example cluster', async () => {
    const r = await dynoring('validate', CLUSTER);
    expect(r).toEqual({ code: 0, stdout: 'OK: 9 peers in 3 racks of 1 datacenter, 9 tokens; every rack has a usable ring\n', stderr: '' });
  });

  it('reports an overlap with both peers and the file:line of each', async () => {
    const r = await dynoring('validate', OVERLAP);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      "error: overlapping token: peers 4 (10.20.2.12:8101) and 5 (10.20.2.13:8101) both claim token 1431655765 in rack 'us-east-1b' of datacenter 'us-east-1'",
    );
    expect(r.stdout).toContain(
      `peer 4 10.20.2.12:8101 (dyn-b2)  us-east-1/us-east-1b  at ${OVERLAP}:${lineOf(OVERLAP, '10.20.2.12:8101')}`,
    );
    expect(r.stdout).toContain(
      `peer 5 10.20.2.13:8101 (dyn-b3)  us-east-1/us-east-1b  at ${OVERLAP}:${lineOf(OVERLAP, '10.20.2.13:8101')}`,
    );
    expect(r.stdout).toMatch(/FAILED: 1 problem in 6 peers/);
  });

  it('reports an empty rack with the peer and line that declare it', async () => {
    const r = await dynoring('validate', EMPTY_RACK);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error: empty rack: rack 'us-east-1c' in datacenter 'us-east-1' has no tokens");
    expect(r.stdout).toContain(`peer 0 10.20.3.11:8101  us-east-1/us-east-1c  at ${EMPTY_RACK}:${lineOf(EMPTY_RACK, 'dyn_listen:')}`);
  });

  it('reports where two nodes’ files disagree about a peer, with each file and line', async () => {
    const r = await dynoring('validate', ...DRIFT);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `error: files disagree about peer 10.20.1.13:8101: tokens '2863311530' in ${DRIFT[0]}:15 vs '3000000000' in ${DRIFT[1]}:11; make every node's file say the same`,
    );
    expect(r.stdout).toContain(`tokens '2863311530'  at ${DRIFT[0]}:${lineOf(DRIFT[0]!, '- 10.20.1.13')}`);
    expect(r.stdout).toContain(`tokens '3000000000'  at ${DRIFT[1]}:${lineOf(DRIFT[1]!, '- 10.20.1.13')}`);
    // Each file alone is clean.
    for (const file of DRIFT) expect((await dynoring('validate', file)).code).toBe(0);
  });

  it('reports a disagreement about the hash between node files', async () => {
    const other = scratchFile('other-hash.yml', readFileSync(join(ROOT, DRIFT[1]!), 'utf8').replace('hash: murmur', 'hash: md5'));
    const r = await dynoring('validate', DRIFT[0]!, other);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `error: files disagree about hash: 'murmur' in ${DRIFT[0]} vs 'md5' in ${other}; every node of a pool must use the same hash`,
    );
  });

  it('warns, without failing, about a peer with several tokens', async () => {
    const file = scratchFile(
      'vnodes.yml',
      'dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  tokens: "0,1431655765"\n  dyn_seeds:\n  - 10.0.0.2:8101:rack1:dc1:2863311530\n  rack: rack1\n  datacenter: dc1\n',
    );
    const r = await dynoring('validate', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: peer 0 (10.0.0.1:8101) has 2 tokens');
    expect(r.stdout).toContain('gossip advertises only the first');
    expect(r.stdout).toContain(`at ${file}:3`);
    expect(r.stdout).toMatch(/OK: .*\(1 warning\)/);
  });

  it('reads a file of seed strings', async () => {
    const file = scratchFile(
      'seeds.txt',
      '# rack 1\n10.0.0.1:8101:r1:dc1:0\n10.0.0.2:8101:r1:dc1:2147483648 b\n\n10.0.0.3:8101:r1:dc1:2147483648 c\n',
    );
    const r = await dynoring('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`peer 1 10.0.0.2:8101 (b)  dc1/r1  at ${file}:3`);
    expect(r.stdout).toContain(`peer 2 10.0.0.3:8101 (c)  dc1/r1  at ${file}:5`);
  });

  describe('--json', () => {
    const peerRef = expect.objectContaining({
      index: expect.any(Number),
      endpoint: expect.stringMatching(/^[\d.]+:\d+$/),
      dc: expect.any(String),
      rack: expect.any(String),
      declaredAt: expect.arrayContaining([{ file: expect.any(String), line: expect.any(Number) }]),
    });

    it('prints clean findings for the example cluster', async () => {
      const r = await dynoring('validate', '--json', CLUSTER);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({
        version: 1,
        files: [CLUSTER],
        ok: true,
        summary: { datacenters: 1, racks: 3, peers: 9, tokens: 9, problems: 0, warnings: 0 },
        problems: [],
        warnings: [],
        notes: [],
      });
    });

    it('prints an overlap with both peers and where they are declared', async () => {
      const r = await dynoring('validate', OVERLAP, '--json');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ version: 1, ok: false, files: [OVERLAP], summary: { problems: 1, warnings: 0 } });
      expect(out.problems).toEqual([
        {
          kind: 'Overlap',
          dc: 'us-east-1',
          rack: 'us-east-1b',
          token: 1431655765,
          peers: [peerRef, peerRef],
          message: expect.stringContaining('both claim token 1431655765'),
        },
      ]);
      expect(out.problems[0].peers[1]).toEqual({
        index: 5,
        endpoint: '10.20.2.13:8101',
        name: 'dyn-b3',
        dc: 'us-east-1',
        rack: 'us-east-1b',
        declaredAt: [{ file: OVERLAP, line: lineOf(OVERLAP, '10.20.2.13:8101') }],
      });
    });

    it('prints an empty rack with its peers', async () => {
      const out = JSON.parse((await dynoring('validate', '--json', EMPTY_RACK)).stdout);
      expect(out.problems).toEqual([
        { kind: 'EmptyRack', dc: 'us-east-1', rack: 'us-east-1c', peers: [peerRef], message: expect.any(String) },
      ]);
    });

    it('prints a disagreement with every stated value and the peer', async () => {
      const out = JSON.parse((await dynoring('validate', '--json', ...DRIFT)).stdout);
      expect(out.files).toEqual(DRIFT);
      expect(out.problems).toEqual([
        {
          kind: 'PeerMismatch',
          endpoint: '10.20.1.13:8101',
          field: 'tokens',
          values: [
            { value: '2863311530', at: { file: DRIFT[0], line: lineOf(DRIFT[0]!, '- 10.20.1.13') } },
            { value: '3000000000', at: { file: DRIFT[1], line: lineOf(DRIFT[1]!, '- 10.20.1.13') } },
          ],
          peer: expect.objectContaining({ index: 2, endpoint: '10.20.1.13:8101', declaredAt: [expect.anything(), expect.anything()] }),
          message: expect.any(String),
        },
      ]);
    });

    it('prints a warning for a multi-token peer and still exits 0', async () => {
      const file = scratchFile('vnodes-json.yml', 'dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  tokens: "5,7"\n');
      const r = await dynoring('validate', '--json', file);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(true);
      expect(out.warnings).toEqual([{ kind: 'MultipleTokens', peer: peerRef, tokens: [5, 7], message: expect.any(String) }]);
    });

    it('prints the failure as JSON when a file cannot be used, and the message on stderr', async () => {
      const r = await dynoring('validate', '--json', 'examples/no-such/dynomite.yml');
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toEqual({
        version: 1,
        ok: false,
        error: { message: 'examples/no-such/dynomite.yml: cannot read the file: no such file', file: 'examples/no-such/dynomite.yml' },
      });
      expect(r.stderr).toBe('dynoring: examples/no-such/dynomite.yml: cannot read the file: no such file\n');
      const bad = scratchFile('bad-json.yml', 'dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  tokens: "4294967296"\n');
      expect(JSON.parse((await dynoring('validate', '--json', bad)).stdout).error).toEqual({
        message: expect.stringContaining("invalid token '4294967296'"),
        file: bad,
        line: 3,
      });
    });
  });
});

describe('bad input: a message naming the file (and line), exit 2, no stack trace', () => {
  // Each message follows `dynoring: <the file as given>`.
  const cases: [name: string, file: () => string, message: RegExp][] = [
    ['an empty file', () => scratchFile('empty.yml', ''), /^: the file is empty/],
    ['YAML that is not a mapping', () => scratchFile('list.yml', '- name: a\n- name: b\n'), /^:1: expected a mapping from a pool name/],
    ['invalid YAML', () => scratchFile('broken.yml', 'dyn_o_mite:\n  dyn_listen: [oops\n'), /^:\d+: invalid YAML: /],
    [
      'a seed without a token in a dynomite.yml',
      () =>
        scratchFile('no-token.yml', "dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  tokens: '0'\n  dyn_seeds:\n  - '10.0.0.2:8101:r1:dc1:'\n"),
      /^:5: invalid seed '10\.0\.0\.2:8101:r1:dc1:': no token/,
    ],
    [
      'a seed without a token in a seed list',
      () => scratchFile('no-token.txt', '10.0.0.1:8101:r1:dc1:0\n10.0.0.2:8101:r1:dc1:\n'),
      /^:2: invalid seed .*no token/,
    ],
    [
      'a token over 4294967295',
      () => scratchFile('big.yml', "dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  tokens: '4294967296'\n"),
      /^:3: invalid token '4294967296': larger than 4294967295/,
    ],
    [
      'a seed token over 4294967295',
      () => scratchFile('big.txt', '10.0.0.1:8101:r1:dc1:99999999999\n'),
      /^:1: invalid seed .*larger than 4294967295/,
    ],
    ['a missing file', () => join(scratch, 'missing.yml'), /^: cannot read the file: no such file/],
    [
      'a directory',
      () => (mkdirSync(join(scratch, 'adir'), { recursive: true }), join(scratch, 'adir')),
      /^: cannot read the file: it is a directory/,
    ],
  ];

  for (const command of ['validate', 'ring'] as const) {
    it.each(cases)(`${command}: %s`, async (_, makeFile, message) => {
      const file = makeFile();
      const r = await dynoring(command, file);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`dynoring: ${file}`), r.stderr).toBe(true);
      expect(r.stderr.slice(`dynoring: ${file}`.length)).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expectNoStack(r);
    });
  }

  it('reports a malformed --live url as bad input, not as a bug', async () => {
    const r = await dynoring('ring', '--live', 'h:99999');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'dynoring: invalid url "h:99999": expected http://host:port, host:port or host (IPv6 in brackets), with no path\n',
    );
    expectNoStack(r);
  });

  it('reports the first bad file when one of several is bad', async () => {
    const r = await dynoring('validate', CLUSTER, join(scratch, 'missing-too.yml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing-too.yml: cannot read the file');
  });
});

describe('dynoring route', () => {
  const topology = Topology.fromDynomiteYaml({ text: readFileSync(join(ROOT, CLUSTER), 'utf8') });

  it('shows each key’s token and owner in every rack of the local datacenter, using the file’s hash and hash_tag', async () => {
    const keys = ['user:42', 'cart:{user:42}', 'session:9f1c'];
    const r = await dynoring('route', CLUSTER, ...keys);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('datacenter us-east-1, from rack us-east-1a; hash murmur, hash_tag {}');
    expect(lines[1]).toMatch(/^KEY +TOKEN +us-east-1a +us-east-1b +us-east-1c$/);
    for (const key of keys) {
      const owners = topology.route(key).map((p) => `${p.index} ${p.endpoint.host}:${p.endpoint.port}`);
      const row = lines.find((l) => l.startsWith(`${key} `));
      expect(row, key).toBeDefined();
      expect(row!.split(/ {2,}/)).toEqual([key, String(topology.token(key)), ...owners]);
    }
    // The hash tag sends both keys to the same owners.
    expect(topology.token('cart:{user:42}')).toBe(topology.token('user:42'));
  });

  it('takes several files and keys after --, including keys that start with -', async () => {
    const r = await dynoring('route', ...DRIFT, '--', '-k', 'user:1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-k +\d+ +\d 10\.20\.1\.1\d:8101$/m);
    expect(r.stdout).toMatch(/^user:1 +\d+ +\d 10\.20\.1\.1\d:8101$/m);
    expect(r.stderr).toContain('the files disagree');
  });

  it('routes in another datacenter with --dc', async () => {
    const file = scratchFile('two-dc.txt', '10.0.0.1:8101:r1:east:0\n10.1.0.1:8101:w1:west:0\n10.1.0.2:8101:w2:west:0\n');
    const r = await dynoring('route', '--dc', 'west', file, 'k');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^datacenter west, from rack w1;/);
    expect(r.stdout).toMatch(/^k +\d+ +1 10\.1\.0\.1:8101 +2 10\.1\.0\.2:8101$/m);
  });

  it('shows each remote datacenter’s replica in the rack the server picks, then its failover racks', async () => {
    // dc1 racks a, b, c; dc2 racks x, y; dc3 rack z. From rack c (index 2): dc2 is tried at 2 % 2 = 0, x first.
    const file = scratchFile(
      'three-dc.txt',
      ['a:dc1:0', 'b:dc1:0', 'c:dc1:0', 'x:dc2:0', 'y:dc2:2147483648', 'z:dc3:7']
        .map((rest, i) => `10.0.0.${i + 1}:8101:${rest}`)
        .join('\n'),
    );
    const { topology } = lib.loadCluster([{ file, text: readFileSync(file, 'utf8') }]);
    for (const [rack, first] of [
      ['c', 'x'],
      ['b', 'y'],
    ] as const) {
      const r = await dynoring('route', '--dc', 'dc1', '--rack', rack, file, 'user:42');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`datacenter dc1, from rack ${rack}; hash murmur`);
      const replicas = topology.replicas('user:42', { dc: 'dc1', rack });
      expect(replicas.remote.map((d) => d.candidates.map((c) => c.rack))).toEqual([[first, first === 'x' ? 'y' : 'x'], ['z']]);
      const cell = (p: lib.Peer) => `${p.index} ${lib.endpointKey(p.endpoint)}`;
      const remoteRows = r.stdout
        .split('\n')
        .filter((l) => /^user:42 +dc\d/.test(l))
        .map((l) => l.split(/ {2,}/));
      expect(remoteRows).toEqual(
        replicas.remote.map(({ dc, candidates: [head, ...rest] }) => [
          'user:42',
          dc,
          head!.rack,
          cell(head!.peer),
          ...(rest.length ? [rest.map((c) => `${c.rack} ${cell(c.peer)}`).join(', ')] : []),
        ]),
      );
    }
  });

  it('warns on stderr, one line each, about keys whose hash tag is empty, and still routes them', async () => {
    const r = await dynoring('route', CLUSTER, '--', 'x{}1', 'user:{42}', '{}');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^x\{\}1 +0 /m);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual(
      ['x{}1', '{}'].map((key) =>
        expect.stringMatching(
          new RegExp(
            `^warning: key "${key.replace(/[{}]/g, '\\$&')}" has an empty hash tag \\(\\{\\}\\).*crashes \\(SIGSEGV\\) on two or more racks`,
          ),
        ),
      ),
    );
    expect((await dynoring('route', CLUSTER, 'user:{42}')).stderr).toBe('');
  });

  it('exits 1 and shows - for a rack with no tokens', async () => {
    const r = await dynoring('route', EMPTY_RACK, 'user:42');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^user:42 +\d+ +\d 10\.20\.1\.1\d:8101 +\d 10\.20\.2\.1\d:8101 +-$/m);
    expect(r.stderr).toContain("error: empty rack: rack 'us-east-1c' in datacenter 'us-east-1' has no tokens");
  });

  it.each([
    [['route', CLUSTER], /no key given/],
    [['route'], /no config file given/],
    [['route', '--dc', 'mars', CLUSTER, 'k'], /unknown datacenter 'mars' for --dc; the files name: us-east-1/],
    [['route', '--dc'], /option '--dc <value>' argument missing/],
    [
      ['route', '--rack', 'nope', CLUSTER, 'k'],
      /unknown rack 'nope' for --rack in datacenter 'us-east-1'; its racks are: us-east-1a, us-east-1b, us-east-1c/,
    ],
  ])('refuses %j with usage and exit 2', async (args, message) => {
    const r = await dynoring(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: dynoring route [--dc DC] [--rack RACK] FILE KEY...');
    expectNoStack(r);
  });
});

describe('usage', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the commands on stdout and exits 0', async (flag) => {
    const r = await dynoring(flag);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: dynoring <command>/);
    for (const command of ['ring', 'validate', 'route']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
  });

  it('lines every command summary up two spaces after the longest command name', async () => {
    const rows = (await dynoring('--help')).stdout.split('Commands:\n')[1]!.split('\n\n')[0]!.split('\n');
    const names = rows.map((row) => /^ {2}(\S+)/.exec(row)![1]!);
    expect(names).toContain('serve-seeds');
    const column = Math.max(...names.map((n) => n.length)) + 4;
    for (const row of rows) expect(row, row).toMatch(new RegExp(`^ {2}\\S+ {2,}\\S`));
    expect(new Set(rows.map((row) => row.search(/(?<=\S {2,})\S/)))).toEqual(new Set([column]));
  });

  it('plan --help gives each consistency option its own default and lists the values as applying to both', async () => {
    const help = (await dynoring('plan', '--help')).stdout;
    expect(help).toContain(
      '  --read-consistency L   read_consistency (default DC_ONE)\n' +
        '  --write-consistency L  write_consistency (default DC_ONE)\n' +
        '                         (for both, L is one of DC_ONE, DC_QUORUM,\n' +
        '                         DC_SAFE_QUORUM, DC_EACH_SAFE_QUORUM)\n',
    );
    for (const level of lib.CONSISTENCIES) expect(help).toContain(level);
  });

  it.each(['ring', 'validate', 'route'])('%s --help prints that command’s usage and exits 0', async (command) => {
    const r = await dynoring(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: dynoring ${command} `));
  });

  it('documents the JSON shape in validate --help', async () => {
    const r = await dynoring('validate', '--help');
    for (const word of ['version', 'summary', 'EmptyRack', 'Overlap', 'PeerMismatch', 'SettingMismatch', 'MultipleTokens', 'PeerRef'])
      expect(r.stdout).toContain(word);
  });

  it.each([
    [[], /^dynoring: no command given\n\nusage: dynoring <command>/],
    [['frobnicate'], /^dynoring: unknown command 'frobnicate'\n\nusage: dynoring <command>/],
    [['validate', '--frob', CLUSTER], /^dynoring: unknown option '--frob'\n\nusage: dynoring validate/],
    [['ring', '-x', CLUSTER], /^dynoring: unknown option '-x'\n\nusage: dynoring ring/],
    [['validate'], /^dynoring: no config file given\n\nusage: dynoring validate/],
  ])('%j prints usage on stderr and exits 2', async (args, message) => {
    const r = await dynoring(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expectNoStack(r);
  });
});

describe('config sources', () => {
  const F = 'test/fixtures/config';
  const PAIR = [`${F}/wildcard-east.yml`, `${F}/wildcard-west.yml`];

  it('validates a two-datacenter pair on wildcard dyn_listen clean, with a note for each match', async () => {
    const r = await dynoring('validate', ...PAIR);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `note: ${PAIR[0]}:7: dyn_listen 0.0.0.0:8101 is a wildcard address; taking 192.168.7.10:8101, the seed at ${PAIR[1]}:8`,
    );
    expect(r.stdout).toMatch(/\nOK: 2 peers in 2 racks of 2 datacenters, 2 tokens; every rack has a usable ring\n$/);
    const json = JSON.parse((await dynoring('validate', '--json', ...PAIR)).stdout);
    expect(json.notes.map((n: { kind: string; endpoint: string }) => [n.kind, n.endpoint])).toEqual([
      ['WildcardMatched', '192.168.7.10:8101'],
      ['WildcardMatched', '192.168.7.20:8101'],
    ]);
  });

  it('validates two single-node files on the same unmatched wildcard address as two nodes, warnings in the JSON only', async () => {
    const other = scratchFile('east-2.yml', readFileSync(PAIR[0]!, 'utf8').replace("tokens: '2147483648'", "tokens: '0'"));
    const text = await dynoring('validate', PAIR[0]!, other);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('disagree');
    expect(text.stdout.match(/^warning: .*dyn_listen 0\.0\.0\.0:8101 is a wildcard address and cannot be matched/gm)).toHaveLength(2);
    expect(text.stdout).toMatch(/OK: 3 peers in 2 racks of 2 datacenters, 3 tokens; every rack has a usable ring \(2 warnings\)\n$/);
    const json = await dynoring('validate', '--json', PAIR[0]!, other);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const findings = JSON.parse(json.stdout);
    expect(findings.problems).toEqual([]);
    expect(findings.warnings.map((w: { kind: string; at: { file: string } }) => [w.kind, w.at.file])).toEqual([
      ['WildcardUnmatched', PAIR[0]],
      ['WildcardUnmatched', other],
    ]);
    expect((await dynoring('validate', '--json', ...PAIR)).stderr).toBe('');
  });

  it('ring and route never show 0.0.0.0 as an owner without saying why', async () => {
    for (const args of [
      ['ring', ...PAIR],
      ['route', ...PAIR, '--', 'k'],
    ]) {
      const r = await dynoring(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).not.toContain('0.0.0.0');
      expect(r.stderr).toContain('is a wildcard address; taking');
    }
    for (const args of [
      ['ring', PAIR[0]!],
      ['route', PAIR[0]!, 'k'],
    ]) {
      const r = await dynoring(...args);
      expect(r.stdout).toContain('0.0.0.0:8101');
      expect(r.stderr).toMatch(
        /^warning: .*dyn_listen 0\.0\.0\.0:8101 is a wildcard address and cannot be matched.*put the node's real address in dyn_listen/m,
      );
    }
  });

  it.each(['dns', 'florida'])('warns that peers come from %s_provider and still exits 0', async (name) => {
    const r = await dynoring('validate', `${F}/provider-${name}.yml`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^warning: .*provider-${name}\\.yml:5: dyn_seed_provider ${name}_provider: .*covers only`, 'm'));
    expect(r.stdout).toMatch(/OK: .*\(1 warning\)\n$/);
    const json = JSON.parse((await dynoring('validate', '--json', `${F}/provider-${name}.yml`)).stdout);
    expect(json.warnings).toEqual([
      expect.objectContaining({ kind: 'ExternalSeeds', provider: `${name}_provider`, at: { file: `${F}/provider-${name}.yml`, line: 5 } }),
    ]);
  });

  it('refuses an empty rack name with file and line, and --json prints the error object', async () => {
    const file = scratchFile('empty-rack-name.yml', "pool:\n  dyn_listen: 10.0.0.1:8101\n  rack: ''\n  tokens: '0'\n");
    const r = await dynoring('validate', '--json', file);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      version: 1,
      ok: false,
      error: { message: `${file}:3: 'rack' is empty: name the node's rack, or leave the line out for 'localrack'`, file, line: 3 },
    });
    expect(r.stderr).toBe(`dynoring: ${file}:3: 'rack' is empty: name the node's rack, or leave the line out for 'localrack'\n`);
  });

  it('reports a seed list’s bad line on that line', async () => {
    const r = await dynoring('ring', `${F}/seeds-bad-line.txt`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^dynoring: test\/fixtures\/config\/seeds-bad-line\.txt:4: invalid seed '10\.3\.0\.3:8101:r1:2863311530 c': expected/,
    );
  });

  it('treats bracketed IPv6 in dyn_listen and seeds as one host', async () => {
    const r = await dynoring('validate', `${F}/ipv6-a.yml`, `${F}/ipv6-b.yml`);
    expect(r).toEqual({ code: 0, stdout: 'OK: 2 peers in 1 rack of 1 datacenter, 2 tokens; every rack has a usable ring\n', stderr: '' });
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await dynoring('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

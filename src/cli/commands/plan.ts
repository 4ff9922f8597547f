/** `dynoring plan`: plan a ring or a change to one, and write every node's dynomite.yml. */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  NEW_PLAN_DEFAULTS,
  planAdd,
  planDouble,
  planNew,
  planRemove,
  planReplace,
  PlanError,
  type DataStore,
  type PoolPlan,
  type SeedProvider,
} from '../../index.js';
import { InputError, UsageError } from '../../errors.js';
import { endpointKey } from '../../ring/peer.js';
import type { Command } from '../command.js';
import { fileFailure } from '../file-failure.js';
import { EXIT } from '../io.js';
import { readSources } from '../../plan/read-sources.js';
import { SEEDS_SERVER_DEFAULTS } from '../../plan/seeds-server.js';
import { renderBalance, renderMoves } from './moves-text.js';

const d = NEW_PLAN_DEFAULTS;
const help = `usage: dynoring plan new --racks DC:RACK,... --nodes-per-rack N --hosts H,... --out DIR [options]
       dynoring plan double FILE... --hosts H,... --out DIR
       dynoring plan add FILE... --nodes K --hosts H,... --out DIR
       dynoring plan remove NODE FILE... --out DIR
       dynoring plan replace NODE FILE... --host H --out DIR

Writes one complete dynomite.yml per node into DIR (every other node in its
dyn_seeds; nothing else in DIR ends in .yml) and plan.json, and prints each
rack's balance (every node's share, max/mean) and what moves.

  new      N equidistant tokens floor(i * 2^32 / N) per rack, the same in
           every rack. Hosts go rack by rack in the order given.
  double   a new node at the midpoint of every range: exactly half of each
           rack moves, each half from the node that owned the whole range.
  add      K new nodes per rack where they minimise the largest share, then
           maximise the smallest, then move the fewest tokens.
  remove   NODE (host:port, or a host only one node has) leaves; its range
           goes to the next node of its rack.
  replace  NODE moves to host H with the same token, port and settings.
FILE... is every node's dynomite.yml; a node without its own file (known
from seeds) gets one made from a rack-mate's. New hosts (double, add) go
rack by rack in token order. Old files keep all their other settings.

Options for new:
  --racks LIST           datacenter:rack pairs, comma-separated
  --nodes-per-rack N     nodes in each rack
  --hosts LIST           one host per node (new, double, add), comma-separated
  --peer-port P          dyn_listen port (default ${d.peerPort})
  --client-port P        listen port (default ${d.clientPort})
  --stats-port P         stats_listen port (default ${d.statsPort})
  --server HOST:PORT     data store beside each node (default ${d.server});
                         {host} stands for the node's own host
  --hash NAME            hash function (default ${d.hash})
  --hash-tag XY          hash tag, two characters such as {} (default none)
  --data-store NAME      redis or memcache (default ${d.dataStore})
  --read-consistency L   read_consistency (default ${d.readConsistency})
  --write-consistency L  write_consistency (default ${d.writeConsistency})
                         (for both, L is one of DC_ONE, DC_QUORUM,
                         DC_SAFE_QUORUM, DC_EACH_SAFE_QUORUM)
  --seed-provider NAME   simple (every other node in dyn_seeds) or florida
                         (no dyn_seeds: the nodes poll 'dynoring serve-seeds')
                         (default ${d.seedProvider})
Other options:
  --nodes K              nodes to add per rack (add)
  --host H               the new host (replace)
  --out DIR              where to write (created if missing; must hold no .yml)
  --json                 print plan.json instead of the text summary
  -h, --help             show this help

Exit status: 0 written, 2 bad arguments, a file that cannot be read or
parsed, a plan that cannot be made, or DIR that cannot be written.
`;

const OPTIONS = {
  racks: { type: 'string' },
  'nodes-per-rack': { type: 'string' },
  hosts: { type: 'string' },
  'peer-port': { type: 'string' },
  'client-port': { type: 'string' },
  'stats-port': { type: 'string' },
  server: { type: 'string' },
  hash: { type: 'string' },
  'hash-tag': { type: 'string' },
  'data-store': { type: 'string' },
  'read-consistency': { type: 'string' },
  'write-consistency': { type: 'string' },
  'seed-provider': { type: 'string' },
  nodes: { type: 'string' },
  host: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The options each subcommand takes besides --out and --json. */
const ACCEPTS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  new: [
    'racks',
    'nodes-per-rack',
    'hosts',
    'peer-port',
    'client-port',
    'stats-port',
    'server',
    'hash',
    'hash-tag',
    'data-store',
    'read-consistency',
    'write-consistency',
    'seed-provider',
  ],
  double: ['hosts'],
  add: ['nodes', 'hosts'],
  remove: [],
  replace: ['host'],
};

/** Bumped only if a field of plan.json changes meaning or goes away. */
export const PLAN_VERSION = 1;

/** The `plan` command. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'plan tokens (new, double, add, remove, replace) and write the files',
  help,
  options: OPTIONS,
  async run(args, io) {
    const [sub, ...rest] = [...args.positionals, ...(args.afterTerminator ?? [])];
    const values = args.values as Record<string, string | boolean | undefined>;
    if (sub === undefined || !(sub in ACCEPTS)) {
      throw new UsageError(
        sub === undefined
          ? 'no plan given: new, double, add, remove or replace'
          : `unknown plan '${sub}': expected new, double, add, remove or replace`,
        'plan',
      );
    }
    for (const name of Object.keys(OPTIONS) as (keyof typeof OPTIONS)[]) {
      if (values[name] !== undefined && name !== 'out' && name !== 'json' && !ACCEPTS[sub]!.includes(name)) {
        throw new UsageError(`--${name} does not apply to 'plan ${sub}'`, 'plan');
      }
    }
    const out = required(values, 'out', 'the directory to write the files to');
    const plan = await makePlan(sub, rest, values);
    await writePlan(out, plan, sub);
    const florida = values['seed-provider'] === 'florida' ? floridaNote(out) : '';
    io.out(values.json ? `${JSON.stringify(planJson(plan, sub), null, 2)}\n` : summary(plan, sub, out) + florida);
    return EXIT.ok;
  },
};

async function makePlan(sub: string, rest: string[], v: Record<string, string | boolean | undefined>): Promise<PoolPlan> {
  const list = (name: string) =>
    required(v, name, 'a comma-separated list')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (sub === 'new') {
    if (rest.length > 0) throw new UsageError(`'plan new' takes no files, got ${rest.join(' ')}`, 'plan');
    const racks = list('racks').map((pair) => {
      const [dc, rack, extra] = pair.split(':');
      if (!dc || !rack || extra !== undefined) throw new UsageError(`--racks: '${pair}' is not datacenter:rack`, 'plan');
      return { dc, rack };
    });
    return planNew({
      racks,
      nodesPerRack: integer(v, 'nodes-per-rack')!,
      hosts: list('hosts'),
      peerPort: integer(v, 'peer-port'),
      clientPort: integer(v, 'client-port'),
      statsPort: integer(v, 'stats-port'),
      server: v.server as string | undefined,
      hash: v.hash as string | undefined,
      hashTag: v['hash-tag'] as string | undefined,
      dataStore: v['data-store'] as DataStore | undefined,
      readConsistency: v['read-consistency'] as string | undefined,
      writeConsistency: v['write-consistency'] as string | undefined,
      seedProvider: v['seed-provider'] as SeedProvider | undefined,
    });
  }
  const node = sub === 'remove' || sub === 'replace' ? rest.shift() : undefined;
  if (node === undefined && (sub === 'remove' || sub === 'replace'))
    throw new UsageError(`no node given: 'plan ${sub} NODE FILE...'`, 'plan');
  if (rest.length === 0) throw new UsageError("no config file given: name every node's dynomite.yml", 'plan');
  const files = await readSources(rest);
  switch (sub) {
    case 'double':
      return planDouble(files, list('hosts'));
    case 'add':
      return planAdd(files, integer(v, 'nodes')!, list('hosts'));
    case 'remove':
      return planRemove(files, node!);
    default:
      return planReplace(files, node!, required(v, 'host', 'the new host'));
  }
}

function required(v: Record<string, string | boolean | undefined>, name: string, what: string): string {
  const value = v[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required: ${what}`, 'plan');
  return value;
}

function integer(v: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const value = v[name];
  if (value === undefined) {
    if (name === 'nodes-per-rack' || name === 'nodes') throw new UsageError(`--${name} is required`, 'plan');
    return undefined;
  }
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, got '${String(value)}'`, 'plan');
  return Number(value);
}

/**
 * Writes every file into a scratch directory inside `out`, then renames them
 * into place, so a failure leaves no partial plan behind.
 */
async function writePlan(out: string, plan: PoolPlan, sub: string): Promise<void> {
  const fail = (err: unknown, what: string) =>
    new InputError(
      `${out}: cannot ${what}: ${fileFailure(err as NodeJS.ErrnoException, 'its parent directory does not exist', 'it is not a directory')}`,
      out,
    );
  try {
    await mkdir(out, { recursive: true });
  } catch (err) {
    throw fail(err, 'create the directory');
  }
  let present: string[];
  try {
    present = (await readdir(out)).filter((f) => f.endsWith('.yml'));
  } catch (err) {
    throw fail(err, 'read the directory');
  }
  if (present.length > 0) {
    throw new PlanError(
      'NotEmpty',
      `${out} already holds ${present.length} .yml file(s) (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): write the plan to an empty directory`,
    );
  }
  const scratch = join(out, `.dynoring-plan-${process.pid}`);
  const files: [string, string][] = [
    ...plan.nodes.map((n): [string, string] => [n.file, n.text]),
    ['plan.json', `${JSON.stringify(planJson(plan, sub), null, 2)}\n`],
  ];
  try {
    await mkdir(scratch);
    for (const [name, text] of files) await writeFile(join(scratch, name), text);
    for (const [name] of files) await rename(join(scratch, name), join(out, name));
  } catch (err) {
    await Promise.all(files.map(([name]) => rm(join(out, name), { force: true })));
    throw fail(err, 'write the plan');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** What plan.json (and `--json`) holds. */
function planJson(plan: PoolPlan, sub: string) {
  return {
    version: PLAN_VERSION,
    plan: sub,
    nodes: plan.nodes.map((n) => ({
      file: n.file,
      endpoint: endpointKey(n.peer.endpoint),
      dc: n.peer.dc,
      rack: n.peer.rack,
      token: n.peer.tokens[0],
      added: n.added,
    })),
    removed: plan.removed,
    balance: plan.balance,
    moves: plan.diff,
  };
}

function summary(plan: PoolPlan, sub: string, out: string): string {
  const added = plan.nodes.filter((n) => n.added).length;
  const files = new Map(plan.nodes.map((n) => [endpointKey(n.peer.endpoint), n.file]));
  const head =
    `plan ${sub}: ${plan.nodes.length} node${plan.nodes.length === 1 ? '' : 's'}` +
    `${sub === 'new' ? '' : `, ${added} new${plan.removed.length ? `, ${plan.removed.length} removed (${plan.removed.join(', ')})` : ''}`}; ` +
    `wrote ${plan.nodes.length} .yml files and plan.json to ${out}\n\n`;
  return head + renderBalance(plan.balance, files) + (sub === 'new' ? '' : `\n${renderMoves(plan.diff)}`);
}

/** How to run the seeds server that florida-provider files need beside the nodes. */
function floridaNote(out: string): string {
  const { host, port } = SEEDS_SERVER_DEFAULTS;
  return (
    `\nseeds: the files say dyn_seed_provider: florida_provider and list no dyn_seeds. Serve the seeds beside the nodes:\n` +
    `  dynoring serve-seeds ${join(out, '*.yml')} --port ${port}\n` +
    `and start each node with DYNOMITE_FLORIDA_IP=${host} DYNOMITE_FLORIDA_PORT=${port} in its environment (the server's defaults).\n` +
    `For nodes on other machines, serve with --host 0.0.0.0 and set DYNOMITE_FLORIDA_IP to this machine's IPv4 address.\n`
  );
}

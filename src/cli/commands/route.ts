/** `dynoring route`: which peer of each rack owns each key. */
import { describeCoverageIssue, endpointKey, hasEmptyHashTag, type Peer, type RackId, type Topology } from '../../index.js';
import type { Command } from '../command.js';
import { configNotes } from '../describe.js';
import { UsageError } from '../../errors.js';
import { EXIT } from '../io.js';
import { liveHashingHelp, LIVE_HASHING_OPTIONS, liveHashing, loadFilesOrLive } from '../load.js';
import { formatTable } from '../table.js';

const help = `usage: dynoring route [--dc DC] [--rack RACK] FILE KEY...
       dynoring route [--dc DC] [--rack RACK] FILE... -- KEY...
       dynoring route [--dc DC] [--rack RACK] --live URL [--hash NAME] [--hash-tag XY] KEY...

Hashes each KEY with the pool's hash and hash_tag (from the files; default
murmur) and shows every replica a write of it goes to, as the local node
(the first file's own node) sends it:
  - its owner in each rack of the local datacenter;
  - for each remote datacenter, the rack the server picks (the local rack's
    index among its datacenter's racks sorted by name, modulo the remote
    datacenter's rack count) and its owner there, then the datacenter's
    other racks in the order the server fails over to them.
Keys are hashed as their UTF-8 bytes. A key whose hash tag is empty (x{}1
with hash_tag {}) gets a warning on stderr: it crashes the node that
coordinates it on two or more racks or datacenters.

With one file, the keys follow it. To merge several files, or for a key
that starts with '-', put the keys after '--'.

With --live URL, routes in a running node's view (GET /cluster_describe on
its admin port), hashing with --hash and --hash-tag: the admin port does
not say which the pool uses (without them, murmur and no hash_tag, and a
note on stderr says so).

Options:
  --dc DC      send from datacenter DC instead of the local node's
  --rack RACK  send from rack RACK of that datacenter (default: the local
               node's rack, or the datacenter's first rack by name)
  --live URL   read the cluster from a running node's admin port
${liveHashingHelp(15)}
  -h, --help   show this help

Exit status: 0 routed, 1 a rack has no tokens (its owner shows as '-'),
2 bad arguments, or a file cannot be read or parsed.
`;

/** The `route` command. */
export const routeCommand: Command = {
  name: 'route',
  summary: 'show every replica of each key: local racks and remote datacenters',
  help,
  options: { dc: { type: 'string' }, rack: { type: 'string' }, live: { type: 'string' }, ...LIVE_HASHING_OPTIONS },
  async run(args, io) {
    const live = args.values.live as string | undefined;
    const [files, keys] = args.afterTerminator
      ? [args.positionals, args.afterTerminator]
      : live === undefined
        ? [args.positionals.slice(0, 1), args.positionals.slice(1)]
        : [[], args.positionals];
    if (files.length === 0 && live === undefined) throw new UsageError('no config file given', 'route');
    if (keys.length === 0)
      throw new UsageError(`no key given: name at least one key after ${args.afterTerminator ? "'--'" : 'the file'}`, 'route');

    const { hashing, note } = liveHashing('route', args.values, live);
    const loaded = await loadFilesOrLive('route', files, live, hashing);
    io.err(configNotes(loaded) + note);
    const { topology } = loaded;
    for (const key of keys.filter((k) => hasEmptyHashTag(k, topology.hashTag)))
      io.err(
        `warning: key ${JSON.stringify(key)} has an empty hash tag (${topology.hashTag}), so it hashes zero bytes: a Dynomite node ` +
          'coordinating it crashes (SIGSEGV) on two or more racks or datacenters, and on one rack stores it only on its own data store; ' +
          'put the part to hash between the tag characters\n',
      );
    const dc = (args.values.dc as string | undefined) ?? topology.localDc;
    const known = topology.datacenters();
    if (!known.includes(dc)) throw new UsageError(`unknown datacenter '${dc}' for --dc; the files name: ${known.join(', ')}`, 'route');
    const racks = topology.racks(dc);
    const rackNames = racks.map((r) => r.rack);
    const rack = (args.values.rack as string | undefined) ?? (dc === topology.localDc ? topology.localRack : rackNames[0]!);
    if (!rackNames.includes(rack))
      throw new UsageError(`unknown rack '${rack}' for --rack in datacenter '${dc}'; its racks are: ${rackNames.join(', ')}`, 'route');

    const empty = topology.racks().filter((r) => topology.continuum(r.dc, r.rack).size === 0);
    const local: string[][] = [];
    const remote: string[][] = [];
    for (const key of keys) {
      const token = topology.token(key);
      if (empty.length > 0) {
        // replicas() needs every rack to own tokens; show the local owners, '-' where a rack has none.
        local.push([key, String(token), ...racks.map((r) => owner(topology, r, token))]);
        continue;
      }
      const replicas = topology.replicas(key, { dc, rack });
      local.push([key, String(token), ...replicas.local.map((o) => peerCell(o.peer))]);
      for (const { dc: remoteDc, candidates } of replicas.remote) {
        const [first, ...failover] = candidates;
        remote.push([key, remoteDc, first!.rack, peerCell(first!.peer), failover.map((o) => `${o.rack} ${peerCell(o.peer)}`).join(', ')]);
      }
    }
    let text =
      `datacenter ${dc}, from rack ${rack}; hash ${topology.hash}${topology.hashTag ? `, hash_tag ${topology.hashTag}` : ''}\n` +
      formatTable([{ heading: 'KEY' }, { heading: 'TOKEN', align: 'right' }, ...racks.map((r) => ({ heading: r.rack }))], local);
    if (remote.length > 0) {
      text +=
        '\nremote datacenters: one replica each, in the rack the server picks; if it is down, the next in FAILOVER\n' +
        formatTable(
          [{ heading: 'KEY' }, { heading: 'DATACENTER' }, { heading: 'RACK' }, { heading: 'OWNER' }, { heading: 'FAILOVER' }],
          remote,
        );
    }
    io.out(text);
    for (const r of empty) io.err(`error: ${describeCoverageIssue({ kind: 'EmptyRack', dc: r.dc, rack: r.rack })}\n`);
    return empty.length ? EXIT.problems : EXIT.ok;
  },
};

function owner(topology: Topology, r: RackId, token: number): string {
  const continuum = topology.continuum(r.dc, r.rack);
  return continuum.size === 0 ? '-' : peerCell(topology.peer(continuum.dispatch(token)));
}

function peerCell(p: Peer): string {
  return `${p.index} ${endpointKey(p.endpoint)}`;
}

/** `dynoring route`: which peer of each rack owns each key. */
import { NoTargetsError, Topology, type Peer } from '../../index.js';
import { endpointKey } from '../../ring/peer.js';
import type { Command } from '../command.js';
import { disagreementNote } from '../describe.js';
import { UsageError } from '../../errors.js';
import { EXIT } from '../io.js';
import { loadFilesOrLive } from '../load.js';
import { formatTable } from '../table.js';

const help = `usage: dynoring route [--dc DC] FILE KEY...
       dynoring route [--dc DC] FILE... -- KEY...
       dynoring route [--dc DC] --live URL KEY...

Hashes each KEY with the pool's hash and hash_tag (from the files; default
murmur) and shows its token and its owner in each rack of the local
datacenter (the first file's own node's), or of DC with --dc. A write goes
to each of these owners. Keys are hashed as their UTF-8 bytes.

With one file, the keys follow it. To merge several files, or for a key
that starts with '-', put the keys after '--'.

With --live URL, routes in a running node's view (GET /cluster_describe on
its admin port), hashing with murmur and no hash_tag: the admin port does
not say which the pool uses.

Options:
  --dc DC     route in datacenter DC instead of the local one
  --live URL  read the cluster from a running node's admin port
  -h, --help  show this help

Exit status: 0 routed, 1 a rack has no tokens (its owner shows as '-'),
2 bad arguments, or a file cannot be read or parsed.
`;

/** The `route` command. */
export const routeCommand: Command = {
  name: 'route',
  summary: 'show the owner of each key in each rack',
  help,
  options: { dc: { type: 'string' }, live: { type: 'string' } },
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

    const loaded = await loadFilesOrLive('route', files, live);
    io.err(disagreementNote(loaded));
    const { merged } = loaded;
    const dc = args.values.dc as string | undefined;
    const known = [...new Set(merged.peers.map((p) => p.dc))].sort();
    if (dc !== undefined && !known.includes(dc))
      throw new UsageError(`unknown datacenter '${dc}' for --dc; the files name: ${known.join(', ')}`, 'route');
    const topology = Topology.fromPeers(merged.peers, {
      ...(merged.hash === undefined ? {} : { hash: merged.hash }),
      ...(merged.hashTag === undefined ? {} : { hashTag: merged.hashTag }),
      ...(dc === undefined ? {} : { localDc: dc }),
    });
    const racks = topology.racks(topology.localDc);
    const empty = new Set<string>();
    const rows = keys.map((key) => {
      const token = topology.token(key);
      return [key, String(token), ...racks.map((r) => owner(topology, r.dc, r.rack, token, empty))];
    });
    io.out(
      `datacenter ${topology.localDc}; hash ${topology.hash}${topology.hashTag ? `, hash_tag ${topology.hashTag}` : ''}\n` +
        formatTable([{ heading: 'KEY' }, { heading: 'TOKEN', align: 'right' }, ...racks.map((r) => ({ heading: r.rack }))], rows),
    );
    for (const rack of empty)
      io.err(`error: rack '${rack}' in datacenter '${topology.localDc}' has no tokens: no peer owns any key there\n`);
    return empty.size ? EXIT.problems : EXIT.ok;
  },
};

function owner(topology: Topology, dc: string, rack: string, token: number, empty: Set<string>): string {
  try {
    return peerCell(topology.peer(topology.continuum(dc, rack).dispatch(token)));
  } catch (err) {
    if (!(err instanceof NoTargetsError)) throw err;
    empty.add(rack);
    return '-';
  }
}

function peerCell(p: Peer): string {
  return `${p.index} ${endpointKey(p.endpoint)}`;
}

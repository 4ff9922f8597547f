/** `dynoring ring`: the racks, their peers and tokens, and who owns how much. */
import { checkTokenCoverage, describeCoverageIssue, endpointKey, rackBalance } from '../../index.js';
import { ratioText } from './moves-text.js';
import type { Command } from '../command.js';
import { configNotes } from '../describe.js';
import { percent, plural, SHARE_DIGITS } from '../text.js';
import { EXIT } from '../io.js';
import { liveHashingHelp, LIVE_HASHING_OPTIONS, liveHashing, loadFilesOrLive, type LoadedConfig } from '../load.js';
import { formatTable } from '../table.js';

const help = `usage: dynoring ring FILE...
       dynoring ring --live URL [--hash NAME] [--hash-tag XY]

Shows the pool described by one or more nodes' dynomite.yml files (or files
of seed strings), merged: for each datacenter and rack, its peers (index,
host:port, name), their tokens, and each peer's share of the rack's token
space, with max/mean (the largest share over the mean; 1 is perfect
balance). The first file's own node is the local node, marked '*'.

With --live URL, shows a running node's view instead: GET /cluster_describe
on its admin port (stats_listen, default 22222), which lists every node
with its first token; its own node is the local one. The admin port does
not say the pool's hash: the summary line shows --hash and --hash-tag
(without them, murmur, and a note on stderr says so).

Options:
  --live URL  read the cluster from a running node's admin port
${liveHashingHelp(14)}
  -h, --help  show this help

Exit status: 0 shown, 2 a file cannot be read or parsed.
`;

/** Tokens shown per peer before the rest are summarised. */
const SHOWN_TOKENS = 4;

/** The `ring` command. */
export const ringCommand: Command = {
  name: 'ring',
  summary: "show racks, peers, tokens and each peer's share of its rack",
  help,
  options: { live: { type: 'string' }, ...LIVE_HASHING_OPTIONS },
  async run(args, io) {
    const files = [...args.positionals, ...(args.afterTerminator ?? [])];
    const live = args.values.live as string | undefined;
    const { hashing, note } = liveHashing('ring', args.values, live);
    const loaded = await loadFilesOrLive('ring', files, live, hashing);
    io.err(configNotes(loaded) + note);
    io.out(renderRing(loaded));
    return EXIT.ok;
  },
};

/** The ring as text: a summary line, then one table per (dc, rack). */
function renderRing({ config: merged, topology }: LoadedConfig): string {
  const issues = checkTokenCoverage(merged.peers);
  const racks = topology.racks();
  const tokens = merged.peers.reduce((n, p) => n + p.tokens.length, 0);
  let text =
    `${plural(merged.peers.length, 'peer')} in ${plural(racks.length, 'rack')} of ${plural(topology.datacenters().length, 'datacenter')}, ` +
    `${plural(tokens, 'token')}; hash ${merged.hash ?? `${topology.hash} (default)`}${topology.hashTag ? `, hash_tag ${topology.hashTag}` : ''}\n`;

  const balance = rackBalance(merged.peers);
  for (const { dc, rack } of racks) {
    const continuum = topology.continuum(dc, rack);
    const shares = continuum.ownership();
    const members = merged.peers.filter((p) => p.dc === dc && p.rack === rack);
    const rows = members.map((p) => [
      `${p.index}${p.isLocal ? '*' : ''}`,
      endpointKey(p.endpoint),
      p.name ?? '',
      tokenList(p.tokens),
      continuum.size === 0 ? '-' : percent(shares.get(p.index) ?? 0, SHARE_DIGITS),
    ]);
    const ratio = continuum.size === 0 ? '' : `; ${ratioText(balance.find((b) => b.dc === dc && b.rack === rack)!)}`;
    text += `\ndatacenter ${dc}, rack ${rack}: ${plural(members.length, 'peer')}, ${plural(continuum.size, 'token')}${ratio}\n`;
    text += formatTable(
      [{ heading: 'PEER' }, { heading: 'ENDPOINT' }, { heading: 'NAME' }, { heading: 'TOKENS' }, { heading: 'SHARE', align: 'right' }],
      rows,
      '  ',
    );
    for (const issue of issues) {
      if (issue.dc === dc && issue.rack === rack) text += `  ! ${describeCoverageIssue(issue, merged.peers)}\n`;
    }
  }
  if (merged.peers.some((p) => p.isLocal)) text += "\n* local node (the first file's own node)\n";
  return text;
}

function tokenList(tokens: readonly number[]): string {
  if (tokens.length === 0) return '(none)';
  const shown = tokens.slice(0, SHOWN_TOKENS).join(',');
  return tokens.length > SHOWN_TOKENS ? `${shown},… (${tokens.length} in all)` : shown;
}

/** `dynoring validate`: every problem a set of config files would ship with. */
import { ConfigError } from '../../index.js';
import type { Command } from '../command.js';
import { InputError } from '../../errors.js';
import {
  collectFindings,
  loadFailure,
  locationText,
  type Findings,
  type Location,
  type Note,
  type PeerRef,
  type Problem,
  type Warning,
} from '../findings.js';
import { plural } from '../text.js';
import { EXIT } from '../io.js';
import { loadConfigs, loadLive } from '../load.js';
import { compareLive, type LiveDifference } from '../../plan/live.js';

const help = `usage: dynoring validate [--json] [--live URL] FILE...

Checks one or more nodes' dynomite.yml files (or files of seed strings,
one 'host:port:rack:dc:tokens [name]' per line), merged as one pool, for:
  - a rack with no tokens (requests routed there fail with NoTargets);
  - two peers of one rack claiming the same token;
  - files that disagree about a peer (tokens, rack, datacenter) or about
    hash / hash_tag, which is how configs drift.
Each finding names the peer (index and host:port) and the file:line it comes
from. Warnings (exit 0): a peer with several tokens (the Dynomite server
mishandles it and its gossip advertises only the first token); a wildcard
dyn_listen (0.0.0.0, ::) that no other file's seed matches; peers that come
from dns_provider or florida_provider, so only the file's own are checked.
A wildcard dyn_listen matched to another file's seed (same datacenter,
rack, port and tokens) is a note.

With --live URL, also compares the files with the running cluster, as a
node's admin port reports it (GET /cluster_describe): every node missing
from it or extra in it, and every node running with another token (its
first), rack or datacenter. Each difference is a problem.

Options:
  --json      print the findings as JSON (shape: see below)
  --live URL  compare with a running node's admin port (stats_listen)
  -h, --help  show this help

Exit status: 0 no problems (warnings allowed), 1 problems found,
2 a file cannot be read or parsed (the reason names the file and line).

JSON (version 1; fields are only ever added):
  { version, files: [path], ok, summary: { datacenters, racks, peers, tokens,
    problems, warnings }, problems: [Problem], warnings: [Warning], notes: [Note] }
  Problem, by kind (each also has a one-line "message"):
    EmptyRack       { dc, rack, peers: [PeerRef] }
    Overlap         { dc, rack, token, peers: [PeerRef, PeerRef] }
    PeerMismatch    { endpoint, field: tokens|rack|dc, values: [{ value, at }],
                      peer: PeerRef }
    SettingMismatch { setting: hash|hash_tag, values: [{ value, at }] }
  Warning, by kind (each also has a "message"):
    MultipleTokens    { peer: PeerRef, tokens: [number] }
    WildcardUnmatched { listen, dc, rack, port, tokens: [number],
                        candidates: [endpoint], at }
    ExternalSeeds     { provider: dns_provider|florida_provider, peers, at }
  Note, by kind (each also has "at", "matchedAt" (null but for WildcardMatched) and "message"):
    WildcardMatched   { listen, endpoint }
    ExternalSeeds     { provider, files }  (several files given)
  With --live: live: { url, differences: [{ kind: missing|extra|token|rack|dc,
    endpoint, files, live, message }] } (files/live: null on the side without the node)
  PeerRef: { index, endpoint: "host:port", name?, dc, rack, declaredAt: [Location] }
  Location: { file, line? }   (at: a Location, or null when unknown)
  When a file cannot be used (exit 2) it prints instead:
    { version, ok: false, error: { message, file?, line? } }
`;

/** The `validate` command. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'report every coverage problem and disagreement in config files',
  help,
  options: { json: { type: 'boolean' }, live: { type: 'string' } },
  async run(args, io) {
    let loaded;
    try {
      loaded = await loadConfigs('validate', [...args.positionals, ...(args.afterTerminator ?? [])]);
    } catch (err) {
      // Scripts reading --json find the failure where they look for findings; main reports it on stderr.
      if (args.values.json && (err instanceof ConfigError || err instanceof InputError))
        io.out(`${JSON.stringify(loadFailure(err), null, 2)}\n`);
      throw err;
    }
    const url = args.values.live as string | undefined;
    const found = collectFindings(loaded);
    const differences = url === undefined ? [] : compareLive(loaded.config.peers, (await loadLive(url)).config.peers);
    const findings = url === undefined ? found : { ...found, ok: found.ok && differences.length === 0, live: { url, differences } };
    io.out(args.values.json ? `${JSON.stringify(findings, null, 2)}\n` : renderFindings(findings, differences));
    return findings.ok ? EXIT.ok : EXIT.problems;
  },
};

/** The text report: one block per finding, then a verdict. */
function renderFindings(f: Findings, live: readonly LiveDifference[]): string {
  const blocks = [
    ...f.problems.map((p) => block('error', p.message, detail(p))),
    ...live.map((d) => block('error', `live: ${d.message}`, [])),
    ...f.warnings.map((w) => block('warning', w.message, warningDetail(w))),
    ...f.notes.map((n: Note) => block('note', n.message, [])),
  ];
  const s = f.summary;
  const scope = `${plural(s.peers, 'peer')} in ${plural(s.racks, 'rack')} of ${plural(s.datacenters, 'datacenter')}, ${plural(s.tokens, 'token')}`;
  const verdict = f.ok
    ? `OK: ${scope}; every rack has a usable ring${s.warnings ? ` (${plural(s.warnings, 'warning')})` : ''}`
    : `FAILED: ${plural(s.problems + live.length, 'problem')}${s.warnings ? `, ${plural(s.warnings, 'warning')}` : ''} in ${scope}`;
  return `${blocks.join('')}${verdict}\n`;
}

function block(level: string, message: string, lines: string[]): string {
  return `${level}: ${message}\n${lines.map((l) => `    ${l}\n`).join('')}${lines.length ? '\n' : ''}`;
}

function detail(p: Problem): string[] {
  switch (p.kind) {
    case 'EmptyRack':
      return p.peers.length ? p.peers.map(peerLine) : ['no peer is declared in this rack'];
    case 'Overlap':
      return p.peers.map(peerLine);
    case 'PeerMismatch':
      return p.values.map((v) => `${p.field} '${v.value}'  at ${v.at ? locationText(v.at) : 'input'}`);
    case 'SettingMismatch':
      return p.values.map((v) => `${p.setting} '${v.value}'  in ${v.at ? locationText(v.at) : 'input'}`);
  }
}

function warningDetail(w: Warning): string[] {
  return w.kind === 'MultipleTokens' ? [peerLine(w.peer)] : [];
}

function peerLine(p: PeerRef): string {
  return `peer ${p.index} ${p.endpoint}${p.name ? ` (${p.name})` : ''}  ${p.dc}/${p.rack}  at ${places(p.declaredAt)}`;
}

function places(at: readonly Location[]): string {
  return at.length ? at.map(locationText).join(', ') : 'input';
}

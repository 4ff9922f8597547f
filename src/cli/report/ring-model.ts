/**
 * What the ring report draws, computed with the library from config texts:
 * each (dc, rack) with its peers, their shares, the arcs each one owns
 * (adjacent arcs of one peer merged) and the coverage problems found there.
 *
 * {@link buildRingModel} runs inside the report page, where it is inlined by
 * its source text (see render-html.ts), so it must stay self-contained: no
 * reference to anything outside its own body except its parameters.
 */
import type * as Dynoring from '../../index.js';

/** The library as the page imports it (the browser bundle's exports). */
export type DynoringLib = typeof Dynoring;

/** One config file as the report embeds it. */
export interface ReportFile {
  file: string;
  text: string;
  /** In a plan report, which configuration the file belongs to; the rings show `after`. */
  side?: 'before' | 'after';
}

/** A peer's row in a rack's table. */
export interface PeerRow {
  index: number;
  /** `host:port` (`[v6]:port` for IPv6). */
  endpoint: string;
  name?: string;
  isLocal: boolean;
  tokens: number[];
  /** Share of the 2^32 token space, 0 to 1; 0 in an empty rack. */
  share: number;
  /** True when the peer claims a token another peer of the rack also claims. */
  overlaps: boolean;
}

/** A run of the ring owned by one peer: tokens `(start, start + span]` modulo 2^32. */
export interface Arc {
  peer: number;
  start: number;
  /** Length in tokens; 2^32 for a peer that owns the whole ring. */
  span: number;
}

/** A token claimed by two peers of one rack. */
export interface OverlapMark {
  token: number;
  peers: [number, number];
}

/** One (dc, rack) ring. */
export interface RackModel {
  dc: string;
  rack: string;
  /** The rack's peers, by index. */
  peers: PeerRow[];
  arcs: Arc[];
  overlaps: OverlapMark[];
  tokenCount: number;
  empty: boolean;
}

/** A problem the page lists; rack-level ones also say which ring they are on. */
export interface ReportProblem {
  kind: 'EmptyRack' | 'Overlap' | 'Disagreement';
  message: string;
  dc?: string;
  rack?: string;
  token?: number;
}

/** Everything the page shows for a set of config texts. */
export interface RingModel {
  peerCount: number;
  tokenCount: number;
  datacenters: string[];
  racks: RackModel[];
  problems: ReportProblem[];
  hash: string;
  hashTag?: string;
}

/** A config text that cannot be parsed, with where. */
export interface ModelError {
  message: string;
  file?: string;
  line?: number;
}

/**
 * Parses and merges the files (first file's node is local, as in the CLI)
 * and computes every rack's ring.
 *
 * @returns the model, or the first parse error with its file and line.
 */
export function buildRingModel(lib: DynoringLib, files: readonly ReportFile[]): { model: RingModel } | { error: ModelError } {
  const SPACE = 2 ** 32;
  const endpointText = (e: { host: string; port: number }) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

  let nodes;
  let topology;
  let merged;
  try {
    nodes = files.map((f) => lib.parseConfigFile({ text: f.text, file: f.file }));
    merged = lib.mergeNodeConfigs(nodes);
    topology = lib.Topology.fromPeers(merged.peers);
  } catch (err) {
    const where = err instanceof lib.ConfigError ? err.location : {};
    return { error: { message: (err as Error).message, ...where } };
  }

  const issues = lib.checkTokenCoverage(merged.peers);
  const racks = topology.racks().map(({ dc, rack }): RackModel => {
    const continuum = topology.continuum(dc, rack);
    const shares = continuum.ownership();
    const overlaps = issues.flatMap((i) =>
      i.kind === 'Overlap' && i.dc === dc && i.rack === rack ? [{ token: i.token, peers: i.peers }] : [],
    );
    const overlapping = new Set(overlaps.flatMap((o) => o.peers));
    const peers = merged.peers
      .filter((p) => p.dc === dc && p.rack === rack)
      .sort((a, b) => a.index - b.index)
      .map((p): PeerRow => ({
        index: p.index,
        endpoint: endpointText(p.endpoint),
        ...(p.name === undefined ? {} : { name: p.name }),
        isLocal: p.isLocal,
        tokens: [...p.tokens],
        share: shares.get(p.index) ?? 0,
        overlaps: overlapping.has(p.index),
      }));
    return { dc, rack, peers, arcs: mergedArcs(continuum.entries()), overlaps, tokenCount: continuum.size, empty: continuum.size === 0 };
  });

  const peerText = (index: number) => `${index} (${endpointText(merged.peers.find((p) => p.index === index)!.endpoint)})`;
  const problems: ReportProblem[] = issues.map((i) =>
    i.kind === 'EmptyRack'
      ? {
          kind: i.kind,
          dc: i.dc,
          rack: i.rack,
          message: `Rack '${i.rack}' in datacenter '${i.dc}' has no tokens: requests routed there fail with NoTargets. Give its peers tokens.`,
        }
      : {
          kind: i.kind,
          dc: i.dc,
          rack: i.rack,
          token: i.token,
          message:
            `Peers ${peerText(i.peers[0])} and ${peerText(i.peers[1])} both claim token ${i.token} in rack '${i.rack}' of datacenter '${i.dc}': ` +
            `which one owns it depends on iteration order. Give each peer of a rack its own tokens.`,
        },
  );
  for (const d of merged.disagreements) problems.push({ kind: 'Disagreement', message: lib.describeDisagreement(d) });

  return {
    model: {
      peerCount: merged.peers.length,
      tokenCount: merged.peers.reduce((n, p) => n + p.tokens.length, 0),
      datacenters: topology.datacenters(),
      racks,
      problems,
      hash: topology.hash,
      ...(topology.hashTag === undefined ? {} : { hashTag: topology.hashTag }),
    },
  };

  /**
   * Entry `i` owns `(token[i-1], token[i]]` and the first entry also the
   * wrap-around; a run of entries of one peer is one arc, so a ring of 64
   * peers × 256 tokens draws at most 16384 arcs and usually far fewer paths.
   */
  function mergedArcs(entries: [number, number][]): Arc[] {
    const n = entries.length;
    if (n === 0) return [];
    const arcs: Arc[] = [];
    for (let i = 0; i < n; i++) {
      const [token, peer] = entries[i]!;
      const start = i === 0 ? entries[n - 1]![0] : entries[i - 1]![0];
      const span = i === 0 ? SPACE - start + token : token - start;
      // A repeated token owns nothing: the overlap marker shows it instead.
      if (span === 0) continue;
      const last = arcs[arcs.length - 1];
      if (last && last.peer === peer) last.span += span;
      else arcs.push({ peer, start, span });
    }
    if (arcs.length > 1 && arcs[0]!.peer === arcs[arcs.length - 1]!.peer) {
      const tail = arcs.pop()!;
      arcs[0] = { peer: tail.peer, start: tail.start, span: tail.span + arcs[0]!.span };
    }
    return arcs;
  }
}

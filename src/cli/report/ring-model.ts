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
  /** The library's wording of the problem. */
  message: string;
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
  /** The rack's distinct tokens, ascending. */
  tokens: number[];
  empty: boolean;
  /** The rack's own problems (an empty rack, its overlaps), as listed in {@link RingModel.problems}. */
  problems: ReportProblem[];
}

/** A problem the page lists; rack-level ones also say which ring they are on. */
export interface ReportProblem {
  kind: 'EmptyRack' | 'Overlap' | 'Disagreement';
  message: string;
  dc?: string;
  rack?: string;
  token?: number;
  /** For an overlap, the two peers claiming the token. */
  peers?: [number, number];
}

/** Everything the page shows for a set of config texts. */
export interface RingModel {
  peerCount: number;
  tokenCount: number;
  datacenters: string[];
  racks: RackModel[];
  problems: ReportProblem[];
  /** Notes and warnings about how the files were read (a wildcard dyn_listen, a seed provider). */
  notes: { level: 'note' | 'warning'; message: string }[];
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

  let cluster;
  try {
    cluster = lib.loadCluster(files.map((f) => ({ text: f.text, file: f.file })));
  } catch (err) {
    const where = err instanceof lib.ConfigError ? err.location : {};
    return { error: { message: (err as Error).message, ...where } };
  }
  const { config, topology } = cluster;

  const problems: ReportProblem[] = lib.checkTokenCoverage(config.peers).map((i) => ({
    kind: i.kind,
    dc: i.dc,
    rack: i.rack,
    ...(i.kind === 'Overlap' ? { token: i.token } : {}),
    message: lib.describeCoverageIssue(i, config.peers),
    ...(i.kind === 'Overlap' ? { peers: i.peers } : {}),
  }));
  const racks = topology.racks().map(({ dc, rack }): RackModel => {
    const continuum = topology.continuum(dc, rack);
    const shares = continuum.ownership();
    const own = problems.filter((p) => p.dc === dc && p.rack === rack);
    const overlaps = own.flatMap((p) => (p.peers ? [{ token: p.token!, peers: p.peers, message: p.message }] : []));
    const overlapping = new Set(overlaps.flatMap((o) => o.peers));
    const members = config.peers.filter((p) => p.dc === dc && p.rack === rack).sort((a, b) => a.index - b.index);
    const peers = members.map((p): PeerRow => ({
      index: p.index,
      endpoint: lib.endpointKey(p.endpoint),
      ...(p.name === undefined ? {} : { name: p.name }),
      isLocal: p.isLocal,
      tokens: [...p.tokens],
      share: shares.get(p.index) ?? 0,
      overlaps: overlapping.has(p.index),
    }));
    const entries = continuum.entries();
    return {
      dc,
      rack,
      peers,
      arcs: mergedArcs(entries),
      overlaps,
      tokenCount: continuum.size,
      tokens: [...new Set(entries.map(([token]) => token))],
      empty: continuum.size === 0,
      problems: own,
    };
  });
  for (const d of cluster.drift) problems.push({ kind: 'Disagreement', message: lib.describeDisagreement(d) });

  return {
    model: {
      peerCount: config.peers.length,
      tokenCount: config.peers.reduce((n, p) => n + p.tokens.length, 0),
      datacenters: topology.datacenters(),
      racks,
      problems,
      notes: cluster.notes.map((n) => ({ level: n.level, message: lib.describeConfigNote(n) })),
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

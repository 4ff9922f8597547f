/** Config texts for the report tests, generated deterministically. */

/** A small, seeded PRNG (mulberry32), so the big config is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The planted overlap in {@link bigCluster}: `peers[1]` also claims `peers[0]`'s token. */
export interface PlantedOverlap {
  token: number;
  peers: [number, number];
}

/**
 * 64 peers of rack `rack-a` (datacenter `dc1`) with 256 random tokens each,
 * as seed strings, where peer 41 also claims one of peer 7's tokens.
 */
export function bigCluster(): { seeds: string; tokens: number[][]; overlap: PlantedOverlap } {
  const next = random(64_256);
  const used = new Set<number>();
  const tokens = Array.from({ length: 64 }, () =>
    Array.from({ length: 256 }, () => {
      let t = next();
      while (used.has(t)) t = next();
      used.add(t);
      return t;
    }),
  );
  const overlap: PlantedOverlap = { token: tokens[7]![100]!, peers: [7, 41] };
  tokens[41]![13] = overlap.token;
  const seeds = tokens.map((list, i) => `10.1.0.${i + 1}:8101:rack-a:dc1:${list.join(',')} node-${i}`).join('\n') + '\n';
  return { seeds, tokens, overlap };
}

/** The dynomite.yml of a new node in rack `rack-b` whose `tokens:` line was forgotten. */
export const EMPTY_RACK_NODE = `dyn_o_mite:
  datacenter: dc1
  rack: rack-b
  dyn_listen: 10.1.1.1:8101
  hash: murmur
`;

/** Seed strings for one rack of two peers where both claim token 2147483648. */
export const PASTED_OVERLAP = `# pasted: two peers claim the same token
10.9.0.1:8101:r1:dc9:0 a
10.9.0.2:8101:r1:dc9:2147483648 b
10.9.0.3:8101:r1:dc9:2147483648 c
`;

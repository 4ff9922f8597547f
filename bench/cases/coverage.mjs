/**
 * Coverage validation benchmark (issue 4): checkTokenCoverage on 4,000 peers
 * with 250 tokens each (a million tokens), WebAssembly vs TypeScript engine.
 * Contract: `run({ quick, lib })` with `lib` the built library module.
 */
import { median, random as xorshift } from '../stats.mjs';

const PEERS = 4_000;
const TOKENS_PER_PEER = 250;
const RACKS = ['rack1', 'rack2', 'rack3'];
const GOAL = 3; // WebAssembly at least 3x faster

/** Peers in two datacenters and three racks with pseudo-random tokens, and a few planted overlaps. */
function makePeers() {
  const random = xorshift(0x2545f491);
  const peers = [];
  for (let i = 0; i < PEERS; i++) {
    const tokens = Array.from({ length: TOKENS_PER_PEER }, random);
    peers.push({
      index: i,
      endpoint: { host: `10.${i >> 8}.${i & 255}.1`, port: 8101 },
      dc: i < PEERS / 2 ? 'dc1' : 'dc2',
      rack: RACKS[i % RACKS.length],
      tokens,
      isLocal: i === 0,
      isSameDc: i < PEERS / 2,
      isSecure: false,
    });
  }
  // A peer that copies a rack neighbour's token, as a copy-paste error would.
  for (let i = 0; i + RACKS.length < PEERS; i += 397) peers[i + RACKS.length].tokens[0] = peers[i].tokens[7];
  return peers;
}

/** Median ns per token of `runs` checks (after one warm-up), and the issues found. */
function timeEngine(lib, peers, engine, runs) {
  let issues = lib.checkTokenCoverage(peers, { engine });
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    issues = lib.checkTokenCoverage(peers, { engine });
    samples.push(performance.now() - start);
  }
  return { nsPerToken: (median(samples) * 1e6) / (PEERS * TOKENS_PER_PEER), issues };
}

export default async function run({ quick, lib }) {
  await lib.ready();
  const peers = makePeers();
  const runs = quick ? 3 : 9;
  const wasm = timeEngine(lib, peers, 'wasm', runs);
  const js = timeEngine(lib, peers, 'js', runs);
  if (JSON.stringify(wasm.issues) !== JSON.stringify(js.issues) || wasm.issues.length === 0) {
    throw new Error(`engines disagree or found nothing: wasm ${wasm.issues.length} issues, js ${js.issues.length}`);
  }
  const size = PEERS * TOKENS_PER_PEER;
  const ratio = js.nsPerToken / wasm.nsPerToken;
  return {
    cases: [
      { name: 'validate 4,000 peers x 250 tokens (ns per token)', size, impl: 'wasm', nsPerOp: wasm.nsPerToken },
      { name: 'validate 4,000 peers x 250 tokens (ns per token)', size, impl: 'js', nsPerOp: js.nsPerToken },
    ],
    targets: [{ name: 'coverage: wasm >= 3x faster than js on a million tokens', ratio, goal: `>= ${GOAL}`, met: ratio >= GOAL }],
  };
}

/**
 * Key routing with `murmur` (issue 3's speed section, issue 9 case 3): keys of
 * 16 to 40 bytes already in one byte buffer, routed to their owner in each of
 * 3 racks of 4 peers. `topology.routeKeys` on both engines, the npm packages
 * `hashring` and `consistent-hash` (one ring per rack, `get(key)` per key and
 * rack, as their users would call them) and the native C reference.
 * Contract: `run({ quick, lib })` with `lib` the built library module.
 */
import ConsistentHash from 'consistent-hash';
import HashRing from 'hashring';
import { buildNative, checksum, runNative } from '../native/native.mjs';
import { median, random } from '../stats.mjs';

const RACKS = 3;
const PEERS_PER_RACK = 4;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-';
let sink = 0; // keeps the peers' answers alive

/**
 * Median ns per key of each implementation, timed in interleaved rounds so
 * that load from other processes falls on all of them alike. Each entry is
 * `[fn, keys]`; a function may return its own ns per key (the native program
 * times itself, leaving out process start-up).
 */
function interleaved(impls, rounds) {
  const samples = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [impl, [fn, keys]] of Object.entries(impls)) {
      const start = process.hrtime.bigint();
      const own = fn();
      samples[impl].push(own ?? Number(process.hrtime.bigint() - start) / keys);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** ASCII keys of 16 to 40 bytes, back to back, with their strings for the npm rings. */
function makeKeys(count, rand) {
  const strings = Array.from({ length: count }, () => {
    let key = 'user:';
    for (let len = 16 + (rand() % 25); key.length < len;) key += ALPHABET[rand() % ALPHABET.length];
    return key;
  });
  const offsets = new Uint32Array(count + 1);
  strings.forEach((s, i) => (offsets[i + 1] = offsets[i] + s.length));
  const bytes = new TextEncoder().encode(strings.join(''));
  return { strings, bytes, offsets };
}

function peers(rand) {
  return Array.from({ length: RACKS * PEERS_PER_RACK }, (_, index) => ({
    index,
    endpoint: { host: `10.0.${index % RACKS}.${index}`, port: 8101 },
    rack: `rack${index % RACKS}`,
    dc: 'dc1',
    tokens: [rand()],
  }));
}

/** One ring per rack holding that rack's peers, with each package's defaults. */
function npmRings(list) {
  const racks = [...new Set(list.map((p) => p.rack))].sort();
  const members = (rack) => list.filter((p) => p.rack === rack).map((p) => `${p.endpoint.host}:${p.endpoint.port}`);
  return {
    hashring: racks.map((rack) => new HashRing(members(rack))),
    consistentHash: racks.map((rack) => {
      const ring = new ConsistentHash();
      for (const m of members(rack)) ring.add(m);
      return ring;
    }),
  };
}

function getEach(rings, strings) {
  for (let i = 0; i < strings.length; i++) {
    for (let r = 0; r < rings.length; r++) sink ^= rings[r].get(strings[i]).length;
  }
}

export default async function run({ quick, lib }) {
  const rounds = quick ? 3 : 9;
  const rand = random(0x2545f491);
  const list = peers(rand);
  const keys = makeKeys(quick ? 200_000 : 1_000_000, rand);
  const count = keys.strings.length;
  // The npm rings are ~100x slower: a slice of the same keys keeps the run short.
  const slice = keys.strings.slice(0, quick ? 20_000 : 100_000);
  const wasm = lib.Topology.fromPeers(list, { engine: 'wasm' });
  const js = lib.Topology.fromPeers(list, { engine: 'js' });
  const out = new Uint32Array(count * RACKS);
  const native = buildNative();

  const rings = npmRings(list);
  const tables = wasm.racks('dc1').map(({ dc, rack }) => {
    const { tokens, peers: owners } = wasm.continuum(dc, rack).data;
    return [Uint32Array.of(tokens.length), tokens, owners];
  });
  const nativeInput = [Uint32Array.of(RACKS, count, keys.bytes.length, 3), ...tables.flat(), keys.offsets, keys.bytes];
  const impls = {
    wasm: [() => void wasm.routeKeys(keys.bytes, keys.offsets, 'dc1', out), count],
    js: [() => void js.routeKeys(keys.bytes, keys.offsets, 'dc1', out), count],
    hashring: [() => getEach(rings.hashring, slice), slice.length],
    consistentHash: [() => getEach(rings.consistentHash, slice), slice.length],
  };
  if (native.ok) impls.native = [() => runNative('route', nativeInput).nsPerOp, count];

  // The first round warms up and checks that the engines and native agree.
  wasm.routeKeys(keys.bytes, keys.offsets, 'dc1', out);
  const expected = checksum(out);
  js.routeKeys(keys.bytes, keys.offsets, 'dc1', out);
  if (checksum(out) !== expected) throw new Error('the TypeScript engine routes differently from WebAssembly');
  if (native.ok && runNative('route', nativeInput).checksum !== expected) throw new Error("native routing differs from the library's");
  getEach(rings.hashring, slice);
  getEach(rings.consistentHash, slice);
  const ns = interleaved(impls, rounds);

  // size: peers in the datacenter; the figure is ns per key routed to all three racks.
  const name = 'routeKeys murmur, 16-40 B keys, 3 racks x 4 peers';
  const size = RACKS * PEERS_PER_RACK;
  const cases = [
    { name, size, impl: 'wasm', nsPerOp: ns.wasm },
    { name, size, impl: 'js-engine', nsPerOp: ns.js },
    { name, size, impl: 'hashring', nsPerOp: ns.hashring },
    { name, size, impl: 'consistent-hash', nsPerOp: ns.consistentHash },
  ];
  const targets = [
    { name: 'routeKeys: hashring / wasm', ratio: ns.hashring / ns.wasm, goal: '>= 30', met: ns.hashring / ns.wasm >= 30 },
    { name: 'routeKeys: consistent-hash / wasm', ratio: ns.consistentHash / ns.wasm, goal: '>= 3', met: ns.consistentHash / ns.wasm >= 3 },
  ];
  if (native.ok) {
    cases.push({ name, size, impl: 'native', nsPerOp: ns.native });
    targets.push({ name: 'routeKeys: wasm / native', ratio: ns.wasm / ns.native, goal: '<= 2', met: ns.wasm / ns.native <= 2 });
  }
  return { cases, targets, notes: native.ok ? [] : [native.reason] };
}

/**
 * Key routing with `murmur` (issue 3's speed section, issue 9 case 3): keys of
 * 16 to 40 bytes already in one byte buffer, routed to their owner in each of
 * 3 racks of 4 peers. `topology.routeKeyBytes` on both engines, the npm
 * packages `hashring` and `consistent-hash` (one ring per rack, `get(key)` per
 * key and rack, as their users would call them) and the native C references
 * (murmur plus the S-tree, and murmur plus a binary search).
 *
 * Then hash tags (issue 12 item 13): with `hash_tag: '{}'` set, keys without
 * a tag and keys with one, as byte batches, string batches (`routeKeys`) and
 * single `route(key)` calls, on both engines, each against the same keys on a
 * topology without a hash tag; the goal is at most 1.3 times the untagged cost.
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

/**
 * ASCII keys of 16 to 40 bytes, back to back, with their strings for the npm
 * rings; `tagged` keys carry a `{...}` hash tag of 4 to 11 bytes after `user:`.
 */
function makeKeys(count, rand, tagged = false) {
  const strings = Array.from({ length: count }, () => {
    let key = 'user:';
    if (tagged) {
      key += '{';
      for (let len = 10 + (rand() % 8); key.length < len;) key += ALPHABET[rand() % ALPHABET.length];
      key += '}:';
    }
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
    wasm: [() => void wasm.routeKeyBytes(keys.bytes, keys.offsets, { out }), count],
    js: [() => void js.routeKeyBytes(keys.bytes, keys.offsets, { out }), count],
    hashring: [() => getEach(rings.hashring, slice), slice.length],
    consistentHash: [() => getEach(rings.consistentHash, slice), slice.length],
  };
  if (native.ok) {
    impls.nativeStree = [() => runNative('route-stree', nativeInput).nsPerOp, count];
    impls.nativeBsearch = [() => runNative('route', nativeInput).nsPerOp, count];
  }

  // The first round warms up and checks that the engines and native agree.
  wasm.routeKeyBytes(keys.bytes, keys.offsets, { out });
  const expected = checksum(out);
  js.routeKeyBytes(keys.bytes, keys.offsets, { out });
  if (checksum(out) !== expected) throw new Error('the TypeScript engine routes differently from WebAssembly');
  for (const mode of native.ok ? ['route', 'route-stree'] : []) {
    if (runNative(mode, nativeInput).checksum !== expected) throw new Error(`native ${mode} differs from the library's routing`);
  }
  getEach(rings.hashring, slice);
  getEach(rings.consistentHash, slice);
  const ns = interleaved(impls, rounds);

  // size: peers in the datacenter; the figure is ns per key routed to all three racks.
  const name = 'routeKeyBytes murmur, 16-40 B keys, 3 racks x 4 peers';
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
    cases.push({ name, size, impl: 'native-stree', nsPerOp: ns.nativeStree });
    cases.push({ name, size, impl: 'native-bsearch', nsPerOp: ns.nativeBsearch });
    const best = Math.min(ns.nativeStree, ns.nativeBsearch);
    targets.push({ name: 'routeKeyBytes: wasm / best native', ratio: ns.wasm / best, goal: '<= 2', met: ns.wasm / best <= 2 });
  }
  const tags = hashTags(lib, list, keys, makeKeys(count, rand, true), rounds, quick);
  return { cases: [...cases, ...tags.cases], targets: [...targets, ...tags.targets], notes: native.ok ? [] : [native.reason] };
}

/**
 * Each form (bytes, strings, single calls) on each engine, for keys without
 * and with a tag, on a topology with `hash_tag: '{}'` and on one without.
 */
function hashTags(lib, list, plainKeys, taggedKeys, rounds, quick) {
  const singles = quick ? 20_000 : 100_000;
  const out = new Uint32Array(plainKeys.strings.length * RACKS);
  const impls = {};
  for (const engine of ['wasm', 'js']) {
    const topologies = {
      untagged: lib.Topology.fromPeers(list, { engine }),
      tagged: lib.Topology.fromPeers(list, { engine, hashTag: '{}' }),
    };
    for (const [keysName, keys] of [
      ['plain keys', plainKeys],
      ['tagged keys', taggedKeys],
    ]) {
      for (const [setting, t] of Object.entries(topologies)) {
        const id = (form) => `${form}|${engine}|${keysName}|${setting}`;
        const strings = keys.strings.slice(0, singles);
        impls[id('routeKeyBytes')] = [() => void t.routeKeyBytes(keys.bytes, keys.offsets, { out }), keys.strings.length];
        impls[id('routeKeys strings')] = [() => void t.routeKeys(keys.strings, { out }), keys.strings.length];
        impls[id('route(key)')] = [
          () => {
            for (let i = 0; i < strings.length; i++) sink ^= t.route(strings[i])[0].index;
          },
          strings.length,
        ];
      }
    }
  }
  for (const [, [fn]] of Object.entries(impls)) fn(); // warm-up
  const ns = interleaved(impls, rounds);
  const cases = [];
  const targets = [];
  for (const [id, v] of Object.entries(ns)) {
    const [form, engine, keysName, setting] = id.split('|');
    if (setting === 'untagged') continue;
    const base = ns[`${form}|${engine}|${keysName}|untagged`];
    const name = `${form} with hash_tag '{}', ${keysName}`;
    cases.push({ name, size: RACKS * PEERS_PER_RACK, impl: `${engine} tagged`, nsPerOp: v });
    cases.push({ name, size: RACKS * PEERS_PER_RACK, impl: `${engine} no hash_tag`, nsPerOp: base });
    targets.push({ name: `${name}: ${engine} tagged / no hash_tag`, ratio: v / base, goal: '<= 1.3', met: v / base <= 1.3 });
  }
  return { cases, targets };
}

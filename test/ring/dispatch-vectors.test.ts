import { describe, expect, it } from 'vitest';
import { Topology, makePeerForTest } from './peers.js';
import { vectors } from '../helpers/vectors.js';
import { engineInfo } from '../../src/index.js';

/** A one-rack topology whose continuum is exactly the vector's entries. */
function topologyOf(continuum: [number, number][], engine: 'wasm' | 'js') {
  const tokensByPeer = new Map<number, number[]>();
  for (const [t, p] of continuum) tokensByPeer.set(p, [...(tokensByPeer.get(p) ?? []), t]);
  const peers = [...tokensByPeer].map(([index, tokens]) => makePeerForTest(index, 'dc1', 'rack1', tokens));
  return Topology.fromPeers(peers, { engine });
}

describe('dispatch matches the C server on every reference case', () => {
  it('loads the WebAssembly engine in Node at import', () => {
    expect(engineInfo()).toEqual({ active: 'wasm' });
  });

  for (const engine of ['wasm', 'js'] as const) {
    it(`${engine} engine: ${vectors.dispatch.length} continuums, single and batch dispatch`, () => {
      for (const v of vectors.dispatch) {
        const c = topologyOf(v.continuum, engine).continuum('dc1', 'rack1');
        expect(c.entries()).toEqual(v.continuum);
        expect(v.queries.map((q) => c.dispatch(q))).toEqual(v.expected);
        expect(Array.from(c.dispatchBatch(Uint32Array.from(v.queries)))).toEqual(v.expected);
      }
    });
  }
});

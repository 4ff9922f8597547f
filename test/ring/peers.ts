import { Topology, type Peer } from '../../src/index.js';

export { Topology };

/** A peer with the given placement and a made-up endpoint. */
export function makePeerForTest(index: number, dc: string, rack: string, tokens: number[]): Peer {
  return {
    index,
    endpoint: { host: `10.0.${index >> 8}.${index & 255}`, port: 8101 },
    dc,
    rack,
    tokens,
    isLocal: index === 0,
    isSameDc: true,
    isSecure: false,
  };
}

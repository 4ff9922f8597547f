import fc from 'fast-check';
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

/** The fields of a seed string a server accepts: any host (IPv6 too), a port, rack and datacenter names, and u32 tokens. */
export const seedFields = (tokens: { minLength: number; maxLength: number }) => {
  const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
  return fc.record({
    host: fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()),
    port: fc.integer({ min: 1, max: 65535 }),
    rack: name,
    dc: name,
    tokens: fc.array(fc.nat({ max: 0xffff_ffff }), tokens),
  });
};

import { readFileSync } from 'node:fs';
import { TokenCoverageError, Topology, checkTokenCoverage, validateTokenCoverage } from '../src/index.js';

/** Checks a node's config before it ships; returns every problem found. */
export function checkCoverage(file: string) {
  const topology = Topology.fromDynomiteYaml({ text: readFileSync(file, 'utf8'), file });

  // Every problem at once, for tools that report rather than stop:
  // { kind: 'EmptyRack', dc, rack } or { kind: 'Overlap', dc, rack, token, peers: [lowerIndex, otherIndex] }
  const problems = checkTokenCoverage(topology.peers);

  // Or stop at the first one. `racks` names racks that must exist.
  try {
    validateTokenCoverage(topology.peers, { racks: [{ dc: 'us-east-1', rack: 'us-east-1d' }] });
  } catch (err) {
    if (!(err instanceof TokenCoverageError)) throw err;
    console.log(err.message); // names the dc, the rack and, for an overlap, the token and both peers
  }
  return problems;
}

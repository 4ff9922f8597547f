/**
 * The README's quick start: load a node's dynomite.yml, check its rings, and
 * route a key as the server would. test/docs/readme.test.ts runs it.
 */
import { readFileSync } from 'node:fs';
import { Topology, checkTokenCoverage, describeCoverageIssue } from '../src/index.js';

export function quickStart(file = 'examples/cluster/dynomite.yml') {
  const topology = Topology.fromDynomiteYaml({ text: readFileSync(file, 'utf8'), file }); // honours hash: and hash_tag:

  const problems = checkTokenCoverage(topology.peers).map((issue) => describeCoverageIssue(issue, topology.peers)); // [] when every rack is usable
  const token = topology.token('user:42'); // the token the server computes for the key
  const owners = topology.route('user:42').map((peer) => `${peer.endpoint.host}:${peer.endpoint.port}`); // one per local rack
  const { local, remote } = topology.replicas('user:42'); // every replica of a write, local and remote datacenters

  return { problems, token, owners, local, remote };
}

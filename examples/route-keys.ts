import { Topology, hash } from '../src/index.js';

/** Hashes and routes keys the way a Dynomite node would. */
export function routeKeysDemo(yamlText: string) {
  const token = hash('murmur', 'user:42'); // the u32 token the server computes
  const tagged = hash('md5', 'user:{42}:name', { hashTag: '{}' }) === hash('md5', '42'); // true

  const topology = Topology.fromDynomiteYaml(yamlText); // honours hash: and hash_tag:
  const owners = topology.route('cart:{user:42}'); // owner in every rack of the local dc

  // A proxy that parsed RESP holds keys as bytes: route them all in one call.
  const keys = new TextEncoder().encode('user:1user:22');
  const offsets = Uint32Array.of(0, 6, 13); // key i is keys[offsets[i], offsets[i + 1])
  const byRack = topology.routeKeyBytes(keys, offsets); // byRack[i * racks + r] = owner of key i in rack r
  const same = topology.routeKeys(['user:1', 'user:22']); // strings are encoded as UTF-8

  return { token, tagged, owners, byRack, same, racks: topology.racks(topology.localDc) };
}

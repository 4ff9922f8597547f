/**
 * The body of a live node's `GET /cluster_describe` (admin port, default
 * 22222): the cluster as that node's gossip sees it.
 */
import type { Peer } from '../ring/peer.js';
import { isWildcardHost } from './merge.js';
import { JsonFields, listedPeers, parseJsonBody, type BodyContext, type ListedNode } from './body.js';

/** Options for {@link parseClusterDescribe}. */
export interface ClusterDescribeOptions {
  /** Where the body came from (a URL), named in every error. */
  source?: string;
}

/**
 * Parses `{"dcs":[{"name":DC,"racks":[{"name":RACK,"servers":[{"name":IP,
 * "host":HOST,"port":PEER_PORT,"token":NUMBER}]}]}]}`, exactly as the server
 * writes it: `port` is the peer port (`dyn_listen`), `token` an unquoted
 * number (the node's first token only), and the answering node first.
 *
 * Peers are indexed in document order; peer 0 is local and `isSameDc` is
 * relative to its datacenter. The endpoint host is `host` (what the node's
 * `dyn_listen` and seeds say), or `name` when `host` is a wildcard.
 *
 * @throws {ConfigError} naming the source, the path of the bad value
 *   (`dcs[0].racks[1].servers[2].token`) and what is wrong.
 * @example
 * parseClusterDescribe('{"dcs":[{"name":"dc1","racks":[{"name":"r1","servers":[{"name":"10.0.0.1","host":"10.0.0.1","port":8101,"token":0}]}]}]}');
 * // [{ index: 0, endpoint: { host: '10.0.0.1', port: 8101 }, rack: 'r1', dc: 'dc1', tokens: [0], isLocal: true, isSameDc: true, ... }]
 */
export function parseClusterDescribe(body: string, options: ClusterDescribeOptions = {}): Peer[] {
  const ctx: BodyContext = { format: 'cluster_describe', ...(options.source === undefined ? {} : { source: options.source }) };
  const f = new JsonFields(ctx);
  const root = f.object(parseJsonBody(ctx, body), 'the body');
  const found: ListedNode[] = [];
  f.array(root.dcs, 'dcs').forEach((dcValue, d) => {
    const dcPath = `dcs[${d}]`;
    const dcObject = f.object(dcValue, dcPath);
    const dc = f.name(dcObject.name, `${dcPath}.name`);
    f.array(dcObject.racks, `${dcPath}.racks`).forEach((rackValue, r) => {
      const rackPath = `${dcPath}.racks[${r}]`;
      const rackObject = f.object(rackValue, rackPath);
      const rack = f.name(rackObject.name, `${rackPath}.name`);
      f.array(rackObject.servers, `${rackPath}.servers`).forEach((serverValue, s) => {
        const path = `${rackPath}.servers[${s}]`;
        const server = f.object(serverValue, path);
        const ip = f.name(server.name, `${path}.name`);
        const host = f.name(server.host, `${path}.host`);
        found.push({
          dc,
          rack,
          host: isWildcardHost(host) ? ip : host,
          port: f.port(server.port, `${path}.port`),
          token: f.token(server.token, `${path}.token`),
        });
      });
    });
  });
  if (found.length === 0) throw f.error('dcs', 'no servers: a live node always lists at least itself');
  return listedPeers(found, 0);
}

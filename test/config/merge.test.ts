/**
 * One test for a wildcard (bind-any) address, used by the `dynomite.yml`
 * parser (`listen:`), the merge (`dyn_listen`) and a live node's
 * `/cluster_describe` reply, so the three agree on every spelling.
 */
import { describe, expect, it } from 'vitest';
import { loadCluster, parseClusterDescribe, parseDynomiteYaml } from '../../src/index.js';
import { isWildcardHost } from '../../src/config/merge.js';

// Every spelling of the two unspecified addresses a node can bind.
const WILDCARDS = ['0.0.0.0', '::', '[::]', '::0', '0::', '0:0:0:0:0:0:0:0', '[0:0:0:0:0:0:0:0]', '0000::0000'];
// Addresses that look close but name one host, plus '*', which getaddrinfo (and so Dynomite) refuses.
const HOSTS = ['10.0.0.1', '0.0.0.1', '10.0.0.0', '::1', '[::1]', 'fd00::', '0::1', 'localhost', '*', ''];

const yaml = (listen: string) =>
  `dyn_o_mite:\n  dyn_listen: 10.0.0.1:8101\n  listen: '${listen}'\n  tokens: '0'\n  dyn_seeds:\n    - 10.0.0.2:8101:r:dc:0\n`;
const describeBody = (host: string) =>
  JSON.stringify({ dcs: [{ name: 'dc', racks: [{ name: 'r', servers: [{ name: '10.0.0.9', host, port: 8101, token: 0 }] }] }] });
const portOf = (host: string) => `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:8102`;

describe('isWildcardHost', () => {
  it('knows every spelling of 0.0.0.0 and ::, and nothing else', () => {
    for (const host of WILDCARDS) expect(isWildcardHost(host), host).toBe(true);
    for (const host of HOSTS) expect(isWildcardHost(host), host).toBe(false);
  });

  it("replaces a wildcard `listen:` host with dyn_listen's in every spelling", () => {
    for (const host of WILDCARDS) expect(parseDynomiteYaml(yaml(portOf(host))).listen, host).toEqual({ host: '10.0.0.1', port: 8102 });
    expect(parseDynomiteYaml(yaml('10.0.0.7:8102')).listen).toEqual({ host: '10.0.0.7', port: 8102 });
  });

  it("takes a live node's name (its IP) for a wildcard host in every spelling", () => {
    for (const host of WILDCARDS)
      expect(parseClusterDescribe(describeBody(host))[0]!.endpoint, host).toEqual({ host: '10.0.0.9', port: 8101 });
    expect(parseClusterDescribe(describeBody('10.0.0.8'))[0]!.endpoint).toEqual({ host: '10.0.0.8', port: 8101 });
  });

  it('matches a wildcard dyn_listen to the seed naming it in every spelling', () => {
    const seed = { file: 'seeds.txt', text: '10.0.0.1:8101:r:dc:0\n10.0.0.2:8101:r:dc:1\n' };
    for (const host of WILDCARDS) {
      const own = {
        file: 'own.yml',
        text: `dyn_o_mite:\n  rack: r\n  datacenter: dc\n  dyn_listen: '${portOf(host).replace(':8102', ':8101')}'\n  tokens: '0'\n`,
      };
      const { config, notes } = loadCluster([own, seed]);
      expect(config.peers[0]!.endpoint, host).toEqual({ host: '10.0.0.1', port: 8101 });
      expect(
        notes.map((n) => n.kind),
        host,
      ).toEqual(['WildcardMatched']);
    }
  });
});

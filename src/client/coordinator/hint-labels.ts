/**
 * Coordinator mode keeps hints by peer number, and the hint store records
 * which server (`host:port`) each number stood for. A process that starts
 * with a topology giving a number with hints waiting to another server, or
 * to none, would replay them to the wrong one: connect refuses it.
 */
import { ConfigError } from '../../errors.js';
import { endpointKey } from '../../ring/peer.js';
import type { ClientTopology } from '../sources.js';
import type { CoordinatorHintStore } from './hint-queues.js';

/** Each peer's label: the `host:port` its writes and hints go to. */
export function peerLabels(topo: ClientTopology): Map<number, string> {
  return new Map(topo.topology.peers.map((p) => [p.index, endpointKey(topo.endpoints.get(p.index)!)]));
}

/**
 * Checks the hints waiting in `store` against the labels of a topology.
 * Hints stored without a label (by a `HintDrainer`'s user, say) cannot be
 * checked and are taken as they are.
 *
 * @throws {ConfigError} `HintsRenumbered` naming each peer whose hints were stored for another server.
 */
export function checkHintLabels(store: CoordinatorHintStore, labels: ReadonlyMap<number, string>): void {
  const wrong = store.peersWithHints().filter((peer) => {
    const was = store.labelOf(peer);
    return was !== undefined && was !== labels.get(peer);
  });
  if (wrong.length === 0) return;
  const what = wrong.map((peer) => {
    const now = labels.get(peer);
    return `${peer} (stored for ${store.labelOf(peer)}; ${now === undefined ? `this topology has no peer ${peer}` : `this topology's peer ${peer} is ${now}`})`;
  });
  throw new ConfigError(
    `the hint store${store.dir === undefined ? '' : ` ${store.dir}`} has hints waiting for peer(s) ${what.join(', ')}, kept by ` +
      'that number; connect with the topology they were stored under and let them drain before the numbering changes, ' +
      'or drop them (store.takeFor(peer))',
    {},
    'HintsRenumbered',
  );
}

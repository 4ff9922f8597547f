/** Text and JSON renderings shared by `plan` and `diff`: balance tables and moving ranges. */
import { TOKEN_SPACE, type PoolDiff, type RackBalance, type RackKeyMoves } from '../../index.js';
import { formatTable } from '../table.js';
import { percent as percentOf, plural, ratio, SHARE_DIGITS } from '../text.js';

const percent = (fraction: number) => percentOf(fraction, SHARE_DIGITS);

/** `max/mean 1.000000`, or `no tokens`. */
export const ratioText = (b: RackBalance) => (b.ratio === undefined ? 'no tokens' : `max/mean ${ratio(b.ratio)}`);

/** One table per rack: each node's share, then max/mean. */
export function renderBalance(balance: readonly RackBalance[], files?: ReadonlyMap<string, string>): string {
  return balance
    .map((b) => {
      const rows = b.nodes.map((n) => [n.endpoint, String(n.owned), percent(n.share), ...(files ? [files.get(n.endpoint) ?? ''] : [])]);
      const columns = [{ heading: 'NODE' }, { heading: 'OWNS', align: 'right' as const }, { heading: 'SHARE', align: 'right' as const }];
      return (
        `datacenter ${b.dc}, rack ${b.rack}: ${plural(b.nodes.length, 'node')}, ${ratioText(b)}\n` +
        formatTable(files ? [...columns, { heading: 'FILE' }] : columns, rows, '  ')
      );
    })
    .join('\n');
}

/** Per rack: the fraction that moves, each moving range with its owners, balance before and after, and counted keys. */
export function renderMoves(diff: PoolDiff, keys?: readonly RackKeyMoves[]): string {
  const blocks = diff.racks.map((r) => {
    const head = `datacenter ${r.dc}, rack ${r.rack}: ${percent(r.fraction)} of the key space moves (${r.moved} tokens in ${plural(r.moves.length, 'range')})\n`;
    const table = r.moves.length
      ? formatTable(
          [
            { heading: 'RANGE' },
            { heading: 'TOKENS', align: 'right' },
            { heading: 'SHARE', align: 'right' },
            { heading: 'FROM' },
            { heading: 'TO' },
          ],
          r.moves.map((m) => [
            `(${m.start}, ${m.end}]`,
            String(m.length),
            percent(m.length / TOKEN_SPACE),
            m.from ?? '(no tokens)',
            m.to ?? '(no tokens)',
          ]),
          '  ',
        )
      : '';
    const balance = `  balance before: ${r.before ? ratioText(r.before) : 'no such rack'}; after: ${r.after ? ratioText(r.after) : 'no such rack'}\n`;
    const counted = keys?.find((k) => k.dc === r.dc && k.rack === r.rack);
    const keyLine = counted ? `  keys: ${counted.moved} of ${counted.keys} move (${percent(counted.fraction)})\n` : '';
    return head + table + balance + keyLine;
  });
  return `${blocks.join('\n')}\n${percent(diff.fraction)} of the stored data moves (the mean over ${plural(diff.racks.length, 'rack')}, each a full copy)\n`;
}

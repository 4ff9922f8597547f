/**
 * The report's plan view: for a change from one configuration to another
 * (`dynoring report -o OUT OLD... -- NEW...`), each rack's ring before and
 * after with the moving ranges highlighted on both, and a balance table.
 * Inlined into the page by its source text (see render-html.ts), so it must
 * stay self-contained: everything comes in through its parameters.
 */
import type { TextHelpers } from '../text.js';
import type { buildRingModel, DynoringLib, ReportFile } from './ring-model.js';
import type { peerColours } from './palette.js';
import type { ringSvg } from './ring-svg.js';

/** The page functions the plan view draws with. */
export interface PlanViewDeps {
  buildRingModel: typeof buildRingModel;
  ringSvg: typeof ringSvg;
  peerColours: typeof peerColours;
  /** The CLI's own text helpers. */
  text: TextHelpers;
}

/**
 * The plan view's HTML, or a message when a side does not parse. A node
 * keeps its colour on both rings (nodes are the same node when their
 * host:port is).
 */
export function planView(lib: DynoringLib, before: readonly ReportFile[], after: readonly ReportFile[], deps: PlanViewDeps): string {
  // Geometry of ringSvg's rings: the highlight runs just outside the band.
  const SPACE = 2 ** 32;
  const CX = 210;
  const CY = 170;
  const OUTER = 112 + 36 / 2 + 6;
  const endpointText = lib.endpointKey;
  const { esc, ratio } = deps.text;
  const percent = (f: number) => deps.text.percent(f, 4);
  const at = (token: number) => {
    const a = (token / SPACE) * 2 * Math.PI;
    return `${(CX + OUTER * Math.sin(a)).toFixed(2)} ${(CY - OUTER * Math.cos(a)).toFixed(2)}`;
  };

  const sides = [before, after].map((files) => {
    try {
      return { peers: lib.mergeNodeConfigs(files.map((f) => lib.parseConfigFile({ text: f.text, file: f.file }))).peers };
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
  const [old, now] = sides as [{ peers?: DynoringPeers; error?: string }, { peers?: DynoringPeers; error?: string }];
  if (!old.peers || !now.peers) return `<p class="callout bad">The plan cannot be shown: ${esc(old.error ?? now.error ?? '')}</p>`;
  const models = [before, after].map((files) => deps.buildRingModel(lib, files));
  const diff = lib.diffPeers(old.peers, now.peers);

  const cards = diff.racks.map((r) => {
    const endpoints = [...(r.before?.nodes ?? []), ...(r.after?.nodes ?? [])]
      .map((n) => n.endpoint)
      .filter((e, i, all) => all.indexOf(e) === i);
    const palette = deps.peerColours(endpoints.length);
    const colour = new Map(endpoints.map((e, i) => [e, palette[i]!]));
    const moveArcs = r.moves
      .map((m) => {
        const title = `<title>(${m.start}, ${m.end}] · ${percent(m.length / SPACE)} · ${esc(m.from ?? 'no tokens')} → ${esc(m.to ?? 'no tokens')}</title>`;
        const d =
          m.length >= SPACE
            ? `M${at(0)}A${OUTER} ${OUTER} 0 1 1 ${at(SPACE / 2)}A${OUTER} ${OUTER} 0 1 1 ${at(0)}`
            : `M${at(m.start)}A${OUTER} ${OUTER} 0 ${m.length > SPACE / 2 ? 1 : 0} 1 ${at((m.start + m.length) % SPACE)}`;
        return `<path class="move-arc" d="${d}" data-start="${m.start}" data-end="${m.end}">${title}</path>`;
      })
      .join('');
    const ring = (side: 0 | 1, label: string) => {
      const result = models[side]!;
      const rack = 'model' in result ? result.model.racks.find((x) => x.dc === r.dc && x.rack === r.rack) : undefined;
      if (!rack)
        return `<figure class="plan-ring" data-side="${label}"><figcaption>${label}</figcaption><p class="callout">No such rack</p></figure>`;
      const names = new Map((side === 0 ? old.peers! : now.peers!).map((p) => [p.index, endpointText(p.endpoint)]));
      const svg = deps.ringSvg(
        rack,
        rack.peers.map((p) => colour.get(names.get(p.index)!) ?? '#8d8f96'),
        deps.text,
      );
      return `<figure class="plan-ring" data-side="${label}"><figcaption>${label}</figcaption>${svg.replace('</svg>', `${moveArcs}</svg>`)}</figure>`;
    };
    const shares = new Map<string, [number | undefined, number | undefined]>(endpoints.map((e) => [e, [undefined, undefined]]));
    for (const n of r.before?.nodes ?? []) shares.get(n.endpoint)![0] = n.share;
    for (const n of r.after?.nodes ?? []) shares.get(n.endpoint)![1] = n.share;
    const rows = [...shares]
      .map(
        ([e, [b, a]]) =>
          `<tr class="balance-row" data-endpoint="${esc(e)}"><td><span class="swatch" style="background:${colour.get(e)}"></span>${esc(e)}</td>` +
          `<td class="num">${b === undefined ? '—' : percent(b)}</td><td class="num">${a === undefined ? '—' : percent(a)}</td></tr>`,
      )
      .join('');
    const table =
      `<table class="peers balance"><thead><tr><th>Node</th><th class="num">Before</th><th class="num">After</th></tr></thead><tbody>${rows}</tbody>` +
      `<tfoot><tr><th>max/mean</th><td class="num">${ratio(r.before?.ratio)}</td><td class="num">${ratio(r.after?.ratio)}</td></tr></tfoot></table>`;
    return (
      `<section class="rack-card plan-rack" data-dc="${esc(r.dc)}" data-rack="${esc(r.rack)}">` +
      `<header><h3>${esc(r.rack)}</h3><span class="dc">datacenter ${esc(r.dc)}</span>` +
      `<span class="chip moved">${percent(r.fraction)} moves</span></header>` +
      `<div class="plan-body">${ring(0, 'before')}${ring(1, 'after')}<div class="table-box">${table}</div></div></section>`
    );
  });
  return (
    `<p class="plan-summary"><b class="plan-fraction">${percent(diff.fraction)}</b> of the stored data moves ` +
    `(the mean over ${diff.racks.length} rack${diff.racks.length === 1 ? '' : 's'}); moving ranges are marked outside the rings.</p>${cards.join('')}`
  );
}

type DynoringPeers = ReturnType<DynoringLib['mergeNodeConfigs']>['peers'];

/**
 * Draws one rack's ring as SVG markup. Inlined into the report page by its
 * source text (see render-html.ts), so it must stay self-contained.
 */
import type { TextHelpers } from '../text.js';
import type { RackModel } from './ring-model.js';

/**
 * The ring of one rack: token 0 at the top, tokens growing clockwise, one
 * `<path class="arc">` per peer holding all of that peer's arcs (so 64 peers
 * × 256 tokens are 64 elements, not 16384), a red marker at each overlapping
 * token, and a dashed ring with a warning for a rack without tokens. A
 * small ring (up to 12 distinct tokens) labels every
 * token where it sits; a busy one shows the quarters of the token space as a
 * scale, drawn apart from tokens. A rack of one or two peers gets a small
 * ring and one of up to eight a medium one, so a card is no taller than its content needs.
 *
 * @param colours CSS colour of each peer, in the order of `rack.peers`.
 */
export function ringSvg(rack: RackModel, colours: readonly string[], { esc, percent, plural }: TextHelpers): string {
  const SPACE = 2 ** 32;
  const LABELLED = 12;
  // Wider than tall: token labels sit left and right of the ring. Smaller racks get smaller rings.
  const [WIDTH, HEIGHT, R, BAND] =
    rack.peers.length <= 2 ? [380, 244, 82, 26] : rack.peers.length <= 8 ? [390, 290, 98, 32] : [420, 340, 112, 36];
  const CX = WIDTH / 2;
  const CY = HEIGHT / 2;
  const num = (v: number) => String(Math.round(v * 100) / 100);
  const point = (token: number, radius: number): [number, number] => {
    const a = (token / SPACE) * 2 * Math.PI;
    return [CX + radius * Math.sin(a), CY - radius * Math.cos(a)];
  };
  const at = (token: number, radius: number) => point(token, radius).map(num).join(' ');

  const parts: string[] = [];
  const position = new Map(rack.peers.map((p, i) => [p.index, i]));

  if (rack.empty) {
    parts.push(
      `<g class="empty-ring"><circle cx="${CX}" cy="${CY}" r="${R}" fill="none" stroke="#f3f4f6" stroke-width="${BAND}"/>`,
      `<circle cx="${CX}" cy="${CY}" r="${R + BAND / 2}" class="empty-edge"/><circle cx="${CX}" cy="${CY}" r="${R - BAND / 2}" class="empty-edge"/></g>`,
    );
  } else {
    // Past a few dozen arcs they are too thin to outline, and antialiasing
    // sub-pixel arcs washes their colours out: draw them crisp on a grey
    // ground, and give each peer radial marks that light up on hover.
    const busy = rack.arcs.length > 48;
    const paths = new Map<number, string[]>();
    const marks = new Map<number, string[]>();
    for (const arc of rack.arcs) {
      const d = paths.get(arc.peer) ?? [];
      if (arc.span >= SPACE) {
        d.push(`M${at(0, R)}A${R} ${R} 0 1 1 ${at(SPACE / 2, R)}A${R} ${R} 0 1 1 ${at(0, R)}`);
      } else {
        const large = arc.span > SPACE / 2 ? 1 : 0;
        d.push(`M${at(arc.start, R)}A${R} ${R} 0 ${large} 1 ${at((arc.start + arc.span) % SPACE, R)}`);
      }
      paths.set(arc.peer, d);
      if (busy) {
        const middle = (arc.start + arc.span / 2) % SPACE;
        marks.set(arc.peer, [...(marks.get(arc.peer) ?? []), `M${at(middle, R - BAND / 2)}L${at(middle, R + BAND / 2)}`]);
      }
    }
    if (busy) parts.push(`<circle class="arc-ground" cx="${CX}" cy="${CY}" r="${R}" stroke-width="${BAND}"/>`);
    const crisp = busy ? ' shape-rendering="crispEdges"' : '';
    for (const p of rack.peers) {
      const d = paths.get(p.index);
      if (!d) continue;
      parts.push(
        `<path class="arc" data-peer="${p.index}" d="${d.join('')}" stroke="${colours[position.get(p.index)!]}" stroke-width="${BAND}"${crisp}>` +
          `<title>peer ${p.index} · ${esc(p.endpoint)}${p.name ? ` (${esc(p.name)})` : ''} · ${percent(p.share)}</title></path>`,
      );
    }
    for (const [peer, d] of marks) {
      parts.push(`<path class="marks" data-peer="${peer}" d="${d.join('')}" stroke="${colours[position.get(peer)!]}"/>`);
    }
    if (!busy && rack.arcs.length > 1) {
      const lines = rack.arcs.map((a) => `M${at(a.start, R - BAND / 2)}L${at(a.start, R + BAND / 2)}`).join('');
      parts.push(`<path class="arc-border" d="${lines}"/>`);
    }
  }

  // Token labels: every token of a small ring where it sits (a label too close
  // to the one before moves outwards, so neighbours stay readable); the
  // quarters of the token space as a scale on a busy ring; none on an empty one.
  const small = rack.tokens.length <= LABELLED;
  const labelled = rack.empty ? [] : small ? rack.tokens : [0, SPACE / 4, SPACE / 2, (3 * SPACE) / 4];
  let previous = -Infinity;
  let level = 0;
  for (const token of labelled) {
    const angle = (token / SPACE) * 2 * Math.PI;
    level = angle - previous < 0.16 ? (level + 1) % 3 : 0;
    previous = angle;
    const [x, y] = point(token, R + BAND / 2 + 14 + level * 13);
    const s = Math.sin(angle);
    const c = Math.cos(angle);
    const anchor = s > 0.3 ? 'start' : s < -0.3 ? 'end' : 'middle';
    const dy = c > 0.3 ? '0' : c < -0.3 ? '0.8em' : '0.35em';
    const kind = small ? 'token' : 'scale';
    parts.push(`<path class="${kind}-tick" d="M${at(token, R + BAND / 2 + 2)}L${at(token, R + BAND / 2 + 7 + level * 13)}"/>`);
    parts.push(
      `<text class="${kind}-label" data-token="${token}" x="${num(x)}" y="${num(y)}" dy="${dy}" text-anchor="${anchor}">${token}</text>`,
    );
  }

  for (const o of rack.overlaps) {
    const [x, y] = point(o.token, R - BAND / 2 - 16);
    parts.push(
      `<g class="overlap-marker" data-token="${o.token}"><title>${esc(o.message)}</title>` +
        `<path d="M${at(o.token, R - BAND / 2 - 6)}L${at(o.token, R + BAND / 2 + 4)}"/>` +
        `<circle cx="${num(x)}" cy="${num(y)}" r="9"/><text x="${num(x)}" y="${num(y)}" dy="0.35em">!</text></g>`,
    );
  }

  const tokens = plural(rack.tokenCount, 'token');
  const peers = plural(rack.peers.length, 'peer');
  parts.push(
    `<text class="centre-title" x="${CX}" y="${CY - 14}">${esc(rack.rack)}</text>`,
    `<text class="centre-sub" x="${CX}" y="${CY + 6}">${esc(rack.dc)}</text>`,
    rack.empty
      ? `<text class="centre-warn" x="${CX}" y="${CY + 28}">no tokens</text>`
      : `<text class="centre-sub" x="${CX}" y="${CY + 28}">${peers} · ${tokens}</text>`,
  );
  return (
    `<svg class="ring" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" ` +
    `aria-label="token ring of rack ${esc(rack.rack)} in datacenter ${esc(rack.dc)}">${parts.join('')}</svg>`
  );
}

/**
 * The report page's behaviour: render the model into the skeleton that
 * render-html.ts writes, and re-render as the user edits the config. Inlined
 * into the page by its source text, so it must stay self-contained: what it
 * needs comes in through {@link ReportDeps}.
 */
import type { TextHelpers } from '../text.js';
import type { buildRingModel, DynoringLib, RackModel, ReportFile, RingModel } from './ring-model.js';
import type { peerColours } from './palette.js';
import type { ringSvg } from './ring-svg.js';
import type { planView } from './plan-view.js';

/** What the page script hands to {@link startReport}. */
export interface ReportDeps {
  lib: DynoringLib;
  buildRingModel: typeof buildRingModel;
  ringSvg: typeof ringSvg;
  peerColours: typeof peerColours;
  planView: typeof planView;
  /** The CLI's own text helpers. */
  text: TextHelpers;
  /** The config files the report was generated from. */
  files: ReportFile[];
  doc: Document;
}

/** Renders the initial files and wires the editor (tabs, debounced updates, inline errors). */
export function startReport({ lib, buildRingModel, ringSvg, peerColours, planView, text, files, doc }: ReportDeps): void {
  const DEBOUNCE_MS = 250;
  const $ = <T extends HTMLElement>(id: string) => doc.getElementById(id) as T;
  const { esc, plural, percent } = text;

  const texts = files.map((f) => f.text);
  let active = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let errorLine: number | undefined;

  const editor = $<HTMLTextAreaElement>('config');
  const gutter = $('gutter');
  const mirror = $('editor-mirror');
  const racksEl = $('racks');

  renderTabs();
  editor.value = texts[0] ?? '';
  renderGutter();
  update();

  editor.addEventListener('input', () => {
    texts[active] = editor.value;
    renderGutter();
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  doc.defaultView?.addEventListener('resize', renderGutter);
  editor.addEventListener('scroll', () => {
    gutter.scrollTop = editor.scrollTop;
  });
  $('reset').addEventListener('click', () => {
    texts[active] = files[active]!.text;
    editor.value = texts[active]!;
    update();
  });
  $('problems').addEventListener('click', (e) => {
    const item = (e.target as HTMLElement).closest<HTMLElement>('[data-rack]');
    const card = item && racksEl.querySelector(`.rack-card[data-key="${CSS.escape(item.dataset.key!)}"]`);
    card?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
  racksEl.addEventListener('mouseover', (e) => focusPeer(e.target as Element, true));
  racksEl.addEventListener('mouseout', (e) => focusPeer(e.target as Element, false));

  function update(): void {
    const current = texts.map((text, i) => ({ ...files[i]!, text }));
    // A plan report draws the new configuration, and the plan view compares it with the old.
    const result = buildRingModel(
      lib,
      current.filter((f) => f.side !== 'before'),
    );
    if (current.some((f) => f.side === 'before')) {
      $('plan').innerHTML = planView(
        lib,
        current.filter((f) => f.side === 'before'),
        current.filter((f) => f.side === 'after'),
        { buildRingModel, ringSvg, peerColours, text },
      );
    }
    const error = $('parse-error');
    if ('error' in result) {
      error.hidden = false;
      error.textContent = result.error.message;
      errorLine = result.error.file === files[active]!.file ? result.error.line : undefined;
      $('view').classList.add('stale');
      $('stale-note').hidden = false;
      $('status').className = 'status bad';
      $('status').textContent = 'Configuration does not parse';
    } else {
      error.hidden = true;
      errorLine = undefined;
      $('view').classList.remove('stale');
      $('stale-note').hidden = true;
      render(result.model);
    }
    renderGutter();
  }

  function renderTabs(): void {
    const tabs = $('tabs');
    tabs.hidden = files.length < 2;
    tabs.innerHTML = files
      .map((f, i) => {
        // A plan's before and after files often share base names: each side's tabs come under its label.
        const label = f.side !== undefined && f.side !== files[i - 1]?.side ? `<span class="tab-side">${f.side}</span>` : '';
        const title = f.side === undefined ? f.file : `${f.side}: ${f.file}`;
        return (
          `${label}<button type="button" role="tab" aria-selected="${i === active}" data-tab="${i}"${f.side === undefined ? '' : ` data-side="${f.side}"`} ` +
          `title="${esc(title)}">${esc(f.file.split(/[\\/]/).pop()!)}</button>`
        );
      })
      .join('');
    tabs.onclick = (e) => {
      const tab = (e.target as HTMLElement).closest<HTMLElement>('[data-tab]');
      if (!tab) return;
      active = Number(tab.dataset.tab);
      editor.value = texts[active]!;
      renderTabs();
      update();
    };
  }

  /**
   * Line numbers beside the editor, which wraps long lines (seed lines show
   * whole): a line that wraps gets blank rows under its number. Only lines
   * longer than the editor's width in characters are measured, in a hidden
   * copy of the editor's box.
   */
  function renderGutter(): void {
    const style = getComputedStyle(editor);
    const width = editor.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const rowHeight = parseFloat(style.lineHeight);
    mirror.style.width = 'max-content';
    mirror.textContent = '0'.repeat(100);
    const perRow = Math.max(1, Math.floor(width / (mirror.getBoundingClientRect().width / 100 || 1)));
    mirror.style.width = `${width}px`;
    let html = '';
    editor.value.split('\n').forEach((line, i) => {
      let rows = 1;
      if (line.length > perRow) {
        mirror.textContent = line;
        rows = Math.max(1, Math.round(mirror.getBoundingClientRect().height / rowHeight));
      }
      html += `${i + 1 === errorLine ? `<span class="err">${i + 1}</span>` : i + 1}${'\n'.repeat(rows)}`;
    });
    gutter.innerHTML = html;
    gutter.scrollTop = editor.scrollTop;
  }

  function render(model: RingModel): void {
    const racks = model.racks.length;
    $('summary').textContent =
      `${plural(model.peerCount, 'peer')} in ${plural(racks, 'rack')} of ${plural(model.datacenters.length, 'datacenter')} · ` +
      `${plural(model.tokenCount, 'token')} · hash ${model.hash}${model.hashTag ? `, hash_tag ${model.hashTag}` : ''}`;
    const status = $('status');
    const count = model.problems.length;
    status.className = `status ${count ? 'bad' : 'good'}`;
    status.textContent = count ? plural(count, 'problem') : 'Every rack has a usable ring';

    $('problems-panel').className = `problems-panel ${count ? 'bad' : 'good'}`;
    $('problems').innerHTML = count
      ? model.problems
          .map((p) => {
            const where =
              p.rack === undefined ? '' : ` data-rack="${esc(p.rack)}" data-dc="${esc(p.dc!)}" data-key="${esc(`${p.dc}/${p.rack}`)}"`;
            const token = p.token === undefined ? '' : ` data-token="${p.token}"`;
            const label = p.kind === 'EmptyRack' ? 'Empty rack' : p.kind === 'Overlap' ? 'Overlap' : 'Disagreement';
            return `<li class="problem" data-kind="${p.kind}"${where}${token}><span class="kind">${label}</span>${esc(p.message)}</li>`;
          })
          .join('')
      : '<li class="ok">No coverage problems: every rack has tokens and no token is claimed twice in a rack.</li>';

    $('notes').innerHTML = model.notes
      .map((n) => `<li class="note ${n.level}"><span class="kind">${n.level}</span>${esc(n.message)}</li>`)
      .join('');
    racksEl.innerHTML = model.racks.map(rackCard).join('');
  }

  function rackCard(rack: RackModel): string {
    const colours = peerColours(rack.peers.length);
    const chips = [
      rack.empty ? '<span class="chip bad">no tokens</span>' : '',
      rack.overlaps.length ? `<span class="chip bad">${plural(rack.overlaps.length, 'overlapping token')}</span>` : '',
      !rack.empty && !rack.overlaps.length ? '<span class="chip good">usable</span>' : '',
    ].join('');
    const widest = Math.max(...rack.peers.map((q) => q.share), 1e-9);
    const rows = rack.peers
      .map((p, i) => {
        const tokens = p.tokens.length === 1 ? String(p.tokens[0]) : p.tokens.length === 0 ? '—' : `${p.tokens.length}`;
        const tokenTitle = p.tokens.length > 1 ? ` title="${p.tokens.slice(0, 8).join(', ')}${p.tokens.length > 8 ? ', …' : ''}"` : '';
        return (
          `<tr class="peer-row${p.overlaps ? ' has-overlap' : ''}" data-peer="${p.index}">` +
          `<td class="peer"><span class="swatch" style="background:${colours[i]}"></span>${p.index}${p.isLocal ? '<span class="local" title="local node (the first file\'s own node)">*</span>' : ''}` +
          `${p.overlaps ? '<span class="badge" title="claims a token another peer of this rack also claims">!</span>' : ''}</td>` +
          `<td class="endpoint">${esc(p.endpoint)}</td>` +
          `<td class="name">${esc(p.name ?? '')}</td>` +
          `<td class="num"${tokenTitle}>${tokens}</td>` +
          `<td class="share"><span class="share-value">${rack.empty ? '—' : percent(p.share)}</span>` +
          `<span class="bar"><span style="width:${((p.share / widest) * 100).toFixed(1)}%;background:${colours[i]}"></span></span></td></tr>`
        );
      })
      .join('');
    const shown = rack.problems.slice(0, 5);
    const callout = shown.length
      ? `<ul class="callout bad">${shown.map((p) => `<li>${esc(p.message)}</li>`).join('')}` +
        `${rack.problems.length > shown.length ? `<li>… and ${rack.problems.length - shown.length} more (see Problems).</li>` : ''}</ul>`
      : '';
    return (
      `<section class="rack-card${rack.empty || rack.overlaps.length ? ' has-problem' : ''}" data-dc="${esc(rack.dc)}" data-rack="${esc(rack.rack)}" data-key="${esc(`${rack.dc}/${rack.rack}`)}">` +
      `<header><h3>${esc(rack.rack)}</h3><span class="dc">datacenter ${esc(rack.dc)}</span>${chips}</header>` +
      `<div class="rack-body"><div class="ring-box">${ringSvg(rack, colours, text)}</div>` +
      `<div class="table-box${rack.peers.length > 14 ? ' scroll' : ''}"><table class="peers"><thead><tr><th>Peer</th><th>Endpoint</th><th>Name</th>` +
      `<th class="num">Tokens</th><th>Share</th></tr></thead><tbody>${rows}</tbody></table></div></div>${callout}</section>`
    );
  }

  /** Hovering a table row or an arc lights up that peer's arcs and row. */
  function focusPeer(target: Element, on: boolean): void {
    const holder = target.closest('[data-peer]');
    const card = target.closest('.rack-card');
    if (!holder || !card) return;
    const peer = holder.getAttribute('data-peer');
    card.querySelector('svg.ring')?.classList.toggle('focus', on);
    card.querySelectorAll(`[data-peer="${peer}"]`).forEach((el) => el.classList.toggle('on', on));
  }
}

/** The report page's stylesheet: system fonts only, so the file needs nothing from the network. */
export const PAGE_STYLE = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #e1e4e8; --bg: #f4f5f7; --card: #fff;
  --bad: #cf222e; --bad-bg: #fff2f1; --bad-line: #f3c4c1; --good: #1a7f37; --good-bg: #edf9f0; --good-line: #b9e2c4;
  --accent: #4269d0;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
.top { display: flex; align-items: center; gap: 24px; padding: 14px 28px; background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { margin: 0; font-size: 18px; font-weight: 650; letter-spacing: -0.01em; }
.top h1 span { color: var(--accent); }
.files { margin: 2px 0 0; color: var(--muted); font: 12px var(--mono); }
.summary { margin-left: auto; color: var(--muted); font-size: 13px; text-align: right; }
.status { padding: 6px 14px; border-radius: 999px; font-weight: 600; font-size: 13px; white-space: nowrap; background: #eef0f3; }
.status.good { background: var(--good-bg); color: var(--good); }
.status.bad { background: var(--bad-bg); color: var(--bad); }
.layout { display: grid; grid-template-columns: 380px minmax(0, 1fr); gap: 24px; padding: 24px 28px; align-items: start; }
@media (max-width: 1050px) { .layout { grid-template-columns: minmax(0, 1fr); } .side { position: static; } }
.side { position: sticky; top: 16px; }
.panel, .rack-card, .problems-panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
.panel { padding: 16px; }
.panel h2 { margin: 0 0 4px; font-size: 14px; }
.hint { margin: 0 0 12px; color: var(--muted); font-size: 12.5px; }
.hint code { font: 11.5px var(--mono); background: #f0f2f4; padding: 1px 4px; border-radius: 3px; }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: -1px; position: relative; }
.tabs button { font: 12px var(--mono); border: 1px solid var(--line); background: #f6f8fa; color: var(--muted); border-radius: 6px 6px 0 0; padding: 4px 10px; cursor: pointer; }
.tabs button[aria-selected="true"] { background: #fff; color: var(--fg); border-bottom-color: #fff; font-weight: 600; }
.tabs .tab-side { flex-basis: 100%; margin-top: 6px; font-weight: 600; color: var(--muted); text-transform: uppercase; font-size: 11.5px; letter-spacing: 0.04em; }
.tabs .tab-side:first-child { margin-top: 0; }
.editor-box { position: relative; display: flex; height: 440px; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: #fff; }
.tabs:not([hidden]) + .editor-box { border-top-left-radius: 0; }
.editor-box:focus-within { border-color: var(--accent); box-shadow: 0 0 0 3px rgba(66, 105, 208, 0.15); }
#gutter { margin: 0; padding: 8px 6px; min-width: 38px; text-align: right; color: #8c959f; background: #f6f8fa; border-right: 1px solid var(--line); overflow: hidden; font: 12px/18px var(--mono); user-select: none; }
#gutter .err { display: inline-block; background: var(--bad); color: #fff; border-radius: 3px; padding: 0 4px; }
#config { flex: 1; min-width: 0; border: 0; outline: none; resize: none; padding: 8px 10px; font: 12px/18px var(--mono); color: var(--fg); background: transparent; white-space: pre-wrap; overflow-wrap: anywhere; overflow-x: hidden; overflow-y: auto; }
/* A hidden copy of the editor's text box: the gutter measures wrapped lines in it. */
#editor-mirror { position: absolute; top: 0; left: 0; visibility: hidden; pointer-events: none; font: 12px/18px var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; }
.parse-error { margin-top: 10px; padding: 8px 10px; border-radius: 6px; background: var(--bad-bg); border: 1px solid var(--bad-line); color: var(--bad); font: 12px/1.5 var(--mono); white-space: pre-wrap; overflow-wrap: anywhere; }
.editor-actions { display: flex; justify-content: space-between; align-items: center; margin-top: 10px; color: var(--muted); font-size: 12px; }
#reset { font: inherit; font-size: 12.5px; border: 1px solid var(--line); background: #f6f8fa; border-radius: 6px; padding: 4px 12px; cursor: pointer; color: var(--fg); }
#reset:hover { background: #eef0f3; }
.problems-panel { padding: 12px 16px; margin-bottom: 20px; }
.problems-panel.bad { background: var(--bad-bg); border-color: var(--bad-line); }
.problems-panel.good { background: var(--good-bg); border-color: var(--good-line); }
.problems { list-style: none; margin: 0; padding: 0; }
.problem { padding: 7px 0; border-top: 1px solid var(--bad-line); cursor: pointer; }
.problem:first-child { border-top: 0; }
.problem .kind { display: inline-block; min-width: 92px; margin-right: 10px; padding: 1px 6px; border-radius: 4px; background: var(--bad); color: #fff; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; text-align: center; }
.problems .ok { color: var(--good); font-weight: 500; }
.notes { list-style: none; margin: 0 0 20px; padding: 0; }
.notes:empty { display: none; }
.note { padding: 8px 12px; margin-bottom: 6px; border-radius: 6px; font-size: 13px; background: #f6f8fa; border: 1px solid var(--line); }
.note.warning { background: #fff8e1; border-color: #f0d98c; color: #6b4f00; }
.note .kind { margin-right: 8px; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; }
#view.stale { opacity: 0.45; filter: grayscale(0.7); }
.stale-note { margin: 0 0 12px; padding: 8px 12px; border-radius: 6px; background: #fff8e1; border: 1px solid #f0d98c; color: #6b4f00; font-size: 13px; }
.rack-card { padding: 16px 20px; margin-bottom: 20px; }
.rack-card.has-problem { border-color: var(--bad-line); }
.rack-card > header { display: flex; align-items: baseline; gap: 10px; margin-bottom: 6px; }
.rack-card h3 { margin: 0; font-size: 16px; }
.dc { color: var(--muted); font-size: 13px; }
.chip { padding: 1px 9px; border-radius: 999px; font-size: 11.5px; font-weight: 600; }
.chip.good { background: var(--good-bg); color: var(--good); }
.chip.bad { background: var(--bad-bg); color: var(--bad); }
.rack-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.ring-box { flex: 0 1 auto; }
/* The table needs about 440px; with less it moves under the ring rather than scroll. */
.table-box { flex: 1 1 440px; min-width: 0; overflow-x: auto; }
.table-box.scroll { max-height: 360px; overflow: auto; }
table.peers { width: 100%; border-collapse: collapse; font-size: 13px; }
table.peers th { position: sticky; top: 0; background: var(--card); text-align: left; padding: 6px 7px; border-bottom: 1px solid var(--line); color: var(--muted); font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
table.peers td { padding: 5px 7px; border-bottom: 1px solid #f0f2f4; white-space: nowrap; }
table.peers .num { text-align: right; font-variant-numeric: tabular-nums; }
tr.peer-row.on td { background: #f1f5fd; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 8px; border-radius: 3px; vertical-align: -1px; }
td.peer { font-variant-numeric: tabular-nums; }
.endpoint { font: 12.5px var(--mono); }
.name { color: var(--muted); }
.local { color: var(--accent); font-weight: 700; }
.badge { display: inline-block; width: 15px; height: 15px; margin-left: 6px; border-radius: 50%; background: var(--bad); color: #fff; font: 800 10.5px/15px system-ui, sans-serif; text-align: center; vertical-align: 1px; }
tr.has-overlap td { background: var(--bad-bg); }
td.share { width: 130px; }
.share-value { display: inline-block; width: 52px; margin-right: 8px; text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; width: 56px; height: 8px; border-radius: 4px; background: #eff1f4; vertical-align: middle; overflow: hidden; }
.bar > span { display: block; height: 100%; border-radius: 4px; }
.callout { margin: 14px 0 0; padding: 8px 12px; border-radius: 6px; font-size: 13px; }
.callout.bad { background: var(--bad-bg); color: #82071e; border: 1px solid var(--bad-line); }
ul.callout { list-style: none; }
svg.ring { display: block; max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg.ring .arc { fill: none; transition: opacity 0.12s; }
svg.ring.focus .arc { opacity: 0.15; }
svg.ring.focus .arc.on { opacity: 1; }
svg.ring .arc-border { stroke: #fff; stroke-width: 1.5; }
svg.ring .arc-ground { fill: none; stroke: #c9ced6; }
svg.ring .marks { display: none; stroke-width: 1.25; }
svg.ring.focus .marks.on { display: inline; }
svg.ring .token-tick { stroke: #59636e; }
svg.ring .token-label { font-size: 10.5px; fill: var(--fg); font-variant-numeric: tabular-nums; }
/* A busy ring's quarter marks are a scale, not tokens: lighter and in italics. */
svg.ring .scale-tick { stroke: #c9ced6; }
svg.ring .scale-label { font-size: 10px; font-style: italic; fill: #8c959f; font-variant-numeric: tabular-nums; }
svg.ring .centre-title { font-size: 16px; font-weight: 650; fill: var(--fg); text-anchor: middle; }
svg.ring .centre-sub { font-size: 12px; fill: var(--muted); text-anchor: middle; }
svg.ring .centre-warn { font-size: 13px; font-weight: 700; fill: var(--bad); text-anchor: middle; }
svg.ring .empty-edge { fill: none; stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 5 4; }
svg.ring .overlap-marker path { stroke: var(--bad); stroke-width: 2.5; }
svg.ring .overlap-marker circle { fill: var(--bad); stroke: #fff; stroke-width: 2; }
svg.ring .overlap-marker text { fill: #fff; font-size: 12px; font-weight: 800; text-anchor: middle; }
footer { padding: 0 28px 24px; color: var(--muted); font-size: 12px; }
.plan:empty { display: none; }
.plan-summary { margin: 0 0 14px; }
.plan-body { display: grid; grid-template-columns: repeat(2, minmax(0, 300px)) minmax(280px, 1fr); gap: 12px; align-items: start; padding: 8px 16px 16px; }
.plan-ring { margin: 0; } .plan-ring figcaption { font-weight: 600; color: var(--muted); text-transform: uppercase; font-size: 11.5px; letter-spacing: 0.04em; }
.plan-ring svg { max-width: 100%; height: auto; }
.plan-body .table-box { overflow: visible; } .plan-body table.balance { width: 100%; }
.move-arc { fill: none; stroke: #e8590c; stroke-width: 7; stroke-linecap: butt; }
.chip.moved { background: #fff4e6; color: #b94a00; border: 1px solid #ffd8a8; }
table.balance tfoot th, table.balance tfoot td { border-top: 2px solid var(--line); font-weight: 600; }
`;

/**
 * Builds the ring report: one self-contained HTML file with the library's
 * browser bundle, the config texts and the page code inlined, so it opens
 * from disk with no network. The page computes everything it draws with the
 * library itself.
 *
 * The page code (ring-model, ring-svg, palette, page-app, page-boot) is
 * written as self-contained TypeScript functions and inlined by their
 * compiled source text, the way test runners ship functions into browsers:
 * it is type-checked with the library's types, and the same functions run
 * in Node tests.
 */
import { esc, TEXT } from '../text.js';
import { startReport } from './page-app.js';
import { bootReport } from './page-boot.js';
import { PAGE_STYLE } from './page-style.js';
import { peerColours } from './palette.js';
import { buildRingModel, type ReportFile } from './ring-model.js';
import { ringSvg } from './ring-svg.js';
import { planView } from './plan-view.js';

/** What a report is made of. */
export interface ReportHtmlInput {
  /** The source of the browser bundle (`dist/browser.js`), as {@link prepareBrowserBundle} returns it. */
  bundle: string;
  /** The config files, shown in the page's editor and drawn when it opens. */
  files: ReportFile[];
}

const IDS = { files: 'dynoring-files' } as const;

/**
 * Checks that a browser bundle is one self-contained ES module (a Blob URL
 * module cannot resolve `import 'yaml'`) and drops its source-map comment,
 * which would point at a file the report does not carry.
 *
 * @throws {Error} naming the first module the bundle imports.
 */
export function prepareBrowserBundle(source: string): string {
  const imported = /^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/m.exec(source);
  if (imported) {
    throw new Error(
      `the browser bundle is not self-contained: it imports '${imported[1] ?? imported[2]}', which a page cannot load; bundle it into dist/browser.js`,
    );
  }
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/**
 * The bundle (one ES module) as an expression whose value is its exports, so
 * the page script can run it in place: a module imported through a Blob URL
 * only resolves after the load event, which a plain screenshot would catch
 * half drawn. The bundler ends the module with one `export { a, b as c };`.
 *
 * @throws {Error} when the bundle does not end that way.
 */
export function bundleExpression(bundle: string): string {
  const tail = /\nexport\s*\{([^}]*)\};?\s*$/.exec(bundle);
  if (!tail) throw new Error("the browser bundle does not end with one 'export { ... }' statement; rebuild it with 'npm run build'");
  const exports = tail[1]!
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      const [local, exported = local] = name.split(/\s+as\s+/) as [string, string?];
      return local === exported ? local : `${exported}: ${local}`;
    });
  return `(() => {\n${bundle.slice(0, tail.index)}\nreturn { ${exports.join(', ')} };\n})()`;
}

/** Embeds a value as JSON that cannot end the `<script>` element holding it. */
function jsonScript(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}

// A data: URL, so the browser does not ask a server for /favicon.ico.
const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='5.5' fill='none' stroke='%234269d0' stroke-width='3'/%3E%3C/svg%3E";

/** The page script: the library, the page functions by their source, then the boot call. */
function pageScript(bundle: string): string {
  const text = Object.entries(TEXT)
    .map(([name, fn]) => `${name}: (${fn.toString()})`)
    .join(', ');
  const script =
    `(${bootReport.toString()})(${JSON.stringify(IDS)}, {\n` +
    `  buildRingModel: (${buildRingModel.toString()}),\n` +
    `  ringSvg: (${ringSvg.toString()}),\n` +
    `  peerColours: (${peerColours.toString()}),\n` +
    `  planView: (${planView.toString()}),\n` +
    `  text: { ${text} },\n` +
    `}, (${startReport.toString()}), () => ${bundleExpression(bundle)});\n`;
  // `</script` inside the code would end the element early; `<\/` means the same in JS strings and regexes.
  return script.replace(/<\/(script)/gi, '<\\/$1');
}

/** The complete report page. */
export function renderReportHtml({ bundle, files }: ReportHtmlInput): string {
  const names = files.map((f) => f.file).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>Ring report: ${esc(names)}</title>
<link rel="icon" href="${FAVICON}">
<style>${PAGE_STYLE}</style>
</head>
<body>
<header class="top">
  <div>
    <h1><span>dynoring</span> ring report</h1>
    <p class="files">${esc(names)}</p>
  </div>
  <div id="summary" class="summary"></div>
  <div id="status" class="status" role="status">Loading…</div>
</header>
<div class="layout">
  <aside class="side">
    <section class="panel">
      <h2>Configuration</h2>
      <p class="hint">Edit or paste seed strings (<code>host:port:rack:dc:tokens [name]</code>, one per line) or a <code>dynomite.yml</code>. The rings update as you type.</p>
      <div id="tabs" class="tabs" role="tablist" hidden></div>
      <div class="editor-box"><pre id="gutter" aria-hidden="true"></pre><textarea id="config" spellcheck="false" wrap="soft" aria-label="configuration text"></textarea><div id="editor-mirror" aria-hidden="true"></div></div>
      <div id="parse-error" class="parse-error" role="alert" hidden></div>
      <div class="editor-actions"><span>Engine: <span id="engine">loading</span></span><button id="reset" type="button">Reset to file</button></div>
    </section>
  </aside>
  <main>
    <p id="stale-note" class="stale-note" hidden>Showing the last configuration that parsed: fix the error in the editor to update.</p>
    <div id="view">
      <section id="plan" class="plan"></section>
      <section id="problems-panel" class="problems-panel"><ul id="problems" class="problems"></ul></section>
      <ul id="notes" class="notes"></ul>
      <div id="racks" class="racks"></div>
    </div>
  </main>
</div>
<footer>Computed in this page by the dynoring library embedded in it; the page loads nothing and sends nothing over the network.</footer>
<noscript><p style="padding:0 28px">This report draws the rings with JavaScript; enable it to see them.</p></noscript>
${jsonScript(IDS.files, files)}
<script type="module">
${pageScript(bundle)}</script>
</body>
</html>
`;
}

/**
 * The report page's entry: loads the inlined library bundle and starts the
 * page. Inlined into the page by its source text (see render-html.ts), so it
 * must stay self-contained.
 */
import type { ReportDeps } from './page-app.js';

/** The element ids render-html.ts gives the embedded JSON payloads. */
export interface BootPayloadIds {
  bundle: string;
  files: string;
}

/**
 * Imports the library from its embedded source through a Blob URL (a page
 * with no network can still import a module that way), waits for the
 * WebAssembly engine, then runs `start`. A failure is shown on the page.
 *
 * @param load `(url) => import(url)`, written in the page itself: a bundler
 *   or test runner may rewrite `import()` in this function's compiled text.
 */
export async function bootReport(
  ids: BootPayloadIds,
  parts: Omit<ReportDeps, 'lib' | 'files' | 'doc'>,
  start: (deps: ReportDeps) => void,
  load: (url: string) => Promise<unknown>,
): Promise<void> {
  const json = (id: string) => JSON.parse(document.getElementById(id)!.textContent!);
  try {
    const url = URL.createObjectURL(new Blob([json(ids.bundle) as string], { type: 'text/javascript' }));
    const lib = (await load(url)) as ReportDeps['lib'];
    URL.revokeObjectURL(url);
    await lib.ready();
    start({ ...parts, lib, files: json(ids.files), doc: document });
    document.documentElement.dataset.ready = 'true';
  } catch (err) {
    const status = document.getElementById('status')!;
    status.className = 'status bad';
    status.textContent = `The report could not start: ${(err as Error).message}`;
    document.documentElement.dataset.ready = 'failed';
  }
}

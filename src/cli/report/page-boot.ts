/**
 * The report page's entry: evaluates the inlined library and starts the
 * page. Inlined into the page by its source text (see render-html.ts), so it
 * must stay self-contained.
 */
import type { ReportDeps } from './page-app.js';

/** The element ids render-html.ts gives the embedded JSON payloads. */
export interface BootPayloadIds {
  files: string;
}

/**
 * Runs the library, draws the rings at once with the engine `auto` has (the
 * TypeScript one until WebAssembly has compiled: both give the same
 * results), all before the load event, and marks `<html data-ready="true">`;
 * the engine line is updated when WebAssembly is ready. A failure is shown
 * on the page and marked `data-ready="failed"`.
 *
 * @param library returns the library's exports (the bundle, evaluated in place).
 */
export function bootReport(
  ids: BootPayloadIds,
  parts: Omit<ReportDeps, 'lib' | 'files' | 'doc'>,
  start: (deps: ReportDeps) => void,
  library: () => unknown,
): void {
  const root = document.documentElement;
  try {
    const lib = library() as ReportDeps['lib'];
    start({ ...parts, lib, files: JSON.parse(document.getElementById(ids.files)!.textContent!), doc: document });
    root.dataset.ready = 'true';
    const showEngine = () => {
      const info = lib.engineInfo();
      document.getElementById('engine')!.textContent = info.active === 'wasm' ? 'WebAssembly' : `TypeScript (${info.wasmError})`;
    };
    showEngine();
    void lib.ready().then(() => {
      showEngine();
      root.dataset.engine = lib.engineInfo().active;
    });
  } catch (err) {
    const status = document.getElementById('status')!;
    status.className = 'status bad';
    status.textContent = `The report could not start: ${(err as Error).message}`;
    root.dataset.ready = 'failed';
  }
}

/**
 * Engine selection. In Node the WebAssembly module is compiled synchronously
 * when this module is imported; browsers refuse large synchronous compiles,
 * so there it compiles in the background and `ready()` awaits it. Until then
 * (or where WebAssembly is missing) `auto` uses the TypeScript engine.
 */
import { EngineError } from '../errors.js';
import { describe } from '../ring/token.js';
import { jsKernel } from './js-kernel.js';
import type { Kernel } from './kernel.js';
import { WASM_BASE64 } from './wasm-binary.generated.js';
import { wasmKernel, type WasmEngine, type WasmLimits } from './wasm-kernel.js';

/** Which engine runs the kernels: `auto` picks WebAssembly where it has loaded. */
export type Engine = 'auto' | 'wasm' | 'js';

let wasm: WasmEngine | undefined;
let failure: string | undefined;
let loading: Promise<void> | undefined;

function decodeBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function compileSync(): WebAssembly.Module {
  return new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
}

function loadSync(): void {
  try {
    wasm = wasmKernel(new WebAssembly.Instance(compileSync(), {}));
  } catch (err) {
    failure = (err as Error).message;
  }
}

async function loadAsync(): Promise<void> {
  try {
    const { instance } = await WebAssembly.instantiate(decodeBase64(WASM_BASE64) as BufferSource, {});
    wasm = wasmKernel(instance);
  } catch (err) {
    failure = (err as Error).message;
  }
}

if (typeof WebAssembly !== 'object') failure = 'this runtime has no WebAssembly';
else if (isNode()) loadSync();
else loading = loadAsync();

/**
 * Resolves once the WebAssembly engine is loaded (at once in Node). It never
 * rejects: where WebAssembly cannot load, `auto` keeps using TypeScript and
 * {@link engineInfo} says why.
 *
 * @example
 * await ready();
 * engineInfo().active; // 'wasm'
 */
export function ready(): Promise<void> {
  return loading ?? Promise.resolve();
}

/** Which engine `auto` uses now, and why WebAssembly is not used if it is not. */
export function engineInfo(): { active: 'wasm' | 'js'; wasmError?: string } {
  if (wasm) return { active: 'wasm' };
  return { active: 'js', wasmError: failure ?? 'WebAssembly is still loading: await ready()' };
}

/** Checks an `engine` option and throws a `RangeError` naming the bad value. */
export function checkEngine(engine: unknown): Engine {
  if (engine === 'auto' || engine === 'wasm' || engine === 'js') return engine;
  throw new RangeError(`engine must be 'auto', 'wasm' or 'js', got ${describe(engine)}`);
}

/** The kernel for an engine choice. */
export function kernelFor(engine: Engine): Kernel {
  if (engine === 'js') return jsKernel;
  if (wasm) return wasm;
  if (engine === 'auto') return jsKernel;
  throw new EngineError(
    failure === undefined
      ? "the WebAssembly engine is still loading: await ready() before using engine 'wasm'"
      : `the WebAssembly engine is unavailable (${failure}); use engine 'auto' or 'js'`,
  );
}

/** The WebAssembly engine itself, for tests that inspect its memory. */
export function wasmEngine(): WasmEngine | undefined {
  return wasm;
}

/**
 * A fresh WebAssembly engine with its own memory and the given limits, for
 * tests that reach the large slot and the split scan with small inputs.
 *
 * @internal
 */
export function createWasmEngine(limits: Partial<WasmLimits>): WasmEngine {
  return wasmKernel(new WebAssembly.Instance(compileSync(), {}), limits);
}

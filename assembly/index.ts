// The WebAssembly module's exports. The JavaScript glue (src/engine/wasm-kernel.ts)
// owns linear memory above heapBase() and passes addresses in.
export { dispatch, dispatchBatch } from './dispatch';
export { hashKeys, routeKeys } from './keys';
export { findOverlaps } from './coverage';
export * from './abi';

/** First free byte after static data; the glue allocates from here. */
export function heapBase(): usize {
  return __heap_base;
}

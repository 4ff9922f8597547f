/** xorshift32: the same sequence of u32 values on every run for the same seed. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
}

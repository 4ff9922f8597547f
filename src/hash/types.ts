/**
 * A Dynomite hash function: hashes `bytes[start, end)` and returns the u32
 * token the C server would compute for those bytes.
 */
export type HashFunction = (bytes: Uint8Array, start: number, end: number) => number;

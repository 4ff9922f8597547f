import { readFileSync } from 'node:fs';

/** The C server's own outputs (copied from the shared reference vectors). */
export interface ReferenceVectors {
  hashes: { key_hex: string; tokens: Record<string, number> }[];
  hash_tags: { key_hex: string; hash_tag: string; murmur: number; md5: number }[];
  dispatch: { continuum: [number, number][]; queries: number[]; expected: number[] }[];
}

export const vectors: ReferenceVectors = JSON.parse(readFileSync(new URL('../fixtures/dynomite-reference.json', import.meta.url), 'utf8'));

export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

import { ConfigError, type ConfigLocation } from '../errors.js';

/** The largest token: tokens are unsigned 32-bit integers. */
export const MAX_TOKEN = 0xffff_ffff;

/** The size of the token space, `2^32`: the length of the whole ring, of which every range is a part. */
export const TOKEN_SPACE = MAX_TOKEN + 1;

const DECIMAL = /^[0-9]+$/;

/**
 * Parses a token the way a `dynomite.yml` writes it: plain decimal digits,
 * 0 to 4294967295. A number must already be an integer in that range.
 *
 * Anything else (empty, sign, fraction, hex, exponent, whitespace, more than
 * 4294967295) throws {@link ConfigError} quoting the text. The C server
 * silently wraps over-long tokens; dynoring refuses them.
 *
 * @example
 * parseToken('1383429731'); // 1383429731
 * parseToken('-1');         // throws ConfigError: invalid token '-1' ...
 */
export function parseToken(text: string | number, where?: ConfigLocation): number {
  if (typeof text === 'number') {
    if (Number.isInteger(text) && text >= 0 && text <= MAX_TOKEN) return text;
    throw new ConfigError(`invalid token ${String(text)}: a token is an integer from 0 to ${MAX_TOKEN}`, where);
  }
  if (typeof text !== 'string') {
    throw new ConfigError(`invalid token ${describe(text)}: expected decimal digits as a string or a number`, where);
  }
  if (!DECIMAL.test(text)) {
    throw new ConfigError(`invalid token '${text}': a token is written in decimal digits only (0 to ${MAX_TOKEN})`, where);
  }
  // Leading zeros are harmless; compare the digits without them so huge inputs cannot lose precision.
  const digits = text.replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_TOKEN) {
    throw new ConfigError(`invalid token '${text}': larger than ${MAX_TOKEN} (the C server would silently wrap it)`, where);
  }
  return Number(digits);
}

/**
 * Parses a comma-separated token list (`'1,2,3'`), as `tokens:` and seed
 * strings write it. An empty list is an error: a peer written with a tokens
 * field must name at least one token.
 */
export function parseTokenList(text: string, where?: ConfigLocation): number[] {
  if (text.trim() === '') throw new ConfigError(`empty token list: give at least one token`, where);
  // Spaces around the commas are layout, not part of a token.
  return text.split(',').map((part) => parseToken(part.trim(), where));
}

/**
 * A short, safe rendering of an unexpected value for error messages, the one
 * the whole library uses: `'abc'`, `42`, `null`, `undefined`, `an array`,
 * `a Uint8Array` (an object by its class), `an object`, `a function`.
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  const name = typeof value === 'object' ? (value as object).constructor?.name : undefined;
  const what = name && name !== 'Object' ? name : typeof value;
  // 'a Uint8Array': a leading u sounds like 'you'.
  return `${/^[aeio]/i.test(what) ? 'an' : 'a'} ${what}`;
}

/**
 * JSON whose numbers keep their source text, read by `lossless-json`.
 * `JSON.parse` rounds a token like 9007199254740993 or `1.0000000000000001`
 * to a value that looks valid; topology sources must refuse what the text
 * says, not what a double made of it.
 */
import { parse } from 'lossless-json';

/** A JSON number, as written. */
export class JsonNumber {
  constructor(
    /** The literal exactly as it appears in the body. */
    readonly text: string,
  ) {}
}

/** A parsed JSON value whose numbers are {@link JsonNumber}s. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

/**
 * Parses strict JSON (RFC 8259); a key named `__proto__` is data.
 *
 * @throws {SyntaxError} naming the position where the text stops being JSON.
 */
export function parseJsonLossless(text: string): JsonValue {
  return parse(text, null, (literal) => new JsonNumber(literal)) as JsonValue;
}

/** A short rendering of a parsed JSON value for error messages. */
export function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v instanceof JsonNumber) return v.text;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

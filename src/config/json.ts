/**
 * A JSON reader that keeps every number as its source text. `JSON.parse`
 * rounds a token like 9007199254740993 or `1.0000000000000001` to a value that
 * looks valid; topology sources must refuse what the text says, not what a
 * double made of it.
 */

/** A JSON number, as written. */
export class JsonNumber {
  constructor(
    /** The literal exactly as it appears in the body. */
    readonly text: string,
  ) {}
}

/** A parsed JSON value whose numbers are {@link JsonNumber}s. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// Control characters are not allowed raw inside a JSON string (RFC 8259, section 7).
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

/**
 * Parses strict JSON (RFC 8259).
 *
 * @throws {SyntaxError} naming the offset where the text stops being JSON.
 */
export function parseJsonLossless(text: string): JsonValue {
  let at = 0;
  const fail = (what: string): never => {
    const found = at < text.length ? `'${text.slice(at, at + 12)}'` : 'the end';
    throw new SyntaxError(`not JSON at offset ${at}: expected ${what}, found ${found}`);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    at = re.lastIndex;
    return m[0];
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (!text.startsWith(word, at)) fail('a JSON value');
    at += word.length;
    return value;
  };
  const value = (): JsonValue => {
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      const out: { [key: string]: JsonValue } = {};
      skip();
      if (text[at] === '}') return (at++, out);
      for (;;) {
        skip();
        const key = match(STRING) ?? fail('a quoted key');
        skip();
        if (text[at] !== ':') fail("':'");
        at++;
        // defineProperty, so a key named __proto__ is data, not a prototype.
        Object.defineProperty(out, JSON.parse(key) as string, { value: value(), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === '}') return (at++, out);
        else fail("',' or '}'");
      }
    }
    if (c === '[') {
      at++;
      const out: JsonValue[] = [];
      skip();
      if (text[at] === ']') return (at++, out);
      for (;;) {
        out.push(value());
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === ']') return (at++, out);
        else fail("',' or ']'");
      }
    }
    if (c === '"') return JSON.parse(match(STRING) ?? fail('a valid string')) as string;
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    const n = match(NUMBER);
    return n === undefined ? fail('a JSON value') : new JsonNumber(n);
  };
  const result = value();
  skip();
  if (at !== text.length) fail('the end of the body');
  return result;
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

/**
 * Small renderings shared by the CLI's text output, the report page and its
 * ring drawing. Each function is self-contained, since the report inlines
 * them into the page by their source text (see report/render-html.ts).
 */

/** `1 rack`, `3 racks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Decimals of a share of the key space wherever the CLI prints one (`ring`,
 * `plan`, `diff`): shares are exact to one token in 2^32, and the same
 * quantity reads the same in every command: `33.3333%`.
 */
export const SHARE_DIGITS = 4;

/** A share from 0 to 1 as a percentage: `33.33%` (two decimals), `33.3333%` with `digits` 4. */
export function percent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/** A rack's `max/mean` balance ratio, six decimals (`1.000000` is perfect); `none` for a rack without tokens. */
export function ratio(value: number | undefined, none = '—'): string {
  return value === undefined ? none : value.toFixed(6);
}

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The helpers above, as the report page receives them. */
export const TEXT = { plural, percent, ratio, esc };

/** The type of {@link TEXT}. */
export type TextHelpers = typeof TEXT;

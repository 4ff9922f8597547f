/** Plain-text tables with aligned columns, for terminals and logs. */

/** A column: its heading and which side its cells align to. */
export interface Column {
  heading: string;
  align?: 'left' | 'right';
}

/**
 * Renders rows under headings, columns separated by two spaces, each line
 * prefixed by `indent`; trailing spaces are trimmed.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string {
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((c, i) => (c.align === 'right' ? (cells[i] ?? '').padStart(widths[i]!) : (cells[i] ?? '').padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.heading)), ...rows.map(line)].join('\n') + '\n';
}

/** Short renderings shared by the commands' text output. */
import type { LoadedConfig } from './load.js';

/** `1 rack`, `3 racks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A note for stderr when the files disagree, since ring and route then show the first file's view. */
export function disagreementNote({ merged }: LoadedConfig): string {
  const n = merged.disagreements.length;
  return n === 0
    ? ''
    : `note: the files disagree in ${plural(n, 'place')}; showing what the first file to declare each peer says. Run 'dynoring validate' for details.\n`;
}

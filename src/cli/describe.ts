/** What the commands say on stderr about how the files were read. */
import { describeConfigNote } from '../index.js';
import type { LoadedConfig } from './load.js';
import { plural } from './text.js';

/**
 * The notes and warnings about the files (a wildcard `dyn_listen` matched or
 * not, peers from a seed provider), then a line when the files disagree,
 * since ring, route and report then show the first file's view.
 */
export function configNotes({ notes, drift }: LoadedConfig): string {
  const lines = notes.map((n) => `${n.level}: ${describeConfigNote(n)}\n`);
  if (drift.length > 0) {
    lines.push(
      `note: the files disagree in ${plural(drift.length, 'place')}; showing what the first file to declare each peer says. Run 'dynoring validate' for details.\n`,
    );
  }
  return lines.join('');
}

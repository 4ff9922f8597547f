/** Where a command writes, so commands never touch `process` themselves. */
export interface Io {
  /** Writes to standard output (findings, tables, help asked for). */
  out(text: string): void;
  /** Writes to standard error (errors, usage after a mistake, notes). */
  err(text: string): void;
}

/** Exit statuses, as documented in `dynoring --help`. */
export const EXIT = {
  /** Done; for `validate`, no problems (warnings allowed). */
  ok: 0,
  /** `validate` found problems; `route` met a rack with no tokens. */
  problems: 1,
  /** Bad command line, or a file that cannot be read or parsed. */
  unusable: 2,
} as const;

/**
 * The process's own streams. A reader that stops early (`dynoring ring ... |
 * head`) closes the pipe; that is not an error.
 */
export function processIo(): Io {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? EXIT.ok);
  });
  return {
    out: (text) => void (text && process.stdout.write(text)),
    err: (text) => void (text && process.stderr.write(text)),
  };
}

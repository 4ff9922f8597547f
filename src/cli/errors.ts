/**
 * Errors the command line turns into a message and exit status 2, without a
 * stack trace: the user can fix the command or the file named.
 */

/** The command line itself is wrong: unknown command or option, missing argument. */
export class UsageError extends Error {
  override name = 'UsageError';

  /** @param command The command whose usage applies, when known. */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A file cannot be read (missing, a directory, no permission). */
export class InputError extends Error {
  override name = 'InputError';

  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

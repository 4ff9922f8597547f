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

/**
 * Why a file operation failed, in words a user can act on. `missing` and
 * `directory` say what ENOENT and EISDIR mean for this operation.
 */
export function fileFailure(err: NodeJS.ErrnoException, missing: string, directory: string): string {
  switch (err.code) {
    case 'ENOENT':
      return missing;
    case 'EISDIR':
      return directory;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return err.message;
  }
}

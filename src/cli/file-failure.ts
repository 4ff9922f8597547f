/** How the command line words a failed file operation. */
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

/** `dynoring serve-seeds`: a florida seeds server for Dynomite, over config files. */
import { UsageError } from '../../errors.js';
import { SEEDS_SERVER_DEFAULTS, startSeedsServer } from '../../plan/seeds-server.js';
import type { Command } from '../command.js';
import { EXIT } from '../io.js';

const help = `usage: dynoring serve-seeds [--port P] [--host H] [--poll MS] FILE...

Serves the florida seeds body of the files ('dynoring seeds') on
GET /REST/v1/admin/get_seeds, for Dynomite nodes started with
'dyn_seed_provider: florida_provider' and DYNOMITE_FLORIDA_IP /
DYNOMITE_FLORIDA_PORT pointing here. Prints one access-log line per request
on standard output. Re-reads the files when they change; a changed set that
fails validation is refused (said on standard error) and the last good one
stays served. Runs until interrupted.

Options:
  --port P    port to listen on (default ${SEEDS_SERVER_DEFAULTS.port}, florida's default)
  --host H    address to listen on (default ${SEEDS_SERVER_DEFAULTS.host}; the
              florida client connects to an IPv4 address)
  --poll MS   also compare the files every MS milliseconds (default ${SEEDS_SERVER_DEFAULTS.pollMs})
  -h, --help  show this help

Exit status: 0 stopped by SIGINT or SIGTERM, 2 bad arguments, or files that
cannot be served at start (unreadable, unparsable, failing validation).
`;

/** The `serve-seeds` command. */
export const serveSeedsCommand: Command = {
  name: 'serve-seeds',
  summary: 'serve the florida seeds body to Dynomite, following file changes',
  help,
  options: { port: { type: 'string' }, host: { type: 'string' }, poll: { type: 'string' } },
  async run(args, io) {
    const files = [...args.positionals, ...(args.afterTerminator ?? [])];
    if (files.length === 0) throw new UsageError('no config file given', 'serve-seeds');
    const number = (name: string) => {
      const value = args.values[name];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || !/^[0-9]+$/.test(value))
        throw new UsageError(`--${name} must be a whole number, got '${String(value)}'`, 'serve-seeds');
      return Number(value);
    };
    const server = await startSeedsServer({
      files,
      ...(args.values.host === undefined ? {} : { host: args.values.host as string }),
      ...(number('port') === undefined ? {} : { port: number('port')! }),
      ...(number('poll') === undefined ? {} : { pollMs: number('poll')! }),
      log: (line, kind) => (kind === 'access' ? io.out(`${line}\n`) : io.err(`${line}\n`)),
    });
    io.err(`serving ${server.body().split('|').length} seeds from ${files.join(', ')} on ${server.url}/REST/v1/admin/get_seeds\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT.ok;
  },
};

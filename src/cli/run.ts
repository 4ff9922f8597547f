/**
 * The `dynoring` command line as a function: picks a command from the table
 * below, runs it, and turns every expected failure into a message and exit
 * status 2 (never a stack trace). `bin.ts` wires it to the process.
 */
// The bundler inlines this one field, so the CLI reports the version it was built from.
import { version } from '../../package.json';
import { DynoringError, errorMessage, UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { reportCommand } from './commands/report.js';
import { ringCommand } from './commands/ring.js';
import { routeCommand } from './commands/route.js';
import { validateCommand } from './commands/validate.js';
import { EXIT, type Io } from './io.js';
import { planCommand } from './commands/plan.js';
import { diffCommand } from './commands/diff.js';
import { seedsCommand } from './commands/seeds.js';
import { serveSeedsCommand } from './commands/serve-seeds.js';

/** Every subcommand; a new one is a module in commands/ and a line here. */
const COMMANDS: readonly Command[] = [
  ringCommand,
  validateCommand,
  routeCommand,
  reportCommand,
  planCommand,
  diffCommand,
  seedsCommand,
  serveSeedsCommand,
];

// Two spaces after the longest command name, as in every other help table.
const nameWidth = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
const usage = `usage: dynoring <command> [options] FILE...

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(nameWidth)}${c.summary}`).join('\n')}

FILE is a node's dynomite.yml, or a file of seed strings
('host:port:rack:dc:tokens [name]', one per line). Several files are merged
as one pool: the same host:port is the same peer, and the first file's own
node is the local node.

Run 'dynoring <command> --help' for a command's options and output,
'dynoring --version' for the version.

Exit status: 0 success, 1 problems found (validate, route),
2 bad command line, or a file that cannot be read or parsed.
`;

/** Runs the command line `argv` (without node and script) and resolves to the exit status. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(name === undefined ? 'no command given' : `unknown command '${name}'`);
    const args = parseCommandArgs(command.name, rest, command.options);
    if (args.values.help) {
      io.out(command.help);
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (err) {
    return failure(err, io, command);
  }
}

/** Reports an error as the user can act on it; only a bug shows more than a message. */
function failure(err: unknown, io: Io, command: Command | undefined): number {
  if (err instanceof UsageError) {
    io.err(`dynoring: ${err.message}\n\n${command ? command.help : usage}`);
  } else if (err instanceof DynoringError) {
    io.err(`dynoring: ${err.message}\n`);
  } else {
    io.err(`dynoring: internal error: ${errorMessage(err)}\nThis is a bug in dynoring; please report it with the command and files.\n`);
  }
  return EXIT.unusable;
}

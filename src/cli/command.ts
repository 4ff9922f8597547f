import type { OptionSpec, ParsedArgs } from './args.js';
import type { Io } from './io.js';

/**
 * One subcommand. `main.ts` keeps them in a table, so adding one (such as a
 * later `report`) is a new module and one line there.
 */
export interface Command {
  name: string;
  /** One line for the command list in `dynoring --help`. */
  summary: string;
  /** The full text of `dynoring <name> --help`. */
  help: string;
  /** Its options (every command also takes `-h`/`--help`, which `main.ts` answers). */
  options: OptionSpec;
  /** Runs with the parsed arguments after the command name; resolves to the exit status. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/**
 * A thin layer over node:util parseArgs: strict options, and mistakes
 * reported as {@link UsageError} in a short form instead of Node's prose.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

/** Option definitions, as parseArgs takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: option values, positionals, and those after a `--`. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  /** Positionals before `--` (all of them when there is none). */
  positionals: string[];
  /** Positionals after `--`, or undefined when the command line has no `--`. */
  afterTerminator: string[] | undefined;
}

/**
 * Parses a command's arguments; every command accepts `-h`/`--help`.
 *
 * @throws {UsageError} for an unknown option or a missing option value.
 */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError(shortParseError(err as Error), command);
  }
  const terminator = parsed.tokens.find((t) => t.kind === 'option-terminator');
  const positionals: string[] = [];
  const after: string[] = [];
  for (const t of parsed.tokens) {
    if (t.kind === 'positional') (terminator && t.index > terminator.index ? after : positionals).push(t.value);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals, afterTerminator: terminator ? after : undefined };
}

/** Node's messages run on with advice for another CLI; keep the first sentence, lowercased. */
function shortParseError(err: Error): string {
  const first = err.message.split(/\.\s/)[0]!.replace(/\.$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** `dynoring seeds`: the florida body of a set of config files. */
import { UsageError } from '../../errors.js';
import { readSources } from '../../plan/read-sources.js';
import { seedsBody } from '../../plan/seeds-server.js';
import type { Command } from '../command.js';
import { EXIT } from '../io.js';

const help = `usage: dynoring seeds FILE...

Prints the body a florida seeds server answers to Dynomite's
florida_provider: host:peer_port:rack:dc:token|host:peer_port:rack:dc:token...
for every node of the files, merged (no whitespace, no final newline: the
server would read it into the last token). Refuses files that fail
'dynoring validate' or a node with several tokens (the format carries one).

Options:
  -h, --help  show this help

Exit status: 0 printed, 2 a file cannot be read or parsed, or fails validation.
`;

/** The `seeds` command. */
export const seedsCommand: Command = {
  name: 'seeds',
  summary: 'print the florida seeds body of config files',
  help,
  options: {},
  async run(args, io) {
    const files = [...args.positionals, ...(args.afterTerminator ?? [])];
    if (files.length === 0) throw new UsageError('no config file given', 'seeds');
    io.out(seedsBody(await readSources(files)));
    return EXIT.ok;
  },
};

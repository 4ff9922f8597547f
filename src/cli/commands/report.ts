/** `dynoring report`: a self-contained HTML page drawing each rack as a ring. */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { checkTokenCoverage } from '../../index.js';
import { prepareBrowserBundle, renderReportHtml } from '../report/render-html.js';
import type { Command } from '../command.js';
import { configNotes } from '../describe.js';
import { plural } from '../text.js';
import { InputError, UsageError } from '../../errors.js';
import { fileFailure } from '../file-failure.js';
import { EXIT } from '../io.js';
import { loadConfigs } from '../load.js';

const help = `usage: dynoring report -o OUT.html FILE...
       dynoring report -o OUT.html OLD... -- NEW...

Writes one self-contained HTML page (no network, no external files) that
draws each datacenter's racks as rings: every peer's arcs of the token space
in its own colour, the share each peer owns, overlapping tokens marked on the
ring and racks without tokens called out, with a table beside each ring.
The page embeds the dynoring library and the files' text: edit the text or
paste other seed strings or a dynomite.yml in it to see the rings update.

With OLD... -- NEW... (such as the files before and after 'dynoring plan'),
the page draws NEW and adds a plan view: each rack's ring before and after
with the ranges that change owner marked, the fraction that moves, and
every node's share before and after with max/mean.

Options:
  -o, --output FILE  where to write the page ('-' for standard output)
  -h, --help         show this help

Exit status: 0 written (even when the rings have problems; 'dynoring
validate' is the check), 2 bad arguments, or a file that cannot be read,
parsed or written.
`;

/** The browser bundle sits next to the CLI bundle in dist/. */
const BUNDLE = new URL('./browser.js', import.meta.url);

/** The `report` command. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'write an HTML page drawing each rack as a ring',
  help,
  options: { output: { type: 'string', short: 'o' } },
  async run(args, io) {
    const output = args.values.output as string | undefined;
    if (output === undefined || output === '')
      throw new UsageError('no output file: name it with -o FILE (or -o - for standard output)', 'report');
    const files = [...args.positionals, ...(args.afterTerminator ?? [])];
    const old = args.afterTerminator ? args.positionals.length : 0;
    // Parse first, so a broken file is reported here and not just inside the page.
    if (old > 0) io.err(configNotes(await loadConfigs('report', args.positionals)));
    const loaded = await loadConfigs('report', files.slice(old));
    io.err(configNotes(loaded));
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    const side = (i: number) => (old === 0 ? {} : { side: i < old ? ('before' as const) : ('after' as const) });
    const html = renderReportHtml({
      bundle: await browserBundle(),
      files: files.map((file, i) => ({ file, text: texts[i]!, ...side(i) })),
    });

    if (output === '-') {
      io.out(html);
      return EXIT.ok;
    }
    try {
      await writeFile(output, html);
    } catch (err) {
      throw new InputError(
        `${output}: cannot write the report: ${fileFailure(err as NodeJS.ErrnoException, 'its directory does not exist', 'it is a directory; name a file such as ring.html')}`,
        output,
      );
    }
    const { peers } = loaded.config;
    const problems = checkTokenCoverage(peers).length + loaded.drift.length;
    const racks = loaded.topology.racks().length;
    io.out(
      `wrote ${output}: ${plural(peers.length, 'peer')} in ${plural(racks, 'rack')}, ${problems ? plural(problems, 'problem') : 'no problems'}\n`,
    );
    return EXIT.ok;
  },
};

async function browserBundle(): Promise<string> {
  let source;
  try {
    source = await readFile(BUNDLE, 'utf8');
  } catch {
    const path = fileURLToPath(BUNDLE);
    throw new InputError(`${path}: the browser bundle the report embeds is missing; it is built with the CLI ('npm run build')`, path);
  }
  return prepareBrowserBundle(source);
}

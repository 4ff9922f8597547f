// README code blocks marked `<!-- example: FILE -->` show FILE as a user
// writes it. `node scripts/readme-examples.mjs` rewrites them from the files;
// test/docs/readme.test.ts checks that they are in sync.
import { readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
export const MARKED_BLOCK = /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g;

/** An example's source as users write it: package imports, no header comment. */
export function asUsersWriteIt(source) {
  return source
    .replace(/^\/\*\*[\s\S]*?\*\/\n/, '')
    .replace(/from '\.\.\/src\/(hints\/)?index\.js'/g, "from 'dynoring'")
    .replace(/from '\.\.\/src\/durable\.js'/g, "from 'dynoring/durable'");
}

/** The README with every marked block rewritten from its file. */
export function syncedReadme(readme) {
  return readme.replace(MARKED_BLOCK, (_, file) => {
    const source = readFileSync(new URL(file, ROOT), 'utf8');
    return `<!-- example: ${file} -->\n\`\`\`ts\n${asUsersWriteIt(source)}\`\`\``;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('README.md', ROOT);
  writeFileSync(path, syncedReadme(readFileSync(path, 'utf8')));
}

// Code blocks marked `<!-- example: FILE -->` in the README and in docs/
// show FILE as a user writes it. `node scripts/readme-examples.mjs` rewrites
// them from the files; test/docs/readme.test.ts checks that they are in sync.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
export const MARKED_BLOCK = /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g;

/** The pages that may hold marked blocks: the README and every page of docs/. */
export function pages() {
  const docs = readdirSync(new URL('docs/', ROOT)).filter((name) => name.endsWith('.md'));
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

/** An example's source as users write it: package imports, no header comment. */
export function asUsersWriteIt(source) {
  return source
    .replace(/^\/\*\*[\s\S]*?\*\/\n/, '')
    .replace(/from '\.\.\/src\/(hints\/)?index\.js'/g, "from 'dynoring'")
    .replace(/from '\.\.\/src\/(durable|client)\.js'/g, "from 'dynoring/$1'");
}

/** A page's text with every marked block rewritten from its file. */
export function synced(text) {
  return text.replace(MARKED_BLOCK, (_, file) => {
    const source = readFileSync(new URL(file, ROOT), 'utf8');
    return `<!-- example: ${file} -->\n\`\`\`ts\n${asUsersWriteIt(source)}\`\`\``;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const page of pages()) {
    const path = new URL(page, ROOT);
    writeFileSync(path, synced(readFileSync(path, 'utf8')));
  }
}

/**
 * The documentation stands on its own: every relative link in the README,
 * CHANGELOG, docs/, bench/ and examples/ pages points at a file of the
 * repository, and nothing in the tree cites or reads the design notes that
 * lived outside it (`DESIGN.md`, `../shared`); docs/design.md replaces them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', 'test-results', '.git', 'build', 'coverage']);

/** Every file under `dir` (relative to the root), skipping build output and dependencies. */
function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = dir ? `${dir}/${name}` : name;
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : [path];
  });
}

const tree = files('');
const pages = tree.filter((f) => f.endsWith('.md'));

describe('documentation links', () => {
  it('resolve to files of the repository', () => {
    const broken: string[] = [];
    for (const page of pages) {
      // Code blocks hold commands and output, not links.
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
        const path = join(ROOT, dirname(page), decodeURIComponent(target!.split('#')[0]!));
        if (!existsSync(path)) broken.push(`${page}: ${target} (${relative(ROOT, path)})`);
      }
    }
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/design.md', 'docs/errors.md', 'CHANGELOG.md']));
    expect(broken).toEqual([]);
  });

  it('nothing cites DESIGN.md or reads ../shared', () => {
    const self = relative(ROOT, fileURLToPath(import.meta.url));
    const text = tree.filter((f) => f !== self && /\.(ts|mjs|js|json|md|yml|sh)$|^\.ci\//.test(f));
    const citing = text.filter((f) => /\bDESIGN\.md|\.\.\/shared\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(citing).toEqual([]);
  });
});

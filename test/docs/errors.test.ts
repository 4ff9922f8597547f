/**
 * docs/errors.md lists exactly the error classes of src/errors.ts and the
 * kinds each can carry, read from the source by the TypeScript compiler (so
 * a class or kind added without a row fails here).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = `${ROOT}src/errors.ts`;

/** `Class kind` for every error class in the source and every kind its `kind` field can hold. */
function sourcePairs(): { pairs: string[]; allKinds: string[] } {
  const program = ts.createProgram([SOURCE], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    types: [],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(SOURCE)!;
  const literals = (type: ts.Type): string[] =>
    (type.isUnion() ? type.types : [type]).filter((t) => t.isStringLiteral()).map((t) => (t as ts.StringLiteralType).value);
  const pairs: string[] = [];
  let allKinds: string[] = [];
  ts.forEachChild(file, (node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === 'DynoringErrorKind') {
      allKinds = literals(checker.getTypeAtLocation(node.name));
    }
    if (!ts.isClassDeclaration(node) || !node.name) return;
    const type = checker.getTypeAtLocation(node.name);
    const kind = checker.getPropertyOfType(type, 'kind');
    if (kind === undefined || !checker.getBaseTypes(type as ts.InterfaceType).length) return;
    if (node.name.text === 'DynoringError') return;
    for (const value of literals(checker.getTypeOfSymbolAtLocation(kind, node))) pairs.push(`${node.name.text} ${value}`);
  });
  return { pairs: pairs.sort(), allKinds: allKinds.sort() };
}

/** `Class kind` for every row of the table in docs/errors.md. */
function documentedPairs(): string[] {
  const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
  return [...doc.matchAll(/^\| `(\w+)`(?: \(internal\))? \| `(\w+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
}

const { pairs, allKinds } = sourcePairs();

describe('docs/errors.md', () => {
  it('has one row per error class and kind of src/errors.ts, and no other', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(16);
    expect(documentedPairs()).toEqual(pairs);
  });

  it('covers every member of DynoringErrorKind', () => {
    const documented = new Set(documentedPairs().map((pair) => pair.split(' ')[1]));
    expect(allKinds.filter((kind) => !documented.has(kind))).toEqual([]);
  });
});

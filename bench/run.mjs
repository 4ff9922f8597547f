/**
 * Runs every benchmark module in bench/cases/ (sorted by file name) in this
 * one process against the built library, prints the figures and every target,
 * and writes them to bench/results/latest.json, which git ignores, so a run
 * leaves the tree clean. `--record` also writes the tracked bench/results.json
 * (the figures the docs cite), for a full run only. A module that throws is
 * reported as failed and the others still run; a missed target is printed as MISSED.
 *
 *   node bench/run.mjs [--quick] [--record] [name...]   names filter the case modules
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const casesDir = new URL('./cases/', import.meta.url);
const latestFile = new URL('./results/latest.json', import.meta.url);
const recordFile = new URL('./results.json', import.meta.url);
const record = args.includes('--record');

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

const formatNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(2)} ns`);

function table(rows, columns) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Cases of one module, each with its time relative to the fastest impl of the same name and size. */
function printCases(cases) {
  const best = new Map();
  for (const c of cases) best.set(`${c.name}\0${c.size}`, Math.min(best.get(`${c.name}\0${c.size}`) ?? Infinity, c.nsPerOp));
  const rows = cases.map((c) => [
    c.name,
    c.size,
    c.impl,
    formatNs(c.nsPerOp),
    `${(c.nsPerOp / best.get(`${c.name}\0${c.size}`)).toFixed(2)}x`,
  ]);
  console.log(table(rows, ['case', 'size', 'impl', 'per op', 'vs best']));
}

function printTargets(targets) {
  const rows = targets.map((t) => [
    t.name,
    Number.isFinite(t.ratio) ? t.ratio.toFixed(2) : String(t.ratio),
    t.goal,
    t.met ? 'met' : 'MISSED',
  ]);
  console.log(table(rows, ['target', 'ratio', 'goal', '']));
}

function checkShape(file, result) {
  if (!Array.isArray(result?.cases) || !Array.isArray(result?.targets)) {
    throw new Error(`${file} must return { cases: [...], targets: [...] }`);
  }
}

const lib = await import('../dist/index.js');
const files = (await readdir(casesDir))
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)));
const results = { machine: machine(), cases: [], targets: [], failed: [], notes: [] };
console.log(
  `dynoring benchmarks${quick ? ' (quick)' : ''} on ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}\n`,
);

for (const file of files) {
  const started = performance.now();
  console.log(`== ${file}`);
  try {
    const { default: run } = await import(new URL(file, casesDir));
    const result = await run({ quick, lib });
    checkShape(file, result);
    results.cases.push(...result.cases);
    results.targets.push(...result.targets);
    for (const note of result.notes ?? []) results.notes.push(`${file}: ${note}`);
    printCases(result.cases);
    if (result.targets.length > 0) printTargets(result.targets);
    for (const note of result.notes ?? []) console.log(`note: ${note}`);
  } catch (err) {
    results.failed.push({ module: file, error: String(err?.stack ?? err) });
    console.log(`FAILED: ${err?.stack ?? err}`);
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

const missed = results.targets.filter((t) => !t.met);
console.log(`== summary: ${results.targets.length - missed.length} of ${results.targets.length} targets met`);
if (missed.length > 0) printTargets(missed);
for (const f of results.failed) console.log(`FAILED module: ${f.module}`);
const json = `${JSON.stringify(results, null, 2)}\n`;
await mkdir(new URL('./', latestFile), { recursive: true });
await writeFile(latestFile, json);
console.log(`wrote ${latestFile.pathname}`);
if (record && only.length === 0 && !quick) {
  await writeFile(recordFile, json);
  console.log(`wrote ${recordFile.pathname}`);
} else if (record) {
  console.log('--record needs a full run (no names, no --quick): bench/results.json left as it was');
}
if (results.failed.length > 0) process.exitCode = 1;

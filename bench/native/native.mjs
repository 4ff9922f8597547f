/**
 * Builds bench/native/ring.c with the system C compiler at bench time and runs
 * it on inputs the benchmark hands over through a temporary file, so native
 * code and the library see the same bytes. Without a compiler every call says
 * why it was skipped instead of failing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const binary = join(here, 'bin', 'ring');
let built; // { ok: true, compiler } | { ok: false, reason }

function compilerFlags(cc) {
  // -march=native is what "the limit of this machine" means; fall back when the compiler refuses it.
  for (const flags of [['-O3', '-march=native'], ['-O3']]) {
    try {
      execFileSync(cc, [...flags, '-o', binary, join(here, 'ring.c')], { stdio: 'pipe' });
      return flags;
    } catch {
      // try the next flag set
    }
  }
  return undefined;
}

/** Compiles the reference once per process; `{ ok: false, reason }` when no C compiler works. */
export function buildNative() {
  if (built) return built;
  mkdirSync(join(here, 'bin'), { recursive: true });
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    const flags = compilerFlags(cc);
    if (flags) return (built = { ok: true, compiler: `${cc} ${flags.join(' ')}` });
  }
  return (built = { ok: false, reason: 'no working C compiler (cc, gcc or clang) found: native reference skipped' });
}

/** Runs `ring <mode>` on the given u32 words and bytes; returns `{ nsPerOp, checksum }`. */
export function runNative(mode, parts) {
  const dir = mkdtempSync(join(tmpdir(), 'dynoring-native-'));
  try {
    const file = join(dir, 'input.bin');
    writeFileSync(file, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    return JSON.parse(execFileSync(binary, [mode, file], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The checksum ring.c prints: FNV-1a over u32 outputs. */
export function checksum(out) {
  let c = 2166136261;
  for (let i = 0; i < out.length; i++) c = Math.imul(c ^ out[i], 16777619);
  return c >>> 0;
}

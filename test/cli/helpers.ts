/** Running the command line in-process through `run(argv, io)`, as the bin does. */
import { run } from '../../src/cli/run.js';

/** What one run printed and its exit status. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dynoring ...args` in this process, collecting what it writes. */
export async function dynoring(...args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { out: (text) => void (stdout += text), err: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

const STACK = /^\s+at .+[:(]\d+/m;

/** Bad input never shows a stack trace, on either stream. */
export function hasStack(r: Result): boolean {
  return STACK.test(r.stdout) || STACK.test(r.stderr);
}

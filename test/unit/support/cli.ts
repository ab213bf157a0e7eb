import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

export interface CliOptions {
  /** Kill the CLI after this long and resolve with `timedOut`: a hang fails one test, not the suite. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs the built CLI (dist/cli.js) from the repo root; `whileRunning` gets the child, e.g. to signal it. */
export function cli(
  args: string[],
  whileRunning?: (child: ReturnType<typeof spawn>) => void,
  options: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '',
      stderr = '',
      timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    whileRunning?.(child);
  });
}

/** A stack frame as Node prints it: "    at fn (file:line:col)". */
export const STACK_FRAME = /^\s+at\s.*(:\d+:\d+\)?|<anonymous>\)?)$/m;

/** The JSON summary line `train --json` / `resume --json` print last. */
export function lastJson<T = { runDir: string; status: string; iteration: number }>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as T;
  } catch {
    assert.fail(`no JSON summary (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

// Helpers of the fault-table tests (faults-*.test.ts): the one-line error
// check, and watching the trainer process a CLI forked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, CliResult, REPO, STACK_FRAME } from './cli';
import { tempDir } from '../../support/tempDir';

export { lastJson } from './cli';

export const fixture = path.join(REPO, 'test', 'fixtures', 'unit', 'fault-models.ts');
export const tmp = tempDir('faults');
export const env = { ...process.env, RESNET_LAB_LOG_DIR: path.join(tmp, 'logs') };
export const run = (args: string[], timeoutMs = 30_000) => cli(args, undefined, { timeoutMs, env });

/** Failed without hanging, with exactly one "error: ..." line and no stack trace. */
export function assertOneLineError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.timedOut, false, `the CLI hung; stderr so far:\n${r.stderr}`);
  assert.notEqual(r.code, 0, 'exit code');
  assert.doesNotMatch(r.stderr, STACK_FRAME, 'no stack trace on stderr');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
  assert.equal(errors.length, 1, `one error line:\n${r.stderr}`);
  assert.match(errors[0], pattern);
}

/** The trainer the CLI forked (its only child), once there is one. */
export async function childOf(pid: number, timeoutMs = 10_000): Promise<number> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
    const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
    if (out) return Number(out.split('\n')[0]);
  }
  assert.fail(`process ${pid} started no trainer in ${timeoutMs} ms`);
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function assertGone(pid: number, withinMs: number, what: string): Promise<void> {
  for (const end = Date.now() + withinMs; Date.now() < end; await sleep(100)) if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone meanwhile */
  }
  assert.fail(`${what}: trainer ${pid} still running after ${withinMs} ms (orphaned)`);
}

/** Waits until `check` holds (polling), or fails with `what`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (check()) return;
  assert.fail(`timed out waiting for ${what}`);
}

// The trainer's watch on its parent. A parent that goes away (CLI killed,
// VS Code window closed) closes the IPC channel; the main thread notices
// ('disconnect'), stops at the next iteration with a checkpoint and marks the
// run interrupted. But a main thread stuck in user code (`while (true) {}` in
// a model function) never sees that event, so a worker thread, which keeps
// running whatever the main thread does, checks for the parent too and kills
// the process when the main thread cannot.
import { Worker } from 'node:worker_threads';

/** Grace for a main thread that is free to stop by itself (writing a checkpoint of a big net takes a while). */
const GRACE_MS = 60_000;
const POLL_MS = 500;

// Runs in the worker: `process.ppid` there is the live value, so a parent that
// died shows up as the trainer being re-parented (to init or a subreaper).
const WATCHER = `
const { workerData } = require('node:worker_threads');
const flags = new Int32Array(workerData.flags);
let goneAt = 0;
setInterval(() => {
  const gone = process.ppid !== workerData.parent;
  if (!gone) return;
  goneAt ||= Date.now();
  if (Atomics.load(flags, 0) === 1 || Date.now() - goneAt > ${GRACE_MS}) process.kill(process.pid, 'SIGKILL');
}, ${POLL_MS});
`;

let flags: Int32Array | undefined;
let parentLost = false;

/** Starts the watch; `onLost` runs on the main thread when the channel closes. */
export function startLifeline(onLost: () => void): void {
  process.on('disconnect', () => {
    parentLost = true;
    onLost();
  });
  // EPIPE on stdout/stderr once the parent's pipes are gone must not crash the trainer mid-checkpoint.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  if (!process.send) return; // not forked: nobody to watch
  flags = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WATCHER, { eval: true, workerData: { flags: flags.buffer, parent: process.ppid } });
  worker.unref();
}

/** True once the parent went away: a run stopped for that reason is "interrupted", not "stopped". */
export const lostParent = () => parentLost;

/** Marks the main thread as inside user code that may never return: a lost parent then kills at once. */
export async function inUserCode<T>(fn: () => T | Promise<T>): Promise<T> {
  if (flags) Atomics.store(flags, 0, 1);
  try {
    return await fn();
  } finally {
    if (flags) Atomics.store(flags, 0, 0);
  }
}

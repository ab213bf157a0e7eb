// Runs an exported project's train.py as N processes on 127.0.0.1, as a
// cluster would: JAX processes meeting through jax.distributed (process 0's
// coordinator port), or TensorFlow workers through TF_CONFIG. Used by the CLI
// (`train --engine keras`) and the extension ("Train ResNet" on Keras). A stop
// is one SIGTERM to every process (train.py finishes its step and writes a
// checkpoint), then, past a bounded wait, a kill. The process that failed
// first is the one named.
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { KerasBackend } from './tfPython';

/** Free TCP ports on 127.0.0.1 (asked of the OS, then released for the workers to bind). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface WorkerPlan {
  python: string;
  script: string;
  args: string[];
  backend: KerasBackend;
  workers: number;
  /** Where each worker's stderr goes (worker-<i>.log). */
  logDir: string;
  /** Seconds the workers get to find each other before train.py gives up (JAX). */
  initTimeoutS?: number;
  /** Seconds between the forwarded signal and the kill. */
  graceS?: number;
}

export interface WorkersResult {
  /** The first worker that failed on its own (not one stopped because another failed or we were told to stop). */
  failed?: { index: number; code: number | null; signal: NodeJS.Signals | null; lastLines: string[] };
  /** Set when we forwarded a stop signal. */
  stoppedBy?: NodeJS.Signals;
  /** A worker could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  /** The ports the workers were given (JAX: the first is the coordinator's). */
  ports: number[];
}

/**
 * Whether a worker died because a port chosen for the workers was taken between choosing and binding: its
 * output says so, or (JAX's coordinator may crash without a word) another program holds the port now.
 */
export async function portTaken(result: WorkersResult): Promise<boolean> {
  if (
    result.failed?.lastLines.some((l) =>
      /Failed to add port|Failed to start RPC server|[Aa]ddress already in use/.test(l),
    )
  )
    return true;
  const inUse = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
  for (const port of result.ports) if (await inUse(port)) return true;
  return false;
}

const NOISE = /oneDNN|absl::InitializeLog|TF_ENABLE_ONEDNN_OPTS|cuda_|computation_placer|^\s*$/;

export function lastLines(file: string, n = 40): string[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !NOISE.test(l))
      .slice(-n);
  } catch {
    return [];
  }
}

/** Environment and extra arguments of worker i. */
function workerSetup(plan: WorkerPlan, i: number, ports: number[]): { env: NodeJS.ProcessEnv; args: string[] } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KERAS_BACKEND: plan.backend,
    TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2',
    RESNET_LAB_INIT_TIMEOUT: String(plan.initTimeoutS ?? 120),
  };
  if (plan.workers === 1) return { env, args: [] };
  if (plan.backend === 'jax')
    return {
      env,
      args: [
        '--coordinator',
        `127.0.0.1:${ports[0]}`,
        '--num-processes',
        String(plan.workers),
        '--process-id',
        String(i),
      ],
    };
  const cluster = { worker: ports.map((p) => `127.0.0.1:${p}`) };
  return { env: { ...env, TF_CONFIG: JSON.stringify({ cluster, task: { type: 'worker', index: i } }) }, args: [] };
}

export interface Workers {
  /** Asks every worker to stop after its step, with a checkpoint (once; again: at once); killed after `graceS`. */
  stop(reason: NodeJS.Signals): void;
  done: Promise<WorkersResult>;
}

/** Starts the workers; `onChiefLine` gets each line worker 0 prints on stdout. */
export async function startWorkers(
  plan: WorkerPlan,
  onChiefLine: (line: string) => void,
  pinnedPort?: number,
): Promise<Workers> {
  const ports = await freePorts(plan.workers);
  if (pinnedPort) ports[0] = pinnedPort;
  const children: ChildProcess[] = [];
  const result: WorkersResult = { ports };
  let killTimer: NodeJS.Timeout | undefined;
  const stopAll = (signal: NodeJS.Signals, graceS: number) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    killTimer ??= setTimeout(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }, 1000 * graceS);
  };
  const stop = (reason: NodeJS.Signals) => {
    result.stoppedBy ??= reason;
    stopAll('SIGTERM', plan.graceS ?? 60); // a second one stops train.py at once
  };
  const done = Promise.all(
    Array.from(
      { length: plan.workers },
      (_, i) =>
        new Promise<void>((resolve) => {
          const setup = workerSetup(plan, i, ports);
          const logFile = path.join(plan.logDir, `worker-${i}.log`);
          // Its own process group: a terminal's Ctrl-C reaches the workers once, through us.
          const child = spawn(plan.python, [plan.script, ...plan.args, ...setup.args], {
            env: setup.env,
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          children.push(child);
          const log = fs.createWriteStream(logFile);
          child.stderr.pipe(log);
          let pending = '';
          child.stdout.on('data', (d: Buffer) => {
            if (i !== 0) return; // the chief reports; the others' progress is the same
            pending += d.toString();
            const lines = pending.split('\n');
            pending = lines.pop()!;
            lines.forEach(onChiefLine);
          });
          child.on('error', (e) => {
            result.spawnError ??= `cannot run ${plan.python}: ${e.message}`;
            stopAll('SIGTERM', 10);
            log.end(() => resolve());
          });
          child.on('close', (code, signal) => {
            const clean = code === 0 || (result.stoppedBy && (code === 130 || code === 143 || signal !== null));
            if (!clean && !result.failed && !result.stoppedBy) {
              // The first to fail on its own; the others may wait for it in a collective: stop them.
              result.failed = { index: i, code, signal, lastLines: [] };
              stopAll('SIGTERM', 10);
            }
            log.end(() => resolve()); // its last lines on disk before anyone reads them
          });
        }),
    ),
  ).then(() => {
    if (killTimer) clearTimeout(killTimer);
    if (result.failed) result.failed.lastLines = lastLines(path.join(plan.logDir, `worker-${result.failed.index}.log`));
    return result;
  });
  return { stop, done };
}

/**
 * Runs the workers to their end from a terminal: SIGINT and SIGTERM to this
 * process are forwarded once to every worker (a terminal's Ctrl-C reaches them
 * only through here: they have their own process group).
 */
export async function runWorkers(
  plan: WorkerPlan,
  onChiefLine: (line: string) => void,
  pinnedPort?: number,
): Promise<WorkersResult> {
  const workers = await startWorkers(plan, onChiefLine, pinnedPort);
  let told = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!told) console.error(`${signal}: the workers finish their step and write a checkpoint…`);
    told = true;
    workers.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await workers.done;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

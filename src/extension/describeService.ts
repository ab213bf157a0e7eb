// The host's side of the warm describe process (src/trainer/describeServer.ts):
// starts it on the first request and keeps it, sends one request at a time,
// and times each one. A request past its limit (a model function with
// `while (true) {}` blocks the process for good) kills the process, answers
// with a clear time-out at the experiment's line, and starts a fresh process
// for the next request; a process that dies is started again the same way.
// No `vscode` import: the unit tests drive it directly.
import { ChildProcess, fork } from 'node:child_process';
import { findExperiments } from '../core/experiments/findExperiments';
import type { ModelGraph, ModelSummary } from '../protocol/graph';
import { DescribeReply, parseDescribeReply } from '../protocol/describe';
import type { DataName, SourceDiagnostic } from '../protocol/trainer';

export interface DescribeJob {
  file: string;
  experiment: string;
  /** The editor's text; the file on disk when absent. */
  source?: string;
  data?: DataName;
  /**
   * Requests with the same key replace each other while queued: only the
   * newest text of an experiment is worth building.
   */
  key?: string;
}

export type DescribeOutcome =
  | { status: 'described'; graph: ModelGraph; summary: ModelSummary; ms: number }
  | {
      status: 'failed';
      kind: 'compile' | 'build' | 'crash' | 'timeout';
      message: string;
      diagnostics: SourceDiagnostic[];
    }
  /** A newer request of the same key took this one's place before it was sent. */
  | { status: 'superseded' };

export interface DescribeServiceOptions {
  /** Milliseconds one request may take once the process is ready. */
  timeoutMs: () => number;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds without requests after which the process exits (default 5 min); the next request starts one. */
  idleMs?: number;
}

/** Starting tfjs and the compiler takes a second or two; on a loaded machine much more. */
const START_LIMIT_MS = 60_000;
/**
 * tfjs, the compiler's WebAssembly heap and a built ResNet-110 hold ~330 MB:
 * worth keeping while someone edits, not for a window left open all day.
 */
const IDLE_MS = 5 * 60_000;
/** A process that dies this many times in a row before it is ready is not started again until asked anew. */
const MAX_FAILED_STARTS = 3;

interface Pending {
  id: number;
  job: DescribeJob;
  resolve: (o: DescribeOutcome) => void;
  done: Promise<DescribeOutcome>;
}

/** Two requests for the same text build the same model: the CodeLens facts and the preview often ask together. */
const sameBuild = (a: DescribeJob, b: DescribeJob) =>
  a.file === b.file && a.experiment === b.experiment && a.data === b.data && a.source === b.source;

export class DescribeService {
  private child: ChildProcess | undefined;
  private ready = false;
  private queue: Pending[] = [];
  private inFlight: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private failedStarts = 0;
  private disposed = false;
  /** Processes started so far (1 + replacements), for the tests and the log. */
  starts = 0;

  constructor(
    private readonly script: string,
    private readonly options: DescribeServiceOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  describe(job: DescribeJob): Promise<DescribeOutcome> {
    if (this.disposed)
      return Promise.resolve({
        status: 'failed',
        kind: 'crash',
        message: 'the describe service was closed',
        diagnostics: [],
      });
    // Waiting for the same build instead of a second one also means one time-out, not two, for a model that hangs.
    const same = [...(this.inFlight ? [this.inFlight] : []), ...this.queue].find((p) => sameBuild(p.job, job));
    if (same) return same.done;
    if (job.key !== undefined) {
      for (const p of this.queue.filter((q) => q.job.key === job.key)) p.resolve({ status: 'superseded' });
      this.queue = this.queue.filter((q) => q.job.key !== job.key);
    }
    let resolve!: (o: DescribeOutcome) => void;
    const done = new Promise<DescribeOutcome>((r) => {
      resolve = r;
    });
    this.queue.push({ id: this.nextId++, job, resolve, done });
    this.pump();
    return done;
  }

  private pump(): void {
    clearTimeout(this.idleTimer);
    if (!this.inFlight && this.queue.length === 0 && this.child) {
      this.idleTimer = setTimeout(() => this.stopIdle(), this.options.idleMs ?? IDLE_MS);
      this.idleTimer.unref?.();
    }
    if (this.inFlight || this.queue.length === 0 || this.disposed) return;
    if (!this.child) return this.start();
    if (!this.ready) return;
    const p = this.queue.shift()!;
    this.inFlight = p;
    const { file, experiment, source, data } = p.job;
    this.child.send({ type: 'describe', id: p.id, file, experiment, source, data });
    const limit = this.options.timeoutMs();
    this.timer = setTimeout(() => this.timedOut(p, limit), limit);
  }

  private start(): void {
    this.starts++;
    this.ready = false;
    const child = fork(this.script, [], {
      // In desktop VS Code, process.execPath is Electron: this makes it plain Node.
      env: { ...(this.options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.options.log?.(`describe: ${line}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('message', (raw) => this.onMessage(child, raw));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.startTimer = setTimeout(() => {
      this.options.log?.(`describe: the process was not ready after ${START_LIMIT_MS / 1000} s; stopping it`);
      child.kill('SIGKILL');
    }, START_LIMIT_MS);
  }

  private onMessage(child: ChildProcess, raw: unknown): void {
    if (child !== this.child) return;
    let reply: DescribeReply;
    try {
      reply = parseDescribeReply(raw);
    } catch (e) {
      this.options.log?.(`describe: ignored an invalid reply: ${(e as Error).message.split('\n')[0]}`);
      return;
    }
    if (reply.type === 'ready') {
      clearTimeout(this.startTimer);
      this.ready = true;
      this.failedStarts = 0;
      this.options.log?.(`describe: process ${child.pid} ready (${reply.backend})`);
      return this.pump();
    }
    const p = this.inFlight;
    if (!p || p.id !== reply.id) return; // an answer to a request already given up on
    clearTimeout(this.timer);
    this.inFlight = undefined;
    p.resolve(
      reply.type === 'described'
        ? { status: 'described', graph: reply.graph, summary: reply.summary, ms: reply.ms }
        : { status: 'failed', kind: reply.kind, message: reply.message, diagnostics: reply.diagnostics },
    );
    this.pump();
  }

  private timedOut(p: Pending, limitMs: number): void {
    if (this.inFlight !== p) return;
    this.inFlight = undefined;
    const seconds = Math.round(limitMs / 100) / 10;
    const message = `building ${p.job.experiment} did not finish in ${seconds} s (a model function that never returns?); the describe process was replaced`;
    this.options.log?.(`describe: ${message}`);
    const line = (findExperiments(p.job.source ?? '').find((e) => e.name === p.job.experiment)?.line ?? 0) + 1;
    this.replace();
    p.resolve({
      status: 'failed',
      kind: 'timeout',
      message: `${p.job.file}:${line}:1 ${message}`,
      diagnostics: [{ file: p.job.file, line, column: 1, message }],
    });
  }

  private stopIdle(): void {
    if (this.inFlight || this.queue.length || !this.child) return;
    const idle = this.child;
    this.child = undefined; // not an unexpected exit: nothing is started again
    this.ready = false;
    clearTimeout(this.startTimer);
    this.options.log?.(
      `describe: process ${idle.pid} stopped after ${Math.round((this.options.idleMs ?? IDLE_MS) / 1000)} s without requests`,
    );
    idle.kill();
  }

  /** Kills the process and starts the next one at once, so the next request finds it warm. */
  private replace(): void {
    const old = this.child;
    this.child = undefined;
    this.ready = false;
    clearTimeout(this.startTimer);
    old?.kill('SIGKILL');
    if (!this.disposed) this.start();
    this.pump();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return; // one we replaced
    clearTimeout(this.timer);
    clearTimeout(this.startTimer);
    const wasReady = this.ready;
    this.child = undefined;
    this.ready = false;
    if (this.disposed) return;
    this.options.log?.(`describe: process ${child.pid} exited (${code ?? signal})`);
    const message = `the describe process exited (${code ?? signal}) while building`;
    const p = this.inFlight;
    this.inFlight = undefined;
    p?.resolve({ status: 'failed', kind: 'crash', message: `${message} ${p.job.experiment}`, diagnostics: [] });
    if (!wasReady && ++this.failedStarts >= MAX_FAILED_STARTS) {
      this.failedStarts = 0;
      for (const q of this.queue.splice(0))
        q.resolve({
          status: 'failed',
          kind: 'crash',
          message: 'the describe process could not start (see the log)',
          diagnostics: [],
        });
      return;
    }
    // A process that was serving is started again at once, warm for the next edit;
    // one that died starting is tried again only while requests wait.
    if (wasReady) this.start();
    this.pump();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.timer);
    clearTimeout(this.startTimer);
    this.child?.kill('SIGKILL');
    this.child = undefined;
    const waiting = [...this.queue.splice(0), ...(this.inFlight ? [this.inFlight] : [])];
    this.inFlight = undefined;
    for (const p of waiting)
      p.resolve({ status: 'failed', kind: 'crash', message: 'the describe service was closed', diagnostics: [] });
  }
}

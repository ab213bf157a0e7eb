// Works a sweep's queue off: the next pending run, `parallel` at a time, each
// outcome written to queue.json before the next starts. The CLI and the
// extension each supply how one run is started (a trainer process, the Keras
// engine); the order, the bookkeeping and the recovery are here, once.
import * as path from 'node:path';
import { liveHolder, takeLock } from '../runs/pidLock';
import { Queue, QueueRun, readQueue, requeueInterrupted, writeQueue } from './queue';

export const RUNNER_LOCK = 'runner.lock';

export interface RunOutcome {
  status: 'finished' | 'failed' | 'cancelled';
  runDir?: string;
  trainError?: number | null;
  testError?: number | null;
  message?: string;
}

export interface StartRun {
  /** Trains one point; `onRunDir` as soon as its run folder exists; ends early (status cancelled) on `signal`. */
  (run: QueueRun, queue: Queue, onRunDir: (dir: string) => void, signal: AbortSignal): Promise<RunOutcome>;
}

/** The pid running the sweep in `dir`, while it is alive. */
export const queueHolder = (dir: string): number | undefined => liveHolder(path.join(dir, RUNNER_LOCK));

/** Takes the sweep for this process, or throws "already running (pid N)"; a dead holder's lock is taken over. */
export function lockQueue(dir: string, pid = process.pid): () => void {
  return takeLock(
    path.join(dir, RUNNER_LOCK),
    (other) => `sweep ${path.basename(dir)} is already running (pid ${other})`,
    undefined,
    pid,
  );
}

export class SweepRunner {
  private readonly abort = new AbortController();
  private queue: Queue | undefined;

  constructor(
    readonly dir: string,
    private readonly start: StartRun,
    private readonly onChange: (queue: Queue) => void = () => {},
  ) {}

  get current(): Queue | undefined {
    return this.queue;
  }

  /** Cancels the rest: pending runs are marked cancelled, running ones are asked to stop. */
  cancel(): void {
    this.abort.abort();
    if (!this.queue) return;
    for (const r of this.queue.runs) if (r.status === 'pending') r.status = 'cancelled';
    this.save();
  }

  /** Runs every pending point (after re-queueing those a dead runner left running); resolves with the final queue. */
  async run(): Promise<Queue> {
    const release = lockQueue(this.dir);
    try {
      this.queue = readQueue(this.dir);
      requeueInterrupted(this.queue);
      this.save();
      const lanes = Array.from({ length: this.queue.parallel }, () => this.lane(this.queue!));
      await Promise.all(lanes);
      return this.queue;
    } finally {
      release();
    }
  }

  private async lane(queue: Queue): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) return;
      const run = queue.runs.find((r) => r.status === 'pending');
      if (!run) return;
      Object.assign(run, { status: 'running', startedAt: new Date().toISOString(), runDir: undefined });
      this.save();
      let outcome: RunOutcome;
      try {
        outcome = await this.start(
          run,
          queue,
          (dir) => {
            run.runDir = dir;
            this.save();
          },
          this.abort.signal,
        );
      } catch (e) {
        outcome = { status: 'failed', message: (e as Error).message };
      }
      Object.assign(run, {
        status: outcome.status,
        runDir: outcome.runDir ?? run.runDir,
        trainError: outcome.trainError,
        testError: outcome.testError,
        message: outcome.message,
        endedAt: new Date().toISOString(),
      });
      this.save();
    }
  }

  private save(): void {
    if (!this.queue) return;
    writeQueue(this.dir, this.queue);
    this.onChange(this.queue);
  }
}

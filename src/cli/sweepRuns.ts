// How the CLI trains one run of a sweep: a trainer process (tfjs), or the
// exported project's train.py (the Keras engine), one after another on a GPU
// machine. Each resolves with the run's outcome for the queue, never throws
// for a run that failed: the queue records it and goes on.
import * as path from 'node:path';
import { pointRef } from '../core/lib/sweep';
import { readRunInfo } from '../core/runs/runFolder';
import type { RunOutcome, StartRun } from '../core/sweeps/runner';
import type { BackendChoice, Overrides } from '../protocol/trainer';
import { headline } from './errors';
import { trainKeras } from './kerasEngine';
import { Progress } from './progress';
import { runTrainer } from './runTrainer';

export interface SweepRunSettings {
  runsDir: string;
  backend: BackendChoice;
  overrides: Overrides;
  /** A live progress bar (one run at a time, on a terminal). */
  bar: boolean;
}

export function tfjsRun(s: SweepRunSettings): StartRun {
  return async (run, queue, onRunDir, signal) => {
    const progress = s.bar ? new Progress(false) : undefined;
    const job = {
      file: queue.file,
      experiment: pointRef(queue.sweep, run.point),
      runsDir: path.resolve(s.runsDir),
      backend: s.backend,
      overrides: s.overrides,
    };
    const r = await runTrainer(
      { type: 'train', job },
      (e) => {
        progress?.onEvent(e);
        if (e.type === 'started') onRunDir(e.runDir);
      },
      (client) => signal.addEventListener('abort', () => void client.stop()),
    );
    progress?.done();
    const last = r.last;
    if (last?.type === 'finished')
      return {
        status: last.status === 'finished' ? 'finished' : 'cancelled',
        runDir: last.runDir,
        trainError: last.trainError,
        testError: last.testError,
      };
    if (last?.type === 'failed') return { status: 'failed', runDir: last.runDir, message: headline(last.message) };
    return {
      status: 'failed',
      message: `the trainer process ended unexpectedly (exit ${r.exitCode})${r.stderr.trim() ? `: ${headline(r.stderr.trim().split('\n').pop()!)}` : ''}`,
    };
  };
}

/** The Keras engine: the point is exported and trained by train.py; its run folder says how it ended. */
export function kerasRun(s: SweepRunSettings): StartRun {
  return async (run, queue, onRunDir): Promise<RunOutcome> => {
    const o = s.overrides;
    const runDir = await trainKeras(queue.file, pointRef(queue.sweep, run.point), {
      runsDir: s.runsDir,
      json: true,
      iterations: o.iterations,
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      dataDir: o.dataDir,
      limitTrain: o.limitTrain,
      limitTest: o.limitTest,
      seed: o.seed,
    });
    if (!runDir) return { status: 'failed', message: 'the Keras engine did not finish this run (its error is above)' };
    onRunDir(runDir);
    const info = readRunInfo(runDir);
    return {
      status: info.status === 'finished' ? 'finished' : 'failed',
      runDir,
      trainError: info.final?.trainError ?? null,
      testError: info.final?.testError ?? null,
      message: info.status === 'finished' ? undefined : (info.error ?? info.status),
    };
  };
}

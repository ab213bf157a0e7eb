// The window's sweeps: ▶ Sweep writes a queue beside the runs
// (src/core/sweeps/queue.ts) and works it off through the run manager, one
// trainer at a time (resnetLab.sweepParallel). The queue is the only state: a
// window reload or a crash leaves it on disk, and the next extension host
// picks up the sweeps it owned that nobody runs any more (their runner.lock's
// pid is gone), so the queue continues where it stopped.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { narrowAxes, pointRef } from '../core/lib/sweep';
import type { Overrides } from '../protocol/trainer';
import {
  createQueue,
  isDone,
  listQueues,
  progressLine,
  Queue,
  QueueRun,
  readQueue,
  sweepsDirFor,
} from '../core/sweeps/queue';
import { queueHolder, RunOutcome, StartRun, SweepRunner } from '../core/sweeps/runner';
import { isLive, type RunView } from '../protocol/webview';
import type { SweepView } from '../protocol/sweep';
import { Disposable } from './lifecycle';
import { Log } from './log';
import { LiveRun, RunManager } from './runManager';
import { settings } from './settings';
import { KerasTrainingDeps, trainOnKeras } from './kerasTraining';
import type { KerasBackend } from '../core/export/tfPython';
import { readRunInfo } from '../core/runs/runFolder';

/** How often unfinished sweeps of this window's are looked for (after a reload the old host may take a moment to go). */
const RESUME_POLL_MS = 2000;

export interface SweepOptions {
  only?: Record<string, string[]>;
  overrides?: Overrides;
  /** Each run through the exported project's train.py, one after another, on this Keras backend. */
  keras?: KerasBackend;
}

export class SweepManager extends Disposable {
  private readonly runners = new Map<string, SweepRunner>();
  private readonly emitter = this._register(new vscode.EventEmitter<string>());
  /** A sweep id whenever its queue changes. */
  readonly onDidChange = this.emitter.event;
  private readonly ended = this._register(new vscode.EventEmitter<string>());
  /** A sweep id when its last run ended (or it was cancelled). */
  readonly onDidEnd = this.ended.event;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly runs: RunManager,
    private readonly log: Log,
    private readonly showLive: (run: LiveRun) => void,
    private readonly keras: KerasTrainingDeps,
  ) {
    super();
    this._register(() => clearInterval(this.poll));
  }

  /** Where sweeps go: beside the runs folder of the workspace. */
  sweepsDir(): string | undefined {
    return vscode.workspace.workspaceFolders ? sweepsDirFor(settings.runsDir()) : undefined;
  }

  /** Starts resuming this window's unfinished sweeps now and whenever their old runner goes. */
  resumeOwned(): void {
    this.poll ??= setInterval(() => this.resumeOnce(), RESUME_POLL_MS);
    this.resumeOnce();
  }

  private resumeOnce(): void {
    const dir = this.sweepsDir();
    if (!dir || !vscode.workspace.isTrusted) return;
    let waiting = 0;
    for (const { dir: sweepDir, queue } of listQueues(dir)) {
      if (queue.owner !== 'extension' || isDone(queue) || this.runners.has(queue.id)) continue;
      if (queueHolder(sweepDir) !== undefined) {
        waiting++; // its old window is still going away
        continue;
      }
      this.log.info(`sweep ${queue.id}: resuming its queue`);
      this.run(sweepDir);
    }
    // Nothing left to pick up: no more reading of every queue every 2 s.
    if (!waiting) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  /**
   * Writes the sweep's queue and starts it; resolves with its id once the queue
   * is on disk. `only` runs a part of the grid, `overrides` go to every run (a budget).
   */
  async start(file: string, sweep: string, options: SweepOptions = {}): Promise<string> {
    const axes = await this.runs.sweepAxes(file, sweep);
    const dir = this.sweepsDir() ?? sweepsDirFor(path.join(path.dirname(file), '.resnet-lab', 'runs'));
    const sweepDir = createQueue(dir, {
      file,
      sweep,
      axes,
      only: options.only ? narrowAxes(axes, options.only) : undefined,
      owner: 'extension',
      engine: options.keras ? 'keras' : 'tfjs',
      parallel: options.keras ? 1 : settings.sweepParallel(),
      settings: { runsDir: settings.runsDir(file), overrides: options.overrides ?? {}, kerasBackend: options.keras },
    });
    this.run(sweepDir);
    return path.basename(sweepDir);
  }

  private run(sweepDir: string): void {
    const id = path.basename(sweepDir);
    const runner = new SweepRunner(sweepDir, this.startRun(), () => this.emitter.fire(id));
    this.runners.set(id, runner);
    runner.run().then(
      () => {
        this.runners.delete(id);
        this.emitter.fire(id);
        this.ended.fire(id);
      },
      (e: Error) => {
        this.runners.delete(id);
        this.log.error(`sweep ${id}: ${e.message}`);
      },
    );
  }

  /** Each point through the run manager with this window's settings, as ▶ Train starts a run; or through Keras. */
  private startRun(): StartRun {
    return (point, queue, onRunDir, signal) =>
      queue.engine === 'keras'
        ? this.startKeras(point, queue, onRunDir)
        : this.startTfjs(point, queue, onRunDir, signal);
  }

  /** train.py of the exported point (its own notification has the Cancel of the running run). */
  private async startKeras(point: QueueRun, queue: Queue, onRunDir: (dir: string) => void): Promise<RunOutcome> {
    const backend = (queue.settings.kerasBackend as KerasBackend | undefined) ?? 'jax';
    const runDir = await trainOnKeras(
      this.keras,
      { file: queue.file, experiment: pointRef(queue.sweep, point.point) },
      backend,
    );
    if (this.isDisposed) return new Promise(() => undefined); // the next window trains it again
    if (!runDir) return { status: 'failed', message: 'the Keras engine did not start this run (see the log)' };
    onRunDir(runDir);
    const info = readRunInfo(runDir);
    return info.status === 'finished'
      ? {
          status: 'finished',
          runDir,
          trainError: info.final?.trainError ?? null,
          testError: info.final?.testError ?? null,
        }
      : { status: 'failed', runDir, message: info.error?.split('\n')[0] ?? info.status };
  }

  private startTfjs(
    point: QueueRun,
    queue: Queue,
    onRunDir: (dir: string) => void,
    signal: AbortSignal,
  ): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      const runsDir = (queue.settings.runsDir as string | undefined) ?? settings.runsDir(queue.file);
      const live = this.runs.train({
        file: queue.file,
        experiment: pointRef(queue.sweep, point.point),
        runsDir,
        backend: settings.backend(),
        overrides: {
          gradientNormEvery: settings.gradientNormInterval(),
          distributionEvery: settings.distributionInterval(),
          dataDir: settings.dataDir(queue.file),
          workers: settings.workers(),
          graph: settings.graph(),
          ...(queue.settings.overrides as Overrides | undefined),
        },
      });
      if (!live) return resolve({ status: 'failed', message: 'this run is already training in this window' });
      this.showLive(live);
      const onAbort = () => this.runs.control(live.view.id, 'stop');
      signal.addEventListener('abort', onAbort);
      let reported = false;
      const check = () => {
        // The window is going (a reload): its trainers are stopped, but the run is not over. It stays
        // `running` in the queue, and the next extension host trains it again.
        if (this.isDisposed) return;
        if (live.runDir && !reported) {
          reported = true;
          onRunDir(live.runDir);
        }
        if (isLive(live.view.status)) return;
        sub.dispose();
        signal.removeEventListener('abort', onAbort);
        resolve(outcome(live.view, live.runDir, signal.aborted));
      };
      const sub = this.runs.onDidUpdate(({ run }) => run === live && check());
      check();
    });
  }

  cancel(id: string): void {
    this.runners.get(id)?.cancel();
  }

  isRunning(id: string): boolean {
    return this.runners.has(id);
  }

  /** The sweep's folder, for an id the host listed (a folder name under the sweeps folder, never a path). */
  folderOf(id: string): string | undefined {
    const dir = this.sweepsDir();
    if (!dir || id !== path.basename(id)) return undefined;
    return listQueues(dir).find((q) => q.queue.id === id)?.dir;
  }

  queue(id: string): Queue | undefined {
    const running = this.runners.get(id)?.current;
    if (running) return running;
    const dir = this.folderOf(id);
    return dir ? readQueue(dir) : undefined;
  }

  /** The sweeps the side view lists: the running ones, then the most recent. */
  views(limit = 5): SweepView[] {
    const dir = this.sweepsDir();
    if (!dir) return [];
    const now = new Date();
    return listQueues(dir)
      .slice(0, limit)
      .map(({ queue: q }) => {
        const current = this.runners.get(q.id)?.current ?? q;
        const fraction = this.runningFraction(current);
        const done = current.runs.filter((r) => r.status !== 'pending' && r.status !== 'running').length;
        return {
          id: q.id,
          sweep: q.sweep,
          file: path.basename(q.file),
          progress: progressLine(current, now, fraction),
          done,
          total: current.runs.length,
          running: this.runners.has(q.id),
        };
      });
  }

  /** How far the sweep's running run is (0..1), for an ETA before any run has finished. */
  private runningFraction(q: Queue): number | undefined {
    const running = q.runs.find((r) => r.status === 'running');
    const live = running?.runDir ? this.runs.byFolder(running.runDir) : undefined;
    if (!live?.runDir) return undefined;
    const latest = this.runs.folders.recent(live.runDir).at(-1);
    return latest && live.view.totalIterations ? latest.iteration / live.view.totalIterations : undefined;
  }
}

function outcome(view: RunView, runDir: string | undefined, cancelled: boolean): RunOutcome {
  if (view.status === 'finished')
    return { status: 'finished', runDir, trainError: view.finalTrainError, testError: view.finalTestError };
  if (cancelled || view.status === 'stopped') return { status: 'cancelled', runDir, message: 'cancelled' };
  return { status: 'failed', runDir, message: view.message?.split('\n')[0] ?? view.status };
}

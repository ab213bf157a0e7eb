// Owns the trainer processes of the window: starts runs (one per experiment
// at a time, later requests queue), and turns what each trainer says about its
// run's life (started with its folder, paused, finished, failed) into a run
// view. It holds no records: those are in the run folder, which RunFolders
// follows from the moment the trainer names it, for every view alike. Changes
// are batched so the extension host does a little work four times a second.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { backendLabel } from '../core/runs/runFolder';
import { TrainerClient, TrainerClientOptions } from '../launch/trainerClient';
import type {
  LesionResult,
  LifecycleEvent,
  PathsResult,
  ResponsesResult,
  TrainerCommand,
  TrainJob,
} from '../protocol/trainer';
import type { DiagramData, RunView } from '../protocol/webview';
import { isLive } from '../protocol/webview';
import { Diagnostics } from './diagnostics';
import { Disposable } from './lifecycle';
import { Log } from './log';
import { RunFolders } from './runFolders';
import { runIds } from './runIds';

export interface LiveRun {
  view: RunView;
  key: string;
  file: string;
  /** The run folder, once the trainer made it (`started`). */
  runDir?: string;
  diagram?: DiagramData;
  client?: TrainerClient;
  /** Stop was asked for once: the next Stop kills. */
  stopping?: boolean;
  /** Lets go of the folder's follower (after its last read). */
  unfollow?: () => void;
}

export interface RunUpdate {
  run: LiveRun;
}

const FLUSH_MS = 250;
/** How long a stopping trainer may take to write its checkpoint before it is killed. */
const STOP_GRACE_MS = 30_000;

export class RunManager extends Disposable {
  private readonly runs = new Map<string, LiveRun>();
  private readonly queues = new Map<string, TrainJob[]>();
  private readonly changed = new Set<string>();
  private readonly emitter = this._register(new vscode.EventEmitter<RunUpdate>());
  private timer: NodeJS.Timeout | undefined;
  readonly onDidUpdate = this.emitter.event;

  constructor(
    private readonly trainerScript: string,
    private readonly log: Log,
    private readonly diagnostics: Diagnostics,
    readonly folders: RunFolders,
    /** Seconds a model file may take to build its model (setting resnetLab.buildTimeout). */
    private readonly buildTimeoutSeconds: () => number | undefined = () => undefined,
  ) {
    super();
    this._register(folders);
    this._register(() => {
      this.stopAll();
      clearTimeout(this.timer);
    });
  }

  private clientOptions() {
    return { buildTimeoutSeconds: this.buildTimeoutSeconds() };
  }

  get all(): LiveRun[] {
    return [...this.runs.values()];
  }
  get(id: string): LiveRun | undefined {
    return this.runs.get(id);
  }
  /** The run of this window that writes `runDir`, if any. */
  byFolder(runDir: string): LiveRun | undefined {
    const dir = path.resolve(runDir);
    return this.all.find((r) => r.runDir && path.resolve(r.runDir) === dir);
  }
  /** The most recently started run that is still going, if any. */
  get active(): LiveRun | undefined {
    return this.all.filter((r) => isLive(r.view.status)).pop();
  }

  isBusy(key: string): boolean {
    return this.all.some((r) => r.key === key && isLive(r.view.status));
  }

  /** Starts a run, or queues it behind the running one of the same experiment. */
  train(job: TrainJob): LiveRun | undefined {
    const key = `${job.file}::${job.experiment}`;
    if (this.isBusy(key)) {
      const q = this.queues.get(key) ?? [];
      q.push(job);
      this.queues.set(key, q);
      this.log.info(`${job.experiment} is already training: queued (${q.length} waiting)`);
      return undefined;
    }
    return this.launch(key, job.file, job.experiment, { type: 'train', job });
  }

  resumeRun(runDir: string, file: string, experiment: string, backend: TrainJob['backend']): LiveRun | undefined {
    const key = `${file}::${experiment}`;
    if (this.isBusy(key)) return undefined;
    return this.launch(key, file, experiment, { type: 'resume', runDir, backend });
  }

  /**
   * Builds an experiment's model from its saved file in a one-shot trainer process
   * and returns its graph and summary: the palette's Show Model Diagram for a file
   * that is not open (open files are built by the warm describe process).
   */
  async describe(file: string, experiment: string): Promise<DiagramData> {
    const e = await this.oneShot(this.clientOptions()).runOnce(
      { type: 'describe', file, experiment },
      (e) => e.type === 'described',
    );
    if (e.type === 'failed') {
      this.diagnostics.report(file, e);
      throw new Error(e.message);
    }
    this.diagnostics.clear(file);
    return { graph: e.graph, summary: e.summary };
  }

  /** A sweep's axes, read by running its file in a one-shot trainer process (nothing is built). */
  async sweepAxes(file: string, sweep: string): Promise<Record<string, (string | number | boolean)[]>> {
    const e = await this.oneShot(this.clientOptions()).runOnce(
      { type: 'sweep-axes', file, sweep },
      (e) => e.type === 'sweep-axes',
    );
    if (e.type === 'failed') {
      this.diagnostics.report(file, e);
      throw new Error(e.message);
    }
    return e.axes;
  }

  /** Runs a lesion study, a layer-response measurement or the gradient by path length on a finished run, in a trainer process. */
  async analyze(
    runDir: string,
    analysis: 'lesion' | 'responses' | 'paths',
    backend: TrainJob['backend'],
    lesioned?: string[],
  ): Promise<LesionResult | ResponsesResult | PathsResult> {
    // Opening a run never runs code unless the workspace is trusted and the model file is in it.
    const codeRoots = vscode.workspace.isTrusted
      ? (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)
      : [];
    const command: TrainerCommand = {
      type: 'analyze',
      runDir,
      analysis,
      lesioned,
      backend,
      checkpoint: 'latest',
      codeRoots,
    };
    const e = await this.oneShot(this.clientOptions()).runOnce(
      command,
      (e) => e.type === 'lesion' || e.type === 'responses' || e.type === 'paths',
    );
    if (e.type === 'failed') throw new Error(e.message);
    return e.result;
  }

  /** A trainer process for one command, its log lines in the output channel. */
  private oneShot(options: TrainerClientOptions): TrainerClient {
    return new TrainerClient(
      this.trainerScript,
      {
        onEvent: (e) => {
          if (e.type === 'log') this.log.info(e.message);
        },
        onOutput: (line) => this.log.trace(line),
      },
      options,
    );
  }

  /**
   * Stop must always work: a cooperative stop (checkpoint at the next
   * iteration) that escalates to a kill after STOP_GRACE_MS; a trainer still
   * building the model (maybe in a `while (true) {}`) and a second Stop kill at once.
   */
  control(id: string, action: 'stop' | 'pause' | 'resume'): void {
    const run = this.runs.get(id);
    if (!run?.client) return;
    if (action !== 'stop') return run.client.send(action === 'resume' ? { type: 'resume-training' } : { type: action });
    if (run.stopping || run.client.inUserCode) {
      this.log.info(`${run.view.experiment}: killing the trainer process`);
      run.client.kill();
    } else {
      void run.client.stop(STOP_GRACE_MS);
    }
    run.stopping = true;
    this.setStatus(run, run.view.status === 'starting' ? 'stopped' : run.view.status, 'stopping…');
  }

  private launch(key: string, file: string, experiment: string, command: TrainerCommand): LiveRun {
    const id = runIds.reserve();
    const run: LiveRun = { key, file, view: { id, experiment, status: 'starting' } };
    this.runs.set(id, run);
    this.diagnostics.clear(file);
    this.log.info(`starting ${experiment} (${path.basename(file)})`);
    run.client = new TrainerClient(
      this.trainerScript,
      {
        onEvent: (e) => this.onEvent(run, e),
        onOutput: (line) => this.log.trace(line),
        onExit: (exit) => this.onExit(run, exit.code, exit.signal, exit.stderr),
      },
      this.clientOptions(),
    );
    run.client.send(command);
    this.markChanged(run);
    return run;
  }

  private onEvent(run: LiveRun, e: LifecycleEvent): void {
    switch (e.type) {
      case 'started':
        this.adoptFolder(run, e.runDir);
        Object.assign(run.view, {
          modelName: e.summary.name,
          depth: e.summary.depth,
          backend: backendLabel(e.backend, e.mode),
          status: 'running',
          totalIterations: e.totalIterations,
          iterationsPerEpoch: e.iterationsPerEpoch,
          epochs: e.epochs,
          message: undefined,
        });
        run.diagram = { graph: e.graph, summary: e.summary };
        this.log.info(`${run.view.experiment}: run folder ${e.runDir}, backend ${backendLabel(e.backend, e.mode)}`);
        break;
      case 'state':
        run.view.status = e.state;
        break;
      case 'log':
        this.log.info(`${run.view.experiment}: ${e.message}`);
        break;
      case 'finished':
        Object.assign(run.view, {
          status: e.status,
          finalTrainError: e.trainError,
          finalTestError: e.testError,
          message: undefined,
        });
        this.log.info(`${run.view.experiment}: ${e.status} at iteration ${e.iteration}`);
        break;
      case 'failed':
        run.view.status = e.kind === 'diverged' ? 'diverged' : 'failed';
        run.view.message = e.message;
        if (e.runDir) this.adoptFolder(run, e.runDir);
        this.diagnostics.report(run.file, e);
        this.log.error(`${run.view.experiment}: ${e.message}`);
        void this.notifyFailure(run, e.message);
        break;
      default:
        return;
    }
    this.markChanged(run);
  }

  /** The trainer made the run's folder: the run is named by it from now on, and followed. */
  private adoptFolder(run: LiveRun, runDir: string): void {
    if (run.runDir) return;
    run.runDir = runDir;
    run.view.folder = path.basename(runDir);
    runIds.bind(run.view.id, runDir);
    run.unfollow = this.folders.acquire(runDir, true);
  }

  private onExit(run: LiveRun, code: number | null, signal: string | null, stderr: string): void {
    run.client = undefined;
    if (run.runDir) {
      // The last records the trainer wrote, read before letting go of its folder.
      this.folders.poll(run.runDir);
      run.unfollow?.();
      run.unfollow = undefined;
    }
    if (run.stopping && isLive(run.view.status)) {
      // Killed on the user's Stop: expected, no error to report.
      run.view.status = run.runDir ? 'interrupted' : 'stopped';
      run.view.message = run.runDir
        ? 'killed on Stop; the run folder keeps the last checkpoint and can be resumed'
        : 'stopped';
      this.log.info(`${run.view.experiment}: ${run.view.message}`);
    } else if (isLive(run.view.status)) {
      // The trainer died without saying why: a crash, out of memory, or killed.
      run.view.status = run.runDir ? 'interrupted' : 'failed';
      run.view.message = `the trainer process exited unexpectedly (${code ?? signal})`;
      this.log.error(`${run.view.experiment}: ${run.view.message}\n${stderr.slice(-2000)}`);
      void this.notifyFailure(
        run,
        run.view.message + (run.runDir ? '; the run folder keeps the last checkpoint and can be resumed.' : ''),
      );
    }
    this.markChanged(run);
    const next = this.queues.get(run.key)?.shift();
    if (next) this.train(next);
  }

  private async notifyFailure(run: LiveRun, message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      `ResNet Lab: ${run.view.experiment}: ${message.split('\n')[0]}`,
      'Show Log',
    );
    if (choice === 'Show Log') this.log.show();
  }

  private setStatus(run: LiveRun, status: RunView['status'], message?: string): void {
    run.view.status = status;
    run.view.message = message;
    this.markChanged(run);
  }

  private markChanged(run: LiveRun): void {
    this.changed.add(run.view.id);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const ids = [...this.changed];
    this.changed.clear();
    for (const id of ids) {
      const run = this.runs.get(id);
      if (run) this.emitter.fire({ run });
    }
  }

  stopAll(): void {
    for (const run of this.runs.values()) run.client?.send({ type: 'stop' });
  }
}

// The parent's side of the trainer protocol (src/launch: code that runs in
// whichever process starts trainers, the extension host or the CLI): forks the trainer process, sends
// validated commands, and hands out validated events. Used by the CLI and the
// extension host; it never loads tfjs itself.
import { ChildProcess, fork } from 'node:child_process';
import { parseEvent, TrainerCommand, LifecycleEvent } from '../protocol/trainer';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface TrainerHandlers {
  onEvent(event: LifecycleEvent): void;
  onExit?(exit: TrainerExit): void;
  /** Lines the trainer printed (tfjs warnings and the like), for a log. */
  onOutput?(line: string): void;
}

export interface TrainerClientOptions {
  /** Time limit on the user's code building a model (evaluating the file, the model function); default 60 s. */
  buildTimeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_BUILD_TIMEOUT_SECONDS = 60;

export type FailedEvent = Extract<LifecycleEvent, { type: 'failed' }>;

/** The trainer exited before the event a caller waited for: a crash, out of memory, or killed. */
export class TrainerExitError extends Error {
  constructor(readonly exit: TrainerExit) {
    super(`the trainer process exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-500)}`);
    this.name = 'TrainerExitError';
  }
}

/** A warning that says which trainer message could not be read, and why, in one line. */
export function droppedMessageWarning(raw: unknown, e: unknown): LifecycleEvent {
  const type = (raw as { type?: unknown } | null)?.type;
  const issues = (e as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  const why = issues?.length
    ? issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')
    : String((e as Error)?.message ?? e).split('\n')[0];
  return {
    type: 'log',
    level: 'warn',
    message: `a message from the trainer could not be read and was dropped (${typeof type === 'string' ? type : 'unknown type'}; ${why})`,
  };
}

export class TrainerClient {
  private readonly child: ChildProcess;
  private stderr = '';
  private buildTimer: NodeJS.Timeout | undefined;
  private killed = false;
  /** Set while the trainer runs user code: a stop then cannot be cooperative. */
  private building: { file: string; experiment: string; line: number } | undefined;
  /** Whoever waits for one event (runOnce), besides the handlers. */
  private readonly waiters = new Set<(event: LifecycleEvent) => void>();
  readonly exited: Promise<TrainerExit>;

  constructor(
    trainerScript: string,
    private readonly handlers: TrainerHandlers,
    private readonly options: TrainerClientOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.child = fork(trainerScript, [], {
      // In desktop VS Code, process.execPath is Electron: this makes it plain Node.
      // glibc gives each of TensorFlow's threads its own malloc arena; two keep the
      // trainer's RSS lower (ResNet-56 in graph mode: 1.38 GB instead of 1.52)
      // at no measurable cost in speed. Other C libraries ignore it.
      env: { MALLOC_ARENA_MAX: '2', ...env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderr = (this.stderr + text).slice(-8000);
      for (const line of text.split('\n')) if (line.trim()) handlers.onOutput?.(line);
    };
    this.child.stdout?.on('data', forward);
    this.child.stderr?.on('data', forward);
    this.child.on('message', (raw) => {
      let event: LifecycleEvent;
      try {
        event = parseEvent(raw);
      } catch (e) {
        // Never silently: the full reason to the output, a warning to whoever shows the run.
        handlers.onOutput?.(`invalid message from the trainer ignored: ${(e as Error).message}`);
        this.dispatch(droppedMessageWarning(raw, e));
        return;
      }
      this.watchBuild(event);
      this.dispatch(event);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        clearTimeout(this.buildTimer);
        const exit = { code, signal, stderr: this.stderr };
        handlers.onExit?.(exit);
        resolve(exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(command: TrainerCommand): void {
    if (this.child.connected) this.child.send(command);
  }

  /**
   * Sends one command and settles with its answer: the first event `isFinal`
   * accepts, or a `failed` event (which ends every command). Rejects with a
   * TrainerExitError when the trainer exits without either. Every event still
   * goes to the handlers first (logs, progress).
   */
  runOnce<E extends LifecycleEvent>(
    command: TrainerCommand,
    isFinal: (e: LifecycleEvent) => e is E,
  ): Promise<E | FailedEvent> {
    return new Promise((resolve, reject) => {
      const waiter = (e: LifecycleEvent) => {
        if (e.type !== 'failed' && !isFinal(e)) return;
        this.waiters.delete(waiter);
        resolve(e);
      };
      this.waiters.add(waiter);
      void this.exited.then((exit) => {
        if (this.waiters.delete(waiter)) reject(new TrainerExitError(exit));
      });
      this.send(command);
    });
  }

  private dispatch(event: LifecycleEvent): void {
    this.handlers.onEvent(event);
    for (const waiter of [...this.waiters]) waiter(event);
  }

  /** True while the trainer is inside the user's code (building a model). */
  get inUserCode(): boolean {
    return this.building !== undefined;
  }

  /**
   * Asks for a clean stop (with a checkpoint) and kills if it hasn't exited
   * after `graceMs`. A trainer inside the user's code cannot hear a stop (its
   * event loop is busy there), and has nothing to checkpoint: killed at once.
   */
  async stop(graceMs = 60_000): Promise<TrainerExit> {
    if (this.building) {
      this.kill();
      return this.exited;
    }
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  /** Times the user's code: past the limit, the trainer is killed and the build reported failed at the experiment's line. */
  private watchBuild(event: LifecycleEvent): void {
    if (event.type === 'building') {
      this.building = { file: event.file, experiment: event.experiment, line: event.line };
      const seconds = this.options.buildTimeoutSeconds ?? DEFAULT_BUILD_TIMEOUT_SECONDS;
      clearTimeout(this.buildTimer);
      this.buildTimer = setTimeout(() => this.buildTimedOut(seconds), seconds * 1000);
    } else if (['built', 'failed', 'described', 'started', 'finished'].includes(event.type)) {
      clearTimeout(this.buildTimer);
      this.building = undefined;
    }
  }

  private buildTimedOut(seconds: number): void {
    const b = this.building;
    if (!b || this.killed) return;
    this.kill();
    const message = `building ${b.experiment} did not finish in ${seconds} s (a model function that never returns?); the trainer was stopped`;
    this.building = undefined;
    this.dispatch({
      type: 'failed',
      kind: 'build',
      message: `${b.file}:${b.line}:1 ${message}`,
      diagnostics: [{ file: b.file, line: b.line, column: 1, message }],
    });
  }
}

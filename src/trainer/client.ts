// The parent's side of the trainer protocol: forks the trainer process, sends
// validated commands, and hands out validated events. Used by the CLI and the
// extension host; it never loads tfjs itself.
import { ChildProcess, fork } from 'node:child_process';
import { parseEvent, TrainerCommand, TrainerEvent } from '../protocol/trainer';

export interface TrainerExit { code: number | null; signal: NodeJS.Signals | null; stderr: string }

export interface TrainerHandlers {
  onEvent(event: TrainerEvent): void;
  onExit?(exit: TrainerExit): void;
  /** Lines the trainer printed (tfjs warnings and the like), for a log. */
  onOutput?(line: string): void;
}

export class TrainerClient {
  private readonly child: ChildProcess;
  private stderr = '';
  readonly exited: Promise<TrainerExit>;

  constructor(trainerScript: string, handlers: TrainerHandlers, env: NodeJS.ProcessEnv = process.env) {
    this.child = fork(trainerScript, [], {
      // In desktop VS Code, process.execPath is Electron: this makes it plain Node.
      env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
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
      let event: TrainerEvent;
      try {
        event = parseEvent(raw);
      } catch (e) {
        handlers.onOutput?.(`invalid message from the trainer ignored: ${(e as Error).message}`);
        return;
      }
      handlers.onEvent(event);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const exit = { code, signal, stderr: this.stderr };
        handlers.onExit?.(exit);
        resolve(exit);
      });
    });
  }

  get pid(): number | undefined { return this.child.pid; }

  send(command: TrainerCommand): void {
    if (this.child.connected) this.child.send(command);
  }

  /** Asks for a clean stop (with a checkpoint); kills if it hasn't exited after `graceMs`. */
  async stop(graceMs = 60_000): Promise<TrainerExit> {
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

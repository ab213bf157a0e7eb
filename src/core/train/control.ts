// Cooperative stop and pause: the loop checks between iterations, so a step
// is never cut in half and every stop leaves a consistent checkpoint.
export class Control {
  stopRequested = false;
  /** Why training must end as failed (an error thrown outside the loop, e.g. by a model file's timer). */
  failure: Error | undefined;
  /** True while a training loop runs: it checks `failure` between iterations. */
  training = false;
  private paused = false;
  private wake: (() => void) | undefined;

  get isPaused(): boolean {
    return this.paused;
  }

  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  /** Stops at the next iteration with a checkpoint, then ends the run as failed with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    this.stop();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
    this.wake = undefined;
  }

  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopRequested) await new Promise<void>((r) => (this.wake = r));
  }
}

/** Lets queued IPC messages (stop, pause) in between synchronous WASM steps. */
export const yieldToEvents = () => new Promise<void>((r) => setImmediate(r));

// The CLI's live view of a run: a cli-progress bar over iterations with the
// latest loss, errors and speed; plain epoch lines when not on a terminal.
// The trainer says when the run starts and ends; its records come from the
// run folder, read as it grows, as the extension's views read them.
import { SingleBar, Presets } from 'cli-progress';
import type { LifecycleEvent } from '../protocol/trainer';
import { pct } from './format';
import { RunFollower } from '../core/runs/follow';
import type { MetricRecord } from '../core/runs/metricRecords';
import { backendLabel } from '../core/runs/runFolder';

export class Progress {
  private bar?: SingleBar;
  private readonly tty: boolean;
  private values = { epoch: '-', loss: '-', trainErr: '-', testErr: '–', speed: '-' };
  private follower?: RunFollower;
  /** A resumed run's folder holds the records before it: those are not news. */
  private startIteration = 0;

  constructor(quiet: boolean) {
    this.tty = !!process.stderr.isTTY && !quiet;
  }

  private log(line: string): void {
    if (this.bar) this.bar.stop();
    process.stderr.write(line + '\n');
    if (this.bar) this.bar.start(this.bar.getTotal(), (this.bar as unknown as { value: number }).value, this.values);
  }

  note(line: string): void {
    this.log(line);
  }

  /** The trainer's events; `started` begins reading the run folder, `finished`/`failed` read its last records first. */
  onEvent(e: LifecycleEvent): void {
    if (e.type === 'finished' || e.type === 'failed') this.stopFollowing();
    this.show(e);
    if (e.type === 'started') {
      this.startIteration = e.startIteration;
      this.follower = new RunFollower(e.runDir, (u) => u.metrics.forEach((r) => this.onRecord(r)), {
        pollMs: 500,
      }).start();
    }
  }

  private onRecord(r: MetricRecord): void {
    if (r.iteration <= this.startIteration) return;
    const num = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));
    if (r.type === 'iteration') {
      Object.assign(this.values, {
        epoch: String(r.epoch),
        loss: num(r.loss, 3),
        trainErr: pct(r.trainError),
        speed: num(r.imagesPerSec, 1),
      });
    } else {
      this.values.testErr = pct(r.testError);
      if (!this.tty)
        this.log(
          `epoch ${r.epoch}: train loss ${num(r.trainLoss, 4)}, train error ${pct(r.trainError)}, test loss ${num(r.testLoss, 4)}, test error ${pct(r.testError)} (${num(r.seconds, 1)} s)`,
        );
    }
    this.bar?.update(r.iteration, this.values);
  }

  private stopFollowing(): void {
    if (!this.follower) return;
    this.follower.poll();
    this.follower.stop();
    this.follower = undefined;
  }

  private show(e: LifecycleEvent): void {
    switch (e.type) {
      case 'log':
        this.log(e.message);
        break;
      case 'started':
        this.log(`run folder: ${e.runDir}`);
        this.log(
          `${e.summary.name}: ${e.summary.depth} layers, ${e.summary.shortcuts} shortcuts, ${e.summary.trainableParams.toLocaleString('en-US')} parameters; ` +
            `${e.totalIterations} iterations (${e.epochs} epochs of ${e.iterationsPerEpoch}) on ${backendLabel(e.backend, e.mode)}`,
        );
        if (this.tty) {
          this.bar = new SingleBar(
            {
              format:
                'epoch {epoch} |{bar}| {value}/{total} it | loss {loss} | train err {trainErr} | test err {testErr} | {speed} img/s | ETA {eta_formatted}',
              hideCursor: true,
              etaBuffer: 50,
              stream: process.stderr,
            },
            Presets.shades_classic,
          );
          this.bar.start(e.totalIterations, e.startIteration, this.values);
        }
        break;
      case 'finished':
        this.done();
        this.log(
          `${e.status} after ${e.iteration} iterations: train error ${pct(e.trainError)}, test error ${pct(e.testError)}`,
        );
        this.log(`run folder: ${e.runDir}`);
        break;
      case 'failed':
        this.done();
        for (const d of e.diagnostics) this.log(`${d.file}:${d.line}:${d.column}: ${d.message}`);
        break;
    }
  }

  done(): void {
    this.stopFollowing();
    this.bar?.stop();
    this.bar = undefined;
  }
}

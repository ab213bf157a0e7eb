// The CLI's live view of a run: a cli-progress bar over iterations with the
// latest loss, errors and speed; plain epoch lines when not on a terminal.
import { SingleBar, Presets } from 'cli-progress';
import type { TrainerEvent } from '../protocol/trainer';
import { pct } from './format';
import { backendLabel } from '../core/runs/runFolder';

export class Progress {
  private bar?: SingleBar;
  private readonly tty: boolean;
  private values = { epoch: '-', loss: '-', trainErr: '-', testErr: '–', speed: '-' };

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

  onEvent(e: TrainerEvent): void {
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
      case 'iteration':
        Object.assign(this.values, {
          epoch: String(e.epoch),
          loss: e.loss.toFixed(3),
          trainErr: pct(e.trainError),
          speed: e.imagesPerSec.toFixed(1),
        });
        this.bar?.update(e.iteration, this.values);
        break;
      case 'epoch':
        this.values.testErr = pct(e.testError);
        if (!this.tty)
          this.log(
            `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, train error ${pct(e.trainError)}, test loss ${e.testLoss.toFixed(4)}, test error ${pct(e.testError)} (${e.seconds.toFixed(1)} s)`,
          );
        this.bar?.update(e.iteration, this.values);
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
    this.bar?.stop();
    this.bar = undefined;
  }
}

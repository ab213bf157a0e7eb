// The panel's header: one run's status, progress, errors, speed and ETA with
// the controls that can act on it, or a line per run when several are
// compared.
import type { RunView } from '../../src/protocol/webview';
import { isLive, resumeAction } from '../../src/protocol/runStatus';
import { runLabel, type RunSeries } from './curves';

const $ = (id: string) => document.getElementById(id)!;
const pct = (x: number | undefined | null) => (x == null ? '–' : `${(100 * x).toFixed(2)}%`);

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * Time left, from when the last iteration records arrived (the last 20
 * batches): images/s alone would miss the evaluation passes between epochs.
 */
export class Eta {
  private readonly arrivals: number[] = [];
  private readonly iterationsAt: number[] = [];

  arrived(iteration: number, now = Date.now()): void {
    this.arrivals.push(now);
    this.iterationsAt.push(iteration);
    if (this.arrivals.length > 20) {
      this.arrivals.shift();
      this.iterationsAt.shift();
    }
  }

  reset(): void {
    this.arrivals.length = 0;
    this.iterationsAt.length = 0;
  }

  format(run: RunView, s: RunSeries): string {
    const last = s.last;
    const { arrivals, iterationsAt } = this;
    if (!last || !run.totalIterations || run.status !== 'running' || arrivals.length < 2) return '–';
    const n = arrivals.length - 1;
    const perIteration = (arrivals[n] - arrivals[0]) / 1000 / Math.max(1, iterationsAt[n] - iterationsAt[0]);
    const secs = (run.totalIterations - last.iteration) * perIteration;
    return secs > 3600
      ? `${(secs / 3600).toFixed(1)} h`
      : secs > 60
        ? `${Math.round(secs / 60)} min`
        : `${Math.round(secs)} s`;
  }
}

export function renderStats(runs: RunView[], series: Map<string, RunSeries>, eta: Eta): void {
  const stats = $('stats');
  if (runs.length !== 1) {
    stats.innerHTML = runs
      .map(
        (r) =>
          `<span class="stat"><b>${escape(runLabel(r, runs))}</b> ${escape(r.status)} · final test error ${pct(series.get(r.id)?.lastEpoch?.testError ?? r.finalTestError)}</span>`,
      )
      .join('');
    return;
  }
  const run = runs[0];
  const s = series.get(run.id)!;
  const last = s.last;
  const items: [string, string][] = [
    ['status', run.status],
    ['epoch', `${last?.epoch ?? 0} / ${run.epochs ?? '?'}`],
    ['iteration', `${last?.iteration ?? 0} / ${run.totalIterations ?? '?'}`],
    // While it trains, the last mini-batch's error; once it ended, the last epoch's mean, as run.json and the side view have it.
    isLive(run.status)
      ? ['training error (batch)', pct(last?.trainError)]
      : ['training error', pct(run.finalTrainError ?? s.lastEpoch?.trainError ?? last?.trainError)],
    ['test error', pct(s.lastEpoch?.testError ?? run.finalTestError)],
    ['loss', last?.loss?.toFixed(4) ?? '–'],
    ['learning rate', last?.lr?.toPrecision(3) ?? '–'],
    ['images/s', last?.imagesPerSec?.toFixed(1) ?? '–'],
    ['ETA', eta.format(run, s)],
    ['backend', run.backend ?? '–'],
  ];
  // Followed from its folder while another process writes it: who, instead of Stop/Pause.
  const writtenBy = !!run.followed && run.status === 'running';
  if (writtenBy) items.push(['written by', run.message ?? 'another process']);
  stats.innerHTML = items
    .map(
      ([k, v]) =>
        `<span class="stat" data-stat="${k}"><span class="k">${k}</span> <span class="v">${escape(v)}</span></span>`,
    )
    .join('');
  const live = isLive(run.status);
  const resumable = !!resumeAction(run.status, run.followed);
  // Only what can be done: a run another process writes has no trainer here to stop or pause, a
  // finished one nothing at all, a stopped one Resume alone (from its last checkpoint).
  (document.querySelector('.controls') as HTMLElement).style.display =
    run.followed || (!live && !resumable) ? 'none' : '';
  $('stop').hidden = $('pause').hidden = !live;
  ($('stop') as HTMLButtonElement).disabled = !live;
  ($('pause') as HTMLButtonElement).disabled = run.status !== 'running';
  ($('resume') as HTMLButtonElement).disabled = !resumable;
  const msg = $('message');
  msg.hidden = !run.message || writtenBy;
  msg.textContent = run.message ?? '';
}

// The training panel's app: receives run data from the host, draws curves and
// the diagram, and sends Stop/Pause/Resume back (validated host-side).
import type { HostMessage, MetricRecordView, RunView } from '../../src/protocol/webview';
import { onHostMessage, saveState, send } from '../shared/vscodeApi';
import { onThemeChange, readTheme } from '../shared/theme';
import { createCharts, CurveCharts, retheme, RunSeries, updateCharts, runLabel } from './curves';
import { Diagram } from './diagram';

const app = document.getElementById('app')!;
app.innerHTML = `
  <header>
    <h1 id="title">ResNet Lab</h1>
    <div class="controls">
      <button id="pause" title="Pause training">Pause</button>
      <button id="resume" title="Resume training">Resume</button>
      <button id="stop" class="danger" title="Stop and keep a checkpoint">Stop</button>
    </div>
  </header>
  <section id="stats" class="stats"></section>
  <section id="message" class="message" hidden></section>
  <main class="layout">
    <section class="curves">
      <div class="chart tall"><canvas id="error-chart"></canvas></div>
      <div class="chart"><canvas id="loss-chart"></canvas></div>
      <div class="chart short"><canvas id="lr-chart"></canvas></div>
    </section>
    <section class="diagram-pane">
      <div class="diagram-tools"><button id="collapse">Collapse blocks</button><button id="expand">Expand all</button></div>
      <div id="diagram"><p class="muted">The layer diagram appears when the model is built.</p></div>
    </section>
  </main>`;

let theme = readTheme();
let maxPoints = 2000;
let runs: RunView[] = [];
const series = new Map<string, RunSeries>();
let charts: CurveCharts | undefined;
const diagram = new Diagram(document.getElementById('diagram')!, theme);
let redrawQueued = false;

const $ = (id: string) => document.getElementById(id)!;

function chartsReady(): CurveCharts {
  charts ??= createCharts({
    error: $('error-chart') as HTMLCanvasElement, loss: $('loss-chart') as HTMLCanvasElement, lr: $('lr-chart') as HTMLCanvasElement,
  }, theme, maxPoints);
  return charts;
}

function scheduleRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    renderStats();
    updateCharts(chartsReady(), runs, series, theme);
    // For tests and screen readers: how much data each curve has.
    const canvas = $('error-chart');
    canvas.dataset.points = String(runs.reduce((s, r) => s + (series.get(r.id)?.trainRaw.length ?? 0), 0));
    canvas.dataset.testPoints = String(runs.reduce((s, r) => s + (series.get(r.id)?.test.length ?? 0), 0));
  });
}

const pct = (x: number | undefined | null) => (x == null ? '–' : `${(100 * x).toFixed(2)}%`);

// Seconds per iteration from when the last iteration records arrived: images/s
// alone would miss the evaluation passes between epochs.
const arrivals: number[] = [];
const iterationsAt: number[] = [];

function eta(run: RunView, s: RunSeries): string {
  const last = s.last;
  if (!last || !run.totalIterations || run.status !== 'running' || arrivals.length < 2) return '–';
  const n = arrivals.length - 1;
  const perIteration = (arrivals[n] - arrivals[0]) / 1000 / Math.max(1, iterationsAt[n] - iterationsAt[0]);
  const secs = (run.totalIterations - last.iteration) * perIteration;
  return secs > 3600 ? `${(secs / 3600).toFixed(1)} h` : secs > 60 ? `${Math.round(secs / 60)} min` : `${Math.round(secs)} s`;
}

function renderStats(): void {
  const stats = $('stats');
  if (runs.length !== 1) {
    stats.innerHTML = runs.map((r) => `<span class="stat"><b>${escape(runLabel(r))}</b> ${escape(r.status)} · final test error ${pct(series.get(r.id)?.lastEpoch?.testError ?? r.finalTestError)}</span>`).join('');
    return;
  }
  const run = runs[0];
  const s = series.get(run.id)!;
  const last = s.last;
  const items: [string, string][] = [
    ['status', run.status],
    ['epoch', `${last?.epoch ?? 0} / ${run.epochs ?? '?'}`],
    ['iteration', `${last?.iteration ?? 0} / ${run.totalIterations ?? '?'}`],
    ['training error', pct(last?.trainError)],
    ['test error', pct(s.lastEpoch?.testError ?? run.finalTestError)],
    ['loss', last?.loss?.toFixed(4) ?? '–'],
    ['learning rate', last?.lr?.toPrecision(3) ?? '–'],
    ['images/s', last?.imagesPerSec?.toFixed(1) ?? '–'],
    ['ETA', eta(run, s)],
    ['backend', run.backend ?? '–'],
  ];
  stats.innerHTML = items.map(([k, v]) => `<span class="stat" data-stat="${k}"><span class="k">${k}</span> <span class="v">${escape(v)}</span></span>`).join('');
  const live = ['running', 'paused', 'starting'].includes(run.status);
  ($('stop') as HTMLButtonElement).disabled = !live;
  ($('pause') as HTMLButtonElement).disabled = run.status !== 'running';
  ($('resume') as HTMLButtonElement).disabled = run.status !== 'paused';
  const msg = $('message');
  msg.hidden = !run.message;
  msg.textContent = run.message ?? '';
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function addRecords(id: string, records: MetricRecordView[]): void {
  let s = series.get(id);
  if (!s) series.set(id, (s = new RunSeries()));
  s.add(records);
  const lastIter = records.filter((r) => r.type === 'iteration').pop();
  if (lastIter && runs.length === 1) {
    arrivals.push(Date.now());
    iterationsAt.push(lastIter.iteration);
    if (arrivals.length > 20) { arrivals.shift(); iterationsAt.shift(); }
  }
}

function handle(m: HostMessage): void {
  switch (m.method) {
    case 'panel/show': {
      maxPoints = m.params.maxPoints;
      runs = m.params.runs;
      series.clear();
      arrivals.length = 0; iterationsAt.length = 0;
      for (const r of runs) addRecords(r.id, m.params.metrics[r.id] ?? []);
      $('title').textContent = m.params.title;
      document.body.classList.toggle('compare', runs.length > 1);
      document.body.classList.toggle('diagram-only', runs.length === 0);
      if (m.params.diagram) diagram.show(m.params.diagram);
      scheduleRedraw();
      break;
    }
    case 'run/update': {
      const i = runs.findIndex((r) => r.id === m.params.run.id);
      if (i >= 0) runs[i] = m.params.run;
      scheduleRedraw();
      break;
    }
    case 'run/metrics':
      if (runs.some((r) => r.id === m.params.id)) {
        addRecords(m.params.id, m.params.records);
        scheduleRedraw();
      }
      break;
    case 'diagram/show':
      diagram.show(m.params);
      break;
    case 'state/save':
      saveState(m.params);
      break;
  }
}

for (const action of ['stop', 'pause', 'resume'] as const) {
  $(action).addEventListener('click', () => {
    if (runs.length === 1) send({ method: 'run/control', params: { id: runs[0].id, action } });
  });
}
$('collapse').addEventListener('click', () => diagram.setAll(true));
$('expand').addEventListener('click', () => diagram.setAll(false));

onThemeChange(() => {
  theme = readTheme();
  if (charts) retheme(charts, theme);
  diagram.setTheme(theme);
  scheduleRedraw();
});
onHostMessage(handle);
send({ method: 'webview/ready' });

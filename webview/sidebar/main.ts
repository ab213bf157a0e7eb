// The side view: mini curves of the active run and the recent runs. Clicking
// a run opens it in the panel; ticking several and "Compare" overlays them.
import { Chart, Decimation, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import type { SidebarHostMessage, SidebarMessage } from '../../src/protocol/sidebar';
import type { MetricRecordView, RunView } from '../../src/protocol/webview';
import { hostChannel } from '../shared/vscodeApi';
import { onThemeChange, readTheme } from '../shared/theme';
import { renderSweeps } from './sweeps';

const host = hostChannel<SidebarMessage, SidebarHostMessage>();

Chart.register(LineController, LineElement, PointElement, LinearScale, Decimation);

const app = document.getElementById('app')!;
app.innerHTML = `
  <section id="active" class="active-run">
    <div id="active-title" class="muted">No run is training.</div>
    <div class="mini-chart"><canvas id="mini"></canvas></div>
  </section>
  <section id="sweeps" hidden><div class="runs-header"><span>Sweeps</span></div><ul class="runs"></ul></section>
  <div class="runs-header"><span>Recent runs</span><button id="compare" disabled>Compare</button></div>
  <ul id="runs" class="runs"></ul>`;

let theme = readTheme();
let chart: Chart<'line', { x: number; y: number }[]> | undefined;
const selected = new Set<string>();

const pct = (x: number | null | undefined) => (x == null ? '–' : `${(100 * x).toFixed(1)}%`);

function miniChart(metrics: MetricRecordView[]): void {
  const train = metrics
    .filter((m) => m.type === 'iteration' && m.trainError !== undefined)
    .map((m) => ({ x: m.iteration, y: 100 * m.trainError! }));
  const test = metrics.filter((m) => m.testError !== undefined).map((m) => ({ x: m.iteration, y: 100 * m.testError! }));
  const datasets = [
    { data: train, borderColor: theme.series[0], borderWidth: 1, pointRadius: 0 },
    { data: test, borderColor: theme.series[1], borderWidth: 2, pointRadius: 2 },
  ];
  const canvas = document.getElementById('mini') as HTMLCanvasElement;
  canvas.dataset.points = String(train.length);
  if (!chart) {
    chart = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, decimation: { enabled: true, algorithm: 'lttb', samples: 300 } },
        scales: {
          x: { type: 'linear', ticks: { color: theme.muted, maxTicksLimit: 4 } },
          y: { min: 0, max: 100, ticks: { color: theme.muted, maxTicksLimit: 4 } },
        },
      },
    });
  } else {
    chart.data.datasets = datasets;
    chart.update('none');
  }
}

/** The errors a row shows: run.json's final ones; for the run training now (no final yet), its latest epoch's. */
type Errors = { test?: number | null; train?: number | null };

function renderRuns(runs: RunView[], activeId?: string, activeErrors: Errors = {}): void {
  const list = document.getElementById('runs')!;
  list.replaceChildren(
    ...runs.map((r) => {
      const li = document.createElement('li');
      li.className = `run status-${r.status}`;
      li.dataset.folder = r.folder ?? '';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !!r.folder && selected.has(r.id);
      box.title = 'Select to compare';
      box.addEventListener('click', (e) => {
        e.stopPropagation();
        if (!r.folder) return;
        if (box.checked) selected.add(r.id);
        else selected.delete(r.id);
        (document.getElementById('compare') as HTMLButtonElement).disabled = selected.size < 2;
      });
      const text = document.createElement('div');
      text.className = 'run-text';
      text.innerHTML = `<div class="run-name"></div><div class="run-meta muted"></div>`;
      text.querySelector('.run-name')!.textContent = `${r.experiment} · ${r.modelName ?? ''}`;
      text.querySelector('.run-meta')!.textContent =
        `${r.status} · test ${pct(r.finalTestError ?? (r.id === activeId ? activeErrors.test : null))} · train ${pct(r.finalTrainError ?? (r.id === activeId ? activeErrors.train : null))}`;
      li.append(box, text);
      li.title = r.folder ?? '';
      li.addEventListener('click', () => r.folder && host.send({ method: 'run/open', params: { id: r.id } }));
      return li;
    }),
  );
}

function handle(m: SidebarHostMessage): void {
  if (m.method !== 'sidebar/update') return;
  const { active, activeMetrics, recent } = m.params;
  const title = document.getElementById('active-title')!;
  if (active) {
    const last = activeMetrics[activeMetrics.length - 1];
    // A followed run is written by another process (a CLI run, a train.py): say so, it has no Stop here.
    title.textContent = `${active.experiment}: ${active.status}${last ? ` · epoch ${last.epoch} · iteration ${last.iteration}` : ''}${active.followed ? ' · followed from its folder' : ''}`;
    title.title = active.followed ? (active.message ?? '') : '';
    title.classList.remove('muted');
  } else {
    title.textContent = 'No run is training.';
    title.classList.add('muted');
  }
  // No run: no empty axes either.
  (document.querySelector('.mini-chart') as HTMLElement).hidden = !active;
  if (active) miniChart(activeMetrics);
  const lastEpoch = [...activeMetrics].reverse().find((r) => r.type === 'epoch');
  renderRuns(recent, active?.id, { test: lastEpoch?.testError, train: lastEpoch?.trainError });
  renderSweeps(document.getElementById('sweeps')!, m.params.sweeps ?? [], host.send);
}

document.getElementById('compare')!.addEventListener('click', () => {
  if (selected.size >= 2) host.send({ method: 'runs/compare', params: { ids: [...selected] } });
});
onThemeChange(() => {
  theme = readTheme();
  chart?.destroy();
  chart = undefined;
});
host.onMessage(handle);
host.send({ method: 'webview/ready' });

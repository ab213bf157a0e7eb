// The training panel's app: receives run data from the host, draws curves and
// the diagram, and sends Stop/Pause/Resume back (validated host-side).
import type { PanelHostMessage, PanelMessage } from '../../src/protocol/panel';
import type {
  DiagramData,
  GradientMatrix,
  MetricRecordView,
  RunAnalyses,
  RunView,
  SmoothingState,
} from '../../src/protocol/webview';
import { appendRecords } from '../../src/core/report/gradientMatrix';
import { AnalysisTab } from './analysisTab';
import { wireDistributionsTab } from './distributionsWiring';
import { ConfusionTab } from './confusionTab';
import { PANEL_MARKUP } from './markup';
import { Eta, renderStats } from './runStats';
import { showExportsFor, wireExportButtons } from './exportButtons';
import { hostChannel } from '../shared/vscodeApi';
import { onThemeChange, readTheme } from '../shared/theme';
import { createCharts, CurveCharts, retheme, RunSeries, setRange, updateCharts } from './curves';
import { Diagram } from './diagram';
import { GradientFlow } from './gradientFlow';

// When this script started and when the first run data came (epoch ms), for the load-time test.
document.body.dataset.scriptStart = String(Math.round(performance.timeOrigin + performance.now()));
const host = hostChannel<PanelMessage, PanelHostMessage>();
const app = document.getElementById('app')!;
app.innerHTML = PANEL_MARKUP;

let theme = readTheme();
let maxPoints = 2000;
let runs: RunView[] = [];
const series = new Map<string, RunSeries>();
let charts: CurveCharts | undefined;
const diagram = new Diagram(document.getElementById('diagram')!, theme);
const gradients = new Map<string, GradientMatrix>();
let smoothing: SmoothingState = { weight: 0.95, default: 0.95, remembered: false };
/** The iterations in view when zoomed; undefined: the whole run. */
let range: { from: number; to: number } | undefined;
let requestId = 0;
let pendingDiagram: DiagramData | undefined;
const gradientFlow = new GradientFlow(document.getElementById('gradients')!, theme, (name) => diagram.highlight(name));
let activeTab = 'curves';
const analyses = new Map<string, RunAnalyses>();
let analysesDirty = true;
const analysisTab = new AnalysisTab({ runs: () => runs, analyses, theme: () => theme, diagram, send: host.send });
let redrawQueued = false;
let gradientsDirty = true;
const distributions = wireDistributionsTab({
  host: document.getElementById('distributions')!,
  runs: () => runs,
  theme: () => theme,
  send: host.send,
  diagram,
  activeTab: () => activeTab,
  redraw: () => scheduleRedraw(),
});
const confusionTab = new ConfusionTab(document.getElementById('confusion')!, host.send, () => theme);

const $ = (id: string) => document.getElementById(id)!;
const eta = new Eta();

function chartsReady(): CurveCharts {
  charts ??= createCharts(
    {
      error: $('error-chart') as HTMLCanvasElement,
      loss: $('loss-chart') as HTMLCanvasElement,
      lr: $('lr-chart') as HTMLCanvasElement,
    },
    theme,
    maxPoints,
    (chart, from, to) => {
      // One range for all three charts; then the host refines the curves to it.
      range = { from, to };
      const others = Object.values(charts!).filter((c) => c !== chart);
      setRange(others, from, to);
      for (const c of others) c.update('none');
      requestCurves();
    },
  );
  return charts;
}

/** The curve chart's width in pixels: the host makes one column of points per pixel. */
function chartColumns(): number {
  return Math.max(100, Math.min(4000, Math.round($('error-chart').parentElement!.clientWidth || 800)));
}

/** What the host makes columns for: the chart's width, within the maxChartPoints setting (two points a column). */
const hostColumns = () => Math.max(10, Math.min(chartColumns(), Math.floor(maxPoints / 2)));

let requestTimer: ReturnType<typeof setTimeout> | undefined;
function requestCurves(): void {
  clearTimeout(requestTimer);
  requestTimer = setTimeout(
    () =>
      host.send({
        method: 'curves/request',
        params: {
          requestId: ++requestId,
          from: range?.from,
          to: range?.to,
          columns: chartColumns(),
          smoothing: smoothing.weight,
        },
      }),
    80,
  );
}

function showSmoothing(): void {
  ($('smoothing') as HTMLInputElement).value = String(smoothing.weight);
  $('smoothing-value').textContent = `${smoothing.weight.toFixed(3)}${smoothing.remembered ? '' : ' (auto)'}`;
}

function scheduleRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    renderStats(runs, series, eta);
    if ((activeTab === 'lesion' || activeTab === 'paths' || activeTab === 'responses') && analysesDirty) {
      analysesDirty = false;
      analysisTab.render();
    }
    if (activeTab === 'gradients' && gradientsDirty) {
      gradientsDirty = false;
      gradientFlow.render(
        runs.map((run) => ({ run, matrix: gradients.get(run.id) ?? { layers: [], iterations: [], norms: [] } })),
      );
    }
    if (activeTab === 'distributions') distributions.renderIfDirty();
    updateCharts(chartsReady(), runs, series, theme);
    if (pendingDiagram) {
      const d = pendingDiagram;
      pendingDiagram = undefined;
      setTimeout(() => diagram.show(d), 0);
    }
    // For tests and screen readers: how much data each curve has.
    const canvas = $('error-chart');
    canvas.dataset.points = String(runs.reduce((s, r) => s + (series.get(r.id)?.trainRaw.length ?? 0), 0));
    if (canvas.dataset.points !== '0')
      document.body.dataset.firstChartAt ??= String(Math.round(performance.timeOrigin + performance.now()));
    // The latest iteration drawn: the e2e times records from the run folder to the chart with it.
    canvas.dataset.lastIteration = String(Math.max(0, ...runs.map((r) => series.get(r.id)?.trainRaw.at(-1)?.x ?? 0)));
    canvas.dataset.testPoints = String(runs.reduce((s, r) => s + (series.get(r.id)?.test.length ?? 0), 0));
    canvas.dataset.smoothing = String(smoothing.weight);
  });
}

function addRecords(id: string, records: MetricRecordView[]): void {
  const s = series.get(id);
  if (!s) return;
  s.add(records);
  const lastIter = records.filter((r) => r.type === 'iteration').pop();
  if (lastIter && runs.length === 1) eta.arrived(lastIter.iteration);
}

function handle(m: PanelHostMessage): void {
  switch (m.method) {
    case 'panel/show': {
      document.body.dataset.shownAt ??= String(Math.round(performance.timeOrigin + performance.now()));
      document.body.dataset.shows = String(Number(document.body.dataset.shows ?? 0) + 1);
      maxPoints = m.params.maxPoints;
      runs = m.params.runs;
      smoothing = m.params.smoothing;
      showSmoothing();
      range = undefined;
      // New charts for new runs: the zoom plugin keeps the first scale it saw as the limit of
      // every later zoom, and a chart zoomed while empty would stay stuck at iterations 0–1.
      if (charts) for (const c of Object.values(charts)) c.destroy();
      charts = undefined;
      series.clear();
      for (const r of runs) {
        const s = new RunSeries(m.params.latest[r.id]);
        const view = m.params.curves[r.id];
        if (view) s.setView(view);
        series.set(r.id, s);
      }
      $('range-info').textContent = '';
      // Made before this chart's width was known: ask again at the real width.
      if (Object.values(m.params.curves).some((v) => Math.abs(v.columns - hostColumns()) > 0.1 * v.columns))
        requestCurves();
      gradients.clear();
      gradientsDirty = true;
      distributions.shown();
      analyses.clear();
      for (const r of runs) analyses.set(r.id, m.params.analyses[r.id] ?? {});
      analysesDirty = true;
      const flags = $('flags');
      flags.hidden = m.params.flags.length === 0;
      flags.textContent = m.params.flags.length ? `Compared with care: ${m.params.flags.join('; ')}.` : '';
      eta.reset();
      $('title').textContent = m.params.title;
      document.body.classList.toggle('compare', runs.length > 1);
      document.body.classList.toggle('diagram-only', runs.length === 0);
      // The diagram after the first chart: it is the slower of the two to draw.
      pendingDiagram = m.params.diagram;
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
        distributions.grew();
        scheduleRedraw();
      }
      break;
    case 'curves/view': {
      if (m.params.requestId !== requestId) break; // a newer request is on its way
      for (const [id, view] of Object.entries(m.params.curves)) series.get(id)?.setView(view);
      const views = Object.values(m.params.curves);
      const count = Math.max(0, ...views.map((v) => v.count));
      $('range-info').textContent =
        range && views.length
          ? `iterations ${Math.round(views[0].from).toLocaleString()}–${Math.round(views[0].to).toLocaleString()} (${count.toLocaleString()} in view)`
          : '';
      scheduleRedraw();
      break;
    }
    case 'run/gradientMatrix':
      gradients.set(m.params.id, m.params.matrix);
      gradientsDirty = true;
      scheduleRedraw();
      break;
    case 'run/gradients': {
      const matrix = gradients.get(m.params.id) ?? { layers: [], iterations: [], norms: [] };
      appendRecords(matrix, m.params.records);
      gradients.set(m.params.id, matrix);
      gradientsDirty = true;
      scheduleRedraw();
      break;
    }
    case 'run/distributions':
      distributions.received(m.params.id, m.params.view);
      break;
    case 'analysis/result': {
      const a = analyses.get(m.params.id) ?? {};
      if (m.params.lesion && a.lesion && m.params.lesion.custom) {
        $('lesion-status').textContent =
          `With ${m.params.lesion.custom.lesioned.join(', ') || 'nothing'} deleted: test error ${(100 * m.params.lesion.custom.error).toFixed(2)}% (intact ${(100 * m.params.lesion.baselineError).toFixed(2)}%).`;
        break;
      }
      if (m.params.paths) analysisTab.pathsMeasured(m.params.id);
      analyses.set(m.params.id, {
        ...a,
        ...(m.params.lesion ? { lesion: m.params.lesion } : {}),
        ...(m.params.responses ? { responses: m.params.responses } : {}),
        ...(m.params.paths ? { paths: m.params.paths } : {}),
      });
      analysesDirty = true;
      scheduleRedraw();
      break;
    }
    case 'analysis/error':
      if (m.params.analysis === 'paths') analysisTab.pathsFailed(m.params.id, m.params.message);
      else $(`${m.params.analysis}-status`).textContent = `Failed: ${m.params.message}`;
      break;
    case 'diagram/show':
      pendingDiagram = undefined;
      diagram.show(m.params);
      break;
    case 'diagram/preview':
      $('title').textContent = m.params.title;
      if (pendingDiagram) diagram.show(pendingDiagram);
      pendingDiagram = undefined;
      if (m.params.diagram) diagram.preview(m.params.diagram);
      else diagram.previewFailed(m.params.error ?? 'unknown error');
      break;
  }
}

for (const action of ['stop', 'pause', 'resume'] as const) {
  $(action).addEventListener('click', () => {
    if (runs.length === 1) host.send({ method: 'run/control', params: { id: runs[0].id, action } });
  });
}
for (const tab of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
  tab.addEventListener('click', () => {
    activeTab = tab.dataset.tab!;
    for (const t of document.querySelectorAll<HTMLButtonElement>('[role="tab"]'))
      t.setAttribute('aria-selected', String(t === tab));
    for (const p of document.querySelectorAll<HTMLElement>('[data-tab-panel]'))
      p.hidden = p.dataset.tabPanel !== activeTab;
    gradientsDirty = true;
    analysesDirty = true;
    distributions.tabShown();
    confusionTab.setActive(activeTab === 'confusion');
    showExportsFor(activeTab);
    scheduleRedraw();
  });
}
wireExportButtons(host.send, () => activeTab);
$('collapse').addEventListener('click', () => diagram.setAll(true));
$('expand').addEventListener('click', () => diagram.setAll(false));
$('unravel').addEventListener('click', (e) => {
  const button = e.currentTarget as HTMLButtonElement;
  const on = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(on));
  diagram.setUnraveled(on);
});

onThemeChange(() => {
  theme = readTheme();
  if (charts) retheme(charts, theme);
  diagram.setTheme(theme);
  gradientFlow.setTheme(theme);
  confusionTab.render();
  gradientsDirty = true;
  distributions.invalidate();
  analysesDirty = true;
  scheduleRedraw();
});
let smoothingTimer: ReturnType<typeof setTimeout> | undefined;
$('smoothing').addEventListener('input', (e) => {
  smoothing = { ...smoothing, weight: Number((e.target as HTMLInputElement).value), remembered: true };
  showSmoothing();
  clearTimeout(smoothingTimer);
  smoothingTimer = setTimeout(
    () => host.send({ method: 'settings/smoothing', params: { weight: smoothing.weight } }),
    300,
  );
  requestCurves();
});
$('smoothing-auto').addEventListener('click', () => {
  smoothing = { ...smoothing, weight: smoothing.default, remembered: false };
  showSmoothing();
  host.send({ method: 'settings/smoothing', params: { weight: null } });
  requestCurves();
});
$('reset-zoom').addEventListener('click', () => {
  if (!charts) return;
  for (const c of Object.values(charts)) c.resetZoom('none');
  setRange(Object.values(charts), undefined, undefined);
  range = undefined;
  requestCurves();
});

// For the end-to-end test: the largest message the host sent (bytes of JSON).
let largest = 0;
host.onMessage((m) => {
  const size = JSON.stringify(m).length;
  if (size > largest) document.body.dataset.largestMessage = String((largest = size));
  handle(m);
  confusionTab.handle(m);
});
host.send({ method: 'webview/ready', params: { columns: chartColumns() } });

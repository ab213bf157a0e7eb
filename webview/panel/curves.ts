// Chart.js curves: error (training per iteration, raw and smoothed; test per
// epoch), loss and learning rate. The host sends each run as a view at the
// chart's width (src/core/report/curveView.ts: min-max columns, the EMA over
// every iteration); live records are appended here as they come, with the
// EMA carried on from the host's state. Data are {x, y} points with parsing
// off; the decimation plugin (LTTB) only thins a long live tail.
import {
  Chart,
  CategoryScale,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  ChartDataset,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { CurveView, MetricRecordView, RunLatest, RunView } from '../../src/protocol/webview';
import { fade, Theme } from '../shared/theme';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Decimation,
  Legend,
  Tooltip,
  Filler,
  zoomPlugin,
);

type Point = { x: number; y: number };
type Series = ChartDataset<'line', Point[]>;
const points = (xy: [number, number][]): Point[] => xy.map(([x, y]) => ({ x, y }));

/** One run's curves: the host's view, plus live records that arrived after it. */
export class RunSeries {
  trainRaw: Point[] = [];
  trainSmooth: Point[] = [];
  test: Point[] = [];
  loss: Point[] = [];
  lr: Point[] = [];
  private ema = { m: 0, w: 1 };
  private weight = 0.95;
  last?: MetricRecordView;
  lastEpoch?: MetricRecordView;

  constructor(latest: RunLatest = {}) {
    this.last = latest.last;
    this.lastEpoch = latest.lastEpoch;
  }

  setView(v: CurveView): void {
    this.trainRaw = points(v.raw);
    this.trainSmooth = points(v.smooth);
    this.test = points(v.test);
    this.loss = points(v.loss);
    this.lr = points(v.lr);
    this.ema = { ...v.ema };
    this.weight = v.smoothing;
  }

  add(records: MetricRecordView[]): void {
    for (const r of records) {
      if (r.type === 'iteration') {
        if (this.last && r.iteration <= this.last.iteration) continue;
        if (r.trainError !== undefined) {
          // TensorBoard's debiased EMA, continued from where the host's view ended.
          this.ema.m = this.weight * this.ema.m + (1 - this.weight) * 100 * r.trainError;
          this.ema.w *= this.weight;
          this.trainRaw.push({ x: r.iteration, y: 100 * r.trainError });
          this.trainSmooth.push({ x: r.iteration, y: this.ema.m / (1 - this.ema.w) });
        }
        if (r.loss !== undefined) this.loss.push({ x: r.iteration, y: r.loss });
        if (r.lr !== undefined) this.lr.push({ x: r.iteration, y: r.lr });
        this.last = r;
      } else if (r.testError !== undefined) {
        if (this.lastEpoch && r.iteration <= this.lastEpoch.iteration) continue;
        this.test.push({ x: r.iteration, y: 100 * r.testError });
        this.lastEpoch = r;
      }
    }
  }
}

/** Called when the user stops zooming or panning, with the visible iterations. */
export type OnRange = (chart: Chart, from: number, to: number) => void;

function zoomOptions(onRange: OnRange) {
  const done = ({ chart }: { chart: Chart }) => {
    // A wheel over a chart with nothing drawn yet is no zoom: it would "zoom" to 0–1.
    if (chart.data.datasets.every((d) => d.data.length === 0)) return chart.resetZoom('none');
    onRange(chart, chart.scales.x.min, chart.scales.x.max);
  };
  return {
    // Wheel or pinch zooms the iterations; dragging pans; never beyond the run.
    zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: 'x' as const, onZoomComplete: done },
    pan: { enabled: true, mode: 'x' as const, onPanComplete: done },
    limits: { x: { min: 'original' as const, max: 'original' as const, minRange: 10 } },
  };
}

function baseOptions(
  theme: Theme,
  yTitle: string,
  maxPoints: number,
  onRange: OnRange,
  yType: 'linear' | 'logarithmic' = 'linear',
) {
  const axis = {
    ticks: { color: theme.muted },
    grid: { color: theme.grid },
    title: { color: theme.muted, display: true },
  };
  return {
    animation: false as const,
    parsing: false as const,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, intersect: false },
    plugins: {
      decimation: { enabled: true, algorithm: 'lttb' as const, samples: maxPoints, threshold: maxPoints },
      legend: { labels: { color: theme.foreground, boxWidth: 12 } },
      tooltip: { enabled: true },
      zoom: zoomOptions(onRange),
    },
    scales: {
      // No tick at a zoomed range's fractional ends (42,097.9), only round ones.
      x: {
        ...axis,
        type: 'linear' as const,
        title: { ...axis.title, text: 'iteration' },
        ticks: { ...axis.ticks, includeBounds: false },
      },
      y: { ...axis, type: yType, title: { ...axis.title, text: yTitle } },
    },
  };
}

// A type, not an interface: Object.values(charts) then gives Chart[] (an interface has no index signature).
export type CurveCharts = {
  error: Chart<'line', Point[]>;
  loss: Chart<'line', Point[]>;
  lr: Chart<'line', Point[]>;
};

/** One run: raw training error faint, smoothed bold, test error with points. Several runs: the paper's Fig. 1 style. */
export function errorDatasets(runs: RunView[], series: Map<string, RunSeries>, theme: Theme): Series[] {
  const compare = runs.length > 1;
  return runs.flatMap((run, i): Series[] => {
    const s = series.get(run.id)!;
    const color = theme.series[i % theme.series.length];
    const name = runLabel(run, runs);
    if (!compare) {
      // chart.js draws a lower `order` later, on top: test error over the
      // smoothed curve over the faint raw band.
      return [
        {
          label: 'training error (raw)',
          data: s.trainRaw,
          borderColor: fade(color, 0.2),
          borderWidth: 1,
          pointRadius: 0,
          order: 3,
        },
        {
          label: 'training error (smoothed)',
          data: s.trainSmooth,
          borderColor: color,
          borderWidth: 2,
          pointRadius: 0,
          order: 2,
        },
        {
          label: 'test error',
          data: s.test,
          borderColor: theme.series[1],
          backgroundColor: theme.series[1],
          borderWidth: 2.5,
          pointRadius: testDots(s.test.length, 3),
          order: 1,
        },
      ];
    }
    return [
      {
        label: `${name} train`,
        data: s.trainSmooth,
        borderColor: color,
        borderWidth: 1,
        borderDash: [5, 4],
        pointRadius: 0,
      },
      {
        label: `${name} test`,
        data: s.test,
        borderColor: color,
        backgroundColor: color,
        borderWidth: 3,
        pointRadius: testDots(s.test.length, 2),
      },
    ];
  });
}

/** A dot per epoch while they are few; 256 epochs of dots would hide the line and everything under it. */
const testDots = (epochs: number, radius: number) => (epochs > 60 ? 0 : radius);

/**
 * A run's name for legends and headings: its model and depth, and, when
 * another of the runs shown beside it has the same, when it started (from its
 * folder's stamp), so two runs of one experiment can be told apart.
 */
export function runLabel(run: RunView, among: readonly RunView[] = []): string {
  const base = (r: RunView) => `${r.modelName ?? r.experiment}${r.depth ? ` (${r.depth} layers)` : ''}`;
  const time = (r: RunView) => {
    const stamp = /^\d{8}-(\d{2})(\d{2})(\d{2})/.exec(r.folder ?? '');
    return stamp ? `${stamp[1]}:${stamp[2]}:${stamp[3]}` : undefined;
  };
  const name = base(run);
  const twins = among.filter((r) => r.id !== run.id && base(r) === name);
  if (!twins.length) return name;
  // Started in the same second (a sweep's parallel points), or on another day at the same time: the whole folder name.
  const at = time(run);
  return `${name} · ${at && !twins.some((r) => time(r) === at) ? at : (run.folder ?? run.id)}`;
}

export function createCharts(
  canvases: { error: HTMLCanvasElement; loss: HTMLCanvasElement; lr: HTMLCanvasElement },
  theme: Theme,
  maxPoints: number,
  onRange: OnRange,
): CurveCharts {
  const errorOptions = baseOptions(theme, 'error (%)', maxPoints, onRange);
  errorOptions.scales.y = { ...errorOptions.scales.y, min: 0, max: 100 } as typeof errorOptions.scales.y;
  return {
    error: new Chart(canvases.error, { type: 'line', data: { datasets: [] }, options: errorOptions }),
    loss: new Chart(canvases.loss, {
      type: 'line',
      data: { datasets: [] },
      options: baseOptions(theme, 'loss', maxPoints, onRange),
    }),
    lr: new Chart(canvases.lr, {
      type: 'line',
      data: { datasets: [] },
      options: baseOptions(theme, 'learning rate', maxPoints, onRange, 'logarithmic'),
    }),
  };
}

/** Shows iterations [from, to] on these charts (undefined: the whole run). */
export function setRange(charts: Chart[], from: number | undefined, to: number | undefined): void {
  for (const c of charts) {
    const x = c.options.scales!.x!;
    x.min = from;
    x.max = to;
  }
}

/** The error chart now; loss and learning rate in a task of their own, so no single task draws all three. */
export function updateCharts(charts: CurveCharts, runs: RunView[], series: Map<string, RunSeries>, theme: Theme): void {
  charts.error.data.datasets = errorDatasets(runs, series, theme);
  charts.error.update('none');
  clearTimeout(pendingOthers);
  pendingOthers = setTimeout(() => updateOtherCharts(charts, runs, series, theme), 0);
}
let pendingOthers: ReturnType<typeof setTimeout> | undefined;

function updateOtherCharts(charts: CurveCharts, runs: RunView[], series: Map<string, RunSeries>, theme: Theme): void {
  // One thin line per run, in the run's colour; named by the run only when there are several.
  const perRun = (name: string, values: (s: RunSeries) => { x: number; y: number }[]) =>
    runs.map((run, i) => ({
      label: runs.length > 1 ? runLabel(run, runs) : name,
      data: values(series.get(run.id)!),
      borderColor: theme.series[i % theme.series.length],
      borderWidth: 1.5,
      pointRadius: 0,
    }));
  charts.loss.data.datasets = perRun('training loss', (s) => s.loss);
  charts.lr.data.datasets = perRun('learning rate', (s) => s.lr).map((d) => ({ ...d, stepped: true }));
  charts.loss.update('none');
  charts.lr.update('none');
}

export function retheme(charts: CurveCharts, theme: Theme): void {
  for (const c of Object.values(charts)) {
    const scales = c.options.scales as Record<
      string,
      { ticks: { color: string }; grid: { color: string }; title: { color: string } }
    >;
    for (const axis of Object.values(scales)) {
      axis.ticks.color = theme.muted;
      axis.grid.color = theme.grid;
      axis.title.color = theme.muted;
    }
    (c.options.plugins!.legend!.labels as { color: string }).color = theme.foreground;
  }
}

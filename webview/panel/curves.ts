// Chart.js curves: error (training per iteration, raw and smoothed; test per
// epoch), loss and learning rate. Data are {x, y} points with parsing off,
// so the decimation plugin (LTTB) keeps 100,000-point runs smooth.
import {
  Chart, CategoryScale, Decimation, Filler, Legend, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, Tooltip, ChartDataset,
} from 'chart.js';
import type { MetricRecordView, RunView } from '../../src/protocol/webview';
import { fade, Theme } from '../shared/theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Decimation, Legend, Tooltip, Filler);

type Point = { x: number; y: number };
type Series = ChartDataset<'line', Point[]>;

/** Everything derived from one run's records, kept incrementally. */
export class RunSeries {
  readonly trainRaw: Point[] = [];
  readonly trainSmooth: Point[] = [];
  readonly test: Point[] = [];
  readonly loss: Point[] = [];
  readonly lr: Point[] = [];
  private ema: number | undefined;
  last?: MetricRecordView;
  lastEpoch?: MetricRecordView;

  add(records: MetricRecordView[]): void {
    for (const r of records) {
      if (r.type === 'iteration') {
        if (r.trainError !== undefined) {
          this.ema = this.ema === undefined ? r.trainError : 0.95 * this.ema + 0.05 * r.trainError;
          this.trainRaw.push({ x: r.iteration, y: 100 * r.trainError });
          this.trainSmooth.push({ x: r.iteration, y: 100 * this.ema });
        }
        if (r.loss !== undefined) this.loss.push({ x: r.iteration, y: r.loss });
        if (r.lr !== undefined) this.lr.push({ x: r.iteration, y: r.lr });
        this.last = r;
      } else if (r.testError !== undefined) {
        this.test.push({ x: r.iteration, y: 100 * r.testError });
        this.lastEpoch = r;
      }
    }
  }
}

function baseOptions(theme: Theme, yTitle: string, maxPoints: number, yType: 'linear' | 'logarithmic' = 'linear') {
  const axis = { ticks: { color: theme.muted }, grid: { color: theme.grid }, title: { color: theme.muted, display: true } };
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
    },
    scales: {
      x: { ...axis, type: 'linear' as const, title: { ...axis.title, text: 'iteration' } },
      y: { ...axis, type: yType, title: { ...axis.title, text: yTitle } },
    },
  };
}

export interface CurveCharts {
  error: Chart<'line', Point[]>;
  loss: Chart<'line', Point[]>;
  lr: Chart<'line', Point[]>;
}

/** One run: raw training error faint, smoothed bold, test error with points. Several runs: the paper's Fig. 1 style. */
export function errorDatasets(runs: RunView[], series: Map<string, RunSeries>, theme: Theme): Series[] {
  const compare = runs.length > 1;
  return runs.flatMap((run, i) => {
    const s = series.get(run.id)!;
    const color = theme.series[i % theme.series.length];
    const name = runLabel(run);
    if (!compare) {
      return [
        { label: 'training error (raw)', data: s.trainRaw, borderColor: fade(color, 0.25), borderWidth: 1, pointRadius: 0 },
        { label: 'training error (smoothed)', data: s.trainSmooth, borderColor: color, borderWidth: 2, pointRadius: 0 },
        { label: 'test error', data: s.test, borderColor: theme.series[1], backgroundColor: theme.series[1], borderWidth: 3, pointRadius: 3 },
      ];
    }
    return [
      { label: `${name} train`, data: s.trainSmooth, borderColor: color, borderWidth: 1, borderDash: [5, 4], pointRadius: 0 },
      { label: `${name} test`, data: s.test, borderColor: color, backgroundColor: color, borderWidth: 3, pointRadius: 2 },
    ];
  });
}

export function runLabel(run: RunView): string {
  return `${run.modelName ?? run.experiment}${run.depth ? ` (${run.depth} layers)` : ''}`;
}

export function createCharts(canvases: { error: HTMLCanvasElement; loss: HTMLCanvasElement; lr: HTMLCanvasElement }, theme: Theme, maxPoints: number): CurveCharts {
  const errorOptions = baseOptions(theme, 'error (%)', maxPoints);
  errorOptions.scales.y = { ...errorOptions.scales.y, min: 0, max: 100 } as typeof errorOptions.scales.y;
  return {
    error: new Chart(canvases.error, { type: 'line', data: { datasets: [] }, options: errorOptions }),
    loss: new Chart(canvases.loss, { type: 'line', data: { datasets: [] }, options: baseOptions(theme, 'loss', maxPoints) }),
    lr: new Chart(canvases.lr, { type: 'line', data: { datasets: [] }, options: baseOptions(theme, 'learning rate', maxPoints, 'logarithmic') }),
  };
}

export function updateCharts(charts: CurveCharts, runs: RunView[], series: Map<string, RunSeries>, theme: Theme): void {
  charts.error.data.datasets = errorDatasets(runs, series, theme);
  charts.loss.data.datasets = runs.map((run, i) => ({
    label: runs.length > 1 ? runLabel(run) : 'training loss', data: series.get(run.id)!.loss,
    borderColor: theme.series[i % theme.series.length], borderWidth: 1.5, pointRadius: 0,
  }));
  charts.lr.data.datasets = runs.map((run, i) => ({
    label: runs.length > 1 ? runLabel(run) : 'learning rate', data: series.get(run.id)!.lr,
    borderColor: theme.series[i % theme.series.length], borderWidth: 1.5, pointRadius: 0, stepped: true,
  }));
  for (const c of Object.values(charts)) c.update('none');
}

export function retheme(charts: CurveCharts, theme: Theme): void {
  for (const c of Object.values(charts)) {
    const scales = c.options.scales as Record<string, { ticks: { color: string }; grid: { color: string }; title: { color: string } }>;
    for (const axis of Object.values(scales)) {
      axis.ticks.color = theme.muted;
      axis.grid.color = theme.grid;
      axis.title.color = theme.muted;
    }
    (c.options.plugins!.legend!.labels as { color: string }).color = theme.foreground;
  }
}

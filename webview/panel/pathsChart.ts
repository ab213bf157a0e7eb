// The Paths tab's charts: Veit et al. 2016's Fig. 6 from a run's path
// analysis, three small charts in a row (path counts C(n, k), the gradient
// magnitude per path on a log scale, their product), the effective paths
// shaded in each. The same figure as src/core/report/pathsSvg.ts draws for
// the report. Compared runs: each run's figure, and one chart of every run's
// share of the gradient by length above them.
import { BarController, BarElement, Chart, ChartDataset, Plugin } from 'chart.js';
import { gradientShares } from '../../src/core/analysis/pathCounts';
import type { PathsResult } from '../../src/protocol/trainer';
import type { RunView } from '../../src/protocol/webview';
import { fade, Theme } from '../shared/theme';
import { runLabel } from './curves';

Chart.register(BarController, BarElement);

/** Shades the categories from..to (the effective path lengths) behind the data. */
function shade(from: number, to: number, color: string): Plugin {
  return {
    id: 'effectivePaths',
    beforeDatasetsDraw(chart) {
      const x = chart.scales.x,
        area = chart.chartArea;
      const half = (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2;
      const ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = color;
      ctx.fillRect(
        x.getPixelForValue(from) - half,
        area.top,
        x.getPixelForValue(to) - x.getPixelForValue(from) + 2 * half,
        area.bottom - area.top,
      );
      ctx.restore();
    },
  };
}

const short = (v: number) =>
  v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4) ? v.toExponential(1) : String(Number(v.toPrecision(3)));

export function renderPaths(
  host: HTMLElement,
  run: RunView,
  result: PathsResult,
  theme: Theme,
  among: readonly RunView[] = [],
): Chart[] {
  if (among.length > 1) {
    const heading = document.createElement('h3');
    heading.textContent = runLabel(run, among);
    host.appendChild(heading);
  }
  const row = document.createElement('div');
  row.className = 'chart-row';
  host.appendChild(row);
  const labels = result.lengths.map((l) => String(l.k));
  const { from, to } = result.effective;
  const make = (title: string, y: string, data: number[], color: string, kind: 'bar' | 'line', log = false) => {
    const div = document.createElement('div');
    div.className = 'chart';
    const canvas = document.createElement('canvas');
    canvas.dataset.lengths = String(data.length);
    canvas.dataset.effective = `${from}-${to}`;
    div.appendChild(canvas);
    row.appendChild(div);
    const dataset = {
      type: kind,
      label: y,
      data,
      backgroundColor: color,
      borderColor: color,
      borderWidth: kind === 'line' ? 2 : 0,
      pointRadius: kind === 'line' ? 3 : 0,
    } as ChartDataset<'bar' | 'line', number[]>;
    return new Chart(canvas, {
      type: kind,
      data: { labels, datasets: [dataset] },
      plugins: [shade(from, to, fade(theme.series[2], 0.18))],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          title: { display: true, text: title, color: theme.foreground },
          tooltip: { callbacks: { label: (c) => `${y}: ${short(c.parsed.y ?? 0)}` } },
        },
        scales: {
          x: {
            ticks: { color: theme.muted, autoSkip: true, maxTicksLimit: 10 },
            grid: { color: theme.grid },
            title: { display: true, text: 'path length k', color: theme.muted },
          },
          y: {
            type: log ? 'logarithmic' : 'linear',
            ticks: { color: theme.muted, callback: (v) => short(Number(v)) },
            grid: { color: theme.grid },
            title: { display: true, text: y, color: theme.muted },
          },
        },
      },
    });
  };
  const s = theme.series;
  const charts = [
    make(
      '(a) paths of length k: C(n, k)',
      'paths',
      result.lengths.map((l) => l.paths),
      s[0],
      'bar',
    ),
    make(
      '(b) gradient magnitude per path',
      '|d loss / d input|',
      result.lengths.map((l) => l.perPath),
      s[1],
      'line',
      true,
    ),
    make(
      '(c) total gradient magnitude',
      'paths × per path',
      result.lengths.map((l) => l.total),
      s[3],
      'bar',
    ),
  ];
  const caption = document.createElement('p');
  caption.className = 'muted paths-caption';
  caption.textContent = `${runLabel(run, among)}: shaded, the effective paths (lengths ${from}–${to}, the central ${Math.round(100 * result.effective.share)}% of the total gradient); the total peaks at length ${result.peak}.`;
  host.appendChild(caption);
  return charts;
}

/**
 * Several residual runs on one axis: each length's share of the run's total
 * gradient, one line per run, its effective paths in the legend. Nets of
 * different depths have different numbers of lengths; the axis spans the
 * deepest.
 */
export function renderPathsComparison(
  host: HTMLElement,
  entries: { run: RunView; result: PathsResult }[],
  theme: Theme,
): Chart {
  const div = document.createElement('div');
  div.className = 'chart tall paths-comparison';
  const canvas = document.createElement('canvas');
  canvas.dataset.runs = String(entries.length);
  div.appendChild(canvas);
  host.appendChild(div);
  const longest = Math.max(...entries.map((e) => e.result.lengths.length));
  const datasets = entries.map(({ run, result }, i) => {
    const color = theme.series[i % theme.series.length];
    const shares = gradientShares(result.lengths.map((l) => l.total));
    const { from, to } = result.effective;
    return {
      label: `${runLabel(
        run,
        entries.map((e) => e.run),
      )}: ${result.blocks.length} blocks, effective ${from}–${to}`,
      data: shares.map((s) => 100 * s),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: 2,
    };
  });
  return new Chart(canvas, {
    type: 'line',
    data: { labels: Array.from({ length: longest }, (_, k) => String(k)), datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { labels: { color: theme.foreground } },
        title: {
          display: true,
          text: 'Share of the total gradient by path length (each run sums to 100%)',
          color: theme.foreground,
        },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${short(c.parsed.y ?? 0)}%` } },
      },
      scales: {
        x: {
          ticks: { color: theme.muted, autoSkip: true, maxTicksLimit: 15 },
          grid: { color: theme.grid },
          title: { display: true, text: 'path length k', color: theme.muted },
        },
        y: {
          ticks: { color: theme.muted },
          grid: { color: theme.grid },
          title: { display: true, text: '% of total gradient', color: theme.muted },
        },
      },
    },
  });
}

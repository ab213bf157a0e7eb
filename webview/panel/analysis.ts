// The lesion study (Veit et al. 2016) and layer responses (He et al. Fig. 7)
// of finished runs: bar and line charts from the trainer's results.
import { BarController, BarElement, Chart } from 'chart.js';
import type { LesionResult, ResponsesResult } from '../../src/protocol/trainer';
import type { RunView } from '../../src/protocol/webview';
import { Theme } from '../shared/theme';
import { runLabel } from './curves';

Chart.register(BarController, BarElement);

const pct = (x: number) => 100 * x;

function axes(
  theme: Theme,
  x: string,
  y: string,
  xType: 'linear' | 'category' = 'category',
  yType: 'linear' | 'logarithmic' = 'linear',
) {
  const axis = (text: string) => ({
    ticks: { color: theme.muted },
    grid: { color: theme.grid },
    title: { display: true, text, color: theme.muted },
  });
  return { x: { ...axis(x), type: xType }, y: { ...axis(y), type: yType } };
}

/** A chart that fills its box, drawn at once (no animation), with the theme's legend and an optional title. */
function options<S>(theme: Theme, title: string | undefined, scales: S) {
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: {
      legend: { labels: { color: theme.foreground } },
      title: { display: title !== undefined, text: title, color: theme.foreground },
    },
    scales,
  };
}

function chartIn(host: HTMLElement, cls = 'chart'): HTMLCanvasElement {
  const div = document.createElement('div');
  div.className = cls;
  const canvas = document.createElement('canvas');
  div.appendChild(canvas);
  host.appendChild(div);
  return canvas;
}

export function renderLesion(host: HTMLElement, run: RunView, result: LesionResult, theme: Theme): Chart[] {
  const baseline = pct(result.baselineError);
  const labels = result.blocks.map((b) => b.name.replace(/\/add$/, ''));
  const perBlock = chartIn(host, 'chart tall');
  perBlock.dataset.blocks = String(result.blocks.length);
  const bars = new Chart(perBlock, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          type: 'bar',
          label: 'test error with this block deleted (%)',
          data: result.blocks.map((b) => pct(b.error)),
          backgroundColor: result.blocks.map((b) => (b.downsampling ? theme.series[3] : theme.series[0])),
        },
        {
          type: 'line',
          label: `intact net (${baseline.toFixed(2)}%)`,
          data: labels.map(() => baseline),
          borderColor: theme.series[1],
          borderWidth: 2,
          pointRadius: 0,
        },
      ],
    },
    options: options(theme, `${runLabel(run)}: deleting one block at a time (red: downsampling blocks)`, {
      ...axes(theme, 'deleted block', 'test error (%)'),
      y: { ...axes(theme, '', 'test error (%)').y, min: 0, max: 100 },
    }),
  });
  const random = new Chart(chartIn(host), {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'mean test error, k random blocks deleted',
          data: result.random.map((r) => ({ x: r.k, y: pct(r.meanError) })),
          borderColor: theme.series[0],
          backgroundColor: theme.series[0],
          pointRadius: 3,
        },
      ],
    },
    options: options(theme, undefined, {
      ...axes(theme, 'blocks deleted (k)', 'test error (%)', 'linear'),
      y: { ...axes(theme, '', 'test error (%)').y, min: 0, max: 100 },
    }),
  });
  return [bars, random];
}

export function renderResponses(
  host: HTMLElement,
  series: { run: RunView; result: ResponsesResult }[],
  theme: Theme,
): Chart[] {
  const make = (sorted: boolean, title: string) => {
    const canvas = chartIn(host);
    canvas.dataset.layers = String(series[0]?.result.layers.length ?? 0);
    return new Chart(canvas, {
      type: 'line',
      data: {
        datasets: series.map(({ run, result }, i) => {
          const stds = result.layers.map((l) => l.std);
          const ys = sorted ? [...stds].sort((a, b) => b - a) : stds;
          return {
            label: runLabel(
              run,
              series.map((s) => s.run),
            ),
            data: ys.map((y, k) => ({ x: k + 1, y })),
            borderColor: theme.series[i % theme.series.length],
            borderWidth: 2,
            pointRadius: 2,
          };
        }),
      },
      options: options(
        theme,
        title,
        axes(theme, sorted ? 'layer (sorted by magnitude)' : 'layer index', 'std of response', 'linear'),
      ),
    });
  };
  return [
    make(false, "Standard deviation of each 3×3 layer's response (after BN, before ReLU / addition)"),
    make(true, 'Sorted by magnitude'),
  ];
}

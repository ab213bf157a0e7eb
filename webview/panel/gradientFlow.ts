// The vanishing-gradient half of the paper, from the per-layer gradient norms
// the trainer records every K iterations: a heatmap of layer (input at the
// bottom) x iteration, coloured by log10 of the norm, and the profile across
// layers at one chosen iteration. With two runs (plain vs residual) the
// heatmaps sit side by side on one colour scale.
//
// A heatmap has one column per record, or, when the box is too narrow for
// that (1,000 records in 500 pixels), fewer columns each holding the mean of
// the records it covers. The pointer is mapped to a cell by its position as a
// fraction of the drawn canvas, so it stays right however the canvas is
// scaled; a resize of the panel redraws the columns for the new width.
import { Chart } from 'chart.js';
import type { GradientMatrix, RunView } from '../../src/protocol/webview';
import { cellAt, Column, columnCount, columns } from '../../src/core/report/gradientMatrix';
import { Theme } from '../shared/theme';
import { runLabel } from './curves';

// Viridis, sampled: perceptually even and readable in light and dark themes.
const VIRIDIS = [
  '#440154',
  '#482878',
  '#3e4989',
  '#31688e',
  '#26828e',
  '#1f9e89',
  '#35b779',
  '#6ece58',
  '#b5de2b',
  '#fde725',
];

function colour(t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  return VIRIDIS[Math.round(x)];
}

export interface HeatmapRun {
  run: RunView;
  matrix: GradientMatrix;
}

const MAX_CELL_W = 12,
  MIN_CELL_W = 2;

export class GradientFlow {
  private profile: Chart<'line', { x: number; y: number }[]> | undefined;
  /** The chosen column as an iteration, so it survives a redraw at another width. */
  private selectedIteration: number | undefined;
  private lastRuns: HeatmapRun[] = [];
  private lastWidth = 0;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: HTMLElement,
    private theme: Theme,
    private readonly onHoverLayer: (name: string | undefined) => void,
  ) {
    new ResizeObserver(() => {
      const width = this.host.clientWidth;
      if (!this.lastRuns.length || width === 0 || Math.abs(width - this.lastWidth) < 4) return;
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.render(this.lastRuns), 100);
    }).observe(this.host);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
  }

  render(runs: HeatmapRun[]): void {
    this.lastRuns = runs;
    this.lastWidth = this.host.clientWidth;
    const withData = runs.filter((r) => r.matrix.iterations.length > 0);
    if (withData.length === 0) {
      this.host.innerHTML =
        '<p class="muted">No gradient norms yet: the trainer records them every K iterations (setting resnetLab.gradientNormInterval).</p>';
      this.profile?.destroy();
      this.profile = undefined;
      return;
    }
    let lo = Infinity,
      hi = -Infinity;
    for (const r of withData)
      for (const row of r.matrix.norms)
        for (const v of row) {
          const l = Math.log10(Math.max(v, 1e-12));
          if (l < lo) lo = l;
          if (l > hi) hi = l;
        }
    const shown = withData.slice(0, 2);
    // Each heatmap gets its share of the box's width (side by side when comparing).
    const width = Math.max(120, (this.host.clientWidth || 600) / shown.length - 16);
    this.host.replaceChildren();
    const row = document.createElement('div');
    row.className = 'heatmaps';
    for (const r of shown) row.appendChild(this.heatmap(r, lo, hi, width));
    this.host.appendChild(row);
    this.host.appendChild(this.legend(lo, hi));
    this.host.appendChild(this.profileView(withData));
  }

  private heatmap({ run, matrix }: HeatmapRun, lo: number, hi: number, width: number): HTMLElement {
    const layers = matrix.layers;
    const records = matrix.iterations.length;
    const cols = columns(matrix, columnCount(records, width, MIN_CELL_W));
    const box = document.createElement('div');
    box.className = 'heatmap';
    const title = document.createElement('div');
    title.className = 'heatmap-title';
    const perColumn = records / cols.length;
    title.textContent =
      `${runLabel(run)}: ${layers.length} rows, one per layer with weights (convolutions, batch norms, classifier) × ${records} recorded iterations` +
      (perColumn > 1 ? `, each column the mean of ~${perColumn.toFixed(1)}` : '');
    const canvas = document.createElement('canvas');
    const cellW = Math.max(1, Math.min(MAX_CELL_W, Math.floor(width / cols.length)));
    const cellH = Math.max(3, Math.min(14, Math.floor(420 / layers.length)));
    canvas.width = cellW * cols.length;
    canvas.height = cellH * layers.length;
    canvas.className = 'heatmap-canvas';
    canvas.dataset.rows = String(layers.length);
    canvas.dataset.cols = String(cols.length);
    canvas.dataset.samples = String(records);
    const ctx = canvas.getContext('2d')!;
    cols.forEach((col, x) => {
      col.means.forEach((norm, i) => {
        const t = (Math.log10(Math.max(norm, 1e-12)) - lo) / Math.max(1e-9, hi - lo);
        ctx.fillStyle = colour(t);
        // Input at the bottom: layer 0 in the last row.
        ctx.fillRect(x * cellW, (layers.length - 1 - i) * cellH, cellW, cellH);
      });
    });
    const tip = document.createElement('div');
    tip.className = 'heatmap-tip muted';
    tip.textContent = 'Hover a cell: layer, iteration, norm. Brighter = larger gradient.';
    const cellOf = (e: MouseEvent) => {
      const rect = canvas.getBoundingClientRect();
      const cell = cellAt(
        (e.clientX - rect.left) / rect.width,
        (e.clientY - rect.top) / rect.height,
        cols.length,
        layers.length,
      );
      return cell && { col: cols[cell.column], layer: cell.layer };
    };
    canvas.addEventListener('mousemove', (e) => {
      const cell = cellOf(e);
      if (!cell) return;
      const { col, layer } = cell;
      const name = layers[layer],
        norm = col.means[layer];
      const when =
        col.to - col.from > 1
          ? `iterations ${col.firstIteration}–${col.lastIteration} (mean of ${col.to - col.from})`
          : `iteration ${col.firstIteration}`;
      tip.textContent = `${name} · ${when} · ‖∇‖ = ${norm.toExponential(2)}`;
      // What the pointer is on, exactly, for tests and screen readers.
      Object.assign(tip.dataset, {
        layer: name,
        from: String(col.firstIteration),
        to: String(col.lastIteration),
        norm: String(norm),
      });
      this.onHoverLayer(name);
    });
    canvas.addEventListener('mouseleave', () => this.onHoverLayer(undefined));
    canvas.addEventListener('click', (e) => {
      const cell = cellOf(e);
      if (!cell) return;
      this.selectedIteration = cell.col.firstIteration;
      this.updateProfile();
    });
    box.append(title, canvas, tip);
    this.columnsOf.set(run.id, cols);
    return box;
  }

  /** The columns each heatmap shows, for the profile of a chosen one. */
  private readonly columnsOf = new Map<string, Column[]>();

  private legend(lo: number, hi: number): HTMLElement {
    const div = document.createElement('div');
    div.className = 'heatmap-legend muted';
    const bar = document.createElement('canvas');
    bar.width = 200;
    bar.height = 10;
    const ctx = bar.getContext('2d')!;
    for (let x = 0; x < 200; x++) {
      ctx.fillStyle = colour(x / 199);
      ctx.fillRect(x, 0, 1, 10);
    }
    div.append(`‖∇‖ 1e${lo.toFixed(1)} `, bar, ` 1e${hi.toFixed(1)}`);
    return div;
  }

  private profileRuns: HeatmapRun[] = [];

  private profileView(runs: HeatmapRun[]): HTMLElement {
    this.profileRuns = runs;
    const div = document.createElement('div');
    div.className = 'profile';
    const label = document.createElement('div');
    label.className = 'muted';
    label.id = 'profile-label';
    const holder = document.createElement('div');
    holder.className = 'chart';
    const canvas = document.createElement('canvas');
    holder.appendChild(canvas);
    div.append(label, holder);
    this.profile?.destroy();
    const t = this.theme;
    this.profile = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        plugins: { legend: { labels: { color: t.foreground } } },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'layer (input → output)', color: t.muted },
            ticks: { color: t.muted },
            grid: { color: t.grid },
          },
          y: {
            type: 'logarithmic',
            title: { display: true, text: 'gradient norm', color: t.muted },
            ticks: { color: t.muted },
            grid: { color: t.grid },
          },
        },
      },
    });
    queueMicrotask(() => this.updateProfile());
    return div;
  }

  private updateProfile(): void {
    if (!this.profile) return;
    const label = this.host.querySelector('#profile-label');
    this.profile.data.datasets = this.profileRuns.map((r, i) => {
      const cols = this.columnsOf.get(r.run.id) ?? [];
      const at = this.selectedIteration;
      const col = (at !== undefined && cols.find((c) => c.lastIteration >= at)) || cols[cols.length - 1];
      const when =
        col.to - col.from > 1
          ? `iterations ${col.firstIteration}–${col.lastIteration} (mean)`
          : `iteration ${col.firstIteration}`;
      if (label && i === 0) label.textContent = `Gradient norm per layer at ${when} (click a heatmap column to choose)`;
      return {
        label: runLabel(r.run),
        data: col.means.map((norm, k) => ({ x: k + 1, y: Math.max(norm, 1e-12) })),
        borderColor: this.theme.series[i % this.theme.series.length],
        borderWidth: 2,
        pointRadius: 2,
      };
    });
    this.profile.update('none');
  }
}

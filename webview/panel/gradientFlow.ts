// The vanishing-gradient half of the paper, from the per-layer gradient norms
// the trainer records every K iterations: a heatmap of layer (input at the
// bottom) x iteration, coloured by log10 of the norm, and the profile across
// layers at one chosen iteration. With two runs (plain vs residual) the
// heatmaps sit side by side on one colour scale.
import { Chart } from 'chart.js';
import type { GradientRecordView, RunView } from '../../src/protocol/webview';
import { Theme } from '../shared/theme';
import { runLabel } from './curves';

// Viridis, sampled: perceptually even and readable in light and dark themes.
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

function colour(t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  return VIRIDIS[Math.round(x)];
}

export interface HeatmapRun { run: RunView; records: GradientRecordView[] }

export class GradientFlow {
  private profile: Chart<'line', { x: number; y: number }[]> | undefined;
  private selected = -1;

  constructor(private readonly host: HTMLElement, private theme: Theme, private readonly onHoverLayer: (name: string | undefined) => void) {}

  setTheme(theme: Theme): void { this.theme = theme; }

  render(runs: HeatmapRun[]): void {
    const withData = runs.filter((r) => r.records.length > 0);
    if (withData.length === 0) {
      this.host.innerHTML = '<p class="muted">No gradient norms yet: the trainer records them every K iterations (setting resnetLab.gradientNormInterval).</p>';
      this.profile?.destroy();
      this.profile = undefined;
      return;
    }
    const logs = withData.flatMap((r) => r.records.flatMap((rec) => rec.layers.map((l) => Math.log10(Math.max(l.norm, 1e-12)))));
    const lo = Math.min(...logs), hi = Math.max(...logs);
    this.host.replaceChildren();
    const row = document.createElement('div');
    row.className = 'heatmaps';
    for (const r of withData.slice(0, 2)) row.appendChild(this.heatmap(r, lo, hi));
    this.host.appendChild(row);
    this.host.appendChild(this.legend(lo, hi));
    this.host.appendChild(this.profileView(withData));
  }

  private heatmap({ run, records }: HeatmapRun, lo: number, hi: number): HTMLElement {
    const layers = records[0].layers.map((l) => l.name);
    const box = document.createElement('div');
    box.className = 'heatmap';
    const title = document.createElement('div');
    title.className = 'heatmap-title';
    title.textContent = `${runLabel(run)}: ${layers.length} layers × ${records.length} samples`;
    const canvas = document.createElement('canvas');
    const cellW = Math.max(2, Math.min(12, Math.floor(560 / records.length)));
    const cellH = Math.max(3, Math.min(14, Math.floor(420 / layers.length)));
    canvas.width = cellW * records.length;
    canvas.height = cellH * layers.length;
    canvas.className = 'heatmap-canvas';
    canvas.dataset.rows = String(layers.length);
    canvas.dataset.cols = String(records.length);
    const ctx = canvas.getContext('2d')!;
    records.forEach((rec, x) => {
      rec.layers.forEach((l, i) => {
        const t = (Math.log10(Math.max(l.norm, 1e-12)) - lo) / Math.max(1e-9, hi - lo);
        ctx.fillStyle = colour(t);
        // Input at the bottom: layer 0 in the last row.
        ctx.fillRect(x * cellW, (layers.length - 1 - i) * cellH, cellW, cellH);
      });
    });
    const tip = document.createElement('div');
    tip.className = 'heatmap-tip muted';
    tip.textContent = 'Hover a cell: layer, iteration, norm. Brighter = larger gradient.';
    canvas.addEventListener('mousemove', (e) => {
      const x = Math.floor(e.offsetX / cellW), i = layers.length - 1 - Math.floor(e.offsetY / cellH);
      const rec = records[x], layer = rec?.layers[i];
      if (!layer) return;
      tip.textContent = `${layer.name} · iteration ${rec.iteration} · ‖∇‖ = ${layer.norm.toExponential(2)}`;
      this.onHoverLayer(layer.name);
    });
    canvas.addEventListener('mouseleave', () => this.onHoverLayer(undefined));
    canvas.addEventListener('click', (e) => {
      this.selected = Math.floor(e.offsetX / cellW);
      this.updateProfile();
    });
    box.append(title, canvas, tip);
    return box;
  }

  private legend(lo: number, hi: number): HTMLElement {
    const div = document.createElement('div');
    div.className = 'heatmap-legend muted';
    const bar = document.createElement('canvas');
    bar.width = 200; bar.height = 10;
    const ctx = bar.getContext('2d')!;
    for (let x = 0; x < 200; x++) { ctx.fillStyle = colour(x / 199); ctx.fillRect(x, 0, 1, 10); }
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
      type: 'line', data: { datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
        plugins: { legend: { labels: { color: t.foreground } } },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'layer (input → output)', color: t.muted }, ticks: { color: t.muted }, grid: { color: t.grid } },
          y: { type: 'logarithmic', title: { display: true, text: 'gradient norm', color: t.muted }, ticks: { color: t.muted }, grid: { color: t.grid } },
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
      const idx = this.selected >= 0 && this.selected < r.records.length ? this.selected : r.records.length - 1;
      const rec = r.records[idx];
      if (label && i === 0) label.textContent = `Gradient norm per layer at iteration ${rec.iteration} (click a heatmap column to choose)`;
      return {
        label: runLabel(r.run), data: rec.layers.map((l, k) => ({ x: k + 1, y: Math.max(l.norm, 1e-12) })),
        borderColor: this.theme.series[i % this.theme.series.length], borderWidth: 2, pointRadius: 2,
      };
    });
    this.profile.update('none');
  }
}

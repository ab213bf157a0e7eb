// The Distributions tab: for each shown run, TensorBoard-style quantile bands
// over iterations, one small chart per block output (with its share of zeros
// after the ReLU) and per kernel; the activation spread by depth of every shown
// run on one chart (plain-56 against ResNet-56). A layer clicked in the diagram
// is shown on top: its own charts, or its block's. The host sends each run's
// view when asked (on opening the tab, and again as the run grows).
import type { PanelMessage } from '../../src/protocol/panel';
import type { DistributionSeries, DistributionView } from '../../src/protocol/distributions';
import type { RunView } from '../../src/protocol/webview';
import type { ChartTheme } from '../../src/core/report/svg/primitives';
import { distributionBandsSvg, spreadByDepthSvg } from '../../src/core/report/distributionSvg';
import { Theme } from '../shared/theme';
import { runLabel } from './curves';

export interface DistributionsTabOptions {
  host: HTMLElement;
  runs: () => RunView[];
  theme: () => Theme;
  send: (m: PanelMessage) => void;
}

/** The webview's theme as the SVG charts take it. */
function chartTheme(t: Theme): ChartTheme {
  return {
    name: 'dark',
    background: t.background,
    foreground: t.foreground,
    muted: t.muted,
    grid: t.grid,
    axis: t.muted,
    accent: t.accent,
    series: t.series,
    font: "system-ui, -apple-system, 'Segoe UI', sans-serif",
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The block a layer belongs to (`stage2/block3`), or undefined for a layer outside blocks. */
const blockOf = (name: string): string | undefined => {
  const parts = name.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : undefined;
};

export class DistributionsTab {
  private readonly views = new Map<string, DistributionView | undefined>();
  private selected: string | undefined;
  private lastAsked = 0;

  constructor(private readonly o: DistributionsTabOptions) {}

  /** Forget what was shown (other runs now). */
  clear(): void {
    this.views.clear();
    this.lastAsked = 0;
  }

  /** Ask the host for every shown run's distributions; at most once a second while a run grows. */
  request(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastAsked < 1000) return;
    this.lastAsked = now;
    // A growing run is sent again only when it has new records; the first ask is always answered.
    for (const r of this.o.runs())
      this.o.send({
        method: 'distributions/request',
        params: { id: r.id, records: this.views.has(r.id) ? (this.views.get(r.id)?.records ?? 0) : undefined },
      });
  }

  set(id: string, view: DistributionView | undefined): void {
    this.views.set(id, view);
  }

  /** A layer clicked in the diagram. */
  select(layer: string): void {
    this.selected = layer;
  }

  render(): void {
    const runs = this.o.runs();
    const t = this.o.theme();
    const ct = chartTheme(t);
    const shown = runs.map((run, i) => ({ run, view: this.views.get(run.id), color: t.series[i % t.series.length] }));
    const withData = shown.filter((s): s is typeof s & { view: DistributionView } => !!s.view);
    if (withData.length === 0) {
      const asked = runs.some((r) => this.views.has(r.id));
      this.o.host.innerHTML = `<p class="muted">${
        asked
          ? 'No distributions recorded yet: the trainer records kernels and block outputs every distributionEvery iterations (100 by default) and before the first step.'
          : 'Reading distributions…'
      }</p>`;
      return;
    }
    const chart = (s: DistributionSeries, view: DistributionView, color: string, width = 240) =>
      `<div class="dist-chart${s.name === this.selected ? ' selected' : ''}" data-layer="${esc(s.name)}" data-kind="${s.kind}">${distributionBandsSvg(s, view.iterations, { theme: ct, color, width })}</div>`;
    const parts: string[] = [
      `<p class="muted">Quantile bands over iterations (0–100, 7–93, 16–84, 31–69 %, median line), TensorBoard's distributions: kernels of every weighted layer, and every block's output on a fixed probe batch of test images; “zeros”: the share of a block's ReLU outputs that are 0.</p>`,
      `<div class="dist-spread">${spreadByDepthSvg(
        withData.map((s) => ({
          label: runLabel(
            s.run,
            withData.map((w) => w.run),
          ),
          view: s.view,
          color: s.color,
        })),
        { theme: ct, width: Math.max(320, Math.min(900, this.o.host.clientWidth - 20)) },
      )}</div>`,
    ];
    if (this.selected) {
      const picked = withData.flatMap(({ view, color, run }) =>
        this.seriesFor(this.selected!, view).map((s) => ({ s, view, color, run })),
      );
      parts.push(
        `<section class="dist-selected" data-selected="${esc(this.selected)}"><h3>${esc(this.selected)}</h3>${
          picked.length
            ? `<div class="dist-grid">${picked.map((p) => chart(p.s, p.view, p.color, 300)).join('')}</div>`
            : '<p class="muted">No distributions for this layer: it has no kernel and ends no block.</p>'
        }</section>`,
      );
    }
    parts.push(
      `<div class="dist-runs">${withData
        .map(({ run, view, color }) => {
          const group = (kind: DistributionSeries['kind']) =>
            view.series
              .filter((s) => s.kind === kind)
              .map((s) => chart(s, view, color))
              .join('');
          return `<section class="dist-run" data-run="${esc(run.id)}"><h3>${esc(
            runLabel(
              run,
              withData.map((w) => w.run),
            ),
          )} <span class="muted">${view.records} records, iteration ${view.iterations.at(-1)}</span></h3>
            <h4>Block outputs</h4><div class="dist-grid">${group('activations')}</div>
            <h4>Kernels</h4><div class="dist-grid">${group('weights')}</div></section>`;
        })
        .join('')}</div>`,
    );
    this.o.host.innerHTML = parts.join('');
  }

  /** The series of a layer, or when it has none, those of its block (its kernels and its output). */
  private seriesFor(layer: string, view: DistributionView): DistributionSeries[] {
    const own = view.series.filter((s) => s.name === layer);
    if (own.length) return own;
    const block = layer.split('/').length === 2 ? layer : blockOf(layer); // a collapsed block's box: the block
    return block ? view.series.filter((s) => blockOf(s.name) === block) : [];
  }
}

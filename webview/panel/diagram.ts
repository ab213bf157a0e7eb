// Draws a Layout as SVG. Shortcut arcs: identity solid, option A's padding
// dashed, projections thick with a "proj" tag. Clicking a block collapses or
// expands it. The live preview redraws it as the model file is edited
// (`preview`): collapsed blocks and the scroll position are kept and the
// layers that changed flash; a model that does not build leaves the last
// good diagram greyed under its error (`previewFailed`).
import type { DiagramData } from '../../src/protocol/webview';
import { Theme } from '../shared/theme';
import {
  BOX_H,
  BOX_W,
  changedLayers,
  COL_W,
  edgePath,
  keepCollapsed,
  layoutGraph,
  Layout,
  LayoutNode,
  ROW_H,
  shortcutArc,
} from '../../src/core/graph/diagramLayout';
import { unravelView } from './unravel';
import { el } from '../shared/svg';

const LEFT = 110,
  TOP = 16;
/** How long the layers a preview changed stay highlighted. */
const CHANGED_MS = 2500;

export class Diagram {
  private collapsed = new Set<string>();
  private data: DiagramData | undefined;
  private lesionMode: ((lesioned: string[]) => void) | undefined;
  private readonly lesioned = new Set<string>();
  /** Layers the last preview changed, highlighted until the timer clears them. */
  private changed = new Set<string>();
  private changedTimer: ReturnType<typeof setTimeout> | undefined;
  /** The error of the last preview that did not build; the diagram is greyed while set. */
  private error: string | undefined;
  /** Showing the net as its paths (Veit et al. 2016, Fig. 1) instead of its layers. */
  private unraveled = false;
  /** Told of a click on one layer's box; true: it was taken (the distributions tab shows it), so the block does not collapse. */
  onLayerClick: ((layer: string) => boolean) | undefined;

  constructor(
    private readonly host: HTMLElement,
    private theme: Theme,
  ) {}

  /**
   * A preview of the edited model: unlike `show`, it never resets the
   * collapsed blocks or the scroll position, and it highlights what changed.
   */
  preview(data: DiagramData): void {
    const previous = this.data;
    if (!previous) return this.show(data);
    this.collapsed = keepCollapsed(previous.graph, data.graph, this.collapsed);
    this.changed = changedLayers(previous.graph, data.graph);
    this.data = data;
    this.error = undefined;
    this.keepingScroll(() => this.render());
    clearTimeout(this.changedTimer);
    this.changedTimer = setTimeout(() => {
      this.changed = new Set();
      for (const g of this.host.querySelectorAll('g.node.changed')) g.classList.remove('changed');
    }, CHANGED_MS);
  }

  /** The edited model does not build: the last good diagram stays, greyed, under the error. */
  previewFailed(message: string): void {
    this.error = message;
    this.keepingScroll(() => this.render());
  }

  show(data: DiagramData): void {
    const first =
      !this.data ||
      this.data.graph.name !== data.graph.name ||
      this.data.graph.nodes.length !== data.graph.nodes.length;
    this.data = data;
    this.error = undefined;
    if (first) {
      // Big nets start with their blocks collapsed so the whole net fits.
      const groups = layoutGraph(data.graph, new Set()).groups;
      this.collapsed = data.graph.nodes.length > 60 ? new Set(groups) : new Set();
    }
    this.render();
  }

  /** Shows the net unraveled into its paths, or its layers again. */
  setUnraveled(on: boolean): void {
    this.unraveled = on;
    this.keepingScroll(() => this.render());
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.render();
  }

  /**
   * In lesion mode a click on a block deletes it (or brings it back) instead
   * of collapsing it; `onChange` gets the block names deleted so far.
   */
  setLesionMode(on: boolean, onChange: (lesioned: string[]) => void): void {
    this.lesionMode = on ? onChange : undefined;
    if (!on) this.lesioned.clear();
    if (on && this.data) this.collapsed = new Set(layoutGraph(this.data.graph, new Set()).groups);
    this.render();
  }

  /** Outlines the box that holds `layer` (its own, or its collapsed block's). */
  highlight(layer: string | undefined): void {
    for (const g of this.host.querySelectorAll('g.node.highlight')) g.classList.remove('highlight');
    if (!layer) return;
    const group =
      layer.lastIndexOf('/') > 0 ? `group:${layer.slice(0, layer.lastIndexOf('/')).replace(/\/shortcut$/, '')}` : '';
    for (const g of this.host.querySelectorAll<SVGGElement>('g.node')) {
      if (g.dataset.id === layer || g.dataset.id === group) {
        g.classList.add('highlight');
        this.reveal(g);
      }
    }
  }

  /**
   * Scrolls the diagram's own pane to the node, never the page: with the
   * panel narrow the pane sits below the heatmap, and scrolling the page
   * would move the heatmap from under the pointer that is hovering it.
   */
  private reveal(el: Element): void {
    const pane = this.host.closest<HTMLElement>('.diagram-pane');
    if (!pane || pane.scrollHeight <= pane.clientHeight) return;
    const r = el.getBoundingClientRect(),
      p = pane.getBoundingClientRect();
    if (r.top < p.top) pane.scrollTop -= p.top - r.top;
    else if (r.bottom > p.bottom) pane.scrollTop += r.bottom - p.bottom;
  }

  setAll(collapsed: boolean): void {
    if (!this.data) return;
    this.collapsed = collapsed ? new Set(layoutGraph(this.data.graph, new Set()).groups) : new Set();
    this.render();
  }

  private render(): void {
    if (!this.data) {
      if (this.error) this.host.replaceChildren(this.errorLine());
      this.host.dataset.state = this.error ? 'failed' : 'empty';
      return;
    }
    const body = this.unraveled
      ? unravelView(this.data, this.theme)
      : this.svg(layoutGraph(this.data.graph, this.collapsed));
    this.host.replaceChildren(...(this.error ? [this.errorLine()] : []), this.header(), body);
    this.host.dataset.view = this.unraveled ? 'unraveled' : 'layers';
    // For the tests and the greyed look (media/webview.css): live, or the last good diagram of a model that fails.
    this.host.dataset.state = this.error ? 'stale' : 'live';
  }

  private errorLine(): HTMLElement {
    const div = document.createElement('div');
    div.className = 'diagram-error message';
    div.textContent = `The model does not build: ${this.error}. Showing the last diagram that built.`;
    return div;
  }

  /** Redraws without moving the view: the pane scrolls in the side-by-side layout, the page in a diagram-only panel. */
  private keepingScroll(draw: () => void): void {
    const pane = this.host.closest<HTMLElement>('.diagram-pane');
    const paneTop = pane?.scrollTop ?? 0;
    const pageTop = document.scrollingElement?.scrollTop ?? 0;
    draw();
    if (pane) pane.scrollTop = paneTop;
    if (document.scrollingElement) document.scrollingElement.scrollTop = pageTop;
  }

  private header(): HTMLElement {
    const s = this.data!.summary;
    const div = document.createElement('div');
    div.className = 'diagram-summary';
    div.textContent = `${s.name}: ${s.depth} weighted layers · ${s.shortcuts} shortcuts · ${s.trainableParams.toLocaleString('en-US')} parameters`;
    return div;
  }

  private svg(layout: Layout): SVGSVGElement {
    const t = this.theme;
    const columns = Math.max(1, ...layout.nodes.map((n) => n.column + 1));
    const width = LEFT + columns * COL_W + 140;
    const height = TOP * 2 + layout.rows * ROW_H;
    const svg = el('svg', {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      class: 'diagram',
      role: 'img',
      'data-shortcuts': layout.shortcuts.length,
      'data-layers': this.data!.graph.nodes.length,
      'data-stages': layout.stages.length,
    });
    const pos = new Map(layout.nodes.map((n) => [n.id, { x: LEFT + n.column * COL_W, y: TOP + n.row * ROW_H }]));

    for (const st of layout.stages) {
      // The boundary runs across the boxes' gap; its shape change stands left of the column, in
      // two lines ("32×32×8 →" over "16×16×16"), so it never runs under a box.
      const y = TOP + st.row * ROW_H - (ROW_H - BOX_H) / 2;
      el(
        'line',
        {
          x1: LEFT - 4,
          x2: width - 4,
          y1: y,
          y2: y,
          stroke: t.muted,
          'stroke-dasharray': '2 4',
          class: 'stage-boundary',
        },
        svg,
      );
      const label = el(
        'text',
        { x: LEFT - 8, y: y - 2, fill: t.muted, 'font-size': 10, 'text-anchor': 'end', class: 'stage-label' },
        svg,
      );
      const [from, to] = st.label.split(' → ');
      el('tspan', { x: LEFT - 8, dy: 0 }, label).textContent = to === undefined ? from : `${from} →`;
      if (to !== undefined) el('tspan', { x: LEFT - 8, dy: 11 }, label).textContent = to;
    }
    for (const e of layout.edges) {
      const a = pos.get(e.from),
        b = pos.get(e.to);
      if (!a || !b) continue;
      el('path', { d: edgePath(a, b), fill: 'none', stroke: t.muted, 'stroke-width': 1.2, class: 'edge' }, svg);
    }
    layout.shortcuts.forEach((s, i) => {
      const a = pos.get(s.fromBox),
        b = pos.get(s.toBox);
      if (!a || !b) return;
      const arc = shortcutArc(a, b, i);
      const path = el(
        'path',
        {
          d: arc.d,
          fill: 'none',
          stroke: s.kind === 'projection' ? t.series[1] : t.accent,
          'stroke-width': s.kind === 'projection' ? 3 : 2,
          'stroke-dasharray': s.kind === 'padding' ? '6 4' : 'none',
          class: `shortcut shortcut-${s.kind}`,
          'data-kind': s.kind,
          'data-from': s.from,
          'data-to': s.to,
        },
        svg,
      );
      el('title', {}, path).textContent =
        `${s.kind} shortcut ${s.from} → ${s.to}${s.via.length ? ` via ${s.via.join(', ')}` : ''}; skips ${s.skips.length} layers`;
      if (s.kind !== 'identity') {
        el('text', { x: arc.label.x + 4, y: arc.label.y + 4, fill: t.muted, 'font-size': 10 }, svg).textContent =
          s.kind === 'projection' ? 'proj' : 'pad';
      }
      const { x, y } = arc.end;
      el(
        'path',
        { d: `M${x + 7},${y - 4} L${x},${y} L${x + 7},${y + 4}`, fill: 'none', stroke: t.accent, 'stroke-width': 1.5 },
        svg,
      );
    });
    for (const n of layout.nodes) this.box(svg, n, pos.get(n.id)!);
    return svg;
  }

  private box(svg: SVGSVGElement, n: LayoutNode, p: { x: number; y: number }): void {
    const t = this.theme;
    const changed = n.members.some((m) => this.changed.has(m));
    const g = el(
      'g',
      {
        class: `node${n.group ? ' block' : ''}${n.group && this.lesioned.has(n.group) ? ' lesioned' : ''}${changed ? ' changed' : ''}`,
        'data-id': n.id,
        transform: `translate(${p.x},${p.y})`,
      },
      svg,
    );
    const isAdd = n.detail === 'Add';
    el(
      'rect',
      {
        width: BOX_W,
        height: BOX_H,
        rx: n.group ? 8 : 4,
        fill: t.background,
        stroke: isAdd ? t.accent : n.group ? t.series[2] : t.muted,
        'stroke-width': isAdd || n.group ? 2 : 1,
      },
      g,
    );
    el(
      'text',
      { x: 8, y: 14, fill: t.foreground, 'font-size': 11, 'font-weight': n.group ? 600 : 400 },
      g,
    ).textContent = `${n.group ? '▸ ' : ''}${n.label}`.slice(0, 34);
    el('text', { x: 8, y: 28, fill: t.muted, 'font-size': 10 }, g).textContent =
      `${n.detail} · ${n.shape}${n.params ? ` · ${n.params.toLocaleString('en-US')} p` : ''}`.slice(0, 42);
    const group =
      n.group ??
      (n.members.length === 1 ? n.id.slice(0, Math.max(0, n.id.lastIndexOf('/'))).replace(/\/shortcut$/, '') : '');
    const layer = !n.group && n.members.length === 1 ? n.id : undefined;
    if (group || layer) {
      g.style.cursor = 'pointer';
      g.addEventListener('click', () => {
        if (layer && !this.lesionMode && this.onLayerClick?.(layer)) return this.highlight(layer);
        if (!group) return;
        if (n.group && !this.lesionMode) this.onLayerClick?.(n.group); // its block's distributions, and it expands
        if (this.lesionMode && n.group) {
          if (this.lesioned.has(n.group)) this.lesioned.delete(n.group);
          else this.lesioned.add(n.group);
          this.lesionMode([...this.lesioned]);
        } else if (this.collapsed.has(group)) this.collapsed.delete(group);
        else this.collapsed.add(group);
        this.render();
      });
      el('title', {}, g).textContent = n.group
        ? `${n.group}: ${n.members.length} layers (click to expand)`
        : `${group ? `click to collapse ${group}; ` : ''}in the Distributions tab, click to show its distributions`;
    }
  }
}

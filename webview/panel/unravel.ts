// The diagram's "Unravel" view (Veit et al. 2016, Fig. 1): the net as the
// collection of its paths. Up to four residual blocks, every path drawn as a
// line through the blocks whose branch it takes (hover one: it is
// highlighted and its length named); more blocks, the distribution of path
// lengths; a plain net, its single path. Geometry in unravelLayout.ts.
import type { DiagramData } from '../../src/protocol/webview';
import { centralRange, pathLengthCounts } from '../../src/core/analysis/pathCounts';
import { Theme } from '../shared/theme';
import { lengthBars, MAX_DRAWN_BLOCKS, residualBlockNames, unravelLayout, UnravelLayout } from './unravelLayout';
import { el } from '../shared/svg';

function label(
  svg: SVGElement,
  x: number,
  y: number,
  text: string,
  fill: string,
  attrs: Record<string, string | number> = {},
) {
  el('text', { x, y, fill, 'font-size': 11, 'text-anchor': 'middle', ...attrs }, svg).textContent = text;
}

const blockLabel = (name: string) => name.replace(/\/add$/, '');
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The unraveled view of a model, as one element for the diagram pane. */
export function unravelView(data: DiagramData, theme: Theme): HTMLElement {
  const names = residualBlockNames(data.graph);
  const div = document.createElement('div');
  div.className = 'unravel';
  const info = document.createElement('p');
  info.className = 'unravel-info muted';
  div.appendChild(info);
  if (names.length === 0) {
    div.dataset.paths = '1';
    info.textContent = `A plain net has one path: its ${data.summary.depth} weighted layers one after another (length ${data.summary.depth}). Without shortcuts there is nothing to unravel; a residual net of n blocks has 2^n paths.`;
    div.appendChild(singlePath(data.summary.depth, theme));
    return div;
  }
  const n = names.length;
  div.dataset.blocks = String(n);
  div.dataset.paths = String(2 ** n);
  if (n <= MAX_DRAWN_BLOCKS) {
    const intro = `${plural(n, 'residual block')}: ${plural(2 ** n, 'path')} from input to output, one per choice of branch or shortcut at each block.`;
    info.textContent = `${intro} Hover a path.`;
    div.appendChild(
      drawnPaths(unravelLayout(names), theme, (text) => (info.textContent = text ?? `${intro} Hover a path.`)),
    );
  } else {
    const counts = pathLengthCounts(n);
    const { from, to } = centralRange(counts, 0.95);
    info.textContent = `${plural(n, 'residual block')}: ${(2 ** n).toLocaleString('en-US')} paths, too many to draw. A path's length is the number of residual branches it takes; C(n, k) paths have length k, most near n/2 = ${n / 2}: 95% have lengths ${from}–${to}.`;
    div.appendChild(lengthChart(n, theme));
  }
  return div;
}

function drawnPaths(layout: UnravelLayout, theme: Theme, say: (text?: string) => void): SVGSVGElement {
  const { width, height } = layout;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'unravel-paths', role: 'img' });
  for (const b of layout.branches) {
    el(
      'rect',
      {
        x: b.x,
        y: b.y,
        width: b.w,
        height: b.h,
        rx: 4,
        fill: theme.background,
        stroke: theme.foreground,
        class: 'branch',
      },
      svg,
    );
    label(svg, b.x - 6, b.y + b.h / 2 + 4, blockLabel(b.name), theme.foreground, {
      'text-anchor': 'end',
      'font-size': 10,
    });
  }
  for (const s of layout.shortcuts) {
    el(
      'rect',
      {
        x: s.x,
        y: s.y,
        width: s.w,
        height: s.h,
        rx: 4,
        fill: 'none',
        stroke: theme.muted,
        'stroke-dasharray': '4 3',
        class: 'shortcut-band',
      },
      svg,
    );
  }
  const top = layout.branches[0];
  const n = layout.branches.length;
  const group = el('g', { class: 'paths' }, svg);
  for (const p of layout.paths) {
    const color = theme.series[p.length % theme.series.length];
    const d = p.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
    const g = el('g', { class: 'path', 'data-mask': p.mask, 'data-length': p.length }, group);
    el('path', { d, fill: 'none', stroke: color, 'stroke-width': 1.6, 'stroke-opacity': 0.85, class: 'line' }, g);
    // A wide invisible stroke makes the thin line easy to hover.
    el('path', { d, fill: 'none', stroke: 'transparent', 'stroke-width': 8, class: 'hit' }, g);
    const through = p.blocks.map((b) => blockLabel(layout.branches[b].name));
    const title = el('title', {}, g);
    title.textContent = `length ${p.length}`;
    g.addEventListener('mouseenter', () => {
      svg.classList.add('hovering');
      g.classList.add('active');
      group.appendChild(g); // on top
      say(
        `This path has length ${p.length} of ${n}: ${p.length ? `it takes the residual branch of ${through.join(', ')}` : 'it takes every shortcut'}${p.length && p.length < n ? ' and the shortcut elsewhere' : ''}.`,
      );
    });
    g.addEventListener('mouseleave', () => {
      svg.classList.remove('hovering');
      g.classList.remove('active');
      say();
    });
  }
  // A halo in the background colour keeps the band names readable over the lines.
  const halo = { stroke: theme.background, 'stroke-width': 4, 'paint-order': 'stroke' };
  label(svg, top.x + top.w / 2, top.y - 8, 'residual branch F', theme.muted, halo);
  label(svg, layout.shortcuts[0].x + top.w / 2, top.y - 8, 'shortcut', theme.muted, halo);
  for (const [[x, y], text] of [
    [layout.input, 'input'],
    [layout.output, 'output'],
  ] as const) {
    el('circle', { cx: x, cy: y, r: 5, fill: theme.foreground }, svg);
    label(svg, x + 10, y + 4, text, theme.foreground, { 'text-anchor': 'start' });
  }
  return svg;
}

function lengthChart(n: number, theme: Theme): SVGSVGElement {
  const width = 360,
    height = 220;
  const plot = { x: 44, y: 14, w: width - 60, h: height - 58 };
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'unravel-lengths', role: 'img' });
  el('line', { x1: plot.x, x2: plot.x + plot.w, y1: plot.y + plot.h, y2: plot.y + plot.h, stroke: theme.muted }, svg);
  const bars = lengthBars(n, plot);
  const every = Math.max(1, Math.ceil(bars.length / 10));
  for (const b of bars) {
    const r = el(
      'rect',
      { x: b.x, y: b.y, width: b.w, height: b.h, fill: theme.series[0], 'data-k': b.k, class: 'bar' },
      svg,
    );
    el('title', {}, r).textContent = `length ${b.k}: ${b.count.toLocaleString('en-US')} paths`;
    if (b.k % every === 0)
      label(svg, b.x + b.w / 2, plot.y + plot.h + 14, String(b.k), theme.muted, { 'font-size': 10 });
  }
  label(svg, plot.x + plot.w / 2, height - 12, 'path length k (residual branches taken)', theme.muted);
  label(svg, plot.x - 8, plot.y + 8, bars[Math.floor(n / 2)].count.toLocaleString('en-US'), theme.muted, {
    'text-anchor': 'end',
    'font-size': 10,
  });
  return svg;
}

function singlePath(depth: number, theme: Theme): SVGSVGElement {
  const width = 220,
    height = 150;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'unravel-single', role: 'img' });
  el('path', { d: `M40,20L40,130`, stroke: theme.series[0], 'stroke-width': 2, class: 'line' }, svg);
  for (const [y, text] of [
    [20, 'input'],
    [130, 'output'],
  ] as const) {
    el('circle', { cx: 40, cy: y, r: 5, fill: theme.foreground }, svg);
    label(svg, 52, y + 4, text, theme.foreground, { 'text-anchor': 'start' });
  }
  label(svg, 52, 79, `${depth} layers, 1 path`, theme.muted, { 'text-anchor': 'start' });
  return svg;
}

// The parallel-coordinates view as SVG (HParams style): an axis per varying
// hyperparameter, the chosen error last, a line per run coloured from green
// (lowest error) to red (highest) in the theme's chart colours; the picked
// runs drawn on top, thicker. The heights come from
// src/core/runsTable/parallelCoordinates.ts; here they only become pixels.
import type { ParallelCoordinates } from '../../src/core/runsTable/parallelCoordinates';
import { el } from '../shared/svg';
import type { Theme } from '../shared/theme';

const PAD = { top: 28, bottom: 30, left: 40, right: 70 };

function mix(a: string, b: string, t: number): string {
  const rgb = (c: string) => {
    const m = /^#([0-9a-f]{6})$/i.exec(c);
    if (!m) return undefined;
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  };
  const [x, y] = [rgb(a), rgb(b)];
  if (!x || !y) return t < 0.5 ? a : b;
  return `rgb(${x.map((v, i) => Math.round(v + (y[i] - v) * t)).join(', ')})`;
}

export function drawParallel(
  host: HTMLElement,
  pc: ParallelCoordinates,
  o: { theme: Theme; width: number; selected: Set<string>; labelOf: (id: string) => string },
): void {
  const { theme } = o;
  const height = 260;
  const svg = el('svg', { class: 'parallel', width: o.width, height, viewBox: `0 0 ${o.width} ${height}` });
  el('rect', { class: 'background', x: 0, y: 0, width: o.width, height, fill: theme.background }, svg);
  const n = pc.axes.length;
  const x = (i: number) => PAD.left + (n === 1 ? 0 : (i * (o.width - PAD.left - PAD.right)) / (n - 1));
  const y = (h: number) => height - PAD.bottom - h * (height - PAD.top - PAD.bottom);

  const metrics = pc.lines.map((l) => l.metric).filter((m): m is number => m !== null);
  const [lo, hi] = [Math.min(...metrics), Math.max(...metrics)];
  const colour = (m: number | null) =>
    m === null ? theme.muted : mix(theme.series[2], theme.series[3], hi === lo ? 0 : (m - lo) / (hi - lo));

  const lines = el('g', { class: 'lines', fill: 'none' }, svg);
  // The picked runs last, so they are on top.
  const ordered = [...pc.lines].sort((a, b) => Number(o.selected.has(a.id)) - Number(o.selected.has(b.id)));
  for (const line of ordered) {
    const picked = o.selected.has(line.id);
    // A missing value breaks the line: each run is drawn as the segments between values it has.
    let d = '';
    let pen = false;
    line.ys.forEach((h, i) => {
      if (h === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(h).toFixed(1)}`;
      pen = true;
    });
    const path = el(
      'path',
      {
        class: picked ? 'pc-run picked' : 'pc-run',
        d,
        stroke: picked ? theme.foreground : colour(line.metric),
        'stroke-width': picked ? 2.5 : 1.2,
        'stroke-opacity': picked ? 1 : 0.55,
        'data-id': line.id,
      },
      lines,
    );
    el('title', {}, path).textContent = o.labelOf(line.id);
  }

  const halo = { stroke: theme.background, 'stroke-width': 3, 'paint-order': 'stroke', 'stroke-linejoin': 'round' };
  pc.axes.forEach((axis, i) => {
    const g = el('g', { class: `axis axis-${axis.key}` }, svg);
    el('line', { x1: x(i), x2: x(i), y1: y(0), y2: y(1), stroke: theme.muted, 'stroke-width': 1 }, g);
    const title = el('text', { x: x(i), y: PAD.top - 12, 'text-anchor': 'middle', fill: theme.foreground }, g);
    title.textContent = axis.scale === 'log' ? `${axis.label} (log)` : axis.label;
    for (const t of axis.ticks) {
      el('line', { x1: x(i) - 3, x2: x(i) + 3, y1: y(t.y), y2: y(t.y), stroke: theme.muted }, g);
      // A halo in the background colour keeps the label readable over the lines that cross it.
      const label = el('text', { x: x(i) + 6, y: y(t.y) + 4, fill: theme.foreground, 'font-size': 11, ...halo }, g);
      label.textContent = t.label;
    }
  });
  host.replaceChildren(svg);
}

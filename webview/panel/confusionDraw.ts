// The Confusion tab's pictures: the heat map of one epoch's matrix (counts or
// row-normalised rates; clicking a cell asks for its images), each class's
// test error over epochs, and a test image drawn on a canvas from its pixels.
// Theme colours only (webview/shared/theme.ts): no colour is fixed here.
import { perClassError, rowRates, rowTotals } from '../../src/core/confusion/matrix';
import type { CellImage, ConfusionRecordView } from '../../src/protocol/confusion';
import type { Theme } from '../shared/theme';
import { el } from '../shared/svg';

const DASHES = ['', '5 3', '2 3', '8 3 2 3'];

/** Class c's stroke: the theme's series colours, then the same colours dashed. */
export function classStroke(theme: Theme, c: number): { color: string; dash: string } {
  const n = theme.series.length;
  return { color: theme.series[c % n], dash: DASHES[Math.floor(c / n) % DASHES.length] };
}

export interface HeatmapOptions {
  rates: boolean;
  /** Smaller cells, for several runs side by side. */
  compact?: boolean;
  selected?: [number, number];
  onCell(actual: number, predicted: number): void;
}

export function drawHeatmap(
  parent: HTMLElement,
  record: ConfusionRecordView,
  names: string[],
  theme: Theme,
  o: HeatmapOptions,
): SVGSVGElement {
  const n = record.matrix.length;
  const rates = rowRates(record.matrix);
  const totals = rowTotals(record.matrix);
  const errors = perClassError(record.matrix);
  const cell = Math.max(12, Math.floor((o.compact ? 270 : 420) / n), n <= 10 && !o.compact ? 40 : 0);
  const labelW = Math.min(110, 14 + 7 * Math.max(...names.map((s) => s.length)));
  const top = labelW * 0.75 + 8;
  const width = labelW + n * cell + 58,
    height = top + n * cell + 26;
  const svg = el('svg', { class: 'confusion-heatmap', viewBox: `0 0 ${width} ${height}`, width, height }, parent);
  svg.setAttribute('role', 'grid');
  for (let i = 0; i < n; i++) {
    el(
      'text',
      { x: labelW - 6, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end', fill: theme.foreground },
      svg,
    ).textContent = names[i];
    const cx = labelW + i * cell + cell / 2;
    el('text', { transform: `translate(${cx + 3},${top - 6}) rotate(-45)`, fill: theme.foreground }, svg).textContent =
      names[i];
    for (let j = 0; j < n; j++) {
      const count = record.matrix[i][j],
        rate = rates[i][j];
      const g = el('g', { class: 'cell', 'data-actual': i, 'data-predicted': j, 'data-count': count }, svg);
      el(
        'rect',
        {
          x: labelW + j * cell,
          y: top + i * cell,
          width: cell - 1,
          height: cell - 1,
          fill: count ? theme.accent : theme.background,
          'fill-opacity': count ? 0.1 + 0.9 * rate : 1,
          stroke: i === j ? theme.foreground : theme.grid,
          'stroke-width': i === j ? 1.2 : 0.6,
        },
        g,
      );
      el('title', {}, g).textContent =
        `${names[i]} predicted as ${names[j]}: ${count} of ${totals[i]} (${(100 * rate).toFixed(1)}%)`;
      if (count && cell >= 24)
        el(
          'text',
          {
            x: labelW + j * cell + cell / 2,
            y: top + i * cell + cell / 2 + 4,
            'text-anchor': 'middle',
            'font-size': 11,
            fill: rate > 0.55 ? theme.background : theme.foreground,
            'pointer-events': 'none',
          },
          g,
        ).textContent = o.rates ? `${Math.round(100 * rate)}%` : String(count);
      if (o.selected?.[0] === i && o.selected[1] === j) g.classList.add('selected');
      g.addEventListener('click', () => o.onCell(i, j));
    }
    const e = errors[i];
    el(
      'text',
      { x: labelW + n * cell + 6, y: top + i * cell + cell / 2 + 4, fill: theme.muted, 'font-size': 11 },
      svg,
    ).textContent = e === null ? '–' : `${(100 * e).toFixed(1)}%`;
  }
  el('text', { x: labelW + n * cell + 6, y: top - 6, fill: theme.muted, 'font-size': 11 }, svg).textContent = 'error';
  el('text', { x: labelW, y: height - 6, fill: theme.muted, 'font-size': 11 }, svg).textContent =
    'rows: true class · columns: predicted';
  return svg;
}

/** Each class's test error (%) over epochs, a marker at `epoch`. */
export function drawClassErrors(
  parent: HTMLElement,
  records: ConfusionRecordView[],
  names: string[],
  theme: Theme,
  epoch: number | undefined,
): SVGSVGElement {
  const width = 420,
    plotH = 200,
    left = 40,
    top = 10,
    right = 10;
  const legendRows = Math.ceil(names.length / 4);
  const height = top + plotH + 28 + legendRows * 16;
  const svg = el('svg', { class: 'confusion-curves', viewBox: `0 0 ${width} ${height}`, width, height }, parent);
  const first = records[0]?.epoch ?? 1,
    last = Math.max(records.at(-1)?.epoch ?? 1, first + 1);
  const sx = (e: number) => left + ((e - first) / (last - first)) * (width - left - right);
  const sy = (pct: number) => top + plotH - (pct / 100) * plotH;
  for (const v of [0, 25, 50, 75, 100]) {
    el('line', { x1: left, x2: width - right, y1: sy(v), y2: sy(v), stroke: theme.grid }, svg);
    el(
      'text',
      { x: left - 4, y: sy(v) + 4, 'text-anchor': 'end', fill: theme.muted, 'font-size': 10 },
      svg,
    ).textContent = `${v}%`;
  }
  el('text', { x: left, y: top + plotH + 14, fill: theme.muted, 'font-size': 10 }, svg).textContent = `epoch ${first}`;
  el(
    'text',
    { x: width - right, y: top + plotH + 14, 'text-anchor': 'end', fill: theme.muted, 'font-size': 10 },
    svg,
  ).textContent = `${records.at(-1)?.epoch ?? ''}`;
  if (epoch !== undefined)
    el(
      'line',
      { x1: sx(epoch), x2: sx(epoch), y1: top, y2: top + plotH, stroke: theme.muted, 'stroke-dasharray': '3 3' },
      svg,
    );
  const errors = records.map((r) => perClassError(r.matrix));
  names.forEach((name, c) => {
    const { color, dash } = classStroke(theme, c);
    const points = records
      .map((r, k) => [r.epoch, errors[k][c]] as const)
      .filter((p): p is readonly [number, number] => p[1] !== null && p[1] !== undefined)
      .map(([e, v]) => `${sx(e).toFixed(1)},${sy(100 * v).toFixed(1)}`);
    const line = el(
      'polyline',
      { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.6, class: 'class-error' },
      svg,
    );
    if (dash) line.setAttribute('stroke-dasharray', dash);
    el('title', {}, line).textContent = name;
    // Dots while there are few epochs: one epoch is a point, not a line.
    if (records.length <= 40)
      for (const xy of points) {
        const [x, y] = xy.split(',');
        el('circle', { cx: x, cy: y, r: 2.5, fill: color }, svg);
      }
    const lx = left + (c % 4) * 95,
      ly = top + plotH + 32 + Math.floor(c / 4) * 16;
    const key = el('line', { x1: lx, x2: lx + 16, y1: ly - 4, y2: ly - 4, stroke: color, 'stroke-width': 2 }, svg);
    if (dash) key.setAttribute('stroke-dasharray', dash);
    el('text', { x: lx + 20, y: ly, fill: theme.foreground, 'font-size': 11 }, svg).textContent = name;
  });
  return svg;
}

/** One test image on a canvas (scaled up, pixelated by CSS), its top-3 as the hover text. */
export function drawThumbnail(image: CellImage, shape: [number, number, number], names: string[]): HTMLCanvasElement {
  const [h, w, c] = shape;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.className = 'thumb';
  const bytes = Uint8Array.from(atob(image.pixels), (ch) => ch.charCodeAt(0));
  const data = new ImageData(w, h);
  for (let p = 0; p < w * h; p++) {
    data.data[4 * p] = bytes[p * c];
    data.data[4 * p + 1] = bytes[p * c + (c > 1 ? 1 : 0)];
    data.data[4 * p + 2] = bytes[p * c + (c > 2 ? 2 : 0)];
    data.data[4 * p + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(data, 0, 0);
  canvas.dataset.index = String(image.index);
  canvas.title = `test image #${image.index}: ${image.top.map(([k, p]) => `${names[k] ?? k} ${(100 * p).toFixed(1)}%`).join(' · ')}`;
  return canvas;
}

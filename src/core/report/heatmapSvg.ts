// Gradient norm per layer over training, as a heatmap with a colour bar.
import type { GradientRecord } from '../runs/metricRecords';
import { fmtNumber, innerTicks, noData, title } from './svg/axes';
import {
  ChartOptions,
  esc,
  n1,
  n2,
  svgDocument,
  text,
  themeOf,
  truncate,
  uid,
  VIRIDIS,
  viridis,
} from './svg/primitives';

const SUP: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};
const pow10 = (e: number) =>
  `10${String(e)
    .split('')
    .map((c) => SUP[c] ?? c)
    .join('')}`;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q,
    lo = Math.floor(i),
    hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

export interface HeatmapOptions extends ChartOptions {
  /** At most this many cells in all (layers × columns); more records are averaged into buckets. Default 12000 (about 650 kB of SVG). */
  maxCells?: number;
}

/**
 * Each layer's gradient norm over training: one row per layer (the input
 * side at the bottom), one column per record (iteration), colour = log10 of
 * the norm on a viridis scale. Long runs average neighbouring records into
 * columns so the SVG stays small.
 */
export function gradientHeatmapSvg(
  records: GradientRecord[],
  heading = 'Gradient norm per layer',
  options: HeatmapOptions = {},
): string {
  const t = themeOf(options);
  const width = options.width ?? 900;
  const titleText = options.title ?? heading;
  const recs = [...records].filter((r) => r && Array.isArray(r.layers)).sort((a, b) => a.iteration - b.iteration);
  const layers: string[] = [];
  const seen = new Set<string>();
  for (const r of recs)
    for (const l of r.layers)
      if (!seen.has(l.name)) {
        seen.add(l.name);
        layers.push(l.name);
      }
  if (recs.length === 0 || layers.length === 0)
    return noData(width, options.height ?? 300, t, titleText, 'no gradient norms recorded (gradients.jsonl is empty)');

  // Columns: records, or buckets of consecutive records (mean of log10 norms).
  const maxCols = Math.max(10, Math.min(400, Math.floor((options.maxCells ?? 12000) / layers.length)));
  const per = Math.ceil(recs.length / maxCols);
  const columns: { from: number; to: number; values: Map<string, number> }[] = [];
  for (let i = 0; i < recs.length; i += per) {
    const chunk = recs.slice(i, i + per);
    const sums = new Map<string, { s: number; n: number }>();
    for (const r of chunk) {
      for (const l of r.layers) {
        if (!(l.norm > 0) || !Number.isFinite(l.norm)) continue;
        const e = sums.get(l.name) ?? { s: 0, n: 0 };
        e.s += Math.log10(l.norm);
        e.n++;
        sums.set(l.name, e);
      }
    }
    columns.push({
      from: chunk[0].iteration,
      to: chunk[chunk.length - 1].iteration,
      values: new Map([...sums].map(([k, v]) => [k, v.s / v.n])),
    });
  }
  const all = columns.flatMap((c) => [...c.values.values()]).sort((a, b) => a - b);
  let lo = quantile(all, 0.005),
    hi = quantile(all, 0.995);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = -1;
    hi = 0;
  }
  if (hi - lo < 1e-6) {
    lo -= 0.5;
    hi += 0.5;
  }

  // Geometry.
  const rowH = Math.max(3, Math.min(14, 520 / layers.length));
  const labelEvery = Math.max(1, Math.ceil(11 / rowH));
  const longest = Math.max(...layers.filter((_, i) => i % labelEvery === 0).map((l) => Math.min(l.length, 30)));
  const left = Math.max(70, Math.min(230, 14 + longest * 6.2));
  const right = 110,
    top = titleText ? 46 : 16,
    bottom = 50;
  const plotW = width - left - right,
    plotH = rowH * layers.length;
  const height = options.height ?? top + plotH + bottom;

  // x: iterations, each column from the midpoint to its neighbours.
  const centers = columns.map((c) => (c.from + c.to) / 2);
  const edges: number[] = [];
  for (let i = 0; i <= columns.length; i++) {
    if (columns.length === 1) {
      edges.push(i === 0 ? centers[0] - 0.5 : centers[0] + 0.5);
      continue;
    }
    if (i === 0) edges.push(centers[0] - (centers[1] - centers[0]) / 2);
    else if (i === columns.length) edges.push(centers[i - 1] + (centers[i - 1] - centers[i - 2]) / 2);
    else edges.push((centers[i - 1] + centers[i]) / 2);
  }
  const x0 = edges[0],
    x1 = edges[edges.length - 1];
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * plotW;
  const yOfRow = (i: number) => top + plotH - (i + 1) * rowH; // layer 0 (input side) at the bottom

  const out: string[] = [title(titleText, 16, 26, t)];
  out.push(
    `<g class="heatmap" shape-rendering="crispEdges" data-layers="${layers.length}" data-columns="${columns.length}">`,
  );
  layers.forEach((name, i) => {
    const y = n1(yOfRow(i)),
      h = n1(rowH + 0.05);
    const cells: string[] = [];
    columns.forEach((c, j) => {
      const v = c.values.get(name);
      if (v === undefined) return;
      const xa = sx(edges[j]),
        xb = sx(edges[j + 1]);
      cells.push(
        `<rect x="${n1(xa)}" y="${y}" width="${n1(Math.max(0.5, xb - xa + 0.2))}" height="${h}" fill="${viridis((v - lo) / (hi - lo))}"/>`,
      );
    });
    out.push(`<g class="hm-row" data-layer="${esc(name)}">${cells.join('')}</g>`);
  });
  out.push('</g>');

  // Axes: layer names on the left, iterations below.
  out.push(`<g class="axes" fill="${t.muted}" font-size="10">`);
  layers.forEach((name, i) => {
    if (i % labelEvery !== 0) return;
    out.push(text(left - 6, yOfRow(i) + rowH / 2 + 3.5, truncate(name, 30, 'start'), { 'text-anchor': 'end' }));
  });
  out.push(
    `<rect x="${n2(left)}" y="${n2(top)}" width="${n2(plotW)}" height="${n2(plotH)}" fill="none" stroke="${t.axis}"/>`,
  );
  const xMin = Math.max(0, x0),
    xMax = x1;
  for (const v of innerTicks(Math.ceil(xMin), Math.floor(xMax), 8)) {
    const x = sx(v);
    out.push(
      `<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(top + plotH)}" y2="${n2(top + plotH + 4)}" stroke="${t.axis}"/>`,
    );
    out.push(text(x, top + plotH + 16, fmtNumber(v, xMax - xMin), { 'text-anchor': 'middle', 'font-size': 11 }));
  }
  out.push(
    text(
      left + plotW / 2,
      top + plotH + 36,
      per > 1 ? `iteration (each column: mean of ${per} records)` : 'iteration',
      { 'text-anchor': 'middle', 'font-size': 12 },
    ),
  );
  out.push(
    `<text transform="translate(14,${n2(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="12">layer (input at the bottom)</text>`,
  );
  out.push('</g>');

  // Colour bar.
  const gid = uid('viridis');
  const cbX = width - right + 22,
    cbW = 14,
    cbTop = top,
    cbH = Math.max(60, Math.min(plotH, 320));
  out.push(
    `<defs><linearGradient id="${gid}" x1="0" y1="1" x2="0" y2="0">${VIRIDIS.map((c, i) => `<stop offset="${n2(i / (VIRIDIS.length - 1))}" stop-color="${c}"/>`).join('')}</linearGradient></defs>`,
  );
  out.push(`<g class="colorbar" font-size="10" fill="${t.muted}">`);
  out.push(
    `<rect x="${cbX}" y="${n2(cbTop)}" width="${cbW}" height="${n2(cbH)}" fill="url(#${gid})" stroke="${t.axis}" stroke-width="0.5"/>`,
  );
  // Whole decades; with 2 and 5 in between when the range spans few of them.
  const decades = hi - lo;
  const mults = decades < 1.2 ? [1, 1.5, 2, 3, 5, 7] : decades < 3 ? [1, 2, 5] : [1];
  let cticks: { v: number; label: string }[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of mults) {
      const v = e + Math.log10(m);
      if (v >= lo - 1e-9 && v <= hi + 1e-9)
        cticks.push({ v, label: mults.length === 1 ? pow10(e) : fmtNumber(m * 10 ** e) });
    }
  }
  if (cticks.length > 9) cticks = cticks.filter((_, i) => i % Math.ceil(cticks.length / 7) === 0);
  for (const { v, label } of cticks) {
    const y = cbTop + cbH - ((v - lo) / (hi - lo)) * cbH;
    out.push(`<line x1="${cbX + cbW}" x2="${cbX + cbW + 4}" y1="${n2(y)}" y2="${n2(y)}" stroke="${t.axis}"/>`);
    out.push(text(cbX + cbW + 7, y + 3.5, label));
  }
  out.push(text(cbX - 6, cbTop + cbH + 18, 'grad. norm', { 'font-size': 11 }));
  out.push('</g>');
  return svgDocument(width, height, t, out.join('\n') + '\n', { class: 'chart gradients' });
}

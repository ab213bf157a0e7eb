// TensorBoard's distribution chart as SVG, for the panel's tab and the HTML
// report alike: over iterations, the bands between the quantile pairs
// 0–100 %, 7–93 %, 16–84 % and 31–69 % (darker towards the middle) and the
// median as a line; beside a ReLU's output, its latest share of zeros. And the
// activation spread by depth (one line per run), the plain-vs-residual picture.
import type { DistributionSeries, DistributionView } from '../../protocol/distributions';
import { fmtNumber } from './svg/axes';
import { ChartTheme, esc, n2, svgDocument, text, truncate } from './svg/primitives';

/** Pairs of quantile rows (indices into DISTRIBUTION_LEVELS) drawn as bands, outermost first, with their opacity. */
const BANDS: [number, number, number][] = [
  [0, 8, 0.16],
  [1, 7, 0.24],
  [2, 6, 0.32],
  [3, 5, 0.42],
];
const MEDIAN = 4;

export interface BandsOptions {
  theme: ChartTheme;
  color: string;
  width?: number;
  height?: number;
}

/** The latest share of zeros of a series, if it has one. */
export const latestZeros = (s: DistributionSeries): number | undefined => {
  for (let i = (s.zeros?.length ?? 0) - 1; i >= 0; i--) if (s.zeros![i] != null) return s.zeros![i]!;
  return undefined;
};

export const deadLabel = (zeros: number): string => `${(100 * zeros).toFixed(1)}% zeros`;

/** One layer's chart: its name (and share of zeros) on top, the bands below, y range and iterations at the edges. */
export function distributionBandsSvg(s: DistributionSeries, iterations: number[], o: BandsOptions): string {
  const width = o.width ?? 240,
    height = o.height ?? 120;
  const t = o.theme;
  const left = 44,
    right = 6,
    top = 20,
    bottom = 16;
  const rows = iterations.map((it, i) => ({ it, q: s.q[i] })).filter((r) => r.q?.length === 9);
  const values = rows.flatMap((r) => r.q.filter((v): v is number => v !== null && Number.isFinite(v)));
  const zeros = latestZeros(s);
  const heading =
    text(4, 13, truncate(s.name, Math.floor((width - (zeros === undefined ? 8 : 90)) / 6.2), 'start'), {
      fill: t.foreground,
      'font-size': 11,
    }) +
    (zeros === undefined
      ? ''
      : text(width - 4, 13, deadLabel(zeros), { fill: t.muted, 'font-size': 11, 'text-anchor': 'end' }));
  if (rows.length === 0 || values.length === 0)
    return svgDocument(width, height, t, heading + text(left, height / 2, 'no records', { fill: t.muted }));
  let lo = Math.min(...values),
    hi = Math.max(...values);
  if (hi === lo) [lo, hi] = [lo - 1e-3 - Math.abs(lo) * 0.1, hi + 1e-3 + Math.abs(hi) * 0.1];
  const x0 = rows[0].it,
    x1 = rows[rows.length - 1].it;
  const px = (it: number) =>
    left + (x1 === x0 ? (width - left - right) / 2 : ((it - x0) / (x1 - x0)) * (width - left - right));
  const py = (v: number) => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);
  const at = (i: number) => rows.filter((r) => r.q[i] !== null);
  const single = rows.length === 1;
  const out: string[] = [heading];
  out.push(
    `<rect x="${left}" y="${top}" width="${n2(width - left - right)}" height="${n2(height - top - bottom)}" fill="none" stroke="${t.grid}"/>`,
  );
  for (const [a, b, alpha] of BANDS) {
    const upper = at(b).map((r) => [px(r.it), py(r.q[b]!)]);
    const lower = at(a)
      .map((r) => [px(r.it), py(r.q[a]!)])
      .reverse();
    if (single) {
      const [x] = upper[0] ?? [0];
      out.push(
        `<rect x="${n2(x - 3)}" y="${n2(upper[0]?.[1] ?? 0)}" width="6" height="${n2(Math.max(0.5, (lower[0]?.[1] ?? 0) - (upper[0]?.[1] ?? 0)))}" fill="${esc(o.color)}" fill-opacity="${alpha}"/>`,
      );
    } else
      out.push(
        `<polygon points="${[...upper, ...lower].map(([x, y]) => `${n2(x)},${n2(y)}`).join(' ')}" fill="${esc(o.color)}" fill-opacity="${alpha}"/>`,
      );
  }
  const median = at(MEDIAN).map((r) => `${n2(px(r.it))},${n2(py(r.q[MEDIAN]!))}`);
  out.push(
    `<polyline class="median" points="${median.join(' ')}" fill="none" stroke="${esc(o.color)}" stroke-width="1.5"/>`,
  );
  const small = { fill: t.muted, 'font-size': 10 };
  out.push(text(left - 4, top + 8, fmtNumber(hi), { ...small, 'text-anchor': 'end' }));
  out.push(text(left - 4, height - bottom, fmtNumber(lo), { ...small, 'text-anchor': 'end' }));
  out.push(text(left, height - 3, fmtNumber(x0), small));
  if (!single) out.push(text(width - right, height - 3, fmtNumber(x1), { ...small, 'text-anchor': 'end' }));
  return svgDocument(width, height, t, out.join('\n'), { 'data-layer': s.name, 'data-kind': s.kind });
}

/** Each block output's spread at the run's last record: (q84 − q16) / 2, about one standard deviation. */
export function spreadByDepth(view: DistributionView): { name: string; spread: number; zeros?: number }[] {
  const last = view.iterations.length - 1;
  return view.series
    .filter((s) => s.kind === 'activations')
    .map((s) => ({ s, q: s.q[last] }))
    .filter(({ q }) => q?.length === 9 && q[2] !== null && q[6] !== null)
    .map(({ s, q }) => ({ name: s.name, spread: (q[6]! - q[2]!) / 2, zeros: s.zeros?.[last] ?? undefined }));
}

/** Activation spread by block (input side left), one line per run, log scale: plain-56 against ResNet-56 side by side. */
export function spreadByDepthSvg(
  runs: { label: string; view: DistributionView; color: string }[],
  o: { theme: ChartTheme; width?: number; height?: number },
): string {
  const width = o.width ?? 520,
    height = o.height ?? 200;
  const t = o.theme;
  const left = 50,
    right = 10,
    top = 24,
    bottom = 34;
  const lines = runs.map((r) => ({ ...r, points: spreadByDepth(r.view).filter((p) => p.spread > 0) }));
  const all = lines.flatMap((l) => l.points.map((p) => Math.log10(p.spread)));
  const heading = text(4, 15, 'Activation spread by depth (block outputs, last record)', {
    fill: t.foreground,
    'font-weight': 600,
  });
  if (all.length === 0)
    return svgDocument(width, height, t, heading + text(left, height / 2, 'no records', { fill: t.muted }));
  const lo = Math.floor(Math.min(...all));
  const hi = Math.max(lo + 1, Math.ceil(Math.max(...all)));
  const blocks = Math.max(...lines.map((l) => l.points.length));
  const px = (i: number) => left + (blocks <= 1 ? 0.5 : i / (blocks - 1)) * (width - left - right);
  const py = (v: number) => top + (1 - (Math.log10(v) - lo) / (hi - lo)) * (height - top - bottom);
  const out: string[] = [heading];
  for (let e = lo; e <= hi; e++) {
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${n2(py(10 ** e))}" y2="${n2(py(10 ** e))}" stroke="${t.grid}"/>`,
    );
    out.push(
      text(left - 4, py(10 ** e) + 4, fmtNumber(10 ** e), { fill: t.muted, 'font-size': 10, 'text-anchor': 'end' }),
    );
  }
  out.push(text(left, height - 18, 'block 1', { fill: t.muted, 'font-size': 10 }));
  out.push(
    text(width - right, height - 18, `block ${blocks}`, { fill: t.muted, 'font-size': 10, 'text-anchor': 'end' }),
  );
  let legendX = left;
  for (const l of lines) {
    const pts = l.points.map((p, i) => `${n2(px(i))},${n2(py(p.spread))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${esc(l.color)}" stroke-width="2"/>`);
    for (const [i, p] of l.points.entries())
      out.push(
        `<circle cx="${n2(px(i))}" cy="${n2(py(p.spread))}" r="2.5" fill="${esc(l.color)}"><title>${esc(`${l.label} ${p.name}: spread ${fmtNumber(p.spread)}${p.zeros === undefined ? '' : `, ${deadLabel(p.zeros)}`}`)}</title></circle>`,
      );
    out.push(`<rect x="${n2(legendX)}" y="${height - 10}" width="12" height="3" fill="${esc(l.color)}"/>`);
    out.push(text(legendX + 16, height - 5, truncate(l.label, 40), { fill: t.foreground, 'font-size': 11 }));
    legendX += 24 + Math.min(40, l.label.length) * 6.2;
  }
  return svgDocument(width, height, t, out.join('\n'), { 'data-chart': 'spread-by-depth' });
}

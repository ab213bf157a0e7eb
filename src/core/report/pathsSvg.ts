// Veit et al. 2016, Fig. 6, from a run's paths.json: (a) how many paths have
// each length, (b) the gradient magnitude one path of that length brings to
// the input, (c) their product, the gradient all paths of that length bring
// together. The effective paths (the lengths holding the central 90% of (c))
// are shaded in all three.
import type { PathsResult } from '../../protocol/trainer';
import * as plot from './svg/axes';
import { ChartOptions, ChartTheme, n2, svgDocument, text, themeOf } from './svg/primitives';

/** Log-axis ticks enclosing [lo, hi] (lo > 0): 1-2-5 steps within two decades, else powers of ten (at most ~9). */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo) + 1e-9),
    b = Math.ceil(Math.log10(hi) - 1e-9);
  if (b - a > 2) {
    const step = Math.max(1, Math.ceil((b - a) / 8));
    const ticks: number[] = [];
    for (let e = a; e < b + step; e += step) ticks.push(Number(`1e${e}`));
    return ticks;
  }
  const candidates: number[] = [];
  for (let e = a; e <= b; e++) for (const m of [1, 2, 5]) candidates.push(Number(`${m}e${e}`));
  const first = Math.max(0, candidates.filter((c) => c <= lo * (1 + 1e-9)).length - 1);
  const lastFound = candidates.findIndex((c) => c >= hi * (1 - 1e-9));
  return candidates.slice(first, (lastFound < 0 ? candidates.length - 1 : lastFound) + 1);
}

const sci = (v: number) => {
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(v)) + 1e-9);
  const m = v / 10 ** e;
  if (e >= -2 && e <= 3) return String(Number(v.toPrecision(3)));
  return `${Math.abs(m - 1) < 1e-9 ? '' : `${Number(m.toPrecision(2))}×`}10${superscript(e)}`;
};
const superscript = (e: number) =>
  String(e)
    .split('')
    .map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)] ?? (c === '-' ? '⁻' : c))
    .join('');

interface Panel {
  heading: string;
  ylabel: string;
  values: number[];
  log?: boolean;
  kind: 'bars' | 'line';
  color: string;
  cls: string;
}

function panel(r: PathsResult, p: Panel, x: number, y: number, w: number, h: number, t: ChartTheme): string {
  const n = r.blocks.length;
  const xa: plot.Axis = {
    min: -0.5,
    max: n + 0.5,
    ticks: plot.innerTicks(0, n, Math.min(n + 1, 7)).filter(Number.isInteger),
    label: 'path length k',
    format: (v) => String(v),
  };
  const positive = p.values.filter((v) => v > 0);
  let ya: plot.Axis;
  if (p.log && positive.length) {
    const ticks = logTicks(Math.min(...positive), Math.max(...positive));
    ya = { min: ticks[0], max: ticks[ticks.length - 1], ticks, label: p.ylabel, log: true, format: sci };
  } else {
    const ticks = plot.niceTicks(0, Math.max(...p.values, 1e-30), 5);
    ya = { min: 0, max: ticks[ticks.length - 1], ticks, label: p.ylabel, format: sci };
  }
  const pl = plot.makePlot(x, y, w, h, xa, ya);
  const out = [text(x + w / 2, y - 10, p.heading, { 'text-anchor': 'middle', fill: t.foreground, 'font-size': 13 })];
  const { from, to } = r.effective;
  const sx0 = pl.sx(from - 0.5),
    sx1 = pl.sx(to + 0.5);
  out.push(
    `<rect class="effective" data-from="${from}" data-to="${to}" x="${n2(sx0)}" y="${n2(pl.y)}" width="${n2(sx1 - sx0)}" height="${n2(pl.h)}" fill="${t.series[2]}" fill-opacity="0.16"/>`,
  );
  out.push(plot.axes(pl, xa, ya, t));
  if (p.kind === 'bars') {
    const slot = pl.w / (n + 1),
      bw = Math.max(1, slot * 0.7);
    out.push(`<g class="${p.cls}" fill="${p.color}">`);
    p.values.forEach((v, k) => {
      const top = pl.sy(v);
      out.push(
        `<rect data-k="${k}" x="${n2(pl.sx(k) - bw / 2)}" y="${n2(top)}" width="${n2(bw)}" height="${n2(pl.y + pl.h - top)}"><title>k = ${k}: ${sci(v)}</title></rect>`,
      );
    });
    out.push('</g>');
  } else {
    const pts = p.values.map((v, k) => [k, v] as [number, number]).filter(([, v]) => !p.log || v > 0);
    out.push(plot.line(pl, pts, { color: p.color, width: 2, points: true, cls: p.cls, label: p.heading }));
  }
  return out.join('\n');
}

/** The three charts of Veit et al.'s Fig. 6 side by side, the effective paths shaded. */
export function pathsSvg(result: PathsResult, options: ChartOptions = {}): string {
  const t = themeOf(options);
  const width = options.width ?? 1080,
    height = options.height ?? 380;
  const n = result.blocks.length;
  const heading =
    options.title ??
    `Gradient by path length (Veit et al. 2016, Fig. 6): ${n} residual blocks, ${result.testExamples} test images`;
  const { from, to, share } = result.effective;
  const note = `shaded: the effective paths, lengths ${from}–${to}, which carry the central ${Math.round(100 * share)}% of the total gradient; it peaks at length ${result.peak}`;
  const top = heading ? 84 : 58,
    bottom = 52,
    gap = 78,
    left = 70;
  const w = (width - left - 20 - 2 * gap) / 3;
  const h = height - top - bottom;
  const panels: Panel[] = [
    {
      heading: '(a) number of paths C(n, k)',
      ylabel: 'paths',
      values: result.lengths.map((l) => l.paths),
      kind: 'bars',
      color: t.series[0],
      cls: 'counts',
    },
    {
      heading: '(b) gradient magnitude per path',
      ylabel: '|d loss / d input|',
      values: result.lengths.map((l) => l.perPath),
      log: true,
      kind: 'line',
      color: t.series[1],
      cls: 'per-path',
    },
    {
      heading: '(c) total gradient magnitude',
      ylabel: 'paths × per path',
      values: result.lengths.map((l) => l.total),
      kind: 'bars',
      color: t.series[3],
      cls: 'total',
    },
  ];
  const out: string[] = [];
  if (heading) out.push(plot.title(heading, 16, 26, t));
  out.push(text(16, heading ? 46 : 22, note, { fill: t.muted, 'font-size': 12 }));
  panels.forEach((p, i) => out.push(panel(result, p, left + i * (w + gap), top, w, h, t)));
  return svgDocument(width, height, t, out.join('\n') + '\n', {
    class: 'chart paths',
    'data-blocks': n,
    'data-effective': `${from}-${to}`,
  });
}

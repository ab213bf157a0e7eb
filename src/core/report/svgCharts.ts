// Standalone SVG charts of a run's data, built as plain strings: no DOM, no
// chart library, no tfjs. They open in any browser or image viewer, embed in
// a README or an HTML report, and look like the panel's charts (same
// smoothing, same styles for training and test error) on a light theme by
// default or a dark one.
import type { GradientRecord, MetricRecord } from '../runs/runFolder';
import type { LesionResult, ResponsesResult } from '../../protocol/trainer';

// ---------------------------------------------------------------------------
// Themes and options

export interface ChartTheme {
  name: 'light' | 'dark';
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  axis: string;
  accent: string;
  series: string[];
  font: string;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

export const LIGHT_THEME: ChartTheme = {
  name: 'light',
  background: '#ffffff',
  foreground: '#1f2328',
  muted: '#59636e',
  grid: '#e4e7eb',
  axis: '#8c959f',
  accent: '#0969da',
  series: ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'],
  font: FONT,
};

export const DARK_THEME: ChartTheme = {
  name: 'dark',
  background: '#0d1117',
  foreground: '#e6edf3',
  muted: '#9198a1',
  grid: '#262c36',
  axis: '#656c76',
  accent: '#4493f8',
  series: ['#4e9eff', '#ff6b6b', '#5cd65c', '#ffa14a', '#c39bff', '#d4a98f', '#f7a6d8', '#5fd8e8', '#bbbbbb', '#dbdb8d'],
  font: FONT,
};

export interface ChartOptions {
  /** The dark palette instead of the light one. */
  dark?: boolean;
  /** A full palette; wins over `dark`. */
  theme?: ChartTheme;
  width?: number;
  height?: number;
  /** Replaces the default title; '' for none. */
  title?: string;
}

export const themeOf = (o: { dark?: boolean; theme?: ChartTheme } = {}): ChartTheme => o.theme ?? (o.dark ? DARK_THEME : LIGHT_THEME);

// ---------------------------------------------------------------------------
// Small helpers shared with diagramSvg.ts and htmlReport.ts

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Numbers in SVG attributes: at most 2 decimals, no trailing zeros. */
export const n2 = (v: number): string => String(Math.round(v * 100) / 100);
const n1 = (v: number): string => String(Math.round(v * 10) / 10);

let uidCounter = 0;
/** A document-unique id prefix, so several SVGs inlined in one HTML page do not share clip paths. */
export function uid(kind: string): string {
  return `rl-${kind}-${++uidCounter}`;
}

/** Opens a standalone SVG with a background; `inner` is the content. */
export function svgDocument(width: number, height: number, theme: ChartTheme, inner: string, attrs: Record<string, string | number> = {}): string {
  const extra = Object.entries(attrs).map(([k, v]) => ` ${k}="${esc(String(v))}"`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${n2(width)}" height="${n2(height)}" viewBox="0 0 ${n2(width)} ${n2(height)}" ` +
    `font-family="${esc(theme.font)}" font-size="12"${extra}>\n` +
    `<rect class="background" x="0" y="0" width="${n2(width)}" height="${n2(height)}" fill="${theme.background}"/>\n${inner}</svg>\n`;
}

export function text(x: number, y: number, s: string, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${esc(String(v))}"`).join('');
  return `<text x="${n2(x)}" y="${n2(y)}"${a}>${esc(s)}</text>`;
}

/** Rough width of a label in px, for layout (no font metrics without a DOM). */
export const textWidth = (s: string, size = 12): number => s.length * size * 0.54;

export function truncate(s: string, max: number, from: 'start' | 'end' = 'end'): string {
  if (s.length <= max) return s;
  return from === 'end' ? `${s.slice(0, max - 1)}…` : `…${s.slice(s.length - max + 1)}`;
}

// ---------------------------------------------------------------------------
// Scales, ticks and decimation

/** Evenly spaced round numbers covering [min, max] (the first and last tick enclose the range). */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v < max + step - 1e-9 * step; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1] < max - 1e-9 * step) ticks.push(ticks[ticks.length - 1] + step);
  return ticks.map((v) => Number(v.toPrecision(12)));
}

/** Ticks for a linear x range drawn exactly [min, max]: only those inside. */
export function innerTicks(min: number, max: number, count = 7): number[] {
  return niceTicks(min, max, count).filter((t) => t >= min - 1e-9 && t <= max + 1e-9);
}

/** Tick labels: 12k for iterations, trimmed decimals otherwise. */
export function fmtNumber(v: number, span = Math.abs(v)): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 && span >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4 && span >= 1e4) return `${Number((v / 1e3).toPrecision(4))}k`;
  if (a >= 1 || span >= 10) return String(Number(v.toPrecision(6)));
  if (a >= 1e-3) return String(Number(v.toPrecision(3)));
  return v.toExponential(1).replace('e-', 'e−');
}

export type Point = [number, number];

/**
 * Largest-triangle-three-buckets (Steinarsson 2013): keeps at most `max`
 * points with the shape of the curve (peaks included); first and last kept.
 */
export function decimate(points: Point[], max = 2000): Point[] {
  if (points.length <= max) return points.slice();
  if (max < 3) return max <= 0 ? [] : max === 1 ? [points[0]] : [points[0], points[points.length - 1]];
  const out: Point[] = [points[0]];
  const every = (points.length - 2) / (max - 2);
  let a = 0;
  for (let i = 0; i < max - 2; i++) {
    const start = Math.floor(i * every) + 1;
    const end = Math.min(Math.floor((i + 1) * every) + 1, points.length - 1);
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, points.length);
    let ax = 0, ay = 0;
    const nn = Math.max(1, nextEnd - nextStart);
    for (let j = nextStart; j < nextEnd; j++) { ax += points[j][0]; ay += points[j][1]; }
    ax /= nn; ay /= nn;
    if (nextEnd <= nextStart) { ax = points[points.length - 1][0]; ay = points[points.length - 1][1]; }
    let best = start, bestArea = -1;
    const [px, py] = points[a];
    for (let j = start; j < end; j++) {
      const area = Math.abs((px - ax) * (points[j][1] - py) - (px - points[j][0]) * (ay - py));
      if (area > bestArea) { bestArea = area; best = j; }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[points.length - 1]);
  return out;
}

/**
 * Bucket means: at most `max` points, each the mean of consecutive points
 * (first and last kept). For curves that are already smoothed, where LTTB
 * would pick out the remaining noise.
 */
export function decimateMean(points: Point[], max = 2000): Point[] {
  if (points.length <= max) return points.slice();
  if (max < 3) return decimate(points, max);
  const out: Point[] = [points[0]];
  const inner = points.length - 2, buckets = max - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets), to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let sx = 0, sy = 0;
    for (let j = from; j < to; j++) { sx += points[j][0]; sy += points[j][1]; }
    const n = Math.max(1, to - from);
    out.push([sx / n, sy / n]);
  }
  out.push(points[points.length - 1]);
  return out;
}

/**
 * Exponential moving average with the panel's weight on the past (0.95).
 * Debiased by default (divided by 1 - weight^t, as Adam and TensorBoard do),
 * so the first iterations are an average of what was seen rather than the
 * first mini-batch's value decaying slowly; `debias: false` is the panel's
 * plain EMA started at the first value. Both agree after ~100 points.
 */
export function ema(points: Point[], weight = 0.95, debias = true): Point[] {
  if (!debias) {
    let m: number | undefined;
    return points.map(([x, y]) => {
      m = m === undefined ? y : weight * m + (1 - weight) * y;
      return [x, m];
    });
  }
  let m = 0, w = 1;
  return points.map(([x, y]) => {
    m = weight * m + (1 - weight) * y;
    w *= weight;
    return [x, m / (1 - w)];
  });
}

// ---------------------------------------------------------------------------
// The series a run's metrics give

export interface MetricSeries {
  /** Per iteration, in %. */
  trainError: Point[];
  /** Per epoch, in %. */
  testError: Point[];
  valError: Point[];
  loss: Point[];
  testLoss: Point[];
  lr: Point[];
}

export function metricSeries(metrics: MetricRecord[]): MetricSeries {
  const s: MetricSeries = { trainError: [], testError: [], valError: [], loss: [], testLoss: [], lr: [] };
  for (const r of metrics) {
    if (r.type === 'iteration') {
      if (isNum(r.trainError)) s.trainError.push([r.iteration, 100 * r.trainError]);
      if (isNum(r.loss)) s.loss.push([r.iteration, r.loss]);
      if (isNum(r.lr)) s.lr.push([r.iteration, r.lr]);
    } else if (r.type === 'epoch') {
      if (isNum(r.testError)) s.testError.push([r.iteration, 100 * r.testError]);
      if (isNum(r.valError)) s.valError.push([r.iteration, 100 * r.valError]);
      if (isNum(r.testLoss)) s.testLoss.push([r.iteration, r.testLoss]);
    }
  }
  return s;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// ---------------------------------------------------------------------------
// Frame: title, legend, axes, grid

export interface LegendItem {
  label: string;
  color: string;
  /** line (default), dashed line, bar swatch, or a point. */
  kind?: 'line' | 'dashed' | 'bar' | 'point' | 'faint';
  width?: number;
}

interface Legend { svg: string; height: number }

/** Legend items flowing left to right, wrapping within `width`. */
function legend(items: LegendItem[], x: number, y: number, width: number, t: ChartTheme): Legend {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowH = 18;
  let cx = x, cy = y;
  const parts: string[] = [];
  for (const it of items) {
    const w = 28 + textWidth(it.label) + 18;
    if (cx > x && cx + w > x + width) { cx = x; cy += rowH; }
    const my = cy + rowH / 2;
    const kind = it.kind ?? 'line';
    const sw = it.width ?? 2;
    if (kind === 'bar') parts.push(`<rect x="${n2(cx)}" y="${n2(my - 5)}" width="20" height="10" fill="${it.color}"/>`);
    else if (kind === 'point') parts.push(`<circle cx="${n2(cx + 10)}" cy="${n2(my)}" r="3.5" fill="${it.color}"/>`);
    else {
      const dash = kind === 'dashed' ? ' stroke-dasharray="5 4"' : '';
      const op = kind === 'faint' ? ' stroke-opacity="0.3"' : '';
      parts.push(`<line x1="${n2(cx)}" y1="${n2(my)}" x2="${n2(cx + 22)}" y2="${n2(my)}" stroke="${it.color}" stroke-width="${sw}"${dash}${op}/>`);
    }
    parts.push(text(cx + 28, my + 4, it.label, { fill: t.foreground }));
    cx += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>\n`, height: cy - y + rowH };
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  label: string;
  log?: boolean;
  format?: (v: number) => string;
}

interface Plot {
  x: number; y: number; w: number; h: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
  clipId: string;
}

function makePlot(x: number, y: number, w: number, h: number, xa: Axis, ya: Axis): Plot {
  const lin = (a: Axis, lo: number, hi: number) => {
    if (a.log) {
      const l0 = Math.log10(a.min), l1 = Math.log10(a.max);
      return (v: number) => lo + ((Math.log10(Math.max(v, 1e-300)) - l0) / (l1 - l0 || 1)) * (hi - lo);
    }
    return (v: number) => lo + ((v - a.min) / (a.max - a.min || 1)) * (hi - lo);
  };
  return { x, y, w, h, sx: lin(xa, x, x + w), sy: lin(ya, y + h, y), clipId: uid('clip') };
}

/** Grid lines, axes, tick labels and axis titles of a plot. */
function axes(p: Plot, xa: Axis, ya: Axis, t: ChartTheme): string {
  const out: string[] = [`<defs><clipPath id="${p.clipId}"><rect x="${n2(p.x)}" y="${n2(p.y - 2)}" width="${n2(p.w)}" height="${n2(p.h + 4)}"/></clipPath></defs>`];
  const fx = xa.format ?? ((v: number) => fmtNumber(v, xa.max - xa.min));
  const fy = ya.format ?? ((v: number) => fmtNumber(v, ya.max - ya.min));
  out.push('<g class="grid">');
  for (const v of ya.ticks) {
    const y = p.sy(v);
    out.push(`<line x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${t.grid}" stroke-width="1"/>`);
  }
  for (const v of xa.ticks) {
    const x = p.sx(v);
    out.push(`<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(p.y)}" y2="${n2(p.y + p.h)}" stroke="${t.grid}" stroke-width="1"/>`);
  }
  out.push('</g>');
  out.push(`<g class="axes" fill="${t.muted}" font-size="11">`);
  out.push(`<line x1="${n2(p.x)}" x2="${n2(p.x)}" y1="${n2(p.y)}" y2="${n2(p.y + p.h)}" stroke="${t.axis}"/>`);
  out.push(`<line x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(p.y + p.h)}" y2="${n2(p.y + p.h)}" stroke="${t.axis}"/>`);
  for (const v of ya.ticks) {
    const y = p.sy(v);
    out.push(`<line x1="${n2(p.x - 4)}" x2="${n2(p.x)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${t.axis}"/>`);
    out.push(text(p.x - 7, y + 4, fy(v), { 'text-anchor': 'end' }));
  }
  for (const v of xa.ticks) {
    const x = p.sx(v);
    out.push(`<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(p.y + p.h)}" y2="${n2(p.y + p.h + 4)}" stroke="${t.axis}"/>`);
    out.push(text(x, p.y + p.h + 17, fx(v), { 'text-anchor': 'middle' }));
  }
  if (xa.label) out.push(text(p.x + p.w / 2, p.y + p.h + 36, xa.label, { 'text-anchor': 'middle', 'font-size': 12 }));
  if (ya.label) {
    const yl = p.x - 12 - Math.max(...ya.ticks.map((v) => textWidth(fy(v), 11)), 10);
    out.push(`<text transform="translate(${n2(yl)},${n2(p.y + p.h / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ya.label)}</text>`);
  }
  out.push('</g>');
  return out.join('\n') + '\n';
}

function title(s: string, x: number, y: number, t: ChartTheme): string {
  return s ? text(x, y, s, { fill: t.foreground, 'font-size': 15, 'font-weight': 600, class: 'title' }) + '\n' : '';
}

function noData(width: number, height: number, t: ChartTheme, heading: string, message: string): string {
  return svgDocument(width, height, t, title(heading, 16, 26, t) +
    text(width / 2, height / 2, message, { fill: t.muted, 'text-anchor': 'middle', 'font-size': 14 }) + '\n', { class: 'chart empty' });
}

export interface SeriesStyle {
  color: string;
  width?: number;
  dashed?: boolean;
  opacity?: number;
  points?: boolean;
  step?: boolean;
  cls?: string;
  label?: string;
}

/** A polyline (`points` already decimated) clipped to the plot. */
function line(p: Plot, points: Point[], s: SeriesStyle): string {
  if (points.length === 0) return '';
  let d = '';
  points.forEach(([x, y], i) => {
    const px = n2(p.sx(x)), py = n2(p.sy(y));
    if (i === 0) d += `M${px},${py}`;
    else if (s.step) d += `H${px}V${py}`;
    else d += `L${px},${py}`;
  });
  const attrs = [
    `class="series${s.cls ? ` ${s.cls}` : ''}"`,
    s.label ? `data-label="${esc(s.label)}"` : '',
    `d="${d}"`, 'fill="none"', `stroke="${s.color}"`, `stroke-width="${s.width ?? 1.5}"`,
    s.dashed ? 'stroke-dasharray="5 4"' : '', s.opacity !== undefined ? `stroke-opacity="${s.opacity}"` : '',
    'stroke-linejoin="round"', 'stroke-linecap="round"', `clip-path="url(#${p.clipId})"`,
  ].filter(Boolean);
  let out = `<path ${attrs.join(' ')}/>\n`;
  if (s.points && points.length <= 150) {
    const r = points.length > 60 ? 2 : 3;
    out += `<g class="points" fill="${s.color}">${points.map(([x, y]) => `<circle cx="${n2(p.sx(x))}" cy="${n2(p.sy(y))}" r="${r}"/>`).join('')}</g>\n`;
  }
  return out;
}

// Loops, not Math.max(...xs): a 64k-iteration run would overflow the call stack.
const maxOf = (pts: Point[]) => pts.reduce((m, [, y]) => (y > m ? y : m), -Infinity);
const minOf = (pts: Point[]) => pts.reduce((m, [, y]) => (y < m ? y : m), Infinity);
const maxX = (pts: Point[]) => pts.reduce((m, [x]) => (x > m ? x : m), -Infinity);
const minX = (pts: Point[]) => pts.reduce((m, [x]) => (x < m ? x : m), Infinity);

// ---------------------------------------------------------------------------
// Error and loss curves

export interface CurveRun {
  /** The run's name in the legend, e.g. "resnet56 (56 layers)". */
  label: string;
  metrics: MetricRecord[];
}

export interface CurveOptions extends ChartOptions {
  /** Points per series at most (LTTB); default 2000. */
  maxPoints?: number;
  /** EMA weight for the smoothed training curve; default 0.95 as in the panel. */
  smoothing?: number;
  /** Bias-corrected EMA (default true); false: the panel's EMA started at the first value. */
  debias?: boolean;
  /** Upper end of the y axis (in % for error); by default from the smoothed and test curves. */
  yMax?: number;
  /** Lower end of the y axis; default 0. */
  yMin?: number;
  /** Several runs drawn in the paper's comparison style even when there is one. */
  compare?: boolean;
}

type CurveKind = 'error' | 'loss';

function curvesSvg(runs: CurveRun[], kind: CurveKind, o: CurveOptions): string {
  const t = themeOf(o);
  const width = o.width ?? 760, height = o.height ?? 440;
  const maxPoints = o.maxPoints ?? 2000;
  const smoothing = o.smoothing ?? 0.95;
  const compare = o.compare || runs.length > 1;
  const series = runs.map((r) => {
    const m = metricSeries(r.metrics);
    const raw = kind === 'error' ? m.trainError : m.loss;
    return { run: r, raw, smooth: ema(raw, smoothing, o.debias ?? true), test: kind === 'error' ? m.testError : m.testLoss, val: kind === 'error' ? m.valError : [] };
  });
  const what = kind === 'error' ? 'error' : 'loss';
  const heading = o.title ?? (compare
    ? `Training (dashed) and test (bold) ${what}`
    : `${runs[0]?.label ?? 'run'}: ${what}`);
  if (series.every((s) => s.raw.length === 0 && s.test.length === 0)) return noData(width, height, t, heading, 'no metrics recorded yet');

  // Legend first: its height sets where the plot starts.
  const items: LegendItem[] = [];
  if (compare) {
    series.forEach((s, i) => items.push({ label: s.run.label, color: t.series[i % t.series.length], width: 3 }));
    items.push({ label: `training ${what}`, color: t.muted, kind: 'dashed', width: 1.2 });
    items.push({ label: `test ${what}`, color: t.muted, width: 3 });
  } else {
    items.push({ label: `training ${what} (per iteration)`, color: t.series[0], kind: 'faint', width: 1 });
    items.push({ label: `training ${what} (EMA ${smoothing})`, color: t.series[0], width: 2 });
    items.push({ label: `test ${what} (per epoch)`, color: t.series[1], width: 2.5 });
    if (series[0].val.length) items.push({ label: `validation ${what}`, color: t.series[2], width: 2 });
  }
  const left = 66, right = 22;
  const lg = legend(items, left, heading ? 38 : 10, width - left - right, t);
  const top = (heading ? 38 : 10) + lg.height + 10;
  const bottom = 50;

  const xMin = 0, xMax = Math.max(1, ...series.map((s) => Math.max(maxX(s.raw), maxX(s.test))));
  let yHi = o.yMax ?? Math.max(...series.map((s) => Math.max(maxOf(s.smooth), maxOf(s.test), maxOf(s.val)))) * 1.05;
  if (kind === 'error' && o.yMax === undefined) yHi = Math.min(100, yHi);
  const yLo = o.yMin ?? 0;
  if (!(yHi > yLo)) yHi = yLo + 1;
  const yTicks = niceTicks(yLo, yHi, 6).filter((v) => v >= yLo - 1e-9);
  const xa: Axis = { min: xMin, max: xMax, ticks: innerTicks(xMin, xMax, 8), label: 'iteration' };
  const ya: Axis = {
    min: yLo, max: o.yMax ?? yTicks[yTicks.length - 1], ticks: o.yMax !== undefined ? yTicks.filter((v) => v <= o.yMax! + 1e-9) : yTicks,
    label: kind === 'error' ? 'error (%)' : 'loss',
  };
  const p = makePlot(left, top, width - left - right, height - top - bottom, xa, ya);
  // Smoothed curves: bucket means, about one point per 1.5 px (never more than maxPoints).
  const smoothPoints = Math.min(maxPoints, Math.max(50, Math.round(p.w / 1.5)));

  const body: string[] = [axes(p, xa, ya, t)];
  series.forEach((s, i) => {
    const color = t.series[i % t.series.length];
    if (compare) {
      body.push(line(p, decimateMean(s.smooth, smoothPoints), { color, width: 1.2, dashed: true, cls: 'train', label: `${s.run.label} train` }));
      body.push(line(p, decimate(s.test, maxPoints), { color, width: 2.6, cls: 'test', points: s.test.length <= 40, label: `${s.run.label} test` }));
    } else {
      body.push(line(p, decimate(s.raw, maxPoints), { color, width: 1, opacity: t.name === 'dark' ? 0.22 : 0.28, cls: 'train-raw', label: 'training raw' }));
      body.push(line(p, decimateMean(s.smooth, smoothPoints), { color, width: 2, cls: 'train-smooth', label: 'training smoothed' }));
      if (s.val.length) body.push(line(p, decimate(s.val, maxPoints), { color: t.series[2], width: 2, cls: 'val', points: true, label: 'validation' }));
      body.push(line(p, decimate(s.test, maxPoints), { color: t.series[1], width: 2.5, cls: 'test', points: true, label: 'test' }));
    }
  });
  return svgDocument(width, height, t, title(heading, left - 50, 26, t) + lg.svg + body.join(''), { class: `chart curves-${kind}`, 'data-runs': runs.length });
}

/**
 * Error curves in %. One run: training error per iteration (raw, faint, and
 * EMA-smoothed) and test error per epoch (bold, with points). Several runs:
 * the paper's Fig. 1 / Fig. 6 style, training thin dashed and test bold, one
 * colour per run.
 */
export function errorCurvesSvg(runs: CurveRun[], options: CurveOptions = {}): string {
  return curvesSvg(runs, 'error', options);
}

/** The same for the loss: training loss per iteration, test loss per epoch. */
export function lossCurvesSvg(runs: CurveRun[], options: CurveOptions = {}): string {
  return curvesSvg(runs, 'loss', options);
}

/** The learning rate per iteration, stepped, on a log axis. */
export function lrSvg(runs: CurveRun[], options: CurveOptions = {}): string {
  const t = themeOf(options);
  const width = options.width ?? 760, height = options.height ?? 220;
  const heading = options.title ?? 'Learning rate';
  const series = runs.map((r) => ({ run: r, lr: metricSeries(r.metrics).lr.filter(([, y]) => y > 0) }));
  if (series.every((s) => s.lr.length === 0)) return noData(width, height, t, heading, 'no learning rate recorded yet');
  const items = runs.length > 1 ? series.map((s, i) => ({ label: s.run.label, color: t.series[i % t.series.length] })) : [];
  const left = 66, right = 22;
  const lg = legend(items, left, heading ? 38 : 10, width - left - right, t);
  const top = (heading ? 38 : 10) + lg.height + 10;
  const lrs = series.filter((s) => s.lr.length);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...lrs.map((s) => minOf(s.lr)))) + 1e-9);
  const hi0 = 10 ** Math.ceil(Math.log10(Math.max(...lrs.map((s) => maxOf(s.lr)))) - 1e-9);
  const hi = hi0 > lo ? hi0 : lo * 10;
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) ticks.push(10 ** e);
  const xMax = Math.max(1, ...lrs.map((s) => maxX(s.lr)));
  const xa: Axis = { min: 0, max: xMax, ticks: innerTicks(0, xMax, 8), label: 'iteration' };
  const ya: Axis = { min: lo, max: hi, ticks, label: 'learning rate', log: true, format: (v) => (v >= 1e-3 ? String(Number(v.toPrecision(3))) : v.toExponential(0).replace('e-', 'e−')) };
  const p = makePlot(left, top, width - left - right, height - top - 50, xa, ya);
  const body = [axes(p, xa, ya, t)];
  series.forEach((s, i) => body.push(line(p, decimate(s.lr, options.maxPoints ?? 2000), { color: t.series[i % t.series.length], width: 2, step: true, cls: 'lr', label: s.run.label })));
  return svgDocument(width, height, t, title(heading, 16, 26, t) + lg.svg + body.join(''), { class: 'chart lr' });
}

// ---------------------------------------------------------------------------
// Gradient norm heatmap

/** Viridis, 9 stops (matplotlib). */
const VIRIDIS = ['#440154', '#472c7a', '#3b518b', '#2c718e', '#21908d', '#27ad81', '#5cc863', '#aadc32', '#fde725'];

export function viridis(v: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = parseInt(VIRIDIS[i].slice(1), 16), b = parseInt(VIRIDIS[i + 1].slice(1), 16);
  const mix = (sh: number) => Math.round(((a >> sh) & 255) * (1 - f) + ((b >> sh) & 255) * f);
  return `#${((mix(16) << 16) | (mix(8) << 8) | mix(0)).toString(16).padStart(6, '0')}`;
}

const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
const pow10 = (e: number) => `10${String(e).split('').map((c) => SUP[c] ?? c).join('')}`;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
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
export function gradientHeatmapSvg(records: GradientRecord[], heading = 'Gradient norm per layer', options: HeatmapOptions = {}): string {
  const t = themeOf(options);
  const width = options.width ?? 900;
  const titleText = options.title ?? heading;
  const recs = [...records].filter((r) => r && Array.isArray(r.layers)).sort((a, b) => a.iteration - b.iteration);
  const layers: string[] = [];
  const seen = new Set<string>();
  for (const r of recs) for (const l of r.layers) if (!seen.has(l.name)) { seen.add(l.name); layers.push(l.name); }
  if (recs.length === 0 || layers.length === 0) return noData(width, options.height ?? 300, t, titleText, 'no gradient norms recorded (gradients.jsonl is empty)');

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
    columns.push({ from: chunk[0].iteration, to: chunk[chunk.length - 1].iteration, values: new Map([...sums].map(([k, v]) => [k, v.s / v.n])) });
  }
  const all = columns.flatMap((c) => [...c.values.values()]).sort((a, b) => a - b);
  let lo = quantile(all, 0.005), hi = quantile(all, 0.995);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = -1; hi = 0; }
  if (hi - lo < 1e-6) { lo -= 0.5; hi += 0.5; }

  // Geometry.
  const rowH = Math.max(3, Math.min(14, 520 / layers.length));
  const labelEvery = Math.max(1, Math.ceil(11 / rowH));
  const longest = Math.max(...layers.filter((_, i) => i % labelEvery === 0).map((l) => Math.min(l.length, 30)));
  const left = Math.max(70, Math.min(230, 14 + longest * 6.2));
  const right = 110, top = titleText ? 46 : 16, bottom = 50;
  const plotW = width - left - right, plotH = rowH * layers.length;
  const height = options.height ?? top + plotH + bottom;

  // x: iterations, each column from the midpoint to its neighbours.
  const centers = columns.map((c) => (c.from + c.to) / 2);
  const edges: number[] = [];
  for (let i = 0; i <= columns.length; i++) {
    if (columns.length === 1) { edges.push(i === 0 ? centers[0] - 0.5 : centers[0] + 0.5); continue; }
    if (i === 0) edges.push(centers[0] - (centers[1] - centers[0]) / 2);
    else if (i === columns.length) edges.push(centers[i - 1] + (centers[i - 1] - centers[i - 2]) / 2);
    else edges.push((centers[i - 1] + centers[i]) / 2);
  }
  const x0 = edges[0], x1 = edges[edges.length - 1];
  const sx = (v: number) => left + ((v - x0) / (x1 - x0 || 1)) * plotW;
  const yOfRow = (i: number) => top + plotH - (i + 1) * rowH; // layer 0 (input side) at the bottom

  const out: string[] = [title(titleText, 16, 26, t)];
  out.push(`<g class="heatmap" shape-rendering="crispEdges" data-layers="${layers.length}" data-columns="${columns.length}">`);
  layers.forEach((name, i) => {
    const y = n1(yOfRow(i)), h = n1(rowH + 0.05);
    const cells: string[] = [];
    columns.forEach((c, j) => {
      const v = c.values.get(name);
      if (v === undefined) return;
      const xa = sx(edges[j]), xb = sx(edges[j + 1]);
      cells.push(`<rect x="${n1(xa)}" y="${y}" width="${n1(Math.max(0.5, xb - xa + 0.2))}" height="${h}" fill="${viridis((v - lo) / (hi - lo))}"/>`);
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
  out.push(`<rect x="${n2(left)}" y="${n2(top)}" width="${n2(plotW)}" height="${n2(plotH)}" fill="none" stroke="${t.axis}"/>`);
  const xMin = Math.max(0, x0), xMax = x1;
  for (const v of innerTicks(Math.ceil(xMin), Math.floor(xMax), 8)) {
    const x = sx(v);
    out.push(`<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(top + plotH)}" y2="${n2(top + plotH + 4)}" stroke="${t.axis}"/>`);
    out.push(text(x, top + plotH + 16, fmtNumber(v, xMax - xMin), { 'text-anchor': 'middle', 'font-size': 11 }));
  }
  out.push(text(left + plotW / 2, top + plotH + 36, per > 1 ? `iteration (each column: mean of ${per} records)` : 'iteration', { 'text-anchor': 'middle', 'font-size': 12 }));
  out.push(`<text transform="translate(14,${n2(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="12">layer (input at the bottom)</text>`);
  out.push('</g>');

  // Colour bar.
  const gid = uid('viridis');
  const cbX = width - right + 22, cbW = 14, cbTop = top, cbH = Math.max(60, Math.min(plotH, 320));
  out.push(`<defs><linearGradient id="${gid}" x1="0" y1="1" x2="0" y2="0">${VIRIDIS.map((c, i) => `<stop offset="${n2(i / (VIRIDIS.length - 1))}" stop-color="${c}"/>`).join('')}</linearGradient></defs>`);
  out.push(`<g class="colorbar" font-size="10" fill="${t.muted}">`);
  out.push(`<rect x="${cbX}" y="${n2(cbTop)}" width="${cbW}" height="${n2(cbH)}" fill="url(#${gid})" stroke="${t.axis}" stroke-width="0.5"/>`);
  // Whole decades; with 2 and 5 in between when the range spans few of them.
  const decades = hi - lo;
  const mults = decades < 1.2 ? [1, 1.5, 2, 3, 5, 7] : decades < 3 ? [1, 2, 5] : [1];
  let cticks: { v: number; label: string }[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of mults) {
      const v = e + Math.log10(m);
      if (v >= lo - 1e-9 && v <= hi + 1e-9) cticks.push({ v, label: mults.length === 1 ? pow10(e) : fmtNumber(m * 10 ** e) });
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

// ---------------------------------------------------------------------------
// Lesion study

/** A block's name without the layer part: "stage2/block1/add" → "stage2/block1". */
export const blockLabel = (name: string) => name.replace(/\/add$/, '');

/**
 * Veit et al. 2016: test error with each block deleted (bars; downsampling
 * blocks in a second colour; the undamaged net's error as a line) and, on
 * the right, the mean error when k random blocks are deleted.
 */
export function lesionBarsSvg(result: LesionResult, options: ChartOptions = {}): string {
  const t = themeOf(options);
  const hasRandom = result.random.length > 0;
  const width = options.width ?? (hasRandom ? 1000 : 680), height = options.height ?? 430;
  const heading = options.title ?? `Lesion study: test error with blocks deleted (${result.testExamples.toLocaleString('en-US')} test images)`;
  if (result.blocks.length === 0) return noData(width, height, t, heading, 'no blocks to delete');
  const base = 100 * result.baselineError;
  const plain = t.series[0], down = t.series[3], baseColor = t.foreground, randColor = t.series[1];
  const items: LegendItem[] = [
    { label: 'one block deleted', color: plain, kind: 'bar' },
    { label: 'downsampling block deleted', color: down, kind: 'bar' },
    { label: `no deletion: ${base.toFixed(2)}%`, color: baseColor, kind: 'dashed', width: 1.5 },
  ];
  if (hasRandom) items.push({ label: 'k random blocks deleted (mean; dots: draws)', color: randColor, width: 2.5 });
  const lg = legend(items, 66, 38, width - 90, t);
  const top = 38 + lg.height + 12;
  const labelH = Math.min(100, 8 + Math.max(...result.blocks.map((b) => Math.min(22, blockLabel(b.name).length))) * 4.3);
  const bottom = labelH + 30;
  const out: string[] = [title(heading, 16, 26, t), lg.svg];

  // Left panel: one bar per block.
  const leftW = hasRandom ? Math.round((width - 40) * 0.6) : width - 20;
  const yHi = Math.max(base, ...result.blocks.map((b) => 100 * b.error), result.custom ? 100 * result.custom.error : 0) * 1.08;
  const yTicks = niceTicks(0, Math.min(100, Math.max(yHi, 1)), 6);
  const xa: Axis = { min: 0, max: result.blocks.length, ticks: [], label: '' };
  const ya: Axis = { min: 0, max: yTicks[yTicks.length - 1], ticks: yTicks, label: 'test error (%)' };
  const p = makePlot(66, top, leftW - 66 - 10, height - top - bottom, xa, ya);
  out.push(axes(p, xa, ya, t));
  const slot = p.w / result.blocks.length;
  const barW = Math.max(1, Math.min(56, slot * 0.72));
  const labelEvery = Math.max(1, Math.ceil(13 / slot));
  out.push('<g class="bars">');
  result.blocks.forEach((b, i) => {
    const x = p.x + i * slot + (slot - barW) / 2, y = p.sy(100 * b.error);
    out.push(`<rect class="bar${b.downsampling ? ' downsampling' : ''}" data-block="${esc(b.name)}" x="${n2(x)}" y="${n2(y)}" width="${n2(barW)}" height="${n2(p.y + p.h - y)}" fill="${b.downsampling ? down : plain}"><title>${esc(`${b.name}: ${(100 * b.error).toFixed(2)}%`)}</title></rect>`);
  });
  out.push('</g>');
  out.push(`<g class="block-labels" fill="${t.muted}" font-size="10">`);
  result.blocks.forEach((b, i) => {
    if (i % labelEvery !== 0) return;
    const x = p.x + i * slot + slot / 2 + 3, y = p.y + p.h + 10;
    out.push(`<text transform="translate(${n2(x)},${n2(y)}) rotate(-50)" text-anchor="end">${esc(truncate(blockLabel(b.name), 22, 'start'))}</text>`);
  });
  out.push('</g>');
  out.push(`<line class="baseline" x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(p.sy(base))}" y2="${n2(p.sy(base))}" stroke="${baseColor}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  out.push(text(p.x + p.w / 2, p.y + p.h + bottom - 8, 'deleted block', { 'text-anchor': 'middle', fill: t.muted }));
  if (result.custom) {
    out.push(text(p.x + 6, p.y + 12, `${result.custom.lesioned.length} chosen blocks deleted: ${(100 * result.custom.error).toFixed(2)}%`, { fill: t.foreground, 'font-size': 11 }));
  }

  // Right panel: k random deletions.
  if (hasRandom) {
    const rx = leftW + 50;
    const pts: Point[] = result.random.map((r) => [r.k, 100 * r.meanError]);
    const draws = result.random.flatMap((r) => r.errors.map((e) => [r.k, 100 * e] as Point));
    const kMax = Math.max(...result.random.map((r) => r.k));
    const ryHi = Math.min(100, Math.max(base, maxOf(pts), maxOf(draws.length ? draws : pts)) * 1.05);
    const ryTicks = niceTicks(0, Math.max(ryHi, 1), 6);
    const rxa: Axis = { min: 0, max: kMax, ticks: innerTicks(0, kMax, Math.min(kMax + 1, 8)).filter((v) => Number.isInteger(v)), label: 'blocks deleted at random (k)' };
    const rya: Axis = { min: 0, max: ryTicks[ryTicks.length - 1], ticks: ryTicks, label: 'test error (%)' };
    const rp = makePlot(rx, top, width - rx - 22, height - top - bottom, rxa, rya);
    out.push(axes(rp, rxa, rya, t));
    out.push(`<line class="baseline" x1="${n2(rp.x)}" x2="${n2(rp.x + rp.w)}" y1="${n2(rp.sy(base))}" y2="${n2(rp.sy(base))}" stroke="${baseColor}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    out.push(`<g class="draws" fill="${randColor}" fill-opacity="0.25">${draws.map(([k, e]) => `<circle cx="${n2(rp.sx(k))}" cy="${n2(rp.sy(e))}" r="2.5"/>`).join('')}</g>`);
    out.push(line(rp, [[0, base], ...pts], { color: randColor, width: 2.5, points: true, cls: 'random-mean', label: 'mean error' }));
  }
  return svgDocument(width, height, t, out.join('\n') + '\n', { class: 'chart lesion', 'data-blocks': result.blocks.length });
}

// ---------------------------------------------------------------------------
// Layer responses

export interface ResponsesOptions extends ChartOptions {
  /** Plot each net's std sorted by magnitude (descending) against rank, as in Fig. 7 (bottom). */
  sorted?: boolean;
}

/** He et al. 2015, Fig. 7: std of each 3×3 layer's response, one line per net. */
export function responsesSvg(series: { label: string; result: ResponsesResult }[], options: ResponsesOptions = {}): string {
  const t = themeOf(options);
  const width = options.width ?? 760, height = options.height ?? 420;
  const heading = options.title ?? (options.sorted ? 'Std of layer responses, sorted by magnitude' : 'Std of layer responses (after BN, before the nonlinearity / addition)');
  const lines = series.map((s, i) => {
    const pts: Point[] = options.sorted
      ? [...s.result.layers].map((l) => l.std).sort((a, b) => b - a).map((v, k) => [k + 1, v])
      : s.result.layers.map((l) => [l.index, l.std]);
    return { label: s.label, pts, color: t.series[i % t.series.length] };
  });
  if (lines.every((l) => l.pts.length === 0)) return noData(width, height, t, heading, 'no layer responses');
  const left = 66, right = 22;
  const lg = legend(lines.map((l) => ({ label: l.label, color: l.color, width: 2 })), left, 38, width - left - right, t);
  const top = 38 + lg.height + 10;
  const all = lines.flatMap((l) => l.pts);
  const xMin = Math.min(1, minX(all)), xMax = Math.max(xMin + 1, maxX(all));
  const yTicks = niceTicks(0, maxOf(all) * 1.05, 6);
  const xa: Axis = { min: xMin, max: xMax, ticks: innerTicks(xMin, xMax, 8).filter(Number.isInteger), label: options.sorted ? 'layer index (sorted by magnitude)' : 'layer index (original)' };
  const ya: Axis = { min: 0, max: yTicks[yTicks.length - 1], ticks: yTicks, label: 'std' };
  const p = makePlot(left, top, width - left - right, height - top - 50, xa, ya);
  const body = [axes(p, xa, ya, t)];
  for (const l of lines) body.push(line(p, l.pts, { color: l.color, width: 1.8, points: true, cls: 'responses', label: l.label }));
  return svgDocument(width, height, t, title(heading, 16, 26, t) + lg.svg + body.join(''), { class: `chart responses${options.sorted ? ' sorted' : ''}` });
}

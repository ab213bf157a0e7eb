// The frame of a chart: nice ticks and their labels, linear and log scales,
// grid and axes, title, legend, the empty-chart placeholder, and polylines
// clipped to the plot area.
import type { Point } from '../decimate';
import { ChartTheme, esc, n2, svgDocument, text, textWidth, uid } from './primitives';

// ---------------------------------------------------------------------------
// Ticks and ranges

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

// Loops, not Math.max(...xs): a 64k-iteration run would overflow the call stack.
export const maxOf = (pts: Point[]) => pts.reduce((m, [, y]) => (y > m ? y : m), -Infinity);
export const minOf = (pts: Point[]) => pts.reduce((m, [, y]) => (y < m ? y : m), Infinity);
export const maxX = (pts: Point[]) => pts.reduce((m, [x]) => (x > m ? x : m), -Infinity);
export const minX = (pts: Point[]) => pts.reduce((m, [x]) => (x < m ? x : m), Infinity);

// ---------------------------------------------------------------------------
// Frame: title, legend, axes, grid

export interface LegendItem {
  label: string;
  color: string;
  /** line (default), dashed line, bar swatch, or a point. */
  kind?: 'line' | 'dashed' | 'bar' | 'point' | 'faint';
  width?: number;
}

export interface Legend {
  svg: string;
  height: number;
}

/** Legend items flowing left to right, wrapping within `width`. */
export function legend(items: LegendItem[], x: number, y: number, width: number, t: ChartTheme): Legend {
  if (items.length === 0) return { svg: '', height: 0 };
  const rowH = 18;
  let cx = x,
    cy = y;
  const parts: string[] = [];
  for (const it of items) {
    const w = 28 + textWidth(it.label) + 18;
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += rowH;
    }
    const my = cy + rowH / 2;
    const kind = it.kind ?? 'line';
    const sw = it.width ?? 2;
    if (kind === 'bar') parts.push(`<rect x="${n2(cx)}" y="${n2(my - 5)}" width="20" height="10" fill="${it.color}"/>`);
    else if (kind === 'point') parts.push(`<circle cx="${n2(cx + 10)}" cy="${n2(my)}" r="3.5" fill="${it.color}"/>`);
    else {
      const dash = kind === 'dashed' ? ' stroke-dasharray="5 4"' : '';
      const op = kind === 'faint' ? ' stroke-opacity="0.3"' : '';
      parts.push(
        `<line x1="${n2(cx)}" y1="${n2(my)}" x2="${n2(cx + 22)}" y2="${n2(my)}" stroke="${it.color}" stroke-width="${sw}"${dash}${op}/>`,
      );
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

export interface Plot {
  x: number;
  y: number;
  w: number;
  h: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
  clipId: string;
}

export function makePlot(x: number, y: number, w: number, h: number, xa: Axis, ya: Axis): Plot {
  const lin = (a: Axis, lo: number, hi: number) => {
    if (a.log) {
      const l0 = Math.log10(a.min),
        l1 = Math.log10(a.max);
      return (v: number) => lo + ((Math.log10(Math.max(v, 1e-300)) - l0) / (l1 - l0 || 1)) * (hi - lo);
    }
    return (v: number) => lo + ((v - a.min) / (a.max - a.min || 1)) * (hi - lo);
  };
  return { x, y, w, h, sx: lin(xa, x, x + w), sy: lin(ya, y + h, y), clipId: uid('clip') };
}

/** Grid lines, axes, tick labels and axis titles of a plot. */
export function axes(p: Plot, xa: Axis, ya: Axis, t: ChartTheme): string {
  const out: string[] = [
    `<defs><clipPath id="${p.clipId}"><rect x="${n2(p.x)}" y="${n2(p.y - 2)}" width="${n2(p.w)}" height="${n2(p.h + 4)}"/></clipPath></defs>`,
  ];
  const fx = xa.format ?? ((v: number) => fmtNumber(v, xa.max - xa.min));
  const fy = ya.format ?? ((v: number) => fmtNumber(v, ya.max - ya.min));
  out.push('<g class="grid">');
  for (const v of ya.ticks) {
    const y = p.sy(v);
    out.push(
      `<line x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(y)}" y2="${n2(y)}" stroke="${t.grid}" stroke-width="1"/>`,
    );
  }
  for (const v of xa.ticks) {
    const x = p.sx(v);
    out.push(
      `<line x1="${n2(x)}" x2="${n2(x)}" y1="${n2(p.y)}" y2="${n2(p.y + p.h)}" stroke="${t.grid}" stroke-width="1"/>`,
    );
  }
  out.push('</g>');
  out.push(`<g class="axes" fill="${t.muted}" font-size="11">`);
  out.push(`<line x1="${n2(p.x)}" x2="${n2(p.x)}" y1="${n2(p.y)}" y2="${n2(p.y + p.h)}" stroke="${t.axis}"/>`);
  out.push(
    `<line x1="${n2(p.x)}" x2="${n2(p.x + p.w)}" y1="${n2(p.y + p.h)}" y2="${n2(p.y + p.h)}" stroke="${t.axis}"/>`,
  );
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
    out.push(
      `<text transform="translate(${n2(yl)},${n2(p.y + p.h / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ya.label)}</text>`,
    );
  }
  out.push('</g>');
  return out.join('\n') + '\n';
}

export function title(s: string, x: number, y: number, t: ChartTheme): string {
  return s ? text(x, y, s, { fill: t.foreground, 'font-size': 15, 'font-weight': 600, class: 'title' }) + '\n' : '';
}

export function noData(width: number, height: number, t: ChartTheme, heading: string, message: string): string {
  return svgDocument(
    width,
    height,
    t,
    title(heading, 16, 26, t) +
      text(width / 2, height / 2, message, { fill: t.muted, 'text-anchor': 'middle', 'font-size': 14 }) +
      '\n',
    { class: 'chart empty' },
  );
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
export function line(p: Plot, points: Point[], s: SeriesStyle): string {
  if (points.length === 0) return '';
  let d = '';
  points.forEach(([x, y], i) => {
    const px = n2(p.sx(x)),
      py = n2(p.sy(y));
    if (i === 0) d += `M${px},${py}`;
    else if (s.step) d += `H${px}V${py}`;
    else d += `L${px},${py}`;
  });
  const attrs = [
    `class="series${s.cls ? ` ${s.cls}` : ''}"`,
    s.label ? `data-label="${esc(s.label)}"` : '',
    `d="${d}"`,
    'fill="none"',
    `stroke="${s.color}"`,
    `stroke-width="${s.width ?? 1.5}"`,
    s.dashed ? 'stroke-dasharray="5 4"' : '',
    s.opacity !== undefined ? `stroke-opacity="${s.opacity}"` : '',
    'stroke-linejoin="round"',
    'stroke-linecap="round"',
    `clip-path="url(#${p.clipId})"`,
  ].filter(Boolean);
  let out = `<path ${attrs.join(' ')}/>\n`;
  if (s.points && points.length <= 150) {
    const r = points.length > 60 ? 2 : 3;
    out += `<g class="points" fill="${s.color}">${points.map(([x, y]) => `<circle cx="${n2(p.sx(x))}" cy="${n2(p.sy(y))}" r="${r}"/>`).join('')}</g>\n`;
  }
  return out;
}

// The sweep's figure as one SVG string (the paper's Fig. 6 shape): test error
// against the x axis, a line per variant, seeds as error bars (mean ± std).
// Text and axes are drawn in currentColor, so the same SVG reads in a dark
// webview and, exported, on white.
import type { AxisValue } from '../lib/sweep';
import type { SweepResults } from './results';

/** Colour-blind-safe (Okabe-Ito), distinct on dark and light backgrounds. */
export const SERIES_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#D55E00', '#0072B2', '#F0E442', '#999999'];

const W = 640;
const H = 380;
const M = { left: 56, right: 16, top: 20, bottom: 48 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => String(Math.round(n * 10) / 10);

/** Rounded steps for an axis from 0 to at least `max` (the last tick is at or above it). */
export function ticks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let i = 0; out.length === 0 || out[out.length - 1] < max - step * 1e-9; i++)
    out.push(Math.round(i * step * 1e6) / 1e6);
  return out;
}

function xScale(xs: AxisValue[]): (x: AxisValue) => number {
  const inner = W - M.left - M.right;
  const numeric = xs.every((x) => typeof x === 'number');
  if (numeric && xs.length > 1) {
    const lo = Math.min(...xs),
      hi = Math.max(...xs);
    const pad = (hi - lo) * 0.06;
    return (x) => M.left + ((Number(x) - lo + pad) / (hi - lo + 2 * pad)) * inner;
  }
  return (x) => M.left + ((xs.indexOf(x) + 0.5) / xs.length) * inner;
}

/**
 * `standalone`: a file of its own (results.svg, an export) gets a white
 * background and dark text, as an image viewer or a dark README would not
 * give it a colour to inherit.
 */
export function resultsSvg(r: SweepResults, title?: string, standalone = false): string {
  const top = Math.max(0.01, ...r.cells.map((c) => c.mean + c.std)) * 100;
  const yTicks = ticks(top * 1.08);
  const yMax = yTicks[yTicks.length - 1];
  const y = (pct: number) => H - M.bottom - (pct / yMax) * (H - M.top - M.bottom);
  const x = xScale(r.xs);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12" role="img" aria-label="${esc(title ?? 'test error by ' + r.xAxis)}"${standalone ? ' color="#222"' : ''}>`,
  ];
  if (standalone) parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="currentColor" stroke-opacity="0.15"/>`,
      `<text x="${M.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end" fill="currentColor">${t}</text>`,
    );
  }
  for (const v of r.xs)
    parts.push(
      `<text x="${fmt(x(v))}" y="${H - M.bottom + 16}" text-anchor="middle" fill="currentColor">${esc(String(v))}</text>`,
    );
  parts.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="currentColor" stroke-opacity="0.6"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle" fill="currentColor">${esc(r.xAxis === 'depth' ? 'depth (layers)' : r.xAxis)}</text>`,
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="currentColor">test error (%)</text>`,
  );
  r.variants.forEach((variant, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const cells = r.cells.filter((c) => c.variant === variant);
    const points = cells.map((c) => `${fmt(x(c.x))},${fmt(y(c.mean * 100))}`).join(' ');
    parts.push(`<g class="series" data-variant="${esc(variant)}" stroke="${color}" fill="${color}">`);
    if (cells.length > 1) parts.push(`<polyline points="${points}" fill="none" stroke-width="2"/>`);
    for (const c of cells) {
      const cx = fmt(x(c.x));
      if (c.std > 0) {
        const [lo, hi] = [y((c.mean - c.std) * 100), y((c.mean + c.std) * 100)];
        parts.push(
          `<line x1="${cx}" x2="${cx}" y1="${fmt(lo)}" y2="${fmt(hi)}" stroke-width="1.5"/>`,
          `<line x1="${fmt(x(c.x) - 4)}" x2="${fmt(x(c.x) + 4)}" y1="${fmt(lo)}" y2="${fmt(lo)}" stroke-width="1.5"/>`,
          `<line x1="${fmt(x(c.x) - 4)}" x2="${fmt(x(c.x) + 4)}" y1="${fmt(hi)}" y2="${fmt(hi)}" stroke-width="1.5"/>`,
        );
      }
      parts.push(
        `<circle cx="${cx}" cy="${fmt(y(c.mean * 100))}" r="3.5"><title>${esc(`${variant}, ${r.xAxis} ${String(c.x)}: ${(c.mean * 100).toFixed(2)}% ± ${(c.std * 100).toFixed(2)} (${c.errors.length} runs)`)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const ly = M.top + 4 + i * 16;
    parts.push(
      `<line x1="${W - M.right - 150}" x2="${W - M.right - 130}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right - 124}" y="${ly + 4}" fill="currentColor">${esc(variant)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

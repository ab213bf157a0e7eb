// The building blocks of the report's SVG: themes and palettes, escaping,
// number formatting for attributes, the standalone document wrapper, text,
// and the viridis colour scale. Shared by every chart, diagramSvg.ts and
// htmlReport.ts.

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
  series: [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#ff7f0e',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#17becf',
    '#7f7f7f',
    '#bcbd22',
  ],
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
  series: [
    '#4e9eff',
    '#ff6b6b',
    '#5cd65c',
    '#ffa14a',
    '#c39bff',
    '#d4a98f',
    '#f7a6d8',
    '#5fd8e8',
    '#bbbbbb',
    '#dbdb8d',
  ],
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

export const themeOf = (o: { dark?: boolean; theme?: ChartTheme } = {}): ChartTheme =>
  o.theme ?? (o.dark ? DARK_THEME : LIGHT_THEME);

// ---------------------------------------------------------------------------
// Escaping, numbers, ids, text

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Numbers in SVG attributes: at most 2 decimals, no trailing zeros. */
export const n2 = (v: number): string => String(Math.round(v * 100) / 100);
export const n1 = (v: number): string => String(Math.round(v * 10) / 10);

let uidCounter = 0;
/** A document-unique id prefix, so several SVGs inlined in one HTML page do not share clip paths. */
export function uid(kind: string): string {
  return `rl-${kind}-${++uidCounter}`;
}

/** Opens a standalone SVG with a background; `inner` is the content. */
export function svgDocument(
  width: number,
  height: number,
  theme: ChartTheme,
  inner: string,
  attrs: Record<string, string | number> = {},
): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n2(width)}" height="${n2(height)}" viewBox="0 0 ${n2(width)} ${n2(height)}" ` +
    `font-family="${esc(theme.font)}" font-size="12"${extra}>\n` +
    `<rect class="background" x="0" y="0" width="${n2(width)}" height="${n2(height)}" fill="${theme.background}"/>\n${inner}</svg>\n`
  );
}

export function text(x: number, y: number, s: string, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return `<text x="${n2(x)}" y="${n2(y)}"${a}>${esc(s)}</text>`;
}

/** Rough width of a label in px, for layout (no font metrics without a DOM). */
export const textWidth = (s: string, size = 12): number => s.length * size * 0.54;

export function truncate(s: string, max: number, from: 'start' | 'end' = 'end'): string {
  if (s.length <= max) return s;
  return from === 'end' ? `${s.slice(0, max - 1)}…` : `…${s.slice(s.length - max + 1)}`;
}

// ---------------------------------------------------------------------------
// Colour scale

/** Viridis, 9 stops (matplotlib). */
export const VIRIDIS = [
  '#440154',
  '#472c7a',
  '#3b518b',
  '#2c718e',
  '#21908d',
  '#27ad81',
  '#5cc863',
  '#aadc32',
  '#fde725',
];

export function viridis(v: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = parseInt(VIRIDIS[i].slice(1), 16),
    b = parseInt(VIRIDIS[i + 1].slice(1), 16);
  const mix = (sh: number) => Math.round(((a >> sh) & 255) * (1 - f) + ((b >> sh) & 255) * f);
  return `#${((mix(16) << 16) | (mix(8) << 8) | mix(0)).toString(16).padStart(6, '0')}`;
}

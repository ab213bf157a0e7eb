// The identity experiment's figure (He et al. 2015, Sec. 3.1): both stacks'
// losses on one log scale, then each block's distance from its identity
// solution, plain (‖W − I‖) beside residual (‖W‖), relative to the start.
// Written by the CLI, drawn by the identity panel with the editor's colours.
import type { IdentityResult } from '../../protocol/identity';
import type { Point } from './decimate';
import { axes, Axis, innerTicks, legend, line, makePlot, niceTicks, title } from './svg/axes';
import { ChartOptions, ChartTheme, svgDocument, text, themeOf } from './svg/primitives';

/** Decades (1, 2, 5 within each when there are few) covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const from = Math.floor(Math.log10(lo)),
    to = Math.ceil(Math.log10(hi));
  const steps = to - from <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = from; e <= to; e++) for (const m of steps) ticks.push(m * 10 ** e);
  return ticks.filter((v) => v >= lo * 0.999 && v <= hi * 1.001);
}

/**
 * Block i's colour: the palette after the two the losses take, round again
 * when there are more blocks than colours, so no block reads as "plain" or
 * "residual" in the shared legend (with the editor's six chart colours,
 * block 4 was drawn in the residual loss's blue).
 */
const blockColor = (t: ChartTheme, i: number): string => t.series[2 + (i % Math.max(1, t.series.length - 2))];

const fmtLoss = (v: number) => (v >= 0.01 ? String(Number(v.toPrecision(2))) : v.toExponential(0));

function lossPlot(r: IdentityResult, x: number, y: number, w: number, h: number, t: ChartTheme, colors: string[]) {
  const plain: Point[] = r.records.map((d) => [d.iteration, d.plainLoss]);
  const residual: Point[] = r.records.map((d) => [d.iteration, d.residualLoss]);
  const values = [...plain, ...residual].map(([, v]) => v).filter((v) => v > 0 && Number.isFinite(v));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values))),
    hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const last = r.records[r.records.length - 1].iteration;
  const xa: Axis = { min: 0, max: Math.max(1, last), ticks: innerTicks(0, Math.max(1, last), 5), label: 'iteration' };
  const ya: Axis = {
    min: lo,
    max: hi,
    ticks: logTicks(lo, hi),
    label: 'mean squared error',
    log: true,
    format: fmtLoss,
  };
  const p = makePlot(x, y, w, h, xa, ya);
  return (
    axes(p, xa, ya, t) +
    line(p, plain, { color: colors[0], width: 2, cls: 'identity-loss plain', label: 'plain' }) +
    line(p, residual, { color: colors[1], width: 2, cls: 'identity-loss residual', label: 'residual' })
  );
}

function distancePlot(
  r: IdentityResult,
  kind: 'plain' | 'residual',
  box: { x: number; y: number; w: number; h: number },
  range: [number, number],
  t: ChartTheme,
) {
  const last = r.records[r.records.length - 1].iteration;
  const xa: Axis = { min: 0, max: Math.max(1, last), ticks: innerTicks(0, Math.max(1, last), 5), label: 'iteration' };
  const ticks = niceTicks(range[0], range[1], 5);
  const ya: Axis = {
    min: ticks[0],
    max: ticks[ticks.length - 1],
    ticks,
    label: kind === 'plain' ? '‖W − I‖ / ‖W₀ − I‖' : '‖W‖ / ‖W₀‖',
  };
  const p = makePlot(box.x, box.y, box.w, box.h, xa, ya);
  const key = kind === 'plain' ? 'plainDistance' : 'residualDistance';
  return (
    axes(p, xa, ya, t) +
    r.blocks
      .map((b, i) =>
        line(
          p,
          r.records.map((d) => [d.iteration, d[key][i]] as Point),
          { color: blockColor(t, i), width: 1.8, cls: `identity-distance ${kind}`, label: b },
        ),
      )
      .join('')
  );
}

export interface IdentitySvgOptions extends ChartOptions {
  /** 'row': the three plots in one row (the CLI's figure); 'stacked': one above the other, each the full width (a narrow panel). */
  layout?: 'row' | 'stacked';
}

export function identitySvg(r: IdentityResult, options: IdentitySvgOptions = {}): string {
  const t = themeOf(options);
  const stacked = options.layout === 'stacked';
  const width = options.width ?? (stacked ? 600 : 1200);
  const colors = [t.series[1], t.series[0]];
  const c = r.config;
  const heading =
    options.title ??
    (stacked
      ? `${c.blocks} plain vs ${c.blocks} residual blocks (width ${c.width}, seed ${c.seed})`
      : `Learning the identity: ${c.blocks} plain vs ${c.blocks} residual blocks (width ${c.width}, seed ${c.seed})`);
  const gap = 84,
    left = 70,
    right = 20;
  const lg = legend(
    [
      { label: 'plain  y = F(x)', color: colors[0] },
      { label: 'residual  y = x + F(x)', color: colors[1] },
      ...r.blocks.map((b, i) => ({ label: b, color: blockColor(t, i), width: 1.8 })),
    ],
    left,
    36,
    width - left - right,
    t,
  );
  const top = 36 + lg.height + 34;
  // Row: three plots side by side. Stacked: one above the other, `between` apart (axis labels and the next title).
  const between = 86,
    plotH = 200;
  const height = options.height ?? (stacked ? top + 3 * plotH + 2 * between + 52 : 420);
  const rowH = stacked ? (height - top - 52 - 2 * between) / 3 : height - top - 52;
  const plotW = stacked ? width - left - right : (width - left - right - 2 * gap) / 3;
  const boxes = [0, 1, 2].map((i) =>
    stacked
      ? { x: left, y: top + i * (rowH + between), w: plotW, h: rowH }
      : { x: left + i * (plotW + gap), y: top, w: plotW, h: rowH },
  );
  const all = r.records.flatMap((d) => [...d.plainDistance, ...d.residualDistance]).filter(Number.isFinite);
  // Both panels on one scale, zoomed to what the weights did (they start at 1; 0 is the identity).
  const range: [number, number] = [Math.min(0.9, ...all), Math.max(1.02, ...all)];
  const sub = (i: number, s: string) =>
    text(boxes[i].x, boxes[i].y - 10, s, { fill: t.foreground, 'font-weight': 600 });
  const b = boxes[0];
  const body =
    sub(0, 'Loss: reproduce the input') +
    lossPlot(r, b.x, b.y, b.w, b.h, t, colors) +
    sub(1, 'Plain blocks: distance of W from I') +
    distancePlot(r, 'plain', boxes[1], range, t) +
    sub(2, 'Residual blocks: distance of W from 0') +
    distancePlot(r, 'residual', boxes[2], range, t);
  return svgDocument(width, height, t, title(heading, 16, 24, t) + lg.svg + body, { class: 'chart identity' });
}

// Layer responses (He et al. 2015, Fig. 7): std of each 3x3 layer's response.
import type { ResponsesResult } from '../../protocol/trainer';
import type { Point } from './decimate';
import {
  axes,
  Axis,
  innerTicks,
  legend,
  makePlot,
  line,
  maxOf,
  maxX,
  minX,
  niceTicks,
  noData,
  title,
} from './svg/axes';
import { ChartOptions, svgDocument, themeOf } from './svg/primitives';

export interface ResponsesOptions extends ChartOptions {
  /** Plot each net's std sorted by magnitude (descending) against rank, as in Fig. 7 (bottom). */
  sorted?: boolean;
}

/** He et al. 2015, Fig. 7: std of each 3×3 layer's response, one line per net. */
export function responsesSvg(
  series: { label: string; result: ResponsesResult }[],
  options: ResponsesOptions = {},
): string {
  const t = themeOf(options);
  const width = options.width ?? 760,
    height = options.height ?? 420;
  const heading =
    options.title ??
    (options.sorted
      ? 'Std of layer responses, sorted by magnitude'
      : 'Std of layer responses (after BN, before the nonlinearity / addition)');
  const lines = series.map((s, i) => {
    const pts: Point[] = options.sorted
      ? [...s.result.layers]
          .map((l) => l.std)
          .sort((a, b) => b - a)
          .map((v, k) => [k + 1, v])
      : s.result.layers.map((l) => [l.index, l.std]);
    return { label: s.label, pts, color: t.series[i % t.series.length] };
  });
  if (lines.every((l) => l.pts.length === 0)) return noData(width, height, t, heading, 'no layer responses');
  const left = 66,
    right = 22;
  const lg = legend(
    lines.map((l) => ({ label: l.label, color: l.color, width: 2 })),
    left,
    38,
    width - left - right,
    t,
  );
  const top = 38 + lg.height + 10;
  const all = lines.flatMap((l) => l.pts);
  const xMin = Math.min(1, minX(all)),
    xMax = Math.max(xMin + 1, maxX(all));
  const yTicks = niceTicks(0, maxOf(all) * 1.05, 6);
  const xa: Axis = {
    min: xMin,
    max: xMax,
    ticks: innerTicks(xMin, xMax, 8).filter(Number.isInteger),
    label: options.sorted ? 'layer index (sorted by magnitude)' : 'layer index (original)',
  };
  const ya: Axis = { min: 0, max: yTicks[yTicks.length - 1], ticks: yTicks, label: 'std' };
  const p = makePlot(left, top, width - left - right, height - top - 50, xa, ya);
  const body = [axes(p, xa, ya, t)];
  for (const l of lines)
    body.push(line(p, l.pts, { color: l.color, width: 1.8, points: true, cls: 'responses', label: l.label }));
  return svgDocument(width, height, t, title(heading, 16, 26, t) + lg.svg + body.join(''), {
    class: `chart responses${options.sorted ? ' sorted' : ''}`,
  });
}

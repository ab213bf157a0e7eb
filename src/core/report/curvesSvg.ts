// Error, loss and learning-rate curves of one run or several (the paper's
// comparison style), with the panel's smoothing.
import type { MetricRecord } from '../runs/metricRecords';
import { decimate, decimateMean, ema, Point } from './decimate';
import {
  axes,
  Axis,
  innerTicks,
  legend,
  LegendItem,
  line,
  makePlot,
  maxOf,
  maxX,
  minOf,
  niceTicks,
  noData,
  title,
} from './svg/axes';
import { ChartOptions, svgDocument, themeOf } from './svg/primitives';

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
  const width = o.width ?? 760,
    height = o.height ?? 440;
  const maxPoints = o.maxPoints ?? 2000;
  const smoothing = o.smoothing ?? 0.95;
  const compare = o.compare || runs.length > 1;
  const series = runs.map((r) => {
    const m = metricSeries(r.metrics);
    const raw = kind === 'error' ? m.trainError : m.loss;
    return {
      run: r,
      raw,
      smooth: ema(raw, smoothing, o.debias ?? true),
      test: kind === 'error' ? m.testError : m.testLoss,
      val: kind === 'error' ? m.valError : [],
    };
  });
  const what = kind === 'error' ? 'error' : 'loss';
  const heading =
    o.title ?? (compare ? `Training (dashed) and test (bold) ${what}` : `${runs[0]?.label ?? 'run'}: ${what}`);
  if (series.every((s) => s.raw.length === 0 && s.test.length === 0))
    return noData(width, height, t, heading, 'no metrics recorded yet');

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
  const left = 66,
    right = 22;
  const lg = legend(items, left, heading ? 38 : 10, width - left - right, t);
  const top = (heading ? 38 : 10) + lg.height + 10;
  const bottom = 50;

  const xMin = 0,
    xMax = Math.max(1, ...series.map((s) => Math.max(maxX(s.raw), maxX(s.test))));
  let yHi = o.yMax ?? Math.max(...series.map((s) => Math.max(maxOf(s.smooth), maxOf(s.test), maxOf(s.val)))) * 1.05;
  if (kind === 'error' && o.yMax === undefined) yHi = Math.min(100, yHi);
  const yLo = o.yMin ?? 0;
  if (!(yHi > yLo)) yHi = yLo + 1;
  const yTicks = niceTicks(yLo, yHi, 6).filter((v) => v >= yLo - 1e-9);
  const xa: Axis = { min: xMin, max: xMax, ticks: innerTicks(xMin, xMax, 8), label: 'iteration' };
  const ya: Axis = {
    min: yLo,
    max: o.yMax ?? yTicks[yTicks.length - 1],
    ticks: o.yMax !== undefined ? yTicks.filter((v) => v <= o.yMax! + 1e-9) : yTicks,
    label: kind === 'error' ? 'error (%)' : 'loss',
  };
  const p = makePlot(left, top, width - left - right, height - top - bottom, xa, ya);
  // Smoothed curves: bucket means, about one point per 1.5 px (never more than maxPoints).
  const smoothPoints = Math.min(maxPoints, Math.max(50, Math.round(p.w / 1.5)));

  const body: string[] = [axes(p, xa, ya, t)];
  series.forEach((s, i) => {
    const color = t.series[i % t.series.length];
    if (compare) {
      body.push(
        line(p, decimateMean(s.smooth, smoothPoints), {
          color,
          width: 1.2,
          dashed: true,
          cls: 'train',
          label: `${s.run.label} train`,
        }),
      );
      body.push(
        line(p, decimate(s.test, maxPoints), {
          color,
          width: 2.6,
          cls: 'test',
          points: s.test.length <= 40,
          label: `${s.run.label} test`,
        }),
      );
    } else {
      body.push(
        line(p, decimate(s.raw, maxPoints), {
          color,
          width: 1,
          opacity: t.name === 'dark' ? 0.22 : 0.28,
          cls: 'train-raw',
          label: 'training raw',
        }),
      );
      body.push(
        line(p, decimateMean(s.smooth, smoothPoints), {
          color,
          width: 2,
          cls: 'train-smooth',
          label: 'training smoothed',
        }),
      );
      // Held-out error as marked points: validation (when the run kept a split), then test.
      const heldOut = [
        { records: s.val, color: t.series[2], width: 2, cls: 'val', label: 'validation' },
        { records: s.test, color: t.series[1], width: 2.5, cls: 'test', label: 'test' },
      ];
      for (const { records, ...style } of heldOut)
        if (records.length || style.cls === 'test')
          body.push(line(p, decimate(records, maxPoints), { ...style, points: true }));
    }
  });
  return svgDocument(width, height, t, title(heading, left - 50, 26, t) + lg.svg + body.join(''), {
    class: `chart curves-${kind}`,
    'data-runs': runs.length,
  });
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
  const width = options.width ?? 760,
    height = options.height ?? 220;
  const heading = options.title ?? 'Learning rate';
  const series = runs.map((r) => ({ run: r, lr: metricSeries(r.metrics).lr.filter(([, y]) => y > 0) }));
  if (series.every((s) => s.lr.length === 0)) return noData(width, height, t, heading, 'no learning rate recorded yet');
  const items =
    runs.length > 1 ? series.map((s, i) => ({ label: s.run.label, color: t.series[i % t.series.length] })) : [];
  const left = 66,
    right = 22;
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
  const ya: Axis = {
    min: lo,
    max: hi,
    ticks,
    label: 'learning rate',
    log: true,
    format: (v) => (v >= 1e-3 ? String(Number(v.toPrecision(3))) : v.toExponential(0).replace('e-', 'e−')),
  };
  const p = makePlot(left, top, width - left - right, height - top - 50, xa, ya);
  const body = [axes(p, xa, ya, t)];
  series.forEach((s, i) =>
    body.push(
      line(p, decimate(s.lr, options.maxPoints ?? 2000), {
        color: t.series[i % t.series.length],
        width: 2,
        step: true,
        cls: 'lr',
        label: s.run.label,
      }),
    ),
  );
  return svgDocument(width, height, t, title(heading, 16, 26, t) + lg.svg + body.join(''), { class: 'chart lr' });
}

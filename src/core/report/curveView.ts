// What the training panel's curves show of a run, made on the host: a run of
// 100,000 iterations is 100,000 points per curve, but a chart 800 pixels wide
// can show only ~800 columns. The host keeps the full series (columnar, a few
// MB) and sends, per request, the visible range at the chart's width:
//   - noisy curves (raw training error, loss): min and max of each column, so
//     the faint band covers exactly the pixels all the points would;
//   - the smoothed training error: a TensorBoard-style debiased EMA over every
//     iteration from the first (so zooming never changes it), then the mean of
//     each column;
//   - test error (one point per epoch) and the learning rate's steps: as is.
// Zooming asks again for the narrower range, so detail comes back on zoom.

import type { CurveView, XY } from '../../protocol/charts';
export type { CurveView, XY };

export interface MetricLike {
  type: 'iteration' | 'epoch';
  iteration: number;
  trainError?: number;
  testError?: number;
  loss?: number;
  lr?: number;
}

/** A run's curves at full resolution, in typed arrays (iterations ascending). */
export class CurveData {
  private n = 0;
  private it = new Float64Array(1024);
  private err = new Float64Array(1024);
  private lossV = new Float64Array(1024);
  private lrV = new Float64Array(1024);
  readonly test: XY[] = [];
  private ema?: { weight: number; upTo: number; values: Float64Array };

  constructor(records: readonly MetricLike[] = []) {
    this.add(records);
  }

  get length(): number {
    return this.n;
  }
  get lastIteration(): number {
    return this.n ? this.it[this.n - 1] : 0;
  }

  add(records: readonly MetricLike[]): void {
    for (const r of records) {
      if (r.type === 'epoch') {
        if (r.testError !== undefined) this.test.push([r.iteration, 100 * r.testError]);
        continue;
      }
      if (r.trainError === undefined) continue;
      if (this.n === this.it.length) this.grow();
      this.it[this.n] = r.iteration;
      this.err[this.n] = 100 * r.trainError;
      this.lossV[this.n] = r.loss ?? NaN;
      this.lrV[this.n] = r.lr ?? NaN;
      this.n++;
    }
  }

  private grow(): void {
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.it = bigger(this.it);
    this.err = bigger(this.err);
    this.lossV = bigger(this.lossV);
    this.lrV = bigger(this.lrV);
  }

  /** Debiased EMA of the training error (TensorBoard's smoothing), kept and extended as records arrive. */
  smoothed(weight: number): Float64Array {
    if (!this.ema || this.ema.weight !== weight || this.ema.values.length < this.n) {
      const values = new Float64Array(this.it.length);
      this.ema = { weight, upTo: 0, values };
    }
    const e = this.ema;
    let m = 0,
      w = 1;
    if (e.upTo > 0) {
      ({ m, w } = this.emaState(e.upTo - 1, weight, e.values));
    }
    for (let i = e.upTo; i < this.n; i++) {
      m = weight * m + (1 - weight) * this.err[i];
      w *= weight;
      e.values[i] = m / (1 - w);
    }
    e.upTo = this.n;
    return e.values;
  }

  /** The EMA's internal state after index i, so the webview can carry it on for live records. */
  private emaState(i: number, weight: number, values: Float64Array): { m: number; w: number } {
    const w = weight ** (i + 1);
    return { m: values[i] * (1 - w), w };
  }

  endState(weight: number): { m: number; w: number } {
    const v = this.smoothed(weight);
    return this.n ? this.emaState(this.n - 1, weight, v) : { m: 0, w: 1 };
  }

  /** Index of the first iteration >= x. */
  private lowerBound(x: number): number {
    let lo = 0,
      hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.it[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  view(o: { from?: number; to?: number; columns: number; smoothing: number }): CurveView {
    const from = o.from ?? (this.n ? this.it[0] : 0),
      to = o.to ?? this.lastIteration;
    // [a, b): the iterations in range; one more point each side so the lines reach the edges.
    const a = this.lowerBound(from),
      b = this.lowerBound(Math.floor(to) + 1);
    const start = Math.max(0, a - 1),
      end = Math.min(this.n, b + 1);
    const columns = Math.max(1, Math.floor(o.columns));
    const smooth = this.smoothed(o.smoothing);
    const first = this.test.findIndex(([x]) => x >= from);
    const t0 = first < 0 ? Math.max(0, this.test.length - 1) : Math.max(0, first - 1);
    const t1 = this.test.findIndex(([x]) => x > to);
    const test = this.test.slice(t0, t1 < 0 ? this.test.length : t1 + 1);
    return {
      from,
      to,
      count: Math.max(0, b - a),
      columns,
      smoothing: o.smoothing,
      raw: minMax(this.it, this.err, start, end, columns),
      smooth: means(this.it, smooth, start, end, columns),
      loss: minMax(this.it, this.lossV, start, end, columns),
      lr: steps(this.it, this.lrV, start, end),
      test,
      ema: this.endState(o.smoothing),
    };
  }
}

/** Four significant digits: what a chart can show, and a third of the JSON. */
const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);
const px = (v: number) => Math.round(v * 10) / 10;

function columnBounds(start: number, end: number, columns: number): (c: number) => [number, number] {
  const n = end - start;
  return (c) => [start + Math.floor((c * n) / columns), start + Math.floor(((c + 1) * n) / columns)];
}

/** Min and max of each column, in iteration order: the same pixels as every point. */
export function minMax(x: Float64Array, y: Float64Array, start: number, end: number, columns: number): XY[] {
  const out: XY[] = [];
  if (end - start <= 2 * columns) {
    for (let i = start; i < end; i++) if (!Number.isNaN(y[i])) out.push([x[i], r4(y[i])]);
    return out;
  }
  const bounds = columnBounds(start, end, columns);
  for (let c = 0; c < columns; c++) {
    const [lo, hi] = bounds(c);
    let iMin = -1,
      iMax = -1;
    for (let i = lo; i < hi; i++) {
      if (Number.isNaN(y[i])) continue;
      if (iMin < 0 || y[i] < y[iMin]) iMin = i;
      if (iMax < 0 || y[i] > y[iMax]) iMax = i;
    }
    if (iMin < 0) continue;
    const [p, q] = iMin <= iMax ? [iMin, iMax] : [iMax, iMin];
    out.push([x[p], r4(y[p])]);
    if (q !== p) out.push([x[q], r4(y[q])]);
  }
  return out;
}

/** Mean of each column (for the already smoothed curve). */
export function means(x: Float64Array, y: Float64Array, start: number, end: number, columns: number): XY[] {
  const out: XY[] = [];
  if (end - start <= 2 * columns) {
    for (let i = start; i < end; i++) out.push([x[i], r4(y[i])]);
    return out;
  }
  const bounds = columnBounds(start, end, columns);
  for (let c = 0; c < columns; c++) {
    const [lo, hi] = bounds(c);
    if (hi <= lo) continue;
    let sx = 0,
      sy = 0;
    for (let i = lo; i < hi; i++) {
      sx += x[i];
      sy += y[i];
    }
    out.push([px(sx / (hi - lo)), r4(sy / (hi - lo))]);
  }
  return out;
}

/** A stepped curve: its first point, every change, and its last point. */
export function steps(x: Float64Array, y: Float64Array, start: number, end: number): XY[] {
  const out: XY[] = [];
  let last = NaN;
  for (let i = start; i < end; i++) {
    if (Number.isNaN(y[i])) continue;
    // Compare raw values (rounding 100,000 of them would cost more than the rest of a view).
    if (out.length === 0 || y[i] !== last || i === end - 1) out.push([x[i], r4(y[i])]);
    last = y[i];
  }
  return out;
}

/**
 * The smoothing weight a run starts with: an EMA whose time constant
 * 1 / (1 - weight) is 0.5% of the run, at least 10 iterations. A fixed weight
 * averages ~20 iterations whether the run has 300 or 100,000 of them.
 */
export function defaultSmoothing(iterations: number): number {
  const tau = Math.max(10, iterations / 200);
  return Math.min(0.999, Number((1 - 1 / tau).toFixed(3)));
}

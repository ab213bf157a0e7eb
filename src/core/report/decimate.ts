// Fewer points with the same look, and the panel's smoothing: LTTB for raw
// curves, bucket means for smoothed ones, and the (debiased) EMA.

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
    let ax = 0,
      ay = 0;
    const nn = Math.max(1, nextEnd - nextStart);
    for (let j = nextStart; j < nextEnd; j++) {
      ax += points[j][0];
      ay += points[j][1];
    }
    ax /= nn;
    ay /= nn;
    if (nextEnd <= nextStart) {
      ax = points[points.length - 1][0];
      ay = points[points.length - 1][1];
    }
    let best = start,
      bestArea = -1;
    const [px, py] = points[a];
    for (let j = start; j < end; j++) {
      const area = Math.abs((px - ax) * (points[j][1] - py) - (px - points[j][0]) * (ay - py));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
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
  const inner = points.length - 2,
    buckets = max - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets),
      to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let sx = 0,
      sy = 0;
    for (let j = from; j < to; j++) {
      sx += points[j][0];
      sy += points[j][1];
    }
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
  let m = 0,
    w = 1;
  return points.map(([x, y]) => {
    m = weight * m + (1 - weight) * y;
    w *= weight;
    return [x, m / (1 - w)];
  });
}

// The numbers a distribution record keeps of a tensor: TensorBoard's
// distribution bands (the quantiles at 0, 7, 16, 31, 50, 69, 84, 93 and 100 %,
// i.e. min, ±1.5σ, ±1σ, ±0.5σ and the median of a normal) and, after a ReLU,
// the share of exact zeros. The Keras engine's train.py computes the same
// (run_folder.py `quantiles`): a fixed stride subsample, then numpy's default
// linear interpolation.

/** The quantile levels of every record, lowest first. */
export const QUANTILE_LEVELS = [0, 0.07, 0.16, 0.31, 0.5, 0.69, 0.84, 0.93, 1] as const;

/**
 * Sorting every value of ResNet-56's block outputs on the probe batch would
 * cost more than the training it measures; 16,384 evenly strided values give
 * the bands to well under a pixel of a small chart.
 */
export const MAX_QUANTILE_SAMPLES = 16_384;

/** Four significant digits: the record stays small (a 100,000-iteration run's file under 20 MB) and a band loses nothing drawable. */
export const compact = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

/** Every `ceil(n / max)`-th value, from the first: the same values in TypeScript and numpy (`x[::stride]`). */
export function strided(values: ArrayLike<number>, max = MAX_QUANTILE_SAMPLES): Float32Array {
  const stride = Math.max(1, Math.ceil(values.length / max));
  const out = new Float32Array(Math.ceil(values.length / stride));
  for (let i = 0, j = 0; i < values.length; i += stride, j++) out[j] = values[i];
  return out;
}

/** The QUANTILE_LEVELS of `values` (numpy's "linear" method on a strided subsample), rounded by `compact`. */
export function quantiles(values: ArrayLike<number>, max = MAX_QUANTILE_SAMPLES): number[] {
  if (values.length === 0) throw new Error('quantiles of an empty tensor');
  const sorted = strided(values, max).sort();
  const last = sorted.length - 1;
  return QUANTILE_LEVELS.map((p) => {
    const pos = p * last;
    const lo = Math.floor(pos);
    const hi = Math.min(last, lo + 1);
    return compact(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
  });
}

/** The share of values that are exactly zero: after a ReLU, the units that did not fire ("dead" when it stays near 1). */
export function zeroShare(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error('the zero share of an empty tensor');
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return compact(zeros / values.length);
}

// The counting side of Veit et al. 2016's unraveled view: a net of n residual
// blocks is 2^n paths, one per choice of branch or shortcut at each block; a
// path's length is the number of branches it takes, so C(n, k) paths have
// length k. Pure numbers, shared by the path analysis, its charts and the
// diagram's unraveled view.

/** C(n, k) as a float: exact up to 2^53, which covers ResNet-110's 54 blocks (C(54, 27) ≈ 1.9e15). */
export function binomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0)
    throw new Error(`binomial(${n}, ${k}): n and k must be integers, n ≥ 0`);
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let c = 1;
  // Each partial product c·(n-m+i)/i is itself a binomial coefficient, so it stays an integer.
  for (let i = 1; i <= m; i++) c = Math.round((c * (n - m + i)) / i);
  return c;
}

/** Paths of each length k = 0..n in a net of n residual blocks: C(n, 0..n), summing to 2^n. */
export const pathLengthCounts = (n: number): number[] => Array.from({ length: n + 1 }, (_, k) => binomial(n, k));

/** The number of blocks a path uses: the set bits of its mask (bit i: it takes block i's branch). */
export function pathLength(mask: number): number {
  let k = 0;
  for (let m = mask; m; m &= m - 1) k++;
  return k;
}

/** Every k-subset of 0..n-1 in lexicographic order (callers keep C(n, k) small). */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) return void out.push([...chosen]);
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

/** k distinct indices of 0..n-1, uniformly at random from `rng`, sorted. */
export function randomSubset(n: number, k: number, rng: () => number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p.slice(0, k).sort((a, b) => a - b);
}

export interface LengthRange {
  from: number;
  to: number;
}

/**
 * The lengths that hold the central `share` of a distribution over k = 0..n
 * (`weights[k]`, any scale): from the first k where the cumulative share
 * reaches (1 - share)/2 to the first where it reaches (1 + share)/2. Veit et
 * al.'s "effective paths" when the weights are the total gradient by length.
 */
export function centralRange(weights: number[], share = 0.9): LengthRange {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new Error('centralRange: the weights must have a positive sum');
  const lo = ((1 - share) / 2) * sum,
    hi = ((1 + share) / 2) * sum;
  let cum = 0,
    from = -1,
    to = weights.length - 1;
  for (let k = 0; k < weights.length; k++) {
    cum += weights[k];
    if (from < 0 && cum >= lo) from = k;
    if (cum >= hi) {
      to = k;
      break;
    }
  }
  return { from: Math.max(0, from), to };
}

/** The index of the largest weight (the first one on ties). */
export const argMax = (xs: number[]): number => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/**
 * Each length's share of the total gradient (Veit et al.'s Fig. 6c scaled to
 * sum to 1), so that nets of different depths compare on one axis.
 */
export function gradientShares(totals: number[]): number[] {
  const sum = totals.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new Error('gradient shares need a positive total');
  return totals.map((t) => t / sum);
}

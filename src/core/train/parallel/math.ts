// The arithmetic of a data-parallel step, in plain JS over (shared) typed
// arrays: the layout of a model's variables as one flat vector, the weighted
// average of the workers' gradients, per-layer gradient norms, and the SGD
// update. No tfjs here: the main thread runs this between two steps while
// the workers wait, and it is small next to a step (one pass over N+3 vectors
// of the model's size).
//
// The update reproduces src/core/train/optimizer.ts `Sgd.apply` operation for
// operation in float32 (Math.fround after every operation, as the wasm
// backend rounds every elementwise op), so one worker's gradient gives the
// same weights as the single-thread path, not just close ones.

export interface VarSpec {
  /** The variable's name without the uniquifying suffix (LayerVariable.originalName). */
  name: string;
  shape: number[];
}

export interface Layout {
  vars: VarSpec[];
  offsets: number[];
  sizes: number[];
  /** Total number of floats. */
  total: number;
}

export function layoutOf(vars: VarSpec[]): Layout {
  const offsets: number[] = [],
    sizes: number[] = [];
  let total = 0;
  for (const v of vars) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    offsets.push(total);
    sizes.push(n);
    total += n;
  }
  return { vars, offsets, sizes, total };
}

/** Describes why two layouts differ, or undefined when they agree (same shapes in the same order). */
export function layoutMismatch(a: VarSpec[], b: VarSpec[]): string | undefined {
  if (a.length !== b.length) return `${a.length} variables against ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].shape.join(',') !== b[i].shape.join(',')) {
      return `variable ${i} ("${a[i].name}") has shape [${a[i].shape}] against [${b[i].shape}] ("${b[i].name}")`;
    }
  }
  return undefined;
}

/**
 * out[p] = sum_i fractions[i] * slots[i * total + p], summed in double and
 * rounded once. With equal fractions and equal inputs the result is the input
 * exactly (so identical per-worker values stay identical).
 */
export function weightedAverage(out: Float32Array, slots: Float32Array, fractions: number[], total: number): void {
  const n = fractions.length;
  if (n === 1 && fractions[0] === 1) {
    out.set(slots.subarray(0, total));
    return;
  }
  for (let p = 0; p < total; p++) {
    let s = 0;
    for (let i = 0; i < n; i++) if (fractions[i] !== 0) s += fractions[i] * slots[i * total + p];
    out[p] = s;
  }
}

/** L2 norm of each layer's gradient (over all its variables), in the order layers first appear in `layerOf`. */
export function layerGradNorms(
  grads: Float32Array,
  layout: Layout,
  layerOf: string[],
): { name: string; norm: number }[] {
  const names = [...new Set(layerOf)];
  const sums = new Map<string, number>(names.map((n) => [n, 0]));
  for (let v = 0; v < layout.vars.length; v++) {
    let s = 0;
    const o = layout.offsets[v];
    for (let p = o, end = o + layout.sizes[v]; p < end; p++) s += grads[p] * grads[p];
    sums.set(layerOf[v], sums.get(layerOf[v])! + s);
  }
  return names.map((name) => ({ name, norm: Math.fround(Math.sqrt(sums.get(name)!)) }));
}

/** Kernels (conv and dense weights) are decayed; biases and batch norm's gamma and beta are not. As in Sgd. */
export const isDecayed = (name: string) => /kernel(_\d+)?$/.test(name);

/** False if any of the first n values is NaN or infinite (a diverged step), in one pass. */
export function allFinite(values: Float32Array, n = values.length): boolean {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] * 0; // NaN * 0 and Infinity * 0 are NaN; every finite value gives 0
  return sum === 0;
}

/**
 * PyTorch-style SGD, in place:  v = momentum * v + (g + weightDecay * w);  w = w - lr * v
 * with the weight decay only on variables whose `decays` flag is set.
 */
export function sgdUpdate(
  weights: Float32Array,
  velocity: Float32Array,
  grads: Float32Array,
  layout: Layout,
  decays: boolean[],
  lr: number,
  momentum: number,
  weightDecay: number,
): void {
  const f = Math.fround;
  const m = f(momentum),
    wd = f(weightDecay),
    rate = f(lr);
  for (let v = 0; v < layout.vars.length; v++) {
    const decay = decays[v] && weightDecay > 0;
    const o = layout.offsets[v];
    for (let p = o, end = o + layout.sizes[v]; p < end; p++) {
      const w = weights[p];
      const g = decay ? f(grads[p] + f(w * wd)) : grads[p];
      const vel = f(f(velocity[p] * m) + g);
      velocity[p] = vel;
      weights[p] = f(w - f(vel * rate));
    }
  }
}

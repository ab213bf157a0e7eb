// How far a block's weights are from the weights that make it the identity
// (He et al. 2015, Sec. 3.1): for a plain block the identity kernel I (a 1 at
// the centre tap from each channel to itself, 0 elsewhere: the 3x3 conv that
// copies its input), for a residual block 0 (F = 0 leaves y = x). Plain
// arrays only, so the numbers can be checked by hand.

export type IdentityTarget = 'identity' | 'zero';

/** A conv kernel in tfjs' layout [kh, kw, in, out], flattened row-major. */
export interface Kernel {
  shape: number[];
  values: ArrayLike<number>;
}

/** Why this kernel has no identity kernel (it must be [odd, odd, c, c]), or undefined. */
export function identityKernelProblem(shape: number[]): string | undefined {
  if (shape.length !== 4) return `a conv kernel has 4 dimensions [kh, kw, in, out], this one [${shape.join(', ')}]`;
  const [kh, kw, cin, cout] = shape;
  if (kh % 2 === 0 || kw % 2 === 0) return `a ${kh}x${kw} kernel has no centre tap`;
  if (cin !== cout) return `a conv from ${cin} to ${cout} channels cannot be the identity`;
  return undefined;
}

/** The conv kernel that copies its input: 1 at [centre, centre, c, c]. */
export function identityKernel(shape: number[]): Float32Array {
  const problem = identityKernelProblem(shape);
  if (problem) throw new Error(problem);
  const [kh, kw, c] = shape;
  const out = new Float32Array(kh * kw * c * c);
  const centre = ((kh - 1) / 2) * kw + (kw - 1) / 2;
  for (let i = 0; i < c; i++) out[centre * c * c + i * c + i] = 1;
  return out;
}

/** Squared Frobenius distance of a kernel from its target. */
function squaredDistance(k: Kernel, target: IdentityTarget): number {
  const t = target === 'identity' ? identityKernel(k.shape) : undefined;
  let sum = 0;
  for (let i = 0; i < k.values.length; i++) {
    const d = k.values[i] - (t ? t[i] : 0);
    sum += d * d;
  }
  return sum;
}

/** ‖W − T‖_F over all of a block's kernels together (T = I or 0). */
export function blockDistance(kernels: Kernel[], target: IdentityTarget): number {
  return Math.sqrt(kernels.reduce((s, k) => s + squaredDistance(k, target), 0));
}

/**
 * A distance relative to where training started: 1 at initialisation, 0 at
 * the identity solution. A block that started at its target (a residual
 * branch initialised to zeros) has nothing to divide by: its distance is
 * given as it is.
 */
export function relativeDistance(distance: number, initial: number): number {
  return initial === 0 ? distance : distance / initial;
}

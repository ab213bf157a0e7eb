/**
 * The Sum/Mean kernels and the fused batch-norm gradient kernel of
 * wasmKernels.ts (see its header for why): per-channel accumulations in
 * float64 on typed-array views of the wasm heap, taken after the last
 * allocation (an allocation can grow, i.e. replace, the heap buffer).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { size } from './wasmCopyKernels';

type TF = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;

// ------------------------------------------------------------------- Sum/Mean

export interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * Sum or mean over the leading axes [0, k) (e.g. over N, H, W of NHWC), in
 * float64. Other axis sets return null: the built-in kernel reduces innermost
 * axes without a transpose already.
 */
export function reduceLeading(
  tf: TF,
  backend: BackendWasm,
  x: TensorInfo,
  attrs: ReduceAttrs,
  mean: boolean,
): TensorInfo | null {
  if (x.dtype !== 'float32' && !(x.dtype === 'int32' && !mean)) return null;
  const axes = tf.util
    .parseAxisParam(attrs.axis, x.shape)
    .slice()
    .sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k === x.shape.length || axes.some((a, i) => a !== i)) return null;
  const outer = size(x.shape.slice(0, k));
  const innerShape = x.shape.slice(k);
  const inner = size(innerShape);
  if (outer === 0) return null;
  const outShape = attrs.keepDims ? [...new Array<number>(k).fill(1), ...innerShape] : innerShape;
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const acc = columnSums(src, outer, inner);
  const scale = mean ? 1 / outer : 1;
  for (let j = 0; j < inner; j++) dst[j] = acc[j] * scale;
  return out;
}

/** Rows a block spans so that it stays in L1 while each group of columns is summed. */
const blockRows = (cols: number) => Math.max(1, Math.floor(2048 / cols));

/**
 * Column sums of a row-major [rows, cols] array, in float64. Summing row by row
 * into a Float64Array is ~3x slower in V8 than this: blocks of rows, four
 * columns at a time in local (register) accumulators.
 */
function columnSums(src: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  if (cols >= 256) {
    for (let i = 0, o = 0; i < rows; i++, o += cols) for (let j = 0; j < cols; j++) acc[j] += src[o + j];
    return acc;
  }
  const B = blockRows(cols);
  for (let r0 = 0; r0 < rows; r0 += B) {
    const end = Math.min(rows, r0 + B) * cols;
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let o = r0 * cols + c; o < end; o += cols) {
        a0 += src[o];
        a1 += src[o + 1];
        a2 += src[o + 2];
        a3 += src[o + 3];
      }
      acc[c] += a0;
      acc[c + 1] += a1;
      acc[c + 2] += a2;
      acc[c + 3] += a3;
    }
    for (; c < cols; c++) {
      let a = 0;
      for (let o = r0 * cols + c; o < end; o += cols) a += src[o];
      acc[c] += a;
    }
  }
  return acc;
}

// ----------------------------------------------------------- batch-norm grad

interface BatchNormGradArgs {
  inputs: { x: TensorInfo; dy: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo };
  backend: BackendWasm;
  attrs: { varianceEpsilon: number };
}

/**
 * The gradients of y = (x - mean) * r * scale + offset, r = 1/sqrt(variance + eps),
 * with respect to each input, per channel c (the last axis):
 *   dx = dy * r * scale
 *   dmean = -r * scale * sum(dy)          dvariance = -r^3/2 * scale * sum(dy * (x - mean))
 *   dscale = r * sum(dy * (x - mean))     doffset = sum(dy)
 * Outputs [dx, dmean, dvariance, dscale, doffset].
 */
export function batchNormGradKernel({ inputs, backend, attrs }: BatchNormGradArgs): TensorInfo[] {
  const { x, dy, mean, variance, scale } = inputs;
  const C = mean.shape[0];
  const M = size(x.shape) / C;
  const channel = [C];
  const dx = backend.makeOutput(x.shape, 'float32');
  const dMean = backend.makeOutput(channel, 'float32');
  const dVar = backend.makeOutput(channel, 'float32');
  const dScale = backend.makeOutput(channel, 'float32');
  const dOffset = backend.makeOutput(channel, 'float32');
  // Views after the last allocation.
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const mv = backend.typedArrayFromHeap(mean) as Float32Array;
  const vv = backend.typedArrayFromHeap(variance) as Float32Array;
  const sv = scale ? (backend.typedArrayFromHeap(scale) as Float32Array) : null;
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  const r = new Float32Array(C); // float32 like tfjs-core's rsqrt
  const k = new Float32Array(C); // r * scale
  for (let c = 0; c < C; c++) {
    r[c] = 1 / Math.sqrt(vv[c] + attrs.varianceEpsilon);
    k[c] = r[c] * (sv ? sv[c] : 1);
  }
  // One pass, blocked as in columnSums (~3x faster than a plain row loop).
  const sumDy = new Float64Array(C);
  const sumDyXc = new Float64Array(C); // sum of dy * (x - mean)
  const B = blockRows(C);
  for (let r0 = 0; r0 < M; r0 += B) {
    const end = Math.min(M, r0 + B) * C;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const m0 = mv[c],
        m1 = mv[c + 1],
        m2 = mv[c + 2],
        m3 = mv[c + 3];
      const k0 = k[c],
        k1 = k[c + 1],
        k2 = k[c + 2],
        k3 = k[c + 3];
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        b0 = 0,
        b1 = 0,
        b2 = 0,
        b3 = 0;
      for (let o = r0 * C + c; o < end; o += C) {
        const g0 = dyv[o],
          g1 = dyv[o + 1],
          g2 = dyv[o + 2],
          g3 = dyv[o + 3];
        a0 += g0;
        a1 += g1;
        a2 += g2;
        a3 += g3;
        b0 += g0 * (xv[o] - m0);
        b1 += g1 * (xv[o + 1] - m1);
        b2 += g2 * (xv[o + 2] - m2);
        b3 += g3 * (xv[o + 3] - m3);
        dxv[o] = g0 * k0;
        dxv[o + 1] = g1 * k1;
        dxv[o + 2] = g2 * k2;
        dxv[o + 3] = g3 * k3;
      }
      sumDy[c] += a0;
      sumDy[c + 1] += a1;
      sumDy[c + 2] += a2;
      sumDy[c + 3] += a3;
      sumDyXc[c] += b0;
      sumDyXc[c + 1] += b1;
      sumDyXc[c + 2] += b2;
      sumDyXc[c + 3] += b3;
    }
    for (; c < C; c++) {
      const m = mv[c],
        kc = k[c];
      let a = 0,
        b = 0;
      for (let o = r0 * C + c; o < end; o += C) {
        const g = dyv[o];
        a += g;
        b += g * (xv[o] - m);
        dxv[o] = g * kc;
      }
      sumDy[c] += a;
      sumDyXc[c] += b;
    }
  }
  const [dm, dvar, ds, doff] = [dMean, dVar, dScale, dOffset].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  for (let c = 0; c < C; c++) {
    dm[c] = -k[c] * sumDy[c];
    dvar[c] = -0.5 * r[c] * r[c] * k[c] * sumDyXc[c];
    ds[c] = r[c] * sumDyXc[c];
    doff[c] = sumDy[c];
  }
  return [dx, dMean, dVar, dScale, dOffset];
}

/**
 * Faster kernels for the TensorFlow.js WASM backend, for what a ResNet
 * training step spends its time on once the convolution gradients are fast
 * (see wasmConvGrads.ts).
 *
 * tfjs-backend-wasm 4.22 is slow at a few memory-bound operations that the
 * tfjs-core gradients lean on:
 *
 *   Tile      a C++ loop that recomputes a multi-index per element: tiling a
 *             per-channel [1,1,1,16] up to [128,32,32,16] (batch-norm gradient)
 *             took ~700 ms. Here: copy the source rows once, then double the
 *             filled block with copyWithin.
 *   Slice     above rank 4 it goes through a TensorBuffer element by element
 *             (the option-A shortcut's subsampling slice took ~1 s). Here: a
 *             strided copy of contiguous runs, any rank.
 *   Sum/Mean  over the leading axes (per-channel reductions of NHWC tensors)
 *             transpose the whole input first. Here: one accumulation pass.
 *   Identity, Cast to the same dtype
 *             copy the data; the CPU and WebGL backends share it (refcount).
 *
 * and the batch-norm gradient itself: tfjs-core's FusedBatchNorm gradient makes
 * about a dozen full-size temporaries (a tiled rsqrt, x - mean, products, sums).
 * On wasm it is replaced by one kernel that reads x and dy once and writes dx,
 * accumulating the four per-channel gradients on the way (in float64). Other
 * backends keep tfjs-core's gradient; shapes the fused kernel does not cover
 * (mean of rank > 1, non-float32) also fall back to it.
 *
 * Every kernel keeps the built-in one as a fallback for the cases it does not
 * handle, and registration is idempotent, as in wasmConvGrads.ts. Kernels run
 * at backend level on typed-array views of the wasm heap; views are taken after
 * the last allocation (an allocation can grow, i.e. replace, the heap buffer).
 *
 * `tf` is always a parameter: the process must hold exactly one tfjs-core.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TF = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelFunc;
type KernelConfig = tfjs.KernelConfig;
type GradFunc = tfjs.GradConfig['gradFunc'];
type DataType = tfjs.DataType;
type Heap = Float32Array | Int32Array | Uint8Array;

const BACKEND = 'wasm';
/** The fused batch-norm gradient kernel (wasm only; no gradient of its own). */
export const BATCH_NORM_GRAD = 'ResnetLabFusedBatchNormGrad';

/** Kernel and gradient functions installed by this module, to make registration idempotent. */
const ours = new WeakSet<object>();

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const numeric = (dtype: DataType) => dtype === 'float32' || dtype === 'int32' || dtype === 'bool';

/**
 * Replaces the wasm kernels listed in the header comment and, for the wasm
 * backend, the FusedBatchNorm gradient. Safe to call repeatedly and before or
 * after the wasm backend is initialised. initWasm (wasmConvGrads.ts) calls it.
 */
export function registerWasmFastKernels(tf: TF): void {
  // Loads (registers) the wasm backend if nobody has yet; see loadWasmPackage in wasmConvGrads.ts.
  require('@tensorflow/tfjs-backend-wasm');
  const builtin = (name: string): KernelConfig => {
    const k = tf.getKernel(name, BACKEND);
    if (k == null)
      throw new Error(`resnet-lab: wasm kernel ${name} is missing (is @tensorflow/tfjs-backend-wasm loaded?)`);
    return k;
  };
  const replace = (name: string, make: (fallback: KernelFunc) => KernelFunc) => {
    const original = builtin(name);
    if (ours.has(original.kernelFunc)) return; // already installed
    const func = make(original.kernelFunc);
    ours.add(func);
    // Keep the original setupFunc: it binds the C++ function the fallback calls.
    install(tf, { ...original, kernelFunc: func });
  };

  replace(
    'Tile',
    (fallback) => (args) =>
      tile(args.backend as BackendWasm, args.inputs.x as TensorInfo, (args.attrs as { reps: number[] }).reps) ??
      fallback(args),
  );
  replace(
    'Slice',
    (fallback) => (args) =>
      slice(tf, args.backend as BackendWasm, args.inputs.x as TensorInfo, args.attrs as unknown as SliceAttrs) ??
      fallback(args),
  );
  replace(
    'Identity',
    (fallback) => (args) => share(args.backend as BackendWasm, args.inputs.x as TensorInfo) ?? fallback(args),
  );
  replace('Cast', (fallback) => (args) => {
    const x = args.inputs.x as TensorInfo;
    return (
      (x.dtype === (args.attrs as { dtype: DataType }).dtype ? share(args.backend as BackendWasm, x) : null) ??
      fallback(args)
    );
  });
  replace(
    'Sum',
    (fallback) => (args) =>
      reduceLeading(
        tf,
        args.backend as BackendWasm,
        args.inputs.x as TensorInfo,
        args.attrs as unknown as ReduceAttrs,
        false,
      ) ?? fallback(args),
  );
  replace(
    'Mean',
    (fallback) => (args) =>
      reduceLeading(
        tf,
        args.backend as BackendWasm,
        args.inputs.x as TensorInfo,
        args.attrs as unknown as ReduceAttrs,
        true,
      ) ?? fallback(args),
  );

  if (tf.getKernel(BATCH_NORM_GRAD, BACKEND) == null) {
    tf.registerKernel({
      kernelName: BATCH_NORM_GRAD,
      backendName: BACKEND,
      kernelFunc: batchNormGradKernel as unknown as KernelFunc,
    });
  }
  overrideBatchNormGradient(tf);
}

function install(tf: TF, config: KernelConfig): void {
  // unregister first: registerKernel would warn about overwriting.
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/** Same data, new shape/dtype view: what the CPU backend's Identity does. */
function share(backend: BackendWasm, x: TensorInfo): TensorInfo | null {
  if (x.dtype === 'string') return null;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

// ----------------------------------------------------------------------- Tile

/**
 * out[i] = x[i mod shape], shape * reps. Dimensions are merged where possible
 * ([1,1,1,C] x [N,H,W,1] becomes one row of C repeated N*H*W times), then each
 * level copies its source rows once and replicates the filled block by doubling.
 */
function tile(backend: BackendWasm, x: TensorInfo, reps: number[]): TensorInfo | null {
  if (!numeric(x.dtype) || reps.length !== x.shape.length) return null;
  const outShape = x.shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (size(outShape) === 0) return out;
  // Merge dimensions: drop (1, 1); join neighbours that are both untiled or both single.
  const dims: [number, number][] = [];
  x.shape.forEach((s, i) => {
    const r = reps[i];
    if (s === 1 && r === 1) return;
    const last = dims[dims.length - 1];
    if (last && last[1] === 1 && r === 1) last[0] *= s;
    else if (last && last[0] === 1 && s === 1) last[1] *= r;
    else dims.push([s, r]);
  });
  const src = backend.typedArrayFromHeap(x) as Heap;
  const dst = backend.typedArrayFromHeap(out) as Heap;
  if (dims.length === 0) {
    dst[0] = src[0];
    return out;
  }
  const rank = dims.length;
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  for (let d = rank - 1, i = 1, o = 1; d >= 0; d--) {
    inStride[d] = i;
    outStride[d] = o;
    i *= dims[d][0];
    o *= dims[d][0] * dims[d][1];
  }
  const fill = (d: number, from: number, to: number) => {
    const [s, r] = dims[d];
    if (d === rank - 1) {
      if (s < 16) for (let k = 0; k < s; k++) dst[to + k] = src[from + k];
      else dst.set(src.subarray(from, from + s), to);
    } else {
      for (let k = 0; k < s; k++) fill(d + 1, from + k * inStride[d], to + k * outStride[d]);
    }
    replicate(dst, to, s * outStride[d], r);
  };
  fill(0, 0, 0);
  return out;
}

/** Repeats a[at, at + block) `times` times in place (block already filled). */
function replicate(a: Heap, at: number, block: number, times: number): void {
  const total = block * times;
  if (block === 1 && times > 1) {
    a.fill(a[at], at + 1, at + total);
    return;
  }
  for (let filled = block; filled < total;) {
    const n = Math.min(filled, total - filled);
    if (n < 32) for (let k = 0; k < n; k++) a[at + filled + k] = a[at + k];
    else a.copyWithin(at + filled, at, at + n);
    filled += n;
  }
}

// ---------------------------------------------------------------------- Slice

interface SliceAttrs {
  begin: number | number[];
  size: number | number[];
}

/** A strided copy of contiguous runs; dimensions taken whole are merged into the run. */
function slice(tf: TF, backend: BackendWasm, x: TensorInfo, attrs: SliceAttrs): TensorInfo | null {
  if (!numeric(x.dtype)) return null;
  const [begin, sz] = tf.slice_util.parseSliceParams(x as tfjs.Tensor, attrs.begin, attrs.size);
  const out = backend.makeOutput(sz, x.dtype);
  const total = size(sz);
  if (total === 0) return out;
  // Collapse from the innermost dimension: while a dimension is taken whole,
  // the next one out can be merged with it.
  const dims: { n: number; begin: number; size: number }[] = [];
  for (let d = x.shape.length - 1; d >= 0; d--) {
    const inner = dims[0];
    if (inner && inner.begin === 0 && inner.size === inner.n) {
      inner.begin = begin[d] * inner.n;
      inner.size = sz[d] * inner.n;
      inner.n *= x.shape[d];
    } else {
      dims.unshift({ n: x.shape[d], begin: begin[d], size: sz[d] });
    }
  }
  const src = backend.typedArrayFromHeap(x) as Heap;
  const dst = backend.typedArrayFromHeap(out) as Heap;
  const rank = dims.length;
  const stride = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    stride[d] = s;
    s *= dims[d].n;
  }
  const run = dims[rank - 1].size;
  let to = 0;
  const copy = (d: number, from: number) => {
    const { begin: b, size: n } = dims[d];
    if (d === rank - 1) {
      const f = from + b;
      if (run < 64) for (let k = 0; k < run; k++) dst[to + k] = src[f + k];
      else dst.set(src.subarray(f, f + run), to);
      to += run;
      return;
    }
    for (let k = 0; k < n; k++) copy(d + 1, from + (b + k) * stride[d]);
  };
  copy(0, 0);
  return out;
}

// ------------------------------------------------------------------- Sum/Mean

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * Sum or mean over the leading axes [0, k) (e.g. over N, H, W of NHWC), in
 * float64. Other axis sets return null: the built-in kernel reduces innermost
 * axes without a transpose already.
 */
function reduceLeading(
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
function batchNormGradKernel({ inputs, backend, attrs }: BatchNormGradArgs): TensorInfo[] {
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

/**
 * Wraps tfjs-core's FusedBatchNorm gradient: on the wasm backend, with
 * per-channel statistics (mean of rank 1, as tf.layers.batchNormalization
 * produces), all five gradients come from the fused kernel; otherwise the
 * original gradient runs.
 */
function overrideBatchNormGradient(tf: TF): void {
  const original = tf.getGradient('FusedBatchNorm');
  if (original == null) throw new Error('resnet-lab: tfjs-core has no FusedBatchNorm gradient');
  if (ours.has(original.gradFunc)) return;
  const gradFunc: GradFunc = (dys, saved, attrs) => {
    const dy = dys as tfjs.Tensor;
    const [x, mean, variance, scale] = saved;
    const fits =
      tf.getBackend() === BACKEND &&
      mean.rank === 1 &&
      x.shape[x.rank - 1] === mean.shape[0] &&
      // no broadcasting of [1]-shaped statistics or scale
      [variance, scale].every((t) => t == null || (t.rank === 1 && t.shape[0] === mean.shape[0])) &&
      [x, dy, mean, variance, scale].every((t) => t == null || t.dtype === 'float32');
    if (!fits) return original.gradFunc(dys, saved, attrs);
    const inputs: tfjs.NamedTensorMap = { x, dy, mean, variance };
    if (scale != null) inputs.scale = scale;
    const [dx, dMean, dVar, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_GRAD, inputs, attrs) as tfjs.Tensor[];
    // Every gradient is computed at once; those the tape does not ask for are
    // freed by the tidy that backprop runs in.
    return { x: () => dx, mean: () => dMean, variance: () => dVar, scale: () => dScale, offset: () => dOffset };
  };
  ours.add(gradFunc);
  tf.registerGradient({ ...original, gradFunc });
}

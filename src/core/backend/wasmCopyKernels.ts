/**
 * The Tile and Slice kernels of wasmKernels.ts (see its header for why they
 * replace the built-in ones): memory copies on typed-array views of the wasm
 * heap, taken after the last allocation (an allocation can grow, i.e. replace,
 * the heap buffer). Each returns null for what it does not handle, and the
 * caller runs the built-in kernel instead.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TF = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type DataType = tfjs.DataType;
type Heap = Float32Array | Int32Array | Uint8Array;

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const numeric = (dtype: DataType) => dtype === 'float32' || dtype === 'int32' || dtype === 'bool';

// ----------------------------------------------------------------------- Tile

/**
 * out[i] = x[i mod shape], shape * reps. Dimensions are merged where possible
 * ([1,1,1,C] x [N,H,W,1] becomes one row of C repeated N*H*W times), then each
 * level copies its source rows once and replicates the filled block by doubling.
 */
export function tile(backend: BackendWasm, x: TensorInfo, reps: number[]): TensorInfo | null {
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
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
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

export interface SliceAttrs {
  begin: number | number[];
  size: number | number[];
}

/** A strided copy of contiguous runs; dimensions taken whole are merged into the run. */
export function slice(tf: TF, backend: BackendWasm, x: TensorInfo, attrs: SliceAttrs): TensorInfo | null {
  if (!numeric(x.dtype)) return null;
  const [begin, sz] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
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
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
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

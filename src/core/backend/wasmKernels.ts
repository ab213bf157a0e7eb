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
import { slice, SliceAttrs, tile } from './wasmCopyKernels';
import { batchNormGradKernel, ReduceAttrs, reduceLeading } from './wasmReduceKernels';

type TF = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelFunc = tfjs.KernelFunc;
type KernelConfig = tfjs.KernelConfig;
type GradFunc = tfjs.GradConfig['gradFunc'];
type DataType = tfjs.DataType;

const BACKEND = 'wasm';
/** The fused batch-norm gradient kernel (wasm only; no gradient of its own). */
export const BATCH_NORM_GRAD = 'ResnetLabFusedBatchNormGrad';

/** Kernel and gradient functions installed by this module, to make registration idempotent. */
const ours = new WeakSet<object>();

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
  for (const [kernel, mean] of [
    ['Sum', false],
    ['Mean', true],
  ] as const) {
    replace(
      kernel,
      (fallback) => (args) =>
        reduceLeading(
          tf,
          args.backend as BackendWasm,
          args.inputs.x as TensorInfo,
          args.attrs as unknown as ReduceAttrs,
          mean,
        ) ?? fallback(args),
    );
  }

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
    const [dx, dMean, dVar, dScale, dOffset] = tf.engine().runKernel<tfjs.Tensor[]>(BATCH_NORM_GRAD, inputs, attrs);
    // Every gradient is computed at once; those the tape does not ask for are
    // freed by the tidy that backprop runs in.
    return { x: () => dx, mean: () => dMean, variance: () => dVar, scale: () => dScale, offset: () => dOffset };
  };
  ours.add(gradFunc);
  tf.registerGradient({ ...original, gradFunc });
}

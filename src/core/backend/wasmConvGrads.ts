/**
 * Fast convolution gradients for the TensorFlow.js WASM backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel (training a
 * convnet throws), and its `Conv2DBackpropInput` is a plain C++ loop. Its
 * forward `Conv2D`, however, runs on XNNPACK. Both gradients can be written
 * as forward convolutions, so we register kernels that do exactly that:
 *
 *   filter gradient: conv( x as [C,H,W,N],  dy as filter [Ho,Wo,N,CO] ),
 *                    dilation = forward stride  ->  [C,KH,KW,CO] -> [KH,KW,C,CO]
 *   input gradient:  conv( dy, filter flipped, in/out channels swapped ),
 *                    for stride s > 1 in "sub-pixel" form: one stride-1 conv
 *                    yields all s*s output phases as channel groups, which a
 *                    JS pass interleaves (unlike convolving a zero-dilated dy,
 *                    this spends few multiply-adds on zeros).
 *
 * Kernels run at backend level (TensorInfo in, TensorInfo out) and call the
 * wasm backend's own kernels directly, so nothing goes through the engine, the
 * tape or tidy; every intermediate is freed with `backend.disposeData`.
 *
 * Only NHWC is handled. Input gradients in NCHW or with padding wider than the
 * kernel go to the built-in kernel.
 *
 * `tf` is always a parameter: the process must hold exactly one tfjs-core, and
 * the wasm package registers itself against the tfjs-core that Node resolves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmFastKernels } from './wasmKernels';

type TF = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelConfig = tfjs.KernelConfig;
type KernelFunc = tfjs.KernelFunc;
type NamedAttrMap = tfjs.NamedAttrMap;
type Conv2DInfo = tfjs.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding;

/** Attributes the tfjs-core conv2d gradient passes to both backprop kernels. */
interface BackpropAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface FilterArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: BackpropAttrs & { filterShape: [number, number, number, number] };
}

interface InputArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: BackpropAttrs & { inputShape: [number, number, number, number] };
}

/** The backend-level operations the kernels are built from. */
interface Ops {
  tf: TF;
  conv2d(
    b: BackendWasm,
    x: TensorInfo,
    filter: TensorInfo,
    pad: tfjs.backend_util.ExplicitPadding,
    dilations: [number, number],
  ): TensorInfo;
  transpose(b: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo;
}

const BACKEND = 'wasm';

/** Kernel functions installed by this module, to make registration idempotent. */
const ourKernels = new WeakSet<KernelFunc>();

/** Loads the wasm backend package and checks it registered into *this* tf. */
function loadWasmPackage(tf: TF): typeof import('@tensorflow/tfjs-backend-wasm') {
  // Required lazily: importing it registers the 'wasm' backend, which would
  // otherwise change the default backend of anyone importing this module.
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  if (tf.findBackendFactory(BACKEND) == null || tf.getKernel('Conv2D', BACKEND) == null) {
    throw new Error(
      'resnet-lab: @tensorflow/tfjs-backend-wasm registered itself with a different ' +
        'copy of @tensorflow/tfjs-core than the tf passed in; the process must hold one tfjs-core.',
    );
  }
  return wasm;
}

/**
 * Registers `Conv2DBackpropFilter` for 'wasm' and replaces its
 * `Conv2DBackpropInput` with the faster formulation (falling back to the
 * original kernel for cases it does not cover). Safe to call repeatedly and
 * before or after the wasm backend is initialised.
 */
export function registerWasmConvGradients(tf: TF): void {
  loadWasmPackage(tf);
  const original = tf.getKernel('Conv2DBackpropInput', BACKEND);
  if (original == null) throw new Error('resnet-lab: wasm Conv2DBackpropInput is missing');
  if (ourKernels.has(original.kernelFunc)) return; // already installed

  const run = (name: string, inputs: tfjs.NamedTensorInfoMap, backend: BackendWasm, attrs: NamedAttrMap) => {
    const kernel = tf.getKernel(name, BACKEND);
    if (kernel == null) throw new Error(`resnet-lab: wasm kernel ${name} is missing`);
    return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  };
  const ops: Ops = {
    tf,
    conv2d: (b, x, filter, pad, dilations) =>
      run('Conv2D', { x, filter }, b, { strides: 1, pad, dataFormat: 'NHWC', dilations }),
    transpose: (b, x, perm) => run('Transpose', { x }, b, { perm }),
  };

  const filterFunc: KernelFunc = (args) => conv2dBackpropFilter(ops, args as unknown as FilterArgs);
  ourKernels.add(filterFunc);
  install(tf, { kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: filterFunc });

  const builtinInput = original.kernelFunc;
  const inputFunc: KernelFunc = (args) => conv2dBackpropInput(ops, args as unknown as InputArgs) ?? builtinInput(args);
  ourKernels.add(inputFunc);
  // Keep the original setupFunc: it binds the C++ function the fallback calls,
  // and the engine runs it whenever the wasm backend is (re)activated.
  install(tf, { ...original, kernelFunc: inputFunc });
}

/**
 * Makes 'wasm' the active backend with the fast convolution gradients.
 * Safe to call more than once.
 */
export async function initWasm(tf: TF): Promise<void> {
  const wasm = loadWasmPackage(tf);
  if (tf.findBackend(BACKEND) == null) {
    wasm.setWasmPaths(wasmBinariesDir() + path.sep);
  }
  registerWasmConvGradients(tf);
  registerWasmFastKernels(tf); // Tile, Slice, reductions, batch-norm gradient: see wasmKernels.ts
  if (!(await tf.setBackend(BACKEND))) throw new Error('resnet-lab: could not initialise the wasm backend');
  await tf.ready();
}

/**
 * Folder holding tfjs-backend-wasm's .wasm files: beside the running bundle
 * in dist/ (the build copies them there once, for the trainer and its worker
 * threads), else the npm package's dist/ (tests and benchmarks under tsx).
 */
export function wasmBinariesDir(): string {
  if (fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm'))) return __dirname;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

function install(tf: TF, config: KernelConfig): void {
  // unregister first: registerKernel would warn about overwriting.
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

function convInfo(tf: TF, inShape: number[], filterShape: number[], a: BackpropAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * dW[kh,kw,c,co] = sum_{n,i,j} x[n, s*i - top + kh, s*j - left + kw, c] * dy[n,i,j,co]
 * which is a stride-1 convolution of x (batch C, channels N) with dy as the
 * filter (Ho x Wo taps, N -> CO), dilated by the forward stride s.
 */
function conv2dBackpropFilter(ops: Ops, { inputs: { x, dy }, backend, attrs }: FilterArgs): TensorInfo {
  // (the wasm forward Conv2D itself refuses NCHW, so this cannot be reached with it)
  if (attrs.dataFormat !== 'NHWC') throw new Error('resnet-lab: wasm Conv2DBackpropFilter supports NHWC only');
  const info = convInfo(ops.tf, x.shape, attrs.filterShape, attrs);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo } = info;
  // Pad the bottom/right so that exactly KH x KW outputs exist; when the forward
  // conv never reached the last rows ('valid' with stride) the padding would be
  // negative, which XNNPACK cannot do, so we pad 0 and drop the extra outputs.
  const bottom = Math.max(0, KH + (Ho - 1) * sh - H - padInfo.top);
  const right = Math.max(0, KW + (Wo - 1) * sw - W - padInfo.left);

  const xT = ops.transpose(backend, x, [3, 1, 2, 0]); // [C,H,W,N]
  const dyT = ops.transpose(backend, dy, [1, 2, 0, 3]); // [Ho,Wo,N,CO]
  const pad: tfjs.backend_util.ExplicitPadding = [
    [0, 0],
    [padInfo.top, bottom],
    [padInfo.left, right],
    [0, 0],
  ];
  const g = ops.conv2d(backend, xT, dyT, pad, [sh, sw]); // [C,gh,gw,CO], gh >= KH, gw >= KW
  backend.disposeData(xT.dataId);
  backend.disposeData(dyT.dataId); // also frees the XNNPACK operator cached for this "filter"

  // The result is tiny (KH*KW*C*CO), so the transpose + crop is a JS loop.
  const out = backend.makeOutput([KH, KW, C, CO], 'float32');
  const src = backend.typedArrayFromHeap(g); // views taken after the last allocation
  const dst = backend.typedArrayFromHeap(out);
  const [, gh, gw] = g.shape;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let c = 0; c < C; c++) {
        const from = ((c * gh + kh) * gw + kw) * CO;
        dst.set(src.subarray(from, from + CO), ((kh * KW + kw) * C + c) * CO);
      }
    }
  }
  backend.disposeData(g.dataId);
  return out;
}

/**
 * dx[n,h,w,c] = sum dy[n,i,j,co] * W[kh,kw,c,co] over h = sh*i - top + kh (and
 * likewise for w). Writing h + top = sh*a + p with phase p < sh, the taps with
 * kh = sh*t + p form a stride-1 conv of dy with the flipped sub-filter
 * W[sh*(TH-1-u) + p], TH = ceil(KH/sh). One conv computes all sh*sw phases as
 * channel groups (for stride 1 it is simply the flipped, transposed filter);
 * a JS pass then interleaves them and crops to dx.
 * Returns null when the built-in kernel must be used.
 */
function conv2dBackpropInput(ops: Ops, { inputs: { dy, filter }, backend, attrs }: InputArgs): TensorInfo | null {
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = convInfo(ops.tf, attrs.inputShape, filter.shape, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const TH = Math.ceil(KH / sh);
  const TW = Math.ceil(KW / sw);
  const padTop = TH - 1 - Math.floor(padInfo.top / sh);
  const padLeft = TW - 1 - Math.floor(padInfo.left / sw);
  if (padTop < 0 || padLeft < 0) return null; // padding wider than the kernel: rare, left to the built-in
  const offTop = padInfo.top % sh; // dx row h sits at phase row h + offTop
  const offLeft = padInfo.left % sw;
  const rows = Math.ceil((H + offTop) / sh); // phase rows needed to cover dx
  const cols = Math.ceil((W + offLeft) / sw);
  const padBottom = Math.max(0, rows - Ho - padTop + TH - 1);
  const padRight = Math.max(0, cols - Wo - padLeft + TW - 1);

  // G[u,v,co,(p*sw+q)*C + c] = W[sh*(TH-1-u)+p, sw*(TW-1-v)+q, c, co], zero off the kernel.
  const w = backend.typedArrayFromHeap(filter);
  const S = sh * sw * C;
  const gVals = new Float32Array(TH * TW * CO * S);
  for (let u = 0; u < TH; u++) {
    for (let v = 0; v < TW; v++) {
      for (let p = 0; p < sh; p++) {
        const kh = sh * (TH - 1 - u) + p;
        if (kh >= KH) continue;
        for (let q = 0; q < sw; q++) {
          const kw = sw * (TW - 1 - v) + q;
          if (kw >= KW) continue;
          for (let c = 0; c < C; c++) {
            const from = ((kh * KW + kw) * C + c) * CO;
            let to = (u * TW + v) * CO * S + (p * sw + q) * C + c;
            for (let co = 0; co < CO; co++, to += S) gVals[to] = w[from + co];
          }
        }
      }
    }
  }
  const g = backend.makeOutput([TH, TW, CO, S], 'float32', undefined, gVals);
  const phases = ops.conv2d(
    backend,
    dy,
    g,
    [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ],
    [1, 1],
  );
  backend.disposeData(g.dataId); // also frees the XNNPACK operator cached for g
  const [, ph, pw] = phases.shape;
  if (S === C && ph === H && pw === W) return phases; // stride 1: the conv output is dx

  // dx[n,h,w,c] = phases[n, a, b, (p*sw+q)*C + c] with h + offTop = sh*a + p, w + offLeft = sw*b + q.
  // A JS loop: the wasm DepthToSpace kernel (which also lacks unequal strides
  // and the crop) measured ~10x slower than this.
  const out = backend.makeOutput([N, H, W, C], 'float32');
  const src = backend.typedArrayFromHeap(phases); // views taken after the last allocation
  const dst = backend.typedArrayFromHeap(out);
  let to = 0;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const a = Math.floor((h + offTop) / sh);
      const row = (n * ph + a) * pw;
      const phaseRow = (h + offTop - sh * a) * sw;
      for (let x = 0; x < W; x++, to += C) {
        const b = Math.floor((x + offLeft) / sw);
        const from = (row + b) * S + (phaseRow + x + offLeft - sw * b) * C;
        for (let c = 0; c < C; c++) dst[to + c] = src[from + c];
      }
    }
  }
  backend.disposeData(phases.dataId);
  return out;
}

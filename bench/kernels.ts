/**
 * How much do the WASM convolution gradients of src/core/backend/wasmConvGrads
 * buy? Trains a ResNet-20 (CIFAR shape, projection shortcuts) on random data
 * under three kernel sets and prints images/s, a per-kernel profile, and
 * per-layer timings of the two gradient kernels.
 *
 *   naive       filter gradient = im2col in JS + BatchMatMul; built-in input gradient
 *   fastFilter  filter gradient as an XNNPACK convolution;     built-in input gradient
 *   fast        both gradients as XNNPACK convolutions (what initWasm installs)
 *
 * Then the same for the other kernels of src/core/backend/wasmKernels (Tile,
 * Slice, Sum/Mean over leading axes, Identity/Cast without copies, the fused
 * batch-norm gradient) against the built-in ones, on the real training step
 * (src/core/train/steps.ts trainStep + Sgd, resnetCifar option A), with a
 * per-kernel profile of both side by side.
 *
 * The machine is shared and noisy, so the configurations are interleaved
 * round by round and compared by ratio within one run.
 *
 *   node --import tsx bench/kernels.ts [--batch 32] [--steps 3] [--rounds 2] [--only conv|kernels]
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initWasm } from '../src/core/backend/wasmConvGrads';
import { resnetCifar } from '../src/core/lib';
import { Sgd } from '../src/core/train/optimizer';
import { StepContext, trainStep } from '../src/core/train/steps';

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const BATCH = arg('batch', 32);
const STEPS = arg('steps', 3);
const ROUNDS = arg('rounds', 2);
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? process.argv[i + 1] : 'all';
})();

// ---------------------------------------------------------------- kernel sets

/** The textbook filter gradient: patches^T x dy, patches gathered in JS. */
const naiveFilterGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const a = attrs as unknown as { strides: number | [number, number]; pad: 'same' | 'valid'; filterShape: Shape4 };
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: Ho, outWidth: Wo } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, padInfo, outChannels: CO } = info;
  const rows = N * Ho * Wo;
  const cols = KH * KW * C;
  const patches = b.makeOutput([1, rows, cols], 'float32');
  const xv = b.typedArrayFromHeap(x);
  const pv = b.typedArrayFromHeap(patches);
  pv.fill(0);
  for (let n = 0, r = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++, r++) {
        for (let kh = 0; kh < KH; kh++) {
          const h = i * sh - padInfo.top + kh;
          if (h < 0 || h >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const w = j * sw - padInfo.left + kw;
            if (w < 0 || w >= W) continue;
            const from = ((n * H + h) * W + w) * C;
            pv.set(xv.subarray(from, from + C), r * cols + (kh * KW + kw) * C);
          }
        }
      }
    }
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
  const dy3 = { dataId: dy.dataId, shape: [1, rows, CO], dtype: dy.dtype };
  const matMulAttrs = { transposeA: true, transposeB: false };
  const prod = matMul({ inputs: { a: patches, b: dy3 }, backend, attrs: matMulAttrs }) as TensorInfo;
  b.disposeData(patches.dataId);
  const reshape = tf.getKernel('Reshape', 'wasm').kernelFunc;
  const out = reshape({ inputs: { x: prod }, backend, attrs: { shape: [KH, KW, C, CO] } }) as TensorInfo;
  b.disposeData(prod.dataId); // Reshape took its own reference
  return out;
};

type KernelSet = { filter: tf.KernelConfig; input: tf.KernelConfig };

function useKernels(set: KernelSet): void {
  for (const config of [set.filter, set.input]) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}

// ------------------------------------------------------------------ ResNet-20

function resnet20(): tf.LayersModel {
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor) => tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [32, 32, 3] });
  let x = relu(bn(conv(input, 16, 3, 1)));
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let block = 0; block < 3; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const y = bn(conv(relu(bn(conv(x, filters, 3, strides))), filters, 3, 1));
      const shortcut = strides === 1 ? x : bn(conv(x, filters, 1, strides)); // option B
      x = relu(tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor);
    }
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 10 }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

// --------------------------------------------------------------------- timing

function timeMs(f: () => void, reps = 1): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - start) / reps;
}

/** Runs a kernel function outside the engine and frees its output. */
function runKernel(config: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): void {
  const backend = tf.backend() as BackendWasm;
  const out = config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  backend.disposeData(out.dataId);
}

/** Kernels that wasmKernels.ts replaces, and the gradient it wraps. */
const FAST_KERNELS = ['Tile', 'Slice', 'Identity', 'Cast', 'Sum', 'Mean'];
interface FastSet {
  kernels: tf.KernelConfig[];
  bnGrad: tf.GradConfig;
}

function useFastSet(set: FastSet): void {
  for (const config of set.kernels) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  tf.registerGradient(set.bnGrad);
}

/** Per-kernel milliseconds of one call of f (records of "...__op" wrap other kernels: left out). */
async function kernelProfile(
  f: () => Promise<unknown>,
): Promise<{ wall: number; byKernel: Map<string, [number, number]> }> {
  const start = performance.now();
  const profile = await tf.profile(f as () => Promise<tf.Tensor>);
  const wall = performance.now() - start;
  const byKernel = new Map<string, [number, number]>();
  for (const k of profile.kernels) {
    if (k.name.endsWith('__op')) continue;
    const e = byKernel.get(k.name) ?? [0, 0];
    e[0] += k.kernelTimeMs as number;
    e[1]++;
    byKernel.set(k.name, e);
  }
  return { wall, byKernel };
}

/**
 * The real training step of ResNet-20 (option A) with the built-in kernels and
 * with wasmKernels.ts: images/s per round, then a per-kernel profile of each.
 */
async function fastKernels(builtin: FastSet, fast: FastSet): Promise<void> {
  const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  const model = resnetCifar({ depth: 20, shortcut: 'A' })(info);
  const vars = model.trainableWeights;
  const sgd = new Sgd(tf, vars, { momentum: 0.9, weightDecay: 1e-4 });
  const ctx: StepContext = {
    tf,
    model,
    info,
    vars,
    layerOf: vars.map((v) => v.name),
    apply: (g, lr) => sgd.apply(g, lr),
  };
  const batch = {
    x: Float32Array.from({ length: BATCH * 32 * 32 * 3 }, () => Math.random() - 0.5),
    labels: Int32Array.from({ length: BATCH }, () => Math.floor(Math.random() * 10)),
    size: BATCH,
  };
  const step = () => trainStep(ctx, batch, 0.01, false);
  const sets = { builtin, fast };
  for (const set of Object.values(sets)) {
    useFastSet(set);
    await step(); // warm-up
  }
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, set] of Object.entries(sets)) {
      useFastSet(set);
      const start = performance.now();
      for (let i = 0; i < STEPS; i++) await step();
      (rates[name] ??= []).push((1000 * BATCH * STEPS) / (performance.now() - start));
    }
  }
  console.log(
    `\nResNet-20 (option A) trainStep + Sgd, images/s at batch ${BATCH}, built-in vs wasmKernels.ts (per round):`,
  );
  const best = (name: string) => Math.max(...rates[name]);
  for (const name of Object.keys(sets)) {
    const speedup = (best(name) / best('builtin')).toFixed(2);
    console.log(
      `  ${name.padEnd(8)} ${rates[name].map((r) => r.toFixed(1)).join('  ')}   best ${best(name).toFixed(1)}   x${speedup}`,
    );
  }
  const profiles: Record<string, Awaited<ReturnType<typeof kernelProfile>>> = {};
  for (const [name, set] of Object.entries(sets)) {
    useFastSet(set);
    profiles[name] = await kernelProfile(step);
  }
  const names = new Set([...profiles.builtin.byKernel.keys(), ...profiles.fast.byKernel.keys()]);
  const ms = (name: string, k: string) => profiles[name].byKernel.get(k)?.[0] ?? 0;
  const rows = [...names].sort(
    (a, b) => Math.max(ms('builtin', b), ms('fast', b)) - Math.max(ms('builtin', a), ms('fast', a)),
  );
  const cell = (name: string, k: string) => {
    const share = (100 * ms(name, k)) / profiles[name].wall;
    return `${ms(name, k).toFixed(0).padStart(7)} ms ${share.toFixed(1).padStart(5)}%`;
  };
  console.log(`\nper-kernel time of one step (kernel ms, share of the step's wall time):`);
  console.log(`  ${'kernel'.padEnd(28)} ${'built-in'.padStart(17)}   ${'wasmKernels.ts'.padStart(17)}   calls`);
  for (const k of rows.slice(0, 22)) {
    const calls = profiles.fast.byKernel.get(k)?.[1] ?? profiles.builtin.byKernel.get(k)?.[1] ?? 0;
    console.log(`  ${k.padEnd(28)} ${cell('builtin', k)}   ${cell('fast', k)}   ${calls}`);
  }
  const total = (name: string) => [...profiles[name].byKernel.values()].reduce((s, [t]) => s + t, 0);
  console.log(
    `  ${'all kernels'.padEnd(28)} ${total('builtin').toFixed(0).padStart(7)} ms         ${total('fast').toFixed(0).padStart(7)} ms`,
  );
  console.log(
    `  ${'step (wall)'.padEnd(28)} ${profiles.builtin.wall.toFixed(0).padStart(7)} ms         ${profiles.fast.wall.toFixed(0).padStart(7)} ms`,
  );
  useFastSet(fast);
  sgd.dispose();
  model.dispose();
}

async function main(): Promise<void> {
  require('@tensorflow/tfjs-backend-wasm');
  const builtinInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const builtinFast: FastSet = {
    kernels: FAST_KERNELS.map((name) => tf.getKernel(name, 'wasm')),
    bnGrad: tf.getGradient('FusedBatchNorm'),
  };
  await initWasm(tf);
  const fastSet: FastSet = {
    kernels: FAST_KERNELS.map((name) => tf.getKernel(name, 'wasm')),
    bnGrad: tf.getGradient('FusedBatchNorm'),
  };
  if (ONLY === 'kernels') {
    console.log(
      `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, batch ${BATCH}, ${STEPS} steps x ${ROUNDS} rounds`,
    );
    await fastKernels(builtinFast, fastSet);
    return;
  }
  const fastFilter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  const fastInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const naiveFilter: tf.KernelConfig = {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: naiveFilterGrad,
  };
  const sets: Record<string, KernelSet> = {
    naive: { filter: naiveFilter, input: builtinInput },
    fastFilter: { filter: fastFilter, input: builtinInput },
    fast: { filter: fastFilter, input: fastInput },
  };

  console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, batch ${BATCH}, ${STEPS} steps x ${ROUNDS} rounds`);

  // Per-layer gradient kernels on ResNet-20 shapes.
  console.log('\nper-layer gradient kernels, ms (median of 3):');
  const layers: [string, Shape4, Shape4, number][] = [
    ['3x3 s1 16->16 @32x32', [BATCH, 32, 32, 16], [3, 3, 16, 16], 1],
    ['3x3 s2 16->32 @32x32', [BATCH, 32, 32, 16], [3, 3, 16, 32], 2],
    ['1x1 s2 16->32 @32x32', [BATCH, 32, 32, 16], [1, 1, 16, 32], 2],
    ['3x3 s1 32->32 @16x16', [BATCH, 16, 16, 32], [3, 3, 32, 32], 1],
    ['3x3 s1 64->64 @8x8', [BATCH, 8, 8, 64], [3, 3, 64, 64], 1],
    ['7x7 s2 3->64 @224x224 (batch 4)', [4, 224, 224, 3], [7, 7, 3, 64], 2],
  ];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, xShape, wShape, s] of layers) {
    const x = tf.randomNormal(xShape);
    const w = tf.randomNormal(wShape);
    const dy = tf.randomNormal(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same').shape);
    const common = { strides: s, pad: 'same', dataFormat: 'NHWC' };
    const t = (config: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: object) =>
      median([0, 1, 2].map(() => timeMs(() => runKernel(config, inputs, attrs as tf.NamedAttrMap))));
    const dwAttrs = { ...common, filterShape: wShape };
    const dxAttrs = { ...common, inputShape: xShape };
    const row = {
      'dW naive': t(naiveFilter, { x, dy }, dwAttrs),
      'dW fast': t(fastFilter, { x, dy }, dwAttrs),
      'dx built-in': t(builtinInput, { dy, filter: w }, dxAttrs),
      'dx fast': t(fastInput, { dy, filter: w }, dxAttrs),
    };
    const cells = Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(1).padStart(7)}`);
    console.log(`  ${name.padEnd(32)} ${cells.join('  ')}`);
    tf.dispose([x, w, dy]);
  }

  // Whole training steps.
  const model = resnet20();
  const optimizer = tf.train.momentum(0.1, 0.9);
  const xs = tf.randomNormal([BATCH, 32, 32, 3]);
  const ys = tf.oneHot(tf.randomUniform<tf.Rank.R1>([BATCH], 0, 10, 'int32'), 10);
  const step = () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
      true,
    );
    loss!.dataSync();
    loss!.dispose();
  };
  const rates: Record<string, number[]> = {};
  for (const set of Object.values(sets)) {
    useKernels(set);
    step(); // warm-up: XNNPACK operators, momentum slots, heap growth
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, set] of Object.entries(sets)) {
      useKernels(set);
      const ms = timeMs(step, STEPS);
      (rates[name] ??= []).push((1000 * BATCH) / ms);
    }
  }
  console.log(`\nResNet-20 training, images/s at batch ${BATCH} (per round):`);
  const best = (name: string) => Math.max(...rates[name]);
  for (const name of Object.keys(sets)) {
    const perRound = rates[name].map((r) => r.toFixed(1)).join('  ');
    const speedup = (best(name) / best('naive')).toFixed(2);
    console.log(`  ${name.padEnd(11)} ${perRound}   best ${best(name).toFixed(1)}   x${speedup} vs naive`);
  }

  // Where the time goes, per kernel, for one step of each set. Records named
  // "...__op" wrap other kernels (custom-gradient ops), so they are left out.
  for (const [name, set] of Object.entries(sets)) {
    useKernels(set);
    const start = performance.now();
    const profile = await tf.profile(step);
    const wall = performance.now() - start;
    const byKernel = new Map<string, number>();
    for (const k of profile.kernels) {
      if (!k.name.endsWith('__op')) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    }
    const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
    const shares = top.map(([k, ms]) => `${k} ${((100 * ms) / wall).toFixed(0)}%`);
    console.log(`\nprofile ${name}: step ${wall.toFixed(0)} ms; ${shares.join(', ')}`);
  }
  useKernels(sets.fast);
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();

  if (ONLY !== 'conv') await fastKernels(builtinFast, fastSet);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

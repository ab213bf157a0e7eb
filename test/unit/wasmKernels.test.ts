import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { BATCH_NORM_GRAD, registerWasmFastKernels } from '../../src/core/backend/wasmKernels';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { Sgd } from '../../src/core/train/optimizer';
import { StepContext, trainStep } from '../../src/core/train/steps';
import { randomValues, size } from './support/random';

/** max |a - b| relative to max |b|: elementwise ratios are meaningless near zero. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

interface Result {
  shape: number[];
  dtype: string;
  values: ArrayLike<number>;
}

/** Runs f on a backend and reads back every output. */
async function on(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Result[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f();
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync() }));
  });
}

/** f on wasm and on cpu agree in shape, dtype and values (relative error < tol). */
async function matchesCpu(f: () => tf.Tensor | tf.Tensor[], tol = 1e-5): Promise<void> {
  const wasm = await on('wasm', f);
  const cpu = await on('cpu', f);
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((w, i) => {
    assert.deepEqual(w.shape, cpu[i].shape, `output ${i} shape`);
    assert.equal(w.dtype, cpu[i].dtype, `output ${i} dtype`);
    const err = relativeError(w.values, cpu[i].values);
    assert.ok(err < tol, `output ${i}: relative error ${err}`);
  });
}

const randomTensor = (seed: number, shape: number[]) => tf.tensor(randomValues(seed, size(shape)), shape);
const randomInts = (seed: number, shape: number[]) =>
  tf.tensor(
    Int32Array.from(randomValues(seed, size(shape)), (v) => Math.round(v * 100)),
    shape,
    'int32',
  );

before(async () => {
  await initWasm(tf);
  await initWasm(tf); // a second call must be harmless
});

test('registration is idempotent and replaces the built-in kernels once', async () => {
  const names = ['Tile', 'Slice', 'Identity', 'Cast', 'Sum', 'Mean', BATCH_NORM_GRAD];
  const before = names.map((n) => tf.getKernel(n, 'wasm').kernelFunc);
  const grad = tf.getGradient('FusedBatchNorm').gradFunc;
  registerWasmFastKernels(tf);
  assert.deepEqual(
    names.map((n) => tf.getKernel(n, 'wasm').kernelFunc),
    before,
  );
  assert.equal(tf.getGradient('FusedBatchNorm').gradFunc, grad);
});

// ----------------------------------------------------------------------- Tile

const tileCases: [string, number[], number[], 'float32' | 'int32' | 'bool'][] = [
  ['batch-norm gradient: per-channel [1,1,1,16] to [8,32,32,16]', [1, 1, 1, 16], [8, 32, 32, 1], 'float32'],
  ['per-channel [1,1,1,64] to [8,8,8,64]', [1, 1, 1, 64], [8, 8, 8, 1], 'float32'],
  ['every axis tiled, odd sizes', [2, 3, 5], [3, 2, 4], 'float32'],
  ['inner axis tiled only', [4, 7], [1, 5], 'float32'],
  ['no tiling (a copy)', [3, 4, 5], [1, 1, 1], 'float32'],
  ['mixed singleton and tiled axes, rank 6', [1, 3, 1, 2, 1, 4], [2, 1, 3, 2, 2, 1], 'float32'],
  ['rank 1', [5], [7], 'float32'],
  ['scalar-like [1] to [100]', [1], [100], 'float32'],
  ['int32', [2, 1, 3], [2, 4, 2], 'int32'],
  ['bool', [3, 2], [2, 3], 'bool'],
  ['zero repetitions', [2, 3], [0, 2], 'float32'],
];

for (const [name, shape, reps, dtype] of tileCases) {
  test(`Tile matches cpu: ${name}`, () =>
    matchesCpu(() => {
      const x =
        dtype === 'float32'
          ? randomTensor(1, shape)
          : dtype === 'int32'
            ? randomInts(1, shape)
            : randomTensor(1, shape).greater(0);
      return tf.tile(x, reps);
    }));
}

test('broadcastTo (a Tile) of the batch-norm shape matches cpu', () =>
  matchesCpu(() => tf.broadcastTo(randomTensor(2, [1, 1, 1, 32]), [8, 16, 16, 32])));

// ---------------------------------------------------------------------- Slice

const sliceCases: [string, number[], number[], number[]][] = [
  ['option-A subsampling [8,16,2,16,2,16]', [8, 16, 2, 16, 2, 16], [0, 0, 0, 0, 0, 0], [8, 16, 1, 16, 1, 16]],
  ['option-A subsampling [8,8,2,8,2,32], odd phase', [8, 8, 2, 8, 2, 32], [0, 0, 1, 0, 1, 0], [8, 8, 1, 8, 1, 32]],
  ['rank 5, every axis cut', [3, 4, 5, 6, 7], [1, 1, 2, 0, 3], [2, 2, 3, 5, 4]],
  ['rank 4, channels cut', [2, 6, 6, 8], [0, 1, 1, 2], [2, 4, 4, 5]],
  ['contiguous rows', [10, 8], [3, 0], [4, 8]],
  ['size -1 to the end', [5, 6, 7], [1, 2, 3], [-1, -1, -1]],
  ['rank 1', [100], [17], [40]],
  ['long inner runs', [3, 300], [1, 50], [2, 200]],
];

for (const [name, shape, begin, sz] of sliceCases) {
  test(`Slice matches cpu: ${name}`, () => matchesCpu(() => tf.slice(randomTensor(3, shape), begin, sz)));
}

test('Slice matches cpu: int32 and bool', () =>
  matchesCpu(() => [
    tf.slice(randomInts(4, [4, 5, 6]), [1, 0, 2], [2, 5, 3]),
    tf.slice(randomTensor(4, [4, 5, 6]).greater(0), [0, 1, 0], [4, 3, 6]),
  ]));

// ------------------------------------------------------------------- Sum/Mean

const reduceCases: [string, number[], number | number[], boolean][] = [
  ['per channel of NHWC [8,32,32,16]', [8, 32, 32, 16], [0, 1, 2], false],
  ['per channel of NHWC [16,8,8,64], keepDims', [16, 8, 8, 64], [0, 1, 2], true],
  ['axis 0 of a matrix (bias gradient)', [128, 10], 0, false],
  ['negative leading axes', [4, 5, 6, 7], [-4, -3], false],
  ['leading axes, wide rows (>= 256)', [6, 3, 300], [0, 1], true],
  ['odd column count', [50, 7], [0], false],
  ['innermost axes (built-in kernel)', [4, 6, 6, 8], [1, 2], false],
  ['all axes (built-in kernel)', [4, 6, 6, 8], [0, 1, 2, 3], false],
];

for (const [name, shape, axis, keepDims] of reduceCases) {
  test(`Sum and Mean match cpu: ${name}`, () =>
    matchesCpu(() => {
      const x = randomTensor(5, shape);
      return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)];
    }));
}

test('Sum matches cpu for int32', () => matchesCpu(() => tf.sum(randomInts(6, [20, 9]), 0)));

// ------------------------------------------------------------ Identity, Cast

test('Identity and same-dtype Cast share data, and the data lives until the last owner is freed', async () => {
  await tf.setBackend('wasm');
  const start = tf.memory();
  const x = randomTensor(7, [64, 64]);
  const expected = x.dataSync().slice();
  const clone = tf.clone(x);
  const cast = tf.cast(x, 'float32');
  assert.equal(tf.memory().numDataBuffers, start.numDataBuffers + 1, 'one buffer for three tensors');
  x.dispose();
  assert.deepEqual(clone.dataSync(), expected);
  clone.dispose();
  assert.deepEqual(cast.dataSync(), expected);
  cast.dispose();
  assert.equal(tf.memory().numBytes, start.numBytes);
  assert.equal(tf.memory().numDataBuffers, start.numDataBuffers);
  // Casts that change the dtype still convert.
  await matchesCpu(() => [
    tf.cast(randomTensor(8, [5, 7]).mul(10), 'int32'),
    tf.cast(randomInts(8, [5, 7]), 'float32'),
  ]);
});

// ----------------------------------------------------------- batch-norm grad

/**
 * Gradients of sum(batchNorm(x, mean, variance, offset, scale) * dy) with
 * respect to every input, the statistics being independent inputs.
 */
function batchNormGrads(shape: number[]): tf.Tensor[] {
  const C = shape[shape.length - 1];
  const x = randomTensor(11, shape);
  const dy = randomTensor(12, shape);
  const mean = randomTensor(13, [C]).mul(0.1);
  const variance = randomTensor(14, [C]).abs().add(0.5);
  const offset = randomTensor(15, [C]);
  const scale = randomTensor(16, [C]).add(1.5);
  const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.batchNorm(a, m, v, o, s, 1e-5).mul(dy).sum();
  return tf.grads(f)([x, mean, variance, offset, scale]);
}

test('FusedBatchNorm gradient matches cpu: [8,32,32,16], all five inputs', () =>
  matchesCpu(() => batchNormGrads([8, 32, 32, 16])));

test('FusedBatchNorm gradient matches cpu: [8,8,8,64]', () => matchesCpu(() => batchNormGrads([8, 8, 8, 64])));

test('the fused kernel without scale equals the kernel with scale = 1', async () => {
  // (tfjs-core 4.22 cannot take gradients of batchNorm without scale on any
  // backend: the engine clones the missing input. So the kernel is run directly.)
  await tf.setBackend('wasm');
  const shape = [4, 6, 6, 8];
  tf.tidy(() => {
    const x = randomTensor(17, shape);
    const dy = randomTensor(18, shape);
    const mean = randomTensor(19, [8]);
    const variance = randomTensor(20, [8]).abs().add(0.1);
    const attrs = { varianceEpsilon: 1e-3 };
    const run = (inputs: tf.NamedTensorMap) => tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_GRAD, inputs, attrs);
    const without = run({ x, dy, mean, variance });
    const withOnes = run({ x, dy, mean, variance, scale: tf.ones([8]) });
    without.forEach((t, i) => assert.deepEqual(t.dataSync(), withOnes[i].dataSync(), `output ${i}`));
  });
});

test('FusedBatchNorm gradient matches cpu: odd channel count [4,5,5,7]', () =>
  matchesCpu(() => batchNormGrads([4, 5, 5, 7])));

test('FusedBatchNorm gradient matches cpu: rank-2 input [32,10]', () => matchesCpu(() => batchNormGrads([32, 10])));

test('batch norm in training (moments + batchNorm, as tf.layers does) matches cpu: [16,16,16,32]', () =>
  matchesCpu(() => {
    const shape = [16, 16, 16, 32];
    const dy = randomTensor(21, shape);
    const f = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5).mul(dy).sum();
    };
    return tf.grads(f)([
      randomTensor(22, shape).mul(3).add(1),
      randomTensor(23, [32]).add(1.5),
      randomTensor(24, [32]),
    ]);
  }));

test('the fused batch-norm gradient runs on wasm only, and frees everything it makes', async () => {
  await tf.setBackend('wasm');
  const run = () => tf.tidy(() => batchNormGrads([4, 6, 6, 8]));
  tf.dispose(run());
  const start = tf.memory();
  const profile = await tf.profile(() => run());
  assert.ok(profile.kernelNames.includes(BATCH_NORM_GRAD), 'the fused kernel ran');
  assert.ok(!profile.kernelNames.includes('Tile'), 'no Tile left in the gradient');
  tf.dispose(profile.result);
  assert.equal(tf.memory().numTensors, start.numTensors);
  assert.equal(tf.memory().numBytes, start.numBytes);
  await tf.setBackend('cpu');
  const cpu = await tf.profile(() => run());
  tf.dispose(cpu.result);
  assert.ok(!cpu.kernelNames.includes(BATCH_NORM_GRAD), 'cpu keeps the tfjs-core gradient');
});

// ------------------------------------------------------------- whole network

test('ResNet-8 (option A, narrow, 16x16) loss gradients match cpu for every variable', async () => {
  // Small enough for the CPU backend's backward pass (a full-size one takes ~30 s).
  const info = { inputShape: [16, 16, 3] as [number, number, number], numClasses: 10 };
  const batch = 3;
  const xs = randomValues(31, batch * 16 * 16 * 3);
  const labels = [1, 5, 9];
  const grads = async (backend: string) => {
    await tf.setBackend(backend);
    setInitSeed(42);
    const model = resnetCifar({ depth: 8, widths: [8, 16, 32] })(info);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(xs, [batch, 16, 16, 3]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor),
        vars,
      );
      return vars.map((v) => ({ name: v.name, values: grads[v.name].dataSync() }));
    });
    model.dispose();
    return out;
  };
  const wasm = await grads('wasm');
  const cpu = await grads('cpu');
  assert.equal(wasm.length, cpu.length);
  wasm.forEach((g, i) => {
    const err = relativeError(g.values, cpu[i].values);
    // conv gradients through several layers: float32 sums in another order
    assert.ok(err < 1e-4, `${cpu[i].name}: relative error ${err}`);
  });
});

test('a seeded 6-step training run (the real step and optimizer) gives the same losses and weights on wasm as on cpu', async () => {
  // The fast kernels must not change what training does: same curve within float32 tolerance.
  const info = { inputShape: [16, 16, 3] as [number, number, number], numClasses: 10 };
  // One batch six times: random images carry no signal across batches, but the net can fit one batch.
  const batch = {
    x: Float32Array.from(randomValues(100, 4 * 16 * 16 * 3)),
    labels: Int32Array.from([1, 4, 7, 9]),
    size: 4,
  };
  const batches = Array.from({ length: 6 }, () => batch);
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    setInitSeed(7);
    const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
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
    const losses: number[] = [];
    for (const b of batches) losses.push((await trainStep(ctx, b, 0.05, false)).loss);
    const weights = vars.map((v) => Array.from(v.read().dataSync()));
    sgd.dispose();
    model.dispose();
    return { losses, weights };
  };
  const wasm = await run('wasm');
  const cpu = await run('cpu');
  assert.ok(cpu.losses[5] < cpu.losses[0], `the run learns: ${cpu.losses}`);
  wasm.losses.forEach((l, i) =>
    assert.ok(
      Math.abs(l - cpu.losses[i]) < 1e-4 * Math.max(1, cpu.losses[i]),
      `step ${i + 1}: wasm ${l}, cpu ${cpu.losses[i]}`,
    ),
  );
  wasm.weights.forEach((w, i) => {
    const err = relativeError(w, cpu.weights[i]);
    assert.ok(err < 1e-3, `variable ${i}: relative error ${err}`);
  });
});

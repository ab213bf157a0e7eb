import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasm, registerWasmConvGradients } from '../../src/core/backend/wasmConvGrads';
import { randomValues, size } from './support/random';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

/** dx and dW of sum(conv2d(x, w) * dy) on the given backend. */
async function convGrads(
  backend: string,
  xShape: Shape4,
  wShape: Shape4,
  strides: number | [number, number],
  pad: Pad,
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(1, size(xShape)), xShape);
    const w = tf.tensor4d(randomValues(2, size(wShape)), wShape);
    const yShape = tf.conv2d(x, w, strides, pad).shape;
    const dy = tf.tensor4d(randomValues(3, size(yShape)), yShape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)
        .mul(dy)
        .sum();
    return tf
      .grads(f)([x, w])
      .map((g) => ({ shape: g.shape, values: g.dataSync() as Float32Array }));
  });
}

/** max |a - b| relative to max |b|: elementwise ratios are meaningless near zero. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

// [name, x shape NHWC, filter shape [KH,KW,C,CO], strides, padding]
const cases: [string, Shape4, Shape4, number | [number, number], Pad][] = [
  ['3x3 s1 same, batch 1, 3->16', [1, 8, 8, 3], [3, 3, 3, 16], 1, 'same'],
  ['3x3 s1 same, non-square, 16->32', [4, 9, 7, 16], [3, 3, 16, 32], 1, 'same'],
  ['3x3 s1 valid, 32->16', [4, 6, 7, 32], [3, 3, 32, 16], 1, 'valid'],
  ['3x3 s2 same, 16->32 (ResNet downsampling)', [4, 10, 8, 16], [3, 3, 16, 32], 2, 'same'],
  ['3x3 s2 same, odd size', [1, 9, 7, 16], [3, 3, 16, 16], 2, 'same'],
  ['3x3 s2 valid, unused last row', [1, 8, 11, 3], [3, 3, 3, 16], 2, 'valid'],
  ['1x1 s1 valid, 16->32', [4, 8, 6, 16], [1, 1, 16, 32], 1, 'valid'],
  ['1x1 s2 same, 16->32 (projection shortcut)', [4, 8, 8, 16], [1, 1, 16, 32], 2, 'same'],
  ['1x1 s2 valid, odd size', [4, 7, 9, 16], [1, 1, 16, 32], 2, 'valid'],
  ['7x7 s2 same, 3->16 (ImageNet stem)', [2, 16, 16, 3], [7, 7, 3, 16], 2, 'same'],
  ['7x7 s2 same, odd size, 3->16', [1, 23, 21, 3], [7, 7, 3, 16], 2, 'same'],
  [
    '3x3 s1 explicit asymmetric padding',
    [2, 8, 9, 4],
    [3, 3, 4, 5],
    1,
    [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  ],
  [
    '1x1 padded beyond the kernel (built-in dx)',
    [2, 8, 9, 4],
    [1, 1, 4, 5],
    1,
    [
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ],
  ],
  ['3x3 strides [2,1]', [2, 8, 9, 4], [3, 3, 4, 5], [2, 1], 'same'],
  ['2x2 s2 valid (even kernel)', [2, 8, 10, 4], [2, 2, 4, 6], 2, 'valid'],
  ['5x3 strides [3,2] same', [2, 11, 9, 4], [5, 3, 4, 6], [3, 2], 'same'],
];

before(async () => {
  await initWasm(tf);
  await initWasm(tf); // a second call must be harmless
});

for (const [name, xShape, wShape, strides, pad] of cases) {
  test(`wasm conv gradients match cpu: ${name}`, async () => {
    const [dxWasm, dwWasm] = await convGrads('wasm', xShape, wShape, strides, pad);
    const [dxCpu, dwCpu] = await convGrads('cpu', xShape, wShape, strides, pad);
    assert.deepEqual(dxWasm.shape, xShape);
    assert.deepEqual(dwWasm.shape, wShape);
    const dxErr = relativeError(dxWasm.values, dxCpu.values);
    const dwErr = relativeError(dwWasm.values, dwCpu.values);
    assert.ok(dxErr < 1e-4, `dx relative error ${dxErr}`);
    assert.ok(dwErr < 1e-4, `dW relative error ${dwErr}`);
  });
}

test('registration is idempotent and keeps the built-in input gradient as fallback', async () => {
  await tf.setBackend('wasm');
  const installed = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmConvGradients(tf);
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), installed);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
});

test('gradient kernels free every intermediate buffer', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(randomValues(4, 2 * 9 * 9 * 8), [2, 9, 9, 8]);
  const w = tf.tensor4d(randomValues(5, 3 * 3 * 8 * 8), [3, 3, 8, 8]);
  const grad = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf
      .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
      .square()
      .sum(),
  );
  tf.dispose(grad([x, w])); // first call may allocate lasting state
  const start = tf.memory();
  for (let i = 0; i < 3; i++) tf.dispose(grad([x, w]));
  const end = tf.memory();
  assert.equal(end.numTensors, start.numTensors);
  assert.equal(end.numDataBuffers, start.numDataBuffers);
  assert.equal(end.numBytes, start.numBytes);
  tf.dispose([x, w]);
});

test('a small conv + batch-norm net trains on wasm without leaking tensors', async () => {
  await tf.setBackend('wasm');
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 3],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: init(1),
      }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(2) }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, kernelInitializer: init(3) }),
    ],
  });
  const xs = tf.tensor4d(randomValues(6, 8 * 8 * 8 * 3), [8, 8, 8, 3]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
  const optimizer = tf.train.momentum(0.1, 0.9);
  const losses: number[] = [];
  const memory: ReturnType<typeof tf.memory>[] = [];
  for (let step = 0; step < 8; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
      true,
    );
    losses.push((await loss!.data())[0]);
    loss!.dispose();
    memory.push(tf.memory());
  }
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[7] < 0.5 * losses[0], `loss should fall: ${losses.map((l) => l.toFixed(3))}`);
  // The momentum slots appear in the first step; after that nothing may grow.
  for (const key of ['numTensors', 'numDataBuffers', 'numBytes'] as const) {
    assert.equal(memory[7][key], memory[1][key], `${key} grew: ${memory.map((m) => m[key])}`);
  }
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
});

// The native TensorFlow backend (@tensorflow/tfjs-node built against a Python
// TensorFlow wheel by src/core/native/setupNative.ts, in nativeRoot() unless
// a development checkout has it in node_modules). Skipped, with the reason
// printed, when the binding has not been built here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nativeBackendAvailable, nativeBindingPath, tfjsNodeDir } from '../../src/core/native/detectNative';
import { loadTfjsNode } from '../../src/core/native/loadNative';
import { randomValues, size } from './support/random';

const root = path.resolve(__dirname, '..', '..');
const skip = nativeBackendAvailable(root)
  ? false
  : 'native backend not built (no lib/napi-v*/tfjs_binding.node with its TensorFlow libraries in ~/.cache/resnet-lab/native or node_modules/@tensorflow/tfjs-node); run "resnet-lab setup-native" first';
if (skip) console.log(`native.test.ts skipped: ${skip}`);

type Shape4 = [number, number, number, number];
type TfNode = typeof tf & { version: Record<string, string> };

let tfnode: TfNode | undefined;
/** Loads tfjs-node once, as the trainer does; it registers 'tensorflow' with the tf instance we import. */
function native(): TfNode {
  if (!tfnode) tfnode = loadTfjsNode(tf, tfjsNodeDir(root)) as TfNode;
  return tfnode;
}

test('tfjs-node next to its own copy of tfjs still registers with ours: one tf instance per process', { skip }, () => {
  const dir = tfjsNodeDir(root)!;
  const ours = fs.realpathSync(require.resolve('@tensorflow/tfjs-core'));
  let theirs: string | undefined;
  try {
    theirs = fs.realpathSync(require.resolve('@tensorflow/tfjs-core', { paths: [dir] }));
  } catch {
    /* none beside it: nothing to be confused with */
  }
  console.log(`tfjs-node in ${dir}; its own tfjs-core: ${theirs ?? 'none'}; ours: ${ours}`);
  const tn = native();
  // tfjs keeps its engine and kernel registry on the global object, so a second
  // copy would even share those; what it cannot share are its classes (a
  // Tensor of one copy fails `instanceof` in the other). Hence: the same module.
  assert.equal(tn.Tensor, tf.Tensor, 'tfjs-node re-exports our tf (the same Tensor class)');
  assert.equal(tn.layers, tf.layers);
  assert.ok(tf.findBackendFactory('tensorflow'), "'tensorflow' is registered with our engine");
  if (theirs && theirs !== ours) {
    assert.ok(!(theirs in require.cache), 'the tfjs-core copy beside tfjs-node was never loaded');
  }
});

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > rtol * scale + 1e-6)
      assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|err| ${err}, scale ${scale})`);
  }
}

test('tfjs-node loads from the built binding, shares our tf instance, and becomes the backend', { skip }, async () => {
  const tn = native();
  assert.equal(
    tn.engine(),
    tf.engine(),
    'tfjs-node must re-export the same @tensorflow/tfjs (one tf instance per process)',
  );
  assert.ok(tf.findBackendFactory('tensorflow'), "'tensorflow' backend is registered");
  assert.ok(await tf.setBackend('tensorflow'));
  assert.equal(tf.getBackend(), 'tensorflow');
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
  assert.match(String(binding.TF_Version), /^2\.\d+\.\d+/);
  assert.equal(tn.version['tfjs-node'], '4.22.0');
  assert.match(nativeBindingPath(root) ?? '', /napi-v\d+[/\\]tfjs_binding\.node$/);
  console.log(`native backend: TensorFlow ${binding.TF_Version}, binding ${nativeBindingPath(root)}`);
});

test('matMul gives the known products', { skip }, async () => {
  native();
  await tf.setBackend('tensorflow');
  const got = tf.tidy(() =>
    tf
      .matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([
          [5, 6],
          [7, 8],
        ]),
      )
      .arraySync(),
  );
  assert.deepEqual(got, [
    [19, 22],
    [43, 50],
  ]);
  // 2x3 · 3x2, and with the second operand transposed.
  const a = tf.tensor2d([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = tf.tensor2d([
    [7, 8],
    [9, 10],
    [11, 12],
  ]);
  assert.deepEqual(tf.matMul(a, b).arraySync(), [
    [58, 64],
    [139, 154],
  ]);
  assert.deepEqual(tf.matMul(a, b.transpose(), false, true).arraySync(), [
    [58, 64],
    [139, 154],
  ]);
  assert.deepEqual(tf.matMul(a, a, false, true).arraySync(), [
    [14, 32],
    [32, 77],
  ]);
  tf.dispose([a, b]);
});

/** dx and dW of sum(conv2d(x, w) * dy) on one backend. */
async function convGrads(backend: string, xShape: Shape4, wShape: Shape4, strides: number, pad: 'same' | 'valid') {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(1, size(xShape)), xShape);
    const w = tf.tensor4d(randomValues(2, size(wShape)), wShape);
    const y = tf.conv2d(x, w, strides, pad);
    const dy = tf.tensor4d(randomValues(3, size(y.shape)), y.shape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)
        .mul(dy)
        .sum();
    return {
      y: y.dataSync() as Float32Array,
      grads: tf
        .grads(f)([x, w])
        .map((g) => ({ shape: g.shape, values: g.dataSync() as Float32Array })),
    };
  });
}

const convCases: [string, Shape4, Shape4, number, 'same' | 'valid'][] = [
  ['3x3 stride 1 same', [2, 8, 8, 3], [3, 3, 3, 4], 1, 'same'],
  ['3x3 stride 2 same', [2, 9, 9, 4], [3, 3, 4, 5], 2, 'same'],
  ['1x1 stride 2 valid (projection shortcut)', [2, 8, 8, 4], [1, 1, 4, 8], 2, 'valid'],
];
for (const [name, xShape, wShape, strides, pad] of convCases) {
  test(`conv2d output and gradients match the CPU backend: ${name}`, { skip }, async () => {
    native();
    const ref = await convGrads('cpu', xShape, wShape, strides, pad);
    const got = await convGrads('tensorflow', xShape, wShape, strides, pad);
    assertClose(got.y, ref.y, 1e-5, 'y');
    assert.deepEqual(
      got.grads.map((g) => g.shape),
      [xShape, wShape],
    );
    assertClose(got.grads[0].values, ref.grads[0].values, 1e-5, 'dx');
    assertClose(got.grads[1].values, ref.grads[1].values, 1e-5, 'dW');
  });
}

test('one SGD step of a conv + batchnorm model matches the CPU backend', { skip }, async () => {
  native();
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const init = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
  const xs = randomValues(7, 4 * 8 * 8 * 3);

  const step = async (backend: string) => {
    await tf.setBackend(backend);
    model.setWeights(init.map((w) => tf.tensor(w.values, w.shape)));
    const x = tf.tensor4d(xs, [4, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const opt = tf.train.sgd(0.1);
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    )!;
    const out = { loss: loss.dataSync()[0], weights: model.getWeights().map((w) => w.dataSync().slice()) };
    tf.dispose([x, y, loss]);
    opt.dispose();
    return out;
  };
  const ref = await step('cpu');
  const got = await step('tensorflow');
  assert.ok(Number.isFinite(got.loss));
  assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${got.loss} vs ${ref.loss}`);
  got.weights.forEach((w, i) => assertClose(w, ref.weights[i], 1e-4, `weight ${i} (${model.weights[i].name})`));
  assert.ok(
    got.weights[0].some((v, i) => v !== init[0].values[i]),
    'the step changed the conv kernel',
  );
  model.dispose();
});

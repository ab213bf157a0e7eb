// The loss reads logits from under a model's final softmax (src/core/train/head.ts):
// the same predictions, and a gradient for every example however wrong it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { crossEntropy, headOf } from '../../src/core/train/head';
import { randomValues } from './support/random';

const info = { inputShape: [8, 8, 3] as [number, number, number], numClasses: 10 };

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test("resnetCifar (dense softmax classifier): the head gives logits whose softmax is the model's output", async () => {
  await tf.setBackend('cpu');
  setInitSeed(3);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
  const head = headOf(tf, model);
  assert.equal(head.fromLogits, true);
  assert.equal(headOf(tf, model), head, 'built once per model');
  const x = tf.tensor4d(randomValues(5, 4 * 8 * 8 * 3), [4, 8, 8, 3]);
  for (const training of [false, true]) {
    const probs = model.apply(x, { training }) as tf.Tensor;
    const logits = head.scores(x, training);
    close(tf.softmax(logits).dataSync(), probs.dataSync(), 1e-6, `training=${training}`);
  }
  model.dispose();
});

test('a hand-written model ending in an Activation softmax, or in no softmax at all', async () => {
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [6] });
  const dense = tf.layers.dense({ units: 3, kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor;
  const withSoftmax = tf.model({
    inputs: input,
    outputs: tf.layers.activation({ activation: 'softmax' }).apply(dense) as tf.SymbolicTensor,
  });
  const head = headOf(tf, withSoftmax);
  assert.equal(head.fromLogits, true);
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6]]);
  close(head.scores(x, false).dataSync(), [21, 21, 21], 1e-5, 'logits');
  const sigmoid = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 3, activation: 'sigmoid' }).apply(input) as tf.SymbolicTensor,
  });
  assert.equal(headOf(tf, sigmoid).fromLogits, false);
});

test("cross-entropy from logits: equal to the probabilities' where both are exact, and a full gradient for a confidently wrong example", async () => {
  await tf.setBackend('cpu');
  const labels = tf.tensor1d([0, 2], 'int32');
  const mild = tf.tensor2d([
    [2, 1, 0],
    [0.5, 0.2, 0.1],
  ]);
  const a = crossEntropy(tf, mild, true, labels, 3).dataSync()[0];
  const b = crossEntropy(tf, tf.softmax(mild), false, labels, 3).dataSync()[0];
  assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  // The true class is 40 below the top one: p = e^-40 ~ 4e-18, below any clip a probability loss would use.
  const wrong = tf.tensor2d([[40, 0, 0]]);
  const one = tf.tensor1d([1], 'int32');
  const loss = crossEntropy(tf, wrong, true, one, 3).dataSync()[0];
  assert.ok(Math.abs(loss - 40) < 1e-4, `loss ${loss}`);
  const g = tf
    .grad((z: tf.Tensor) => crossEntropy(tf, z, true, one, 3))(wrong)
    .dataSync();
  close(g, [1, -1, 0], 1e-6, 'd loss / d logits = softmax - onehot');
  // NaN stays NaN, so a diverged run is still caught.
  assert.ok(Number.isNaN(crossEntropy(tf, tf.tensor2d([[NaN, 0, 0]]), true, one, 3).dataSync()[0]));
});

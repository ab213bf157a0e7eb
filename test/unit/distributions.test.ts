// Distribution records (src/core/distributions): the quantiles of a known
// tensor, the share of zeros of a known activation, which tensors a model is
// probed at, and a seeded training run that writes a record at the right
// iterations for every weighted layer and every block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadDataset } from '../../src/core/data';
import { plainCifar, preactResnetCifar, resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { experiment, resolveRecipe } from '../../src/core/lib/experiment';
import { applyOverrides } from '../../src/trainer/session';
import { extractGraph } from '../../src/core/graph/extract';
import { kernelOf, probePlan } from '../../src/core/distributions/probePlan';
import { quantiles, strided, zeroShare, QUANTILE_LEVELS } from '../../src/core/distributions/quantiles';
import { readDistributionLines } from '../../src/core/distributions/records';
import { DISTRIBUTIONS } from '../../src/core/runs/runFiles';
import { Control } from '../../src/core/train/control';
import { runTraining } from '../../src/core/train/loop';

const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

test('the quantiles of 0..100 are the levels themselves, and between values they interpolate linearly', () => {
  const values = Float32Array.from({ length: 101 }, (_, i) => 100 - i); // unsorted on purpose
  assert.deepEqual(quantiles(values), [0, 7, 16, 31, 50, 69, 84, 93, 100]);
  assert.deepEqual(quantiles([0, 1, 2, 3]), [0, 0.21, 0.48, 0.93, 1.5, 2.07, 2.52, 2.79, 3]);
  assert.deepEqual(quantiles([-2.5]), Array<number>(QUANTILE_LEVELS.length).fill(-2.5));
  assert.throws(() => quantiles([]), /empty tensor/);
});

test('a large tensor is sampled with a fixed stride (numpy x[::stride]) before its quantiles', () => {
  const values = Float32Array.from({ length: 40_000 }, (_, i) => i);
  const sample = strided(values, 16_384); // stride ceil(40000 / 16384) = 3
  assert.equal(sample.length, 13_334);
  assert.deepEqual([sample[0], sample[1], sample.at(-1)], [0, 3, 39_999]);
  const q = quantiles(values);
  assert.equal(q[0], 0);
  assert.equal(q[8], 40_000);
  assert.equal(q[4], 20_000); // the median of 0, 3, ..., 39999: element 6666 = 19998, rounded to 4 digits
});

test('the share of zeros after a ReLU counts exact zeros only', () => {
  const pre = tf.tensor1d([-1, 2, -0.5, 0, 3, 1e-9, -4, 5]);
  const post = tf.relu(pre);
  assert.equal(zeroShare(post.dataSync()), 0.5); // -1, -0.5, 0, -4
  assert.equal(zeroShare([0, 0, 0]), 1);
  assert.equal(zeroShare([1 / 3, 2]), 0);
  tf.dispose([pre, post]);
});

test("distributionEvery: 100 by default, the experiment's own, the CLI's --dist-every over both; a bad value is one line", () => {
  const model = resnetCifar({ depth: 8 });
  assert.equal(resolveRecipe({}).distributionEvery, 100);
  assert.equal(applyOverrides({ model, distributionEvery: 50 }, {}).distributionEvery, 50);
  assert.equal(applyOverrides({ model, distributionEvery: 50 }, { distributionEvery: 7 }).distributionEvery, 7);
  assert.throws(
    () => experiment({ model, distributionEvery: 0 }),
    /^Error: distributionEvery must be a positive whole number of iterations, not 0$/,
  );
});

test('a ResNet is probed at every kernel and after each block (the ReLU after its addition)', () => {
  setInitSeed(1);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
  const plan = probePlan(model, extractGraph(model));
  assert.deepEqual(
    plan.weights,
    model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName())).map((l) => l.name),
  );
  assert.equal(plan.weights.length, 8); // depth 8: 7 convs and the classifier (option A shortcuts have no weights)
  assert.deepEqual(plan.activations, [
    { name: 'stage1/block1/relu2', relu: true },
    { name: 'stage2/block1/relu2', relu: true },
    { name: 'stage3/block1/relu2', relu: true },
  ]);
  model.dispose();
});

test('a plain net is probed at the last layer of each block, a pre-activation net at each addition', () => {
  setInitSeed(1);
  const plain = plainCifar({ depth: 8, widths: [4, 8, 8] })(info);
  assert.deepEqual(
    probePlan(plain, extractGraph(plain)).activations.map((a) => a.name),
    ['stage1/block1/relu2', 'stage2/block1/relu2', 'stage3/block1/relu2'],
  );
  const preact = preactResnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
  assert.deepEqual(probePlan(preact, extractGraph(preact)).activations, [
    { name: 'stage1/block1/add', relu: false },
    { name: 'stage2/block1/add', relu: false },
    { name: 'stage3/block1/add', relu: false },
  ]);
  plain.dispose();
  preact.dispose();
});

test('a seeded run writes a record at iteration 0 and every distributionEvery iterations, for every kernel and block', async () => {
  await initWasm(tf);
  const dataset = await loadDataset(synthetic({ trainSize: 64, testSize: 16, seed: 2 }));
  setInitSeed(1);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(dataset.info);
  const plan = probePlan(model, extractGraph(model));
  const recipe = resolveRecipe({ iterations: 10, batchSize: 16, distributionEvery: 4, seed: 3, data: dataset.spec });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-dist-'));
  try {
    const before = tf.memory().numTensors;
    await runTraining({ tf, model, dataset, recipe, runDir, control: new Control(), workers: 1, emit: () => {} });
    const { records, skipped } = readDistributionLines(runDir);
    assert.equal(skipped, 0);
    assert.deepEqual(
      records.map((r) => r.iteration),
      [0, 4, 8],
    );
    for (const r of records) {
      assert.deepEqual(
        r.weights.map((w) => w.name),
        plan.weights,
      );
      assert.deepEqual(
        r.activations.map((a) => a.name),
        plan.activations.map((a) => a.name),
      );
      for (const { q } of [...r.weights, ...r.activations])
        assert.ok(
          q.every((v, i) => v !== null && (i === 0 || v >= q[i - 1]!)),
          `quantiles in order: ${q}`,
        );
      for (const a of r.activations) {
        assert.equal(a.q[0], 0, 'a ReLU output is never below 0');
        assert.ok(a.zeros! > 0 && a.zeros! < 1, `zeros ${a.zeros}`);
      }
    }
    // The kernels move as training goes: the first conv's spread differs between the first and last record.
    assert.notDeepEqual(records[0].weights[0].q, records[2].weights[0].q);
    // He-normal initial kernels: symmetric around 0.
    const q0 = records[0].weights[0].q as number[];
    assert.ok(Math.abs(q0[4]) < 0.1 * (q0[6] - q0[2]), `median ${q0[4]} near 0`);
    assert.ok(tf.memory().numTensors - before <= 2 * model.trainableWeights.length + 2, 'the probe keeps no tensors');
    assert.ok(fs.statSync(path.join(runDir, DISTRIBUTIONS)).size < 10_000);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
    model.dispose();
  }
});

test('data-parallel training (2 wasm workers) brings the weights back before each record', async () => {
  await initWasm(tf);
  const dataset = await loadDataset(synthetic({ trainSize: 64, testSize: 16, seed: 2 }));
  const recipe = resolveRecipe({ iterations: 8, batchSize: 16, distributionEvery: 4, seed: 3, data: dataset.spec });
  setInitSeed(1);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(dataset.info);
  const initial = quantiles(await kernelOf(model.getLayer('conv1'))!.read().data());
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resnet-lab-dist-dp-'));
  try {
    await runTraining({ tf, model, dataset, recipe, runDir, control: new Control(), workers: 2, emit: () => {} });
    const records = readDistributionLines(runDir).records;
    assert.deepEqual(
      records.map((r) => r.iteration),
      [0, 4, 8],
    );
    // The model ends with the run's weights: the last record is of them, not of the weights the model started with.
    const trained = quantiles(await kernelOf(model.getLayer('conv1'))!.read().data());
    assert.deepEqual(records[0].weights[0].q, initial);
    assert.deepEqual(records[2].weights[0].q, trained);
    assert.notDeepEqual(trained, initial);
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
    model.dispose();
  }
});

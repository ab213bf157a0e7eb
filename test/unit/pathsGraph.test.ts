// The gradient by path length as one TensorFlow graph (src/core/analysis/
// pathsGraph.ts) must measure what the op-by-op pass measures: on the tiny
// 3-block net against the chain rule worked out by hand, and on a ResNet-8
// with batch norm and option A shortcuts against the eager pass. Needs the
// native backend and its graph addon (setup-native); skipped, with the reason
// printed, without them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { testData } from '../../src/core/analysis/lesion';
import { configurationGradients, pathGradients, residualBlocks } from '../../src/core/analysis/paths';
import { loadDataset } from '../../src/core/data';
import { mulberry32 } from '../../src/core/data/random';
import { resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { graphAddonPath, nativeBackendAvailable } from '../../src/core/native/detectNative';
import { loadTfjsNode } from '../../src/core/native/loadNative';
import { exactPathGradient, tinyData, tinyResidualNet } from './support/tinyPaths';

const skip = !nativeBackendAvailable()
  ? 'native backend not built; run "npm run cli -- setup-native" first'
  : !fs.existsSync(graphAddonPath() ?? '')
    ? 'graph addon not built; run "npm run cli -- setup-native" again'
    : false;
if (skip) console.log(`pathsGraph.test.ts skipped: ${skip}`);

before(async () => {
  if (skip) return;
  loadTfjsNode(tf);
  assert.ok(await tf.setBackend('tensorflow'));
});

const all: number[][] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

test('one graph: each of the 8 paths of the tiny net matches the chain rule by hand', { skip }, async () => {
  const net = tinyResidualNet(11);
  const { data, xs, labels } = tinyData(6, 12);
  const blocks = residualBlocks(net.model);
  const exact = all.map((cfg) => {
    const branches = [0, 1, 2].map((b) => cfg.includes(b));
    return xs.reduce((s, x, i) => s + exactPathGradient(net, x, labels[i], branches), 0) / xs.length;
  });
  const modes: string[] = [];
  const before = tf.memory().numTensors;
  // 12 rows a pass: two configurations each, which must not mix.
  const measured = await configurationGradients(tf, net.model, blocks, data, all, {
    rowsPerPass: 12,
    onMode: (mode) => modes.push(mode),
  });
  assert.deepEqual(modes, ['graph']);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  measured.forEach((m, i) =>
    assert.ok(Math.abs(m - exact[i]) <= 1e-5 * exact[i], `path ${all[i].join()}: ${m} vs ${exact[i]}`),
  );
  net.model.dispose();
});

test('one graph measures what the op-by-op pass measures on a ResNet-8 (batch norm, option A)', { skip }, async () => {
  const data = testData(await loadDataset(synthetic({ trainSize: 64, testSize: 48, seed: 2 })), 8);
  setInitSeed(7);
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(data.info);
  // Batch norm with statistics of its own, not the identity of a fresh layer.
  const rng = mulberry32(3);
  for (const v of model.weights) {
    const n = v.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    if (v.name.includes('moving_mean')) v.write(tf.tensor(Array.from({ length: n }, () => rng() * 0.2 - 0.1)));
    if (v.name.includes('moving_variance')) v.write(tf.tensor(Array.from({ length: n }, () => 0.5 + rng())));
  }
  const modes: string[] = [];
  const graph = await pathGradients(tf, model, data, { samples: 2, seed: 4, onMode: (m) => modes.push(m) });
  const eager = await pathGradients(tf, model, data, {
    samples: 2,
    seed: 4,
    graph: 'off',
    onMode: (m) => modes.push(m),
  });
  assert.deepEqual(modes, ['graph'], 'the eager pass is the default off the graph: it says nothing');
  assert.equal(graph.lengths.length, 4, 'ResNet-8: 3 blocks, lengths 0..3');
  graph.lengths.forEach((l, k) => {
    const e = eager.lengths[k];
    assert.ok(l.perPath > 0);
    assert.ok(Math.abs(l.perPath - e.perPath) <= 1e-4 * e.perPath, `k=${k}: graph ${l.perPath} vs eager ${e.perPath}`);
  });
  assert.deepEqual(graph.effective, eager.effective);
  assert.equal(graph.peak, eager.peak);
  model.dispose();
});

test(
  'a layer graph mode cannot translate: the passes run op by op, and the reason names the layer',
  { skip },
  async () => {
    const input = tf.input({ shape: [1, 1, 4] });
    let x: tf.SymbolicTensor = input;
    for (let i = 1; i <= 2; i++) {
      const conv = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: `block${i}/conv` }).apply(x);
      const f = tf.layers.layerNormalization({ name: `block${i}/norm` }).apply(conv) as tf.SymbolicTensor;
      x = tf.layers.add({ name: `block${i}/add` }).apply([f, x]) as tf.SymbolicTensor;
    }
    const flat = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const { data } = tinyData(4, 5);
    const said: string[] = [];
    const measured = await configurationGradients(tf, model, residualBlocks(model), data, [[], [0, 1]], {
      onMode: (mode, why) => said.push(`${mode}: ${why}`),
    });
    assert.equal(said.length, 1);
    assert.match(said[0], /^eager: graph mode unavailable, op by op: layer block1\/norm \(LayerNormalization\)/);
    assert.equal(measured.length, 2);
    assert.ok(measured.every((m) => m > 0));
    model.dispose();
  },
);

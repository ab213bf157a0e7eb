// Graph mode (src/core/train/graph): the training step compiled into one
// TensorFlow graph must train exactly as the eager native step does. Needs the
// native backend and its graph addon (setup-native); skipped, with the reason
// printed, without them. CI runs it in `npm run test:native`.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Batch, makeBatch, pixelMean } from '../../src/core/data/batches';
import { loadDataset } from '../../src/core/data';
import { mulberry32 } from '../../src/core/data/random';
import { resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import type { DataInfo } from '../../src/core/lib/types';
import { graphAddonPath, nativeBackendAvailable } from '../../src/core/native/detectNative';
import { loadTfjsNode } from '../../src/core/native/loadNative';
import { loadCheckpoint } from '../../src/core/runs/checkpoint';
import { readMetrics } from '../../src/core/runs/runFolder';
import { GraphStepper } from '../../src/core/train/graph/graphStepper';
import { DivergedError } from '../../src/core/train/loop';
import { EagerStepper, Stepper, StepperOptions } from '../../src/core/train/stepper';
import { tempDir } from '../support/tempDir';
import { trainingRun } from './support/trainingRun';

const skip = !nativeBackendAvailable()
  ? 'native backend not built; run "npm run cli -- setup-native" first'
  : !fs.existsSync(graphAddonPath() ?? '')
    ? 'graph addon not built; run "npm run cli -- setup-native" again'
    : false;
if (skip) console.log(`graphMode.test.ts skipped: ${skip}`);

const tmp = tempDir('graph');
before(async () => {
  if (skip) return;
  loadTfjsNode(tf);
  assert.ok(await tf.setBackend('tensorflow'));
});

// A strong weight decay, so that decaying the wrong weights (or none) shows within five steps.
const sgd = { momentum: 0.9, weightDecay: 0.2 };

/** The README's hand-written functional model: conv, y = x + F(x), pooling, a dense softmax. */
function handWritten({ inputShape, numClasses }: DataInfo): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  const x = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: 3 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const f = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: 4 }) })
    .apply(x) as tf.SymbolicTensor;
  const y = tf.layers.add().apply([x, f]) as tf.SymbolicTensor;
  const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(y) as tf.SymbolicTensor;
  const p = tf.layers.globalAveragePooling2d({}).apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.heNormal({ seed: 5 }) })
    .apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const resnet8 = resnetCifar({ depth: 8, widths: [4, 8, 8] });

async function data() {
  const ds = await loadDataset(synthetic({ trainSize: 96, testSize: 40, seed: 7 }));
  const mean = pixelMean(ds.train, ds.info);
  const batches: Batch[] = [0, 1, 2, 3, 4].map((b) =>
    makeBatch(
      ds.train,
      Array.from({ length: 16 }, (_, i) => (b * 16 + i) % ds.train.count),
      ds.info,
      mean,
      { pad: 4, flip: true },
      mulberry32(b + 1),
    ),
  );
  const test = makeBatch(
    ds.test,
    Array.from({ length: ds.test.count }, (_, i) => i),
    ds.info,
    mean,
    false,
  );
  return { ds, batches, test };
}

function optionsFor(model: tf.LayersModel, info: DataInfo): StepperOptions {
  const layerOf = model.trainableWeights.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))!.name);
  return { tf, model, info, optimizer: sgd, layerOf };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * scale))
      assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|err| ${err}, scale ${scale})`);
  }
}

/**
 * ||actual - expected|| <= tol * ||reference||: whole tensors compared in L2. Graph and eager
 * differ by float rounding (TensorFlow's fused batch norm against tfjs' composed one, ~1e-6),
 * and a few training steps amplify it in single elements (a ReLU flips, a beta that is a sum
 * of cancelling terms), never in the whole. A wrong rule (decay, momentum, moving statistics)
 * moves whole tensors by far more than `tol` of their change.
 */
function assertCloseL2(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let diff = 0,
    ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    ref += reference[i] ** 2;
  }
  if (!(Math.sqrt(diff) <= tol * Math.sqrt(ref) + 1e-9))
    assert.fail(
      `${what}: |graph - eager| ${Math.sqrt(diff).toExponential(3)} > ${tol} x ${Math.sqrt(ref).toExponential(3)}`,
    );
}

for (const [name, build] of [
  ['ResNet-8 (option A shortcuts, batch norm)', resnet8],
  ['a hand-written functional model', handWritten],
] as const) {
  test(
    `${name}: five seeded steps in graph mode give the eager step's losses, errors, gradient norms and weights`,
    { skip },
    async () => {
      const { ds, batches, test: testBatch } = await data();
      setInitSeed(1);
      const a = build(ds.info);
      setInitSeed(1);
      const b = build(ds.info);
      b.setWeights(a.getWeights());
      const initial = a.weights.map((v) => v.read().dataSync().slice());
      const graph: Stepper = GraphStepper.create(optionsFor(a, ds.info));
      const eager: Stepper = new EagerStepper(optionsFor(b, ds.info));
      for (const [i, batch] of batches.entries()) {
        const lr = 0.01 / (i + 1);
        const [g, e] = [await graph.step(batch, lr, true), await eager.step(batch, lr, true)];
        assertClose([g.loss], [e.loss], 1e-4, `loss at step ${i + 1}`);
        assert.equal(g.errors, e.errors, `errors at step ${i + 1}`);
        assert.deepEqual(
          g.gradNorms!.map((n) => n.name),
          a.layers.filter((l) => l.trainableWeights.length).map((l) => l.name),
        );
        const gn = g.gradNorms!.map((n) => n.norm),
          en = e.gradNorms!.map((n) => n.norm);
        assertCloseL2(gn, en, en, 1e-2, `gradient norms at step ${i + 1}`);
      }
      await graph.syncModel();
      // Every weight's change, the moving statistics of batch norm included, and the momentum buffers.
      a.weights.forEach((v, i) => {
        const [ga, ea] = [v.read().dataSync(), b.weights[i].read().dataSync()];
        assertCloseL2(
          ga,
          ea,
          ea.map((x, k) => x - initial[i][k]),
          2e-2,
          `${v.name} (its change over five steps)`,
        );
      });
      const [gv, ev] = [await graph.optimizerState(), await eager.optimizerState()];
      assertCloseL2(gv, ev, ev, 2e-2, 'momentum buffers');
      // Evaluation (inference mode) as a graph, against tfjs on the synced model.
      const [ge, ee] = [await graph.evaluate([testBatch]), await eager.evaluate([testBatch])];
      assertClose([ge.loss], [ee.loss], 1e-4, 'test loss');
      assert.equal(ge.error, ee.error);
      await graph.dispose();
      await eager.dispose();
      a.dispose();
      b.dispose();
    },
  );
}

test(
  'momentum buffers move between graph and eager steppers (the checkpoint layout is the same)',
  { skip },
  async () => {
    const { ds, batches } = await data();
    setInitSeed(2);
    const a = resnet8(ds.info);
    const b = resnet8(ds.info);
    b.setWeights(a.getWeights());
    const eager = new EagerStepper(optionsFor(a, ds.info));
    await eager.step(batches[0], 0.1, false);
    b.setWeights(a.getWeights());
    const graph = GraphStepper.create(optionsFor(b, ds.info));
    const saved = await eager.optimizerState();
    await graph.restoreOptimizer(saved);
    assert.deepEqual(Array.from(await graph.optimizerState()), Array.from(saved));
    const [g, e] = [await graph.step(batches[1], 0.1, false), await eager.step(batches[1], 0.1, false)];
    assertClose([g.loss], [e.loss], 1e-4, 'loss after the hand-over');
    await graph.syncModel();
    b.weights.forEach((v, i) => {
      const ea = a.weights[i].read().dataSync();
      assertCloseL2(v.read().dataSync(), ea, ea, 1e-3, v.name);
    });
    await Promise.all([graph.dispose(), eager.dispose()]);
    a.dispose();
    b.dispose();
  },
);

async function run(
  model: tf.LayersModel,
  graph: 'auto' | 'off',
  epochs: number,
  runDir: string,
  resumeFrom?: Awaited<ReturnType<typeof loadCheckpoint>>,
) {
  const {
    result,
    events,
    tensorsAtEpoch: tensors,
    mode,
  } = await trainingRun({
    data: { trainSize: 64, testSize: 32, seed: 3 },
    model,
    // A constant learning rate, so that a run of 1 epoch and one of 3 have the same first epoch.
    recipe: {
      epochs,
      batchSize: 16,
      seed: 4,
      gradientNormEvery: 2,
      optimizer: { lr: 0.01 },
      schedule: { milestones: [] },
    },
    runDir,
    loop: { graph, resumeFrom: resumeFrom && { state: resumeFrom.state, optimizer: resumeFrom.optimizer } },
  });
  return { result, events, tensors, mode };
}

test(
  'a run in graph mode: checkpoints resume in eager mode and back, the same curve; gradient norms every K; no tensor leaks',
  { skip },
  async () => {
    const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
    setInitSeed(3);
    const straight = await run(resnet8(info), 'auto', 3, fs.mkdtempSync(path.join(tmp, 'straight-')));
    assert.equal(straight.mode, 'graph');
    assert.equal(straight.result.status, 'finished');
    assert.equal(straight.events.filter((e) => e.type === 'gradients').length, 6); // iterations 1, 3, ..., 11 of 12
    assert.deepEqual(
      straight.tensors,
      [straight.tensors[0], straight.tensors[0], straight.tensors[0]],
      `tensors after each epoch: ${straight.tensors}`,
    );

    // graph (epoch 1) -> eager (epoch 2) -> graph (epoch 3)
    const dir = fs.mkdtempSync(path.join(tmp, 'switch-'));
    setInitSeed(3);
    await run(resnet8(info), 'auto', 1, dir);
    let ck = await loadCheckpoint(tf, dir);
    const eagerPart = await run(ck.model, 'off', 2, dir, ck);
    assert.equal(eagerPart.mode, 'eager');
    ck = await loadCheckpoint(tf, dir);
    const graphPart = await run(ck.model, 'auto', 3, dir, ck);
    assert.equal(graphPart.mode, 'graph');
    const loss = (m: ReturnType<typeof readMetrics>) => m.filter((r) => r.type === 'iteration').map((r) => r.loss!);
    const straightDir = (straight.events.find((e) => e.type === 'checkpoint') as { path: string }).path.split(
      `${path.sep}checkpoints`,
    )[0];
    assertClose(
      loss(readMetrics(dir)),
      loss(readMetrics(straightDir)),
      1e-3,
      'loss per iteration, switched vs straight',
    );
  },
);

test(
  'a model with a layer that has no graph translation trains eagerly, and the log names the layer',
  { skip },
  async () => {
    class Doubler extends tf.layers.Layer {
      static className = 'Doubler';
      call(x: tf.Tensor | tf.Tensor[]) {
        return tf.mul(Array.isArray(x) ? x[0] : x, 2);
      }
    }
    const input = tf.input({ shape: [32, 32, 3] });
    const d = new Doubler({ name: 'my_doubler' }).apply(input) as tf.SymbolicTensor;
    const p = tf.layers.globalAveragePooling2d({}).apply(d) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 10, activation: 'softmax' }).apply(p) as tf.SymbolicTensor,
    });
    const { mode, events, result } = await run(model, 'auto', 1, fs.mkdtempSync(path.join(tmp, 'custom-')));
    assert.equal(mode, 'eager');
    assert.equal(result.status, 'finished');
    const log = events.find((e) => e.type === 'log' && /graph mode unavailable/.test(e.message));
    assert.ok(log && log.type === 'log' && /my_doubler \(Doubler\)/.test(log.message), `log: ${JSON.stringify(log)}`);
  },
);

test('divergence in graph mode stops the run: "diverged at iteration N"', { skip }, async () => {
  const dataset = await loadDataset(synthetic({ trainSize: 64, testSize: 16, seed: 3 }));
  // A NaN weight: the loss is NaN at the first step (the graph must not hide it).
  const input = tf.input({ shape: dataset.info.inputShape });
  const p = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.constant({ value: NaN }) })
    .apply(p) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  let mode: string | undefined;
  await assert.rejects(
    trainingRun({
      data: dataset,
      model,
      recipe: { epochs: 2, batchSize: 16 },
      runDir: { in: tmp, prefix: 'nan-' },
      loop: { onMode: (m) => (mode = m) },
    }),
    (e: unknown) => e instanceof DivergedError && e.iteration === 1 && /diverged at iteration 1/.test(e.message),
  );
  assert.equal(mode, 'graph');
});

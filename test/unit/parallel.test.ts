// Data-parallel training on worker threads (src/core/train/parallel): the
// same arithmetic as the single-thread path where it can be the same, the
// documented batch-norm semantics where it cannot, and whole runs (in-process
// and through the CLI's bundled trainer and worker) that learn, checkpoint,
// resume and evaluate custom layers in the workers. Models are tiny; the
// workers come from src/ through tsx, or from the bundles as the trainer runs them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { Batch } from '../../src/core/data/batches';
import { mulberry32 } from '../../src/core/data/random';
import * as lib from '../../src/core/lib';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { loadCheckpoint } from '../../src/core/runs/checkpoint';
import { MetricRecord, readGradients, readMetrics, readRunInfo } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { Sgd } from '../../src/core/train/optimizer';
import { DataParallel } from '../../src/core/train/parallel/dataParallel';
import { isDecayed, layoutOf, sgdUpdate } from '../../src/core/train/parallel/math';
import { StepContext, StepResult, trainStep } from '../../src/core/train/steps';
import { loadExperiment } from '../../src/core/train/userModel';
import { IterationEventSchema, EpochEventSchema, TrainerEvent } from '../../src/protocol/trainer';
import { TrainerClient } from '../../src/launch/trainerClient';
import * as session from '../../src/trainer/session';
import { tempDir } from '../support/tempDir';
import { trainingRun } from './support/trainingRun';

const root = path.join(__dirname, '..', '..');
const tmp = tempDir('parallel');
const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

before(async () => {
  await initWasm(tf);
});

function randomBatch(size: number, seed: number): Batch {
  const rng = mulberry32(seed);
  return {
    x: Float32Array.from({ length: size * 32 * 32 * 3 }, () => rng() - 0.5),
    labels: Int32Array.from({ length: size }, () => Math.floor(rng() * 10)),
    size,
  };
}

/** A small convnet without batch norm: kernels (decayed) and biases (not). */
function plainNet(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.heNormal({ seed: seed + s });
  const input = tf.input({ shape: info.inputShape });
  let h = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      name: 'c2',
      kernelInitializer: init(2),
    })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'fc', kernelInitializer: init(3) })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const layerOfModel = (model: tf.LayersModel) =>
  model.trainableWeights.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))?.name ?? v.name);
const flat = (vars: tf.LayerVariable[]) => vars.map((v) => Array.from(v.read().dataSync()));
function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((xs, i) =>
    xs.forEach((x, j) => {
      m = Math.max(m, Math.abs(x - b[i][j]));
    }),
  );
  return m;
}

test('sgdUpdate is Sgd.apply, bit for bit (momentum, weight decay on kernels only)', () => {
  const model = plainNet(1);
  const vars = model.trainableWeights;
  const layout = layoutOf(vars.map((v) => ({ name: v.originalName, shape: v.shape as number[] })));
  const weights = new Float32Array(layout.total),
    velocity = new Float32Array(layout.total),
    grads = new Float32Array(layout.total);
  vars.forEach((v, i) => weights.set(v.read().dataSync(), layout.offsets[i]));
  const sgd = new Sgd(tf, vars, { momentum: 0.9, weightDecay: 5e-3 });
  const rng = mulberry32(3);
  for (let step = 0; step < 3; step++) {
    const g = vars.map((v) => tf.randomNormal(v.shape as number[], 0, 1, 'float32', 10 + step * 7 + vars.indexOf(v)));
    g.forEach((t, i) => grads.set(t.dataSync(), layout.offsets[i]));
    const lr = 0.05 + rng() * 0.1;
    sgd.apply(g, lr);
    sgdUpdate(
      weights,
      velocity,
      grads,
      layout,
      layout.vars.map((v) => isDecayed(v.name)),
      lr,
      0.9,
      5e-3,
    );
    tf.dispose(g);
  }
  assert.deepEqual(
    layout.vars.map((v) => isDecayed(v.name)),
    [true, false, true, false, true, false],
  );
  vars.forEach((v, i) =>
    assert.deepEqual(
      Array.from(v.read().dataSync()),
      Array.from(weights.subarray(layout.offsets[i], layout.offsets[i] + layout.sizes[i])),
      v.name,
    ),
  );
  sgd.dispose();
  model.dispose();
});

test('without batch norm: 2 workers on a batch of 16 train as 1 thread on the same batch (loss, errors, norms, weights, velocities within 1e-5)', async () => {
  const single = plainNet(7),
    replica = plainNet(7);
  assert.equal(maxDiff(flat(single.trainableWeights), flat(replica.trainableWeights)), 0);
  const sgd = new Sgd(tf, single.trainableWeights, { momentum: 0.9, weightDecay: 1e-3 });
  const layerOf = layerOfModel(single);
  const ctx: StepContext = {
    tf,
    model: single,
    info,
    vars: single.trainableWeights,
    layerOf,
    apply: (g, lr) => sgd.apply(g, lr),
  };
  const dp = await DataParallel.create({
    tf,
    model: replica,
    info,
    workers: 2,
    momentum: 0.9,
    weightDecay: 1e-3,
    layerOf,
    batchSize: 16,
  });
  try {
    for (let step = 0; step < 5; step++) {
      // Odd sizes too: shares of 8/8, then 7/8 (weighted by share).
      const batch = randomBatch(step === 4 ? 15 : 16, 100 + step);
      const lr = step < 2 ? 0.2 : 0.05;
      const a = await trainStep(ctx, batch, lr, true);
      const b = await dp.step(batch, lr, true);
      assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `step ${step}: loss ${a.loss} vs ${b.loss}`);
      assert.equal(a.errors, b.errors, `step ${step}: errors`);
      assert.deepEqual(
        b.gradNorms!.map((n) => n.name),
        a.gradNorms!.map((n) => n.name),
      );
      a.gradNorms!.forEach((n, i) =>
        assert.ok(
          Math.abs(n.norm - b.gradNorms![i].norm) <= 1e-5 * Math.max(1, n.norm),
          `step ${step} ${n.name}: ${n.norm} vs ${b.gradNorms![i].norm}`,
        ),
      );
    }
    dp.syncReplica();
    const d = maxDiff(flat(single.trainableWeights), flat(replica.trainableWeights));
    assert.ok(d < 1e-5, `weights differ by ${d}`);
    const [va, vb] = [await sgd.state(), await dp.optimizerState()];
    assert.equal(vb.length, va.length);
    let dv = 0;
    va.forEach((x, i) => {
      dv = Math.max(dv, Math.abs(x - vb[i]));
    });
    assert.ok(dv < 1e-5, `velocities differ by ${dv}`);
    // The weights moved: the comparison is not of two untouched models.
    assert.ok(maxDiff(flat(single.trainableWeights), flat(plainNet(7).trainableWeights)) > 1e-3);
  } finally {
    await dp.dispose();
    sgd.dispose();
    single.dispose();
    replica.dispose();
  }
});

test('with batch norm: each worker normalises its own share; gradients and moving statistics are the average of per-share single-thread steps', async () => {
  setInitSeed(3);
  const reference = resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
  setInitSeed(3);
  const replica = resnetCifar({ depth: 8, widths: [4, 8, 8] })(info);
  const vars = reference.trainableWeights,
    stats = reference.nonTrainableWeights;
  assert.ok(stats.length > 0);
  const sgd = new Sgd(tf, vars, { momentum: 0.9, weightDecay: 1e-4 });
  const layerOf = layerOfModel(reference);
  let captured: number[][] = [];
  const ctx: StepContext = {
    tf,
    model: reference,
    info,
    vars,
    layerOf,
    apply: (g) => {
      captured = g.map((t) => Array.from(t.dataSync()));
    },
  };
  const dp = await DataParallel.create({
    tf,
    model: replica,
    info,
    workers: 2,
    momentum: 0.9,
    weightDecay: 1e-4,
    layerOf,
    batchSize: 16,
  });
  try {
    for (let step = 0; step < 3; step++) {
      const batch = randomBatch(16, 200 + step);
      const half = (k: number): Batch => ({
        x: batch.x.slice(k * 8 * 3072, (k + 1) * 8 * 3072),
        labels: batch.labels.slice(k * 8, (k + 1) * 8),
        size: 8,
      });
      // The reference: one thread, each half from the same starting statistics, then averaged.
      const before = flat(stats);
      const results: StepResult[] = [],
        grads: number[][][] = [],
        after: number[][][] = [];
      for (const k of [0, 1]) {
        tf.tidy(() => stats.forEach((v, i) => v.write(tf.tensor(before[i], v.shape as number[]))));
        results.push(await trainStep(ctx, half(k), 0, false));
        grads.push(captured);
        after.push(flat(stats));
      }
      const avg = (a: number[][], b: number[][]) => a.map((xs, i) => xs.map((x, j) => (x + b[i][j]) / 2));
      const avgStats = avg(after[0], after[1]);
      tf.tidy(() => stats.forEach((v, i) => v.write(tf.tensor(avgStats[i], v.shape as number[]))));
      const g = avg(grads[0], grads[1]).map((xs, i) => tf.tensor(xs, vars[i].shape as number[]));
      sgd.apply(g, 0.1);
      tf.dispose(g);

      const r = await dp.step(batch, 0.1, false);
      const loss = (results[0].loss + results[1].loss) / 2;
      assert.ok(Math.abs(r.loss - loss) < 1e-5, `step ${step}: loss ${r.loss} vs ${loss}`);
      assert.equal(r.errors, results[0].errors + results[1].errors);
      dp.syncReplica();
      const dw = maxDiff(flat(vars), flat(replica.trainableWeights));
      const ds = maxDiff(flat(stats), flat(replica.nonTrainableWeights));
      assert.ok(dw < 1e-5, `step ${step}: weights differ by ${dw}`);
      assert.ok(ds < 1e-5, `step ${step}: moving statistics differ by ${ds}`);
    }
  } finally {
    await dp.dispose();
    sgd.dispose();
    reference.dispose();
    replica.dispose();
  }
});

const iterations = (m: MetricRecord[]) => m.filter((r) => r.type === 'iteration');
const epochs = (m: MetricRecord[]) => m.filter((r) => r.type === 'epoch');
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

test('a seeded ResNet-8 run with 2 workers learns; metrics, gradient norms and checkpoints keep their format; no tensors leak on the main thread', async () => {
  const {
    model,
    runDir,
    result,
    events,
    tensorsBefore: before,
    tensorsAtEpoch: atEpoch,
  } = await trainingRun({
    data: { trainSize: 256, testSize: 64, seed: 3 },
    model: { initSeed: 5 },
    recipe: {
      epochs: 4,
      batchSize: 16,
      augment: false,
      optimizer: { lr: 0.05 },
      schedule: { milestones: [] },
      seed: 5,
      gradientNormEvery: 8,
    },
    runDir: { in: tmp, prefix: 'learns-' },
    loop: { workers: 2 },
  });
  assert.deepEqual({ status: result.status, iteration: result.iteration }, { status: 'finished', iteration: 64 });
  assert.ok(events.some((e) => e.type === 'log' && /data-parallel: 2 wasm workers, 8 images each/.test(e.message)));
  assert.deepEqual(atEpoch, [atEpoch[0], atEpoch[0], atEpoch[0], atEpoch[0]], `tensors after each epoch: ${atEpoch}`);
  assert.equal(tf.memory().numTensors, before, 'no optimizer tensors on the main thread, and nothing left behind');

  const metrics = readMetrics(runDir);
  const its = iterations(metrics);
  assert.deepEqual(
    its.map((m) => m.iteration),
    Array.from({ length: 64 }, (_, i) => i + 1),
  );
  for (const m of its) IterationEventSchema.strict().parse(m);
  for (const e of epochs(metrics)) EpochEventSchema.strict().parse(e);
  const first = its.slice(0, 16),
    last = its.slice(-16);
  const errFirst = mean(first.map((m) => m.trainError!)),
    errLast = mean(last.map((m) => m.trainError!));
  const lossFirst = mean(first.map((m) => m.loss!)),
    lossLast = mean(last.map((m) => m.loss!));
  assert.ok(errLast < errFirst - 0.1, `training error ${errFirst.toFixed(3)} -> ${errLast.toFixed(3)}`);
  assert.ok(lossLast < lossFirst - 0.3, `loss ${lossFirst.toFixed(3)} -> ${lossLast.toFixed(3)}`);
  const eps = epochs(metrics);
  assert.ok(
    eps[3].testError! < eps[0].testError! || eps[3].testLoss! < eps[0].testLoss!,
    `test ${eps[0].testError}/${eps[0].testLoss} -> ${eps[3].testError}/${eps[3].testLoss}`,
  );

  const grads = readGradients(runDir);
  assert.deepEqual(
    grads.map((g) => g.iteration),
    [1, 9, 17, 25, 33, 41, 49, 57],
  );
  assert.deepEqual(
    grads[0].layers.map((l) => l.name),
    [...new Set(layerOfModel(model))],
  );
  assert.ok(grads.every((g) => g.layers.every((l) => Number.isFinite(l.norm) && l.norm > 0)));

  // The checkpoint is the replica: it loads and predicts what the main thread's model predicts.
  const cp = await loadCheckpoint(tf, runDir);
  assert.equal(cp.state.iteration, 64);
  assert.equal(
    cp.optimizer!.length,
    model.countParams() - model.nonTrainableWeights.reduce((s, v) => s + v.read().size, 0),
  );
  const x = tf.randomUniform([4, 32, 32, 3], -0.5, 0.5, 'float32', 1);
  const [p1, p2] = [model.predict(x) as tf.Tensor, cp.model.predict(x) as tf.Tensor];
  assert.deepEqual(p1.arraySync(), p2.arraySync());
  // The test error in metrics is the replica's, with the averaged moving statistics.
  tf.dispose([x, p1, p2]);
  cp.model.dispose();
  model.dispose();
});

/**
 * The trainer and worker bundled as scripts/build.mjs bundles them, into a
 * folder of our own: rebuilding dist/ here could race with other test files
 * that run dist/cli.js meanwhile. Inside node_modules/, so that the bundles'
 * external packages (tfjs, esbuild) resolve as they do from dist/.
 */
async function bundleTrainer(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = path.join(root, 'node_modules', '.cache', `resnet-lab-parallel-test-${process.pid}`);
  after(() => fs.rmSync(out, { recursive: true, force: true }));
  const common: import('esbuild').BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
    external: ['vscode', '@tensorflow/*', 'esbuild'],
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/trainer/main.ts')],
      outfile: path.join(out, 'trainer.js'),
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/trainer/worker.ts')],
      outfile: path.join(out, 'trainer-worker.js'),
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/trainer/compileWorker.ts')],
      outfile: path.join(out, 'compile-worker.js'),
    }),
  ]);
  return path.join(out, 'trainer.js');
}

/** A model file with a custom layer that only evaluating the file registers. */
function customLayerFile(): string {
  const file = path.join(tmp, 'custom-layer.ts');
  fs.writeFileSync(
    file,
    `
import * as tf from '@tensorflow/tfjs';
import { DataInfo, experiment, synthetic } from 'resnet-lab';

class HalfScale extends tf.layers.Layer {
  static className = 'ParallelTestHalfScale';
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 0.5));
  }
}
tf.serialization.registerClass(HalfScale);

function net({ inputShape, numClasses }: DataInfo): tf.LayersModel {
  const input = tf.input({ shape: inputShape });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
  h = new HalfScale({ name: 'half' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: numClasses, activation: 'softmax', name: 'fc', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'custom' });
}

export const custom = experiment({
  model: net,
  data: synthetic({ trainSize: 64, testSize: 16, seed: 1 }),
  iterations: 8,
  batchSize: 16,
  optimizer: { lr: 0.05 },
  seed: 2,
});
`,
  );
  return file;
}

test('the bundled trainer trains with workers: 2 through the bundled worker; a custom layer from the model file is registered in the workers', async () => {
  const trainer = await bundleTrainer();
  const file = customLayerFile();
  const events: TrainerEvent[] = [];
  const exited = new Promise<number | null>((resolve) => {
    const client = new TrainerClient(trainer, { onEvent: (e) => events.push(e), onExit: (x) => resolve(x.code) });
    client.send({
      type: 'train',
      job: {
        file,
        experiment: 'custom',
        runsDir: path.join(tmp, 'bundled'),
        backend: 'wasm',
        overrides: { workers: 2 },
      },
    });
  });
  assert.equal(await exited, 0);
  assert.ok(
    events.some((e) => e.type === 'log' && /data-parallel: 2 wasm workers, 8 images each/.test(e.message)),
    JSON.stringify(events.filter((e) => e.type === 'log')),
  );
  const last = events.at(-1)!;
  assert.ok(last.type === 'finished' && last.status === 'finished' && last.iteration === 8, JSON.stringify(last));
  const info = readRunInfo(last.runDir);
  assert.equal(info.overrides.workers, 2);
  assert.equal(iterations(readMetrics(last.runDir)).length, 8);
  await loadExperiment(tf, lib, file, 'custom'); // registers the custom layer here, to load the checkpoint
  const cp = await loadCheckpoint(tf, last.runDir);
  assert.equal(cp.state.iteration, 8);
  cp.model.dispose();
});

test('stopped and resumed with 2 workers (in-process): the same curve as a straight 2-worker run', async () => {
  const file = customLayerFile();
  const job = (runsDir: string) => ({
    file,
    experiment: 'custom',
    runsDir,
    backend: 'wasm' as const,
    overrides: { workers: 2 },
  });
  const straight: TrainerEvent[] = [];
  await session.train(job(path.join(tmp, 'straight')), new Control(), (e) => straight.push(e));
  const fin = straight.at(-1)!;
  assert.ok(fin.type === 'finished' && fin.status === 'finished', JSON.stringify(fin));

  const control = new Control();
  const events: TrainerEvent[] = [];
  await session.train(job(path.join(tmp, 'stopped')), control, (e) => {
    events.push(e);
    if (e.type === 'iteration' && e.iteration === 3) control.stop();
  });
  const stopped = events.at(-1)!;
  assert.ok(
    stopped.type === 'finished' && stopped.status === 'stopped' && stopped.iteration === 3,
    JSON.stringify(stopped),
  );
  const resumed: TrainerEvent[] = [];
  await session.resume(stopped.runDir, 'wasm', undefined, new Control(), (e) => resumed.push(e));
  assert.ok(
    resumed.some((e) => e.type === 'log' && /data-parallel: 2 wasm workers/.test(e.message)),
    'the resumed run keeps its workers',
  );
  const end = resumed.at(-1)!;
  assert.ok(end.type === 'finished' && end.status === 'finished' && end.iteration === 8, JSON.stringify(end));
  const a = iterations(readMetrics(stopped.runDir)),
    b = iterations(readMetrics(fin.runDir));
  assert.deepEqual(
    a.map((m) => m.iteration),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  a.forEach((m, i) => {
    assert.ok(Math.abs(m.loss! - b[i].loss!) < 1e-5, `iteration ${i + 1}: ${m.loss} resumed vs ${b[i].loss} straight`);
    assert.equal(m.trainError, b[i].trainError);
  });
  const [ea, eb] = [epochs(readMetrics(stopped.runDir)), epochs(readMetrics(fin.runDir))];
  assert.equal(ea.at(-1)!.testError, eb.at(-1)!.testError);
  assert.ok(Math.abs(ea.at(-1)!.testLoss! - eb.at(-1)!.testLoss!) < 1e-5);
});

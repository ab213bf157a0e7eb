// The training loop stores the test set's confusion matrix at every epoch,
// from the evaluation's own pass: one confusion.jsonl line per epoch whose
// counts add up to the test set, a predictions block whose top-1 agrees with
// the matrix, and a matrix whose error is the epoch record's test error. Runs
// on wasm; with RESNET_LAB_TEST_BACKEND=tensorflow on the native backend in
// graph mode (and checks graph mode's top-k against the eager step's).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { confusionMatrix, matrixTotal, overallError } from '../../src/core/confusion/matrix';
import { loadDataset } from '../../src/core/data';
import { makeBatch, pixelMean } from '../../src/core/data/batches';
import { resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { graphAddonPath, nativeBackendAvailable } from '../../src/core/native/detectNative';
import { loadTfjsNode } from '../../src/core/native/loadNative';
import { readConfusion } from '../../src/core/runs/confusionRecords';
import { openPredictions } from '../../src/core/runs/predictionsFile';
import { readMetrics } from '../../src/core/runs/runFolder';
import { Control } from '../../src/core/train/control';
import { GraphStepper } from '../../src/core/train/graph/graphStepper';
import { runTraining } from '../../src/core/train/loop';
import { EagerStepper, StepMode } from '../../src/core/train/stepper';
import { tempDir } from '../support/tempDir';

const BACKEND = (process.env.RESNET_LAB_TEST_BACKEND ?? 'wasm') as 'wasm' | 'tensorflow';
const nativeMissing =
  BACKEND === 'tensorflow' && (!nativeBackendAvailable() || !fs.existsSync(graphAddonPath() ?? ''))
    ? 'native backend or graph addon not built (setup-native)'
    : false;
if (nativeMissing) console.log(`confusionLoop.test.ts skipped: ${nativeMissing}`);

const tmp = tempDir('confusion-loop');
before(async () => {
  if (nativeMissing) return;
  if (BACKEND === 'tensorflow') {
    loadTfjsNode(tf);
    assert.ok(await tf.setBackend('tensorflow'));
  } else await initWasm(tf);
});

test(
  `the loop writes one confusion line per epoch, totals = test-set size, top-1 = matrix (${BACKEND})`,
  { skip: nativeMissing },
  async () => {
    const dataset = await loadDataset(synthetic({ trainSize: 64, testSize: 40, seed: 5 }));
    setInitSeed(3);
    const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(dataset.info);
    const recipe = resolveRecipe({ epochs: 3, batchSize: 16, seed: 5, data: dataset.spec });
    const runDir = fs.mkdtempSync(path.join(tmp, 'run-'));
    let mode: StepMode | undefined;
    await runTraining({
      tf,
      model,
      dataset,
      recipe,
      runDir,
      control: new Control(),
      workers: 1,
      emit: () => undefined,
      onMode: (m) => (mode = m),
    });
    assert.equal(mode, BACKEND === 'tensorflow' ? 'graph' : 'eager');
    const records = readConfusion(runDir);
    const epochs = readMetrics(runDir).filter((r) => r.type === 'epoch');
    assert.deepEqual(
      records.map((r) => [r.epoch, r.iteration]),
      epochs.map((e) => [e.epoch, e.iteration]),
    );
    assert.equal(records.length, 3);
    const predictions = openPredictions(runDir)!;
    assert.deepEqual([...predictions.labels], [...dataset.test.labels]);
    for (const [i, r] of records.entries()) {
      assert.equal(matrixTotal(r.matrix), dataset.test.count, `epoch ${r.epoch}: matrix total`);
      assert.equal(r.matrix.length, dataset.info.numClasses);
      const rowSums = r.matrix.map((row) => row.reduce((s, v) => s + v, 0));
      const perClass = Array.from(
        { length: dataset.info.numClasses },
        (_, c) => dataset.test.labels.filter((l) => l === c).length,
      );
      assert.deepEqual(rowSums, perClass, `epoch ${r.epoch}: rows are the classes' test examples`);
      assert.ok(Math.abs(overallError(r.matrix)! - epochs[i].testError!) < 1e-9, `epoch ${r.epoch}: error`);
      const block = predictions.block(r.predictions!)!;
      const k = predictions.header.k;
      const top1 = Array.from({ length: dataset.test.count }, (_, n) => block.classes[n * k]);
      assert.deepEqual(confusionMatrix(dataset.test.labels, top1, dataset.info.numClasses), r.matrix);
      for (let n = 0; n < dataset.test.count; n++) {
        const p = block.probs.subarray(n * k, n * k + k);
        assert.ok(p[0] >= p[1] && p[1] >= p[2], `example ${n}: probabilities in order ${[...p]}`);
        assert.ok(p[0] + p[1] + p[2] <= 1 + 3 / 255, `example ${n}: probabilities sum to at most 1`);
      }
    }
    model.dispose();
  },
);

test(
  'graph mode gives the same top-3 as the eager step (native backend)',
  { skip: BACKEND !== 'tensorflow' || nativeMissing ? 'native only' : false },
  async () => {
    const ds = await loadDataset(synthetic({ trainSize: 32, testSize: 24, seed: 9 }));
    setInitSeed(4);
    const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(ds.info);
    const layerOf = model.trainableWeights.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))!.name);
    const options = { tf, model, info: ds.info, optimizer: { momentum: 0.9, weightDecay: 0 }, layerOf };
    const mean = pixelMean(ds.train, ds.info);
    const batch = makeBatch(
      ds.test,
      Array.from({ length: ds.test.count }, (_, i) => i),
      ds.info,
      mean,
      false,
    );
    const graph = GraphStepper.create(options);
    const eager = new EagerStepper(options);
    const [g, e] = [await graph.evaluate([batch], true), await eager.evaluate([batch], true)];
    await graph.dispose();
    await eager.dispose();
    assert.deepEqual(Array.from(g.top!.classes), Array.from(e.top!.classes));
    Array.from(g.top!.probs).forEach((p, i) =>
      assert.ok(Math.abs(p - e.top!.probs[i]) < 1e-4, `prob ${i}: ${p} vs ${e.top!.probs[i]}`),
    );
    model.dispose();
  },
);

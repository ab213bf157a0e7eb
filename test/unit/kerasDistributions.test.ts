// train.py writes distributions.jsonl as the trainer does (deliverable 5 of
// issue 22): an exported ResNet-8 trained 8 iterations on Keras' JAX backend
// records at iterations 0, 4 and 8 the kernels and block outputs the trainer's
// probe plan names, and its record at iteration 0 (the exported initial
// weights) equals the trainer's own probe on the same weights: the kernels to
// the printed digit, the block outputs to within float noise. Needs the
// TensorFlow Python setup-native used (or RESNET_LAB_TF_PYTHON); skipped,
// with the reason printed, without it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadDataset } from '../../src/core/data';
import { pixelMean } from '../../src/core/data/batches';
import { startDistributionProbe } from '../../src/core/distributions/startProbe';
import { readDistributionLines } from '../../src/core/distributions/records';
import { kerasUnavailable, tfPython } from '../../src/core/export/tfPython';
import { resnetCifar, setInitSeed, synthetic } from '../../src/core/lib';
import { cli, REPO } from './support/cli';
import { tempDir } from '../support/tempDir';

const skip = kerasUnavailable('jax') ?? false;
if (skip) console.log(`kerasDistributions.test.ts skipped: ${skip}`);

const tmp = tempDir('keras-dist');
before(() => {
  if (!skip) execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
});

const DATA = { trainSize: 256, testSize: 64 };
const SMALL = `import { experiment, resnetCifar, synthetic } from 'resnet-lab';
export const small = experiment({ model: resnetCifar({ depth: 8 }), data: synthetic(${JSON.stringify(DATA)}), batchSize: 32, iterations: 8, seed: 3, distributionEvery: 4 });
`;

test(
  'train.py records the same distributions as the trainer: the same names, iterations and numbers',
  { skip, timeout: 300_000 },
  async () => {
    const file = path.join(tmp, 'small.ts');
    fs.writeFileSync(file, SMALL);
    const project = path.join(tmp, 'project');
    const exported = await cli(['export-keras', file, 'small', '--out', project], undefined, { timeoutMs: 60_000 });
    assert.equal(exported.code, 0, exported.stderr);
    const runDir = path.join(tmp, 'run');
    const p = spawnSync(tfPython(), [path.join(project, 'train.py'), '--backend', 'jax', '--run-dir', runDir], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', JAX_PLATFORMS: 'cpu' },
    });
    assert.equal(p.status, 0, p.stderr);
    const { records, skipped } = readDistributionLines(runDir); // the zod schema the panel reads with
    assert.equal(skipped, 0);
    assert.deepEqual(
      records.map((r) => r.iteration),
      [0, 4, 8],
    );

    // The trainer's probe on the same initial weights (the export's: tfjs' initializers, seed 3) and data.
    await initWasm(tf);
    const dataset = await loadDataset(synthetic(DATA));
    setInitSeed(3);
    const model = resnetCifar({ depth: 8 })(dataset.info);
    const ours = await startDistributionProbe(tf, model, dataset, pixelMean(dataset.train, dataset.info)).sample(0);
    model.dispose();
    const theirs = records[0];
    assert.deepEqual(
      theirs.weights.map((w) => w.name),
      ours.weights.map((w) => w.name),
    );
    assert.deepEqual(
      theirs.activations.map((a) => [a.name, a.zeros !== undefined]),
      ours.activations.map((a) => [a.name, true]),
    );
    const close = (a: (number | null)[], b: (number | null)[], tol: number, what: string) =>
      a.forEach((v, i) =>
        assert.ok(Math.abs(v! - b[i]!) <= tol * (Math.abs(b[i]!) + 1e-3), `${what} q${i}: ${v} vs ${b[i]}`),
      );
    theirs.weights.forEach((w, i) => close(w.q, ours.weights[i].q, 1e-3, w.name));
    theirs.activations.forEach((a, i) => {
      close(a.q, ours.activations[i].q, 2e-2, a.name);
      assert.ok(
        Math.abs(a.zeros! - ours.activations[i].zeros!) < 0.01,
        `${a.name} zeros ${a.zeros} vs ${ours.activations[i].zeros}`,
      );
    });
  },
);

// The degradation experiment (He et al. Fig. 1 and 6) as a plan: which nets,
// one shared budget, how a finished curve is read (mean training error over
// its last 10%), the verdict, and the CLI command that runs it end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUDGETS, degradationRuns, finalTrainError, verdict } from '../../src/core/experiments/degradation';
import { readRunInfo } from '../../src/core/runs/runFolder';
import { cli, lastJson } from './support/cli';
import { tempDir } from '../support/tempDir';

const tmp = tempDir('degradation');

test("the runs: plain nets shallow to deep, then ResNets shallow to deep; only the paper's depths", () => {
  assert.deepEqual(degradationRuns([56, 20]), ['plain20', 'plain56', 'resnet20', 'resnet56']);
  assert.deepEqual(degradationRuns([20, 32, 44]), [
    'plain20',
    'plain32',
    'plain44',
    'resnet20',
    'resnet32',
    'resnet44',
  ]);
  assert.throws(() => degradationRuns([20, 50]), /depth 50 is not one of the paper's CIFAR nets: 20, 32, 44, 56, 110/);
});

test('a curve is read by its mean training error over the last 10% of iterations (epoch lines ignored)', () => {
  const records = [
    ...Array.from({ length: 18 }, (_, i) => ({ type: 'iteration', trainError: 0.9 - i * 0.01 })),
    { type: 'epoch', trainError: 0.5 },
    { type: 'iteration', trainError: 0.2 },
    { type: 'iteration', trainError: 0.1 },
  ];
  assert.ok(Math.abs(finalTrainError(records) - 0.15) < 1e-12); // 20 iterations: the last 2
  assert.equal(finalTrainError([{ type: 'iteration', trainError: 0.3 }]), 0.3);
});

test("the verdict: deeper plain worse is degradation; a deeper ResNet that is not worse is the paper's claim", () => {
  const v = verdict(
    [
      { experiment: 'plain20', trainError: 0.064, testError: 0.02 },
      { experiment: 'plain56', trainError: 0.886, testError: 0.889 },
      { experiment: 'resnet20', trainError: 0.076, testError: 0.039 },
      { experiment: 'resnet56', trainError: 0.05, testError: 0.03 },
    ],
    [20, 56],
  );
  assert.deepEqual([v.plainDegrades, v.resnetDegrades], [true, false]);
  assert.equal(
    v.text,
    'plain-20 6.4% → plain-56 88.6% (deeper is worse: degradation); ResNet-20 7.6% → ResNet-56 5.0% (deeper is not worse)',
  );
  const worse = verdict(
    [
      { experiment: 'plain20', trainError: 0.3, testError: null },
      { experiment: 'plain56', trainError: 0.2, testError: null },
      { experiment: 'resnet20', trainError: 0.1, testError: null },
      { experiment: 'resnet56', trainError: 0.2, testError: null },
    ],
    [20, 56],
  );
  assert.deepEqual([worse.plainDegrades, worse.resnetDegrades], [false, true]);
  assert.match(worse.text, /no degradation.*deeper is worse\)$/);
  assert.equal(
    verdict([{ experiment: 'plain20', trainError: 0.1, testError: null }], [20, 56]).text,
    'not all four runs finished',
  );
});

test('budgets: the quick one needs no download; both fix data, length, batch and seed for every net alike', () => {
  assert.deepEqual(BUDGETS.quick.overrides, { data: 'synthetic', iterations: 300, batchSize: 64, lr: 0.02, seed: 1 });
  assert.equal(BUDGETS.cifar10.overrides.data, 'cifar10');
  for (const b of Object.values(BUDGETS))
    assert.ok(b.overrides.iterations && b.overrides.batchSize && b.overrides.seed !== undefined, b.name);
});

test('`degradation --depths 20` trains plain-20 then ResNet-20 with one recipe and writes the summary', async () => {
  const runsDir = path.join(tmp, 'runs');
  const r = await cli([
    'degradation',
    '--depths',
    '20',
    '--iterations',
    '2',
    '--batch-size',
    '8',
    '--limit-train',
    '64',
    '--limit-test',
    '16',
    '--backend',
    'wasm',
    '--runs-dir',
    runsDir,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const summary = lastJson<{
    runs: { experiment: string; runDir: string; trainError: number }[];
    overrides: Record<string, unknown>;
  }>(r);
  assert.deepEqual(
    summary.runs.map((x) => x.experiment),
    ['plain20', 'resnet20'],
  );
  assert.deepEqual(summary.overrides, {
    data: 'synthetic',
    iterations: 2,
    batchSize: 8,
    lr: 0.02,
    seed: 1,
    limitTrain: 64,
    limitTest: 16,
  });
  const [plain, res] = summary.runs.map((x) => readRunInfo(x.runDir));
  assert.deepEqual(plain.recipe, res.recipe, 'the same recipe for both nets');
  assert.deepEqual([plain.summary.shortcuts, res.summary.shortcuts], [0, 9]);
  assert.equal(plain.summary.trainableParams, res.summary.trainableParams);
  assert.ok(summary.runs.every((x) => x.trainError >= 0 && x.trainError <= 1));
  assert.ok(fs.readdirSync(runsDir).some((f) => /^degradation-\d+\.json$/.test(f)));
});

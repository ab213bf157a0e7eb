// The resolved recipe (the paper's defaults, some depending on the data set,
// and the command line's overrides) and the learning-rate schedule: step decay
// at milestones (50% and 75% of the run unless given), and ResNet-110's
// warm-up, which holds a small lr until the recent training error falls below
// a threshold or a cap is reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cifar10, fashionMnist, mnist, synthetic } from '../../src/core/lib/data';
import { resolveRecipe } from '../../src/core/lib/experiment';
import { applyOverrides } from '../../src/trainer/session';
import { learningRate, milestones, updateWarmup } from '../../src/core/train/schedule';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('default milestones at 50% and 75% of the run: 0.1, 0.01, 0.001', () => {
  const recipe = resolveRecipe({});
  assert.deepEqual(milestones(recipe, 300), [150, 225]);
  const state = { warmupDone: true };
  close(learningRate(recipe, 300, 0, state), 0.1);
  close(learningRate(recipe, 300, 149, state), 0.1);
  close(learningRate(recipe, 300, 150, state), 0.01);
  close(learningRate(recipe, 300, 225, state), 0.001);
});

test("the paper's milestones when given (32k and 48k of 64k)", () => {
  const recipe = resolveRecipe({ schedule: { milestones: [32000, 48000] } });
  const state = { warmupDone: false };
  close(learningRate(recipe, 64000, 31999, state), 0.1);
  close(learningRate(recipe, 64000, 32000, state), 0.01);
  close(learningRate(recipe, 64000, 63999, state), 0.001);
});

test('warm-up: its lr until the recent training error is below the threshold, then the schedule', () => {
  const recipe = resolveRecipe({ schedule: { warmup: { lr: 0.01, untilTrainError: 0.8, maxIterations: 400 } } });
  const state = { warmupDone: false };
  const lrs: number[] = [];
  const errors = [0.9, 0.9, 0.85, 0.81, 0.79, 0.5];
  errors.forEach((e, i) => {
    lrs.push(learningRate(recipe, 1000, i, state));
    updateWarmup(recipe, i + 1, e, state);
  });
  assert.deepEqual(lrs, [0.01, 0.01, 0.01, 0.01, 0.01, 0.1]);
  // Once over, it stays over even if the error rises again.
  updateWarmup(recipe, 7, 0.95, state);
  close(learningRate(recipe, 1000, 7, state), 0.1);
});

test('warm-up: ends at maxIterations when the error never falls', () => {
  const recipe = resolveRecipe({ schedule: { warmup: { lr: 0.02, maxIterations: 3 } } });
  const state = { warmupDone: false };
  const lrs: number[] = [];
  for (let i = 0; i < 5; i++) {
    lrs.push(learningRate(recipe, 1000, i, state));
    updateWarmup(recipe, i + 1, 0.9, state);
  }
  assert.deepEqual(lrs, [0.02, 0.02, 0.02, 0.1, 0.1]);
});

test("augmentation: pad 4 and flips, except no flips for MNIST's digits unless asked", () => {
  assert.deepEqual(resolveRecipe({}).augment, { pad: 4, flip: true });
  assert.deepEqual(resolveRecipe({ data: cifar10() }).augment, { pad: 4, flip: true });
  assert.deepEqual(resolveRecipe({ data: synthetic({ seed: 3 }) }).augment, { pad: 4, flip: true });
  assert.deepEqual(resolveRecipe({ data: mnist() }).augment, { pad: 4, flip: false });
  assert.deepEqual(resolveRecipe({ data: fashionMnist() }).augment, { pad: 4, flip: true });
  assert.deepEqual(resolveRecipe({ data: mnist(), augment: { flip: true } }).augment, { pad: 4, flip: true });
  assert.deepEqual(resolveRecipe({ data: cifar10(), augment: { pad: 2 } }).augment, { pad: 2, flip: true });
  assert.equal(resolveRecipe({ data: cifar10(), augment: false }).augment, false);
});

test("overrides: --data mnist turns the default flips off; the experiment's own choice stands", () => {
  const model = () => {
    throw new Error('not built here');
  };
  const digits = applyOverrides(
    { model },
    { data: 'mnist', dataDir: '/d', limitTrain: 10000, limitTest: 2000, epochs: 3, batchSize: 128 },
  );
  assert.deepEqual(digits.data, { name: 'mnist', dir: '/d', limitTrain: 10000, limitTest: 2000 });
  assert.deepEqual(digits.augment, { pad: 4, flip: false });
  assert.deepEqual([digits.epochs, digits.batchSize, digits.optimizer.lr], [3, 128, 0.1]);
  assert.deepEqual(applyOverrides({ model }, { data: 'fashion-mnist' }).augment, { pad: 4, flip: true });
  assert.deepEqual(applyOverrides({ model, augment: { flip: true } }, { data: 'mnist' }).augment, {
    pad: 4,
    flip: true,
  });
  assert.deepEqual(applyOverrides({ model, data: mnist() }, { data: 'cifar10' }).augment, { pad: 4, flip: true });
  const warm = applyOverrides({ model, schedule: { milestones: [10] } }, { warmup: { lr: 0.01, maxIterations: 50 } });
  assert.deepEqual(warm.schedule, { milestones: [10], gamma: 0.1, warmup: { lr: 0.01, maxIterations: 50 } });
});

test('optimizer type adam is refused in one clear line (SGD + momentum only), not silently trained with SGD', async () => {
  const { experiment } = await import('../../src/core/lib/experiment');
  const model = () => {
    throw new Error('not built');
  };
  assert.throws(
    () => experiment({ model, optimizer: { type: 'adam' as 'sgd' } }),
    /optimizer type "adam" is not supported: ResNet Lab trains with SGD \+ momentum/,
  );
  assert.equal(experiment({ model, optimizer: { type: 'sgd' } }).config.optimizer?.type, 'sgd');
  assert.deepEqual(resolveRecipe({}).optimizer, { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
});

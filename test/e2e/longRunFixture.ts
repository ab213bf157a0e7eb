// A finished run folder of 100,000 iterations, written without training:
// ResNet-20's real graph and layer names, a deterministic noisy training
// error with the paper's lr steps, a test point per epoch (391 iterations of
// batch 128), and every layer's gradient norm every 100 iterations (1,000
// records) by a formula the test can check the heatmap against; distributions
// of every kernel and block output every 100 iterations too (1,001 records).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { DISTRIBUTIONS, GRADIENTS, METRICS, RUN_JSON } from '../../src/core/runs/runFiles';
import { probePlan } from '../../src/core/distributions/probePlan';
import { compact } from '../../src/core/distributions/quantiles';
import { recordConfusion } from '../../src/core/confusion/record';
import { CIFAR10_CLASSES } from '../../src/core/data/cifar10';
import type { TopK } from '../../src/core/runs/predictionsFile';

export const ITERATIONS = 100_000;
export const PER_EPOCH = 391;
export const GRAD_EVERY = 100;

/** The fixture's gradient norm of layer l (0 = input side) at record r: varies along both axes. */
export function fixtureNorm(l: number, layers: number, r: number): number {
  return Number((10 ** (-3 + (3 * l) / layers) * (1 + 0.5 * Math.sin(r / 7) + r / 1000)).toPrecision(6));
}

export const DIST_EVERY = 100;
/** A normal's quantiles at the distribution levels (0 and 100 %: ±3σ), in σ. */
const Z = [-3, -1.476, -0.994, -0.496, 0, 0.496, 0.994, 1.476, 3];

/** The fixture's distribution record r: kernels that narrow as training goes, ReLU outputs whose spread grows with depth. */
function distributionRecord(r: number, plan: ReturnType<typeof probePlan>): string {
  const t = r / (ITERATIONS / DIST_EVERY);
  return JSON.stringify({
    iteration: r * DIST_EVERY,
    weights: plan.weights.map((name, l) => {
      const s = 0.1 * (1 + l / plan.weights.length) * (1 - 0.3 * t);
      return { name, q: Z.map((z) => compact(z * s)) };
    }),
    activations: plan.activations.map(({ name }, b) => {
      const s = 0.5 * (1 + b) * (1 + 0.5 * t);
      const zeros = compact(0.4 + 0.1 * Math.sin(r / 50 + b));
      return { name, q: Z.map((z) => compact(Math.max(0, s * (z + 0.4)))), zeros };
    }),
  });
}

/** CIFAR-10's test set as the fixture has it: 10,000 images, 1,000 of each class. */
const TEST_LABELS = Uint8Array.from({ length: 10_000 }, (_, i) => i % 10);

/** An epoch's top-3 for every test image: right with probability 1 − error, else the next class first. */
function fixtureTop(error: number, rand: () => number): TopK {
  const n = TEST_LABELS.length;
  const classes = new Uint8Array(n * 3),
    probs = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const label = TEST_LABELS[i],
      wrong = rand() < error;
    const first = wrong ? (label + 1) % 10 : label;
    classes.set([first, wrong ? label : (label + 1) % 10, (label + 2) % 10], i * 3);
    probs.set([0.6, 0.3, 0.05], i * 3);
  }
  return { k: 3, classes, probs };
}

export function writeLongRun(runsDir: string): { dir: string; layers: string[] } {
  setInitSeed(1);
  const model = resnetCifar({ depth: 20 })({ inputShape: [32, 32, 3], numClasses: 10 });
  const graph = extractGraph(model);
  const summary = summarize(model, graph);
  const layers = model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => l.name);
  const plan = probePlan(model, graph);
  model.dispose();
  tf.disposeVariables();

  const dir = path.join(runsDir, '20261130-120000-resnet20-100k');
  fs.mkdirSync(dir, { recursive: true });
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lrAt = (i: number) => (i <= ITERATIONS / 2 ? 0.1 : i <= (3 * ITERATIONS) / 4 ? 0.01 : 0.001);
  const metrics: string[] = [];
  let testError = 0;
  for (let i = 1; i <= ITERATIONS; i++) {
    const epoch = Math.ceil(i / PER_EPOCH);
    const level = 0.9 * Math.exp(-i / 8000) + (lrAt(i) === 0.1 ? 0.12 : lrAt(i) === 0.01 ? 0.05 : 0.03);
    const trainError = Math.min(1, Math.max(0, level + (rand() - 0.5) * 0.12));
    metrics.push(
      JSON.stringify({
        type: 'iteration',
        iteration: i,
        epoch,
        loss: Number((2.3 * trainError + 0.05).toFixed(4)),
        trainError: Number(trainError.toFixed(5)),
        lr: lrAt(i),
        imagesPerSec: 80,
      }),
    );
    if (i % PER_EPOCH === 0 || i === ITERATIONS) {
      testError = Math.min(1, level + 0.03 + (rand() - 0.5) * 0.01);
      recordConfusion(dir, { epoch, iteration: i }, TEST_LABELS, 10, fixtureTop(testError, rand));
      metrics.push(
        JSON.stringify({
          type: 'epoch',
          iteration: i,
          epoch,
          trainError: Number(level.toFixed(4)),
          testError: Number(testError.toFixed(4)),
          testLoss: 2.3 * testError,
          trainLoss: 2.3 * level,
        }),
      );
    }
  }
  fs.writeFileSync(path.join(dir, METRICS), metrics.join('\n') + '\n');
  const grads: string[] = [];
  for (let r = 0; r < ITERATIONS / GRAD_EVERY; r++) {
    grads.push(
      JSON.stringify({
        iteration: (r + 1) * GRAD_EVERY,
        layers: layers.map((name, l) => ({ name, norm: fixtureNorm(l, layers.length, r) })),
      }),
    );
  }
  fs.writeFileSync(path.join(dir, GRADIENTS), grads.join('\n') + '\n');
  const dists = Array.from({ length: ITERATIONS / DIST_EVERY + 1 }, (_, r) => distributionRecord(r, plan));
  fs.writeFileSync(path.join(dir, DISTRIBUTIONS), dists.join('\n') + '\n');
  const epochs = Math.ceil(ITERATIONS / PER_EPOCH);
  fs.writeFileSync(
    path.join(dir, RUN_JSON),
    JSON.stringify(
      {
        id: path.basename(dir),
        experiment: 'resnet20-100k',
        file: path.join(runsDir, '..', '..', 'paper-cifar.ts'),
        createdAt: '2026-11-30T12:00:00.000Z',
        status: 'finished',
        backend: 'tensorflow',
        recipe: {
          data: { name: 'cifar10' },
          epochs,
          batchSize: 128,
          optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.0001 },
          schedule: { gamma: 0.1 },
          augment: { pad: 4, flip: true },
          seed: 1,
          gradientNormEvery: GRAD_EVERY,
          distributionEvery: DIST_EVERY,
        },
        overrides: {},
        dataset: {
          name: 'cifar10',
          source: 'fixture',
          train: 50_000,
          test: 10_000,
          inputShape: [32, 32, 3],
          classNames: CIFAR10_CLASSES,
        },
        summary,
        graph,
        iterationsPerEpoch: PER_EPOCH,
        totalIterations: ITERATIONS,
        epochs,
        final: { iteration: ITERATIONS, trainError: 0.03, testError: Number(testError.toFixed(4)) },
      },
      null,
      2,
    ),
  );
  return { dir, layers };
}

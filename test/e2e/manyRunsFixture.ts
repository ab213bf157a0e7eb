// Many finished run folders, written without training, for the runs table:
// the paper's CIFAR grid (depths 20/32/44/56 × plain and ResNet with shortcut
// options A, B, C) with their real graphs, three learning rates, two batch
// sizes, a seed each, some on the Keras engine, some stopped or failed. Every
// value comes from the run's index by a formula, so a test can check what the
// table shows against `expectedRun(i)`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { plainCifar, resnetCifar, setInitSeed } from '../../src/core/lib';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import type { ModelGraph, ModelSummary } from '../../src/protocol/graph';
import { METRICS, RUN_JSON } from '../../src/core/runs/runFiles';

export const DEPTHS = [20, 32, 44, 56];
export const VARIANTS = ['plain', 'A', 'B', 'C'] as const;
export const LRS = [0.1, 0.05, 0.01];
export const EPOCHS = 12;
export const PER_EPOCH = 50;

export interface ExpectedRun {
  folder: string;
  experiment: string;
  depth: number;
  variant: (typeof VARIANTS)[number];
  lr: number;
  batchSize: number;
  seed: number;
  keras: boolean;
  status: 'finished' | 'stopped' | 'failed';
  /** Epochs recorded (all of them unless stopped or failed early). */
  epochs: number;
  testErrors: number[];
  trainErrors: number[];
  epochSeconds: number;
}

/** Run i of the fixture, computed (not read): what the table must show for it. */
export function expectedRun(i: number): ExpectedRun {
  const depth = DEPTHS[i % DEPTHS.length];
  const variant = VARIANTS[Math.floor(i / DEPTHS.length) % VARIANTS.length];
  const lr = LRS[Math.floor(i / 16) % LRS.length];
  const status = i % 37 === 5 ? 'failed' : i % 23 === 7 ? 'stopped' : 'finished';
  const epochs = status === 'finished' ? EPOCHS : 3 + (i % 5);
  // Plain nets get worse with depth and residual ones better (Fig. 6), plus a wobble per run.
  const level = variant === 'plain' ? 0.08 + depth / 1000 : 0.1 - depth / 1000 + (variant === 'A' ? 0.002 : 0);
  const testErrors = Array.from({ length: epochs }, (_, e) =>
    Number((level + 0.5 * Math.exp(-e / 2) + 0.004 * Math.sin(i * 7 + e * 3)).toFixed(4)),
  );
  const trainErrors = testErrors.map((t) => Number((t * 0.6).toFixed(4)));
  return {
    folder: `20261201-${String(100000 + i)}-grid${i}`,
    experiment: `${variant === 'plain' ? 'plain' : 'resnet'}${depth}${variant === 'plain' ? '' : variant}`,
    depth,
    variant,
    lr,
    batchSize: i % 2 ? 64 : 128,
    seed: 1 + (i % 7),
    keras: i % 10 === 3,
    status,
    epochs,
    testErrors,
    trainErrors,
    epochSeconds: 10 + (i % 9),
  };
}

/** The graph and summary of each (depth, variant), built once with tfjs. */
function buildModels(): Map<string, { graph: ModelGraph; summary: ModelSummary }> {
  const models = new Map<string, { graph: ModelGraph; summary: ModelSummary }>();
  for (const depth of DEPTHS)
    for (const variant of VARIANTS) {
      setInitSeed(1);
      const factory = variant === 'plain' ? plainCifar({ depth }) : resnetCifar({ depth, shortcut: variant });
      const model = factory({ inputShape: [32, 32, 3], numClasses: 10 });
      const graph = extractGraph(model);
      models.set(`${depth}${variant}`, { graph, summary: summarize(model, graph) });
      model.dispose();
    }
  tf.disposeVariables();
  return models;
}

export function writeManyRuns(runsDir: string, count: number): ExpectedRun[] {
  const models = buildModels();
  const runs: ExpectedRun[] = [];
  for (let i = 0; i < count; i++) {
    const r = expectedRun(i);
    runs.push(r);
    const dir = path.join(runsDir, r.folder);
    fs.mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    for (let e = 0; e < r.epochs; e++) {
      const iteration = (e + 1) * PER_EPOCH;
      for (const k of [0.5, 1])
        lines.push(
          JSON.stringify({
            type: 'iteration',
            iteration: e * PER_EPOCH + k * PER_EPOCH,
            epoch: e + 1,
            loss: 1,
            trainError: r.trainErrors[e] + 0.01,
            lr: r.lr,
            imagesPerSec: 500,
          }),
        );
      lines.push(
        JSON.stringify({
          type: 'epoch',
          iteration,
          epoch: e + 1,
          trainLoss: 1,
          trainError: r.trainErrors[e],
          testLoss: 1,
          testError: r.testErrors[e],
          seconds: r.epochSeconds,
        }),
      );
    }
    fs.writeFileSync(path.join(dir, METRICS), lines.join('\n') + '\n');
    const { graph, summary } = models.get(`${r.depth}${r.variant}`)!;
    const done = r.epochs * PER_EPOCH;
    const info = {
      id: r.folder,
      experiment: r.experiment,
      file: path.join(runsDir, '..', '..', 'grid.ts'),
      createdAt: `2026-12-01T${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000Z`,
      status: r.status,
      backend: r.keras ? 'keras' : 'tensorflow',
      ...(r.keras
        ? { kerasBackend: 'jax', devices: { count: 1, platform: 'gpu', name: 'NVIDIA H200' }, precision: 'fp32' }
        : { mode: 'graph' }),
      recipe: {
        data: { name: 'cifar10' },
        epochs: EPOCHS,
        batchSize: r.batchSize,
        optimizer: { type: 'sgd', lr: r.lr, momentum: 0.9, weightDecay: 0.0001 },
        schedule: { gamma: 0.1 },
        augment: { pad: 4, flip: true },
        seed: r.seed,
        gradientNormEvery: 20,
      },
      overrides: {},
      dataset: {
        name: 'cifar10',
        source: 'fixture',
        train: 50_000,
        test: 10_000,
        inputShape: [32, 32, 3],
        classNames: [],
      },
      summary,
      graph,
      iterationsPerEpoch: PER_EPOCH,
      totalIterations: EPOCHS * PER_EPOCH,
      epochs: EPOCHS,
      ...(r.status === 'failed' ? { error: 'the test loss diverged' } : {}),
      final: { iteration: done, trainError: r.trainErrors.at(-1)!, testError: r.testErrors.at(-1)! },
    };
    fs.writeFileSync(path.join(dir, RUN_JSON), JSON.stringify(info, null, 2));
  }
  return runs;
}

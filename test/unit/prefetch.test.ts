// The batch prefetcher (src/core/data/prefetch.ts): the next training batch is
// made on a worker thread while the current step runs. It must make exactly
// the batches the training thread would (so prefetching cannot change a run),
// fall back to the training thread when its worker is gone, and leave a
// seeded run's curve unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasm } from '../../src/core/backend/wasmConvGrads';
import { loadDataset } from '../../src/core/data';
import { makeBatch, pixelMean } from '../../src/core/data/batches';
import { BatchPrefetcher } from '../../src/core/data/prefetch';
import { mulberry32 } from '../../src/core/data/random';
import { synthetic } from '../../src/core/lib';
import { readMetrics } from '../../src/core/runs/runFolder';
import type { TrainerEvent } from '../../src/protocol/trainer';
import { tempDir } from '../support/tempDir';
import { trainingRun } from './support/trainingRun';

const tmp = tempDir('prefetch');

test('prefetched batches are bit-identical to batches made on the training thread (crops, flips, labels)', async () => {
  const ds = await loadDataset(synthetic({ trainSize: 200, testSize: 10, seed: 7 }));
  const mean = pixelMean(ds.train, ds.info);
  const augment = { pad: 4, flip: true };
  const before = Uint8Array.from(ds.train.images);
  const p = new BatchPrefetcher(ds.train, ds.info, mean, augment);
  // One copy of the images for both threads: the split now reads the shared one.
  assert.ok(ds.train.images.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(ds.train.images, before);
  try {
    const idx = (k: number) => Uint32Array.from({ length: 32 }, (_, i) => (k * 37 + i * 5) % 200);
    for (let k = 0; k < 4; k++) p.request(k, idx(k), 1000 + k);
    for (let k = 0; k < 4; k++) {
      const got = await p.take(k, idx(k), 1000 + k);
      const want = makeBatch(ds.train, idx(k), ds.info, mean, augment, mulberry32(1000 + k));
      assert.equal(got.size, 32);
      assert.deepEqual(got.labels, want.labels);
      assert.deepEqual(got.x, want.x, `batch ${k}`);
      assert.ok(
        got.x.some((v, i) => v !== makeBatch(ds.train, idx(k), ds.info, mean, false).x[i]),
        'augmentation did something',
      );
    }
    const s = p.pipelineStats();
    assert.equal(s.threaded, true);
    assert.equal(s.batches, 4);
    assert.ok(s.makeMs > 0);
  } finally {
    await p.dispose();
  }
});

test('a batch asked for with other indices or another seed than prefetched is made again, correctly', async () => {
  const ds = await loadDataset(synthetic({ trainSize: 64, testSize: 10, seed: 8 }));
  const mean = pixelMean(ds.train, ds.info);
  const augment = { pad: 2, flip: true };
  const p = new BatchPrefetcher(ds.train, ds.info, mean, augment);
  try {
    const a = Uint32Array.from([1, 2, 3, 4]),
      b = Uint32Array.from([4, 3, 2, 1]);
    p.request(0, a, 5);
    const got = await p.take(0, b, 5);
    assert.deepEqual(got.x, makeBatch(ds.train, b, ds.info, mean, augment, mulberry32(5)).x);
    p.request(1, a, 5);
    const reseeded = await p.take(1, a, 6);
    assert.deepEqual(reseeded.x, makeBatch(ds.train, a, ds.info, mean, augment, mulberry32(6)).x);
  } finally {
    await p.dispose();
  }
});

test('after its worker is gone, batches are made on the training thread', async () => {
  const ds = await loadDataset(synthetic({ trainSize: 64, testSize: 10, seed: 9 }));
  const mean = pixelMean(ds.train, ds.info);
  const p = new BatchPrefetcher(ds.train, ds.info, mean, false);
  const idx = Uint32Array.from([5, 6, 7]);
  p.request(0, idx, 1);
  await p.dispose();
  p.request(1, idx, 1); // ignored: no worker
  const got = await p.take(1, idx, 1);
  assert.deepEqual(got.x, makeBatch(ds.train, idx, ds.info, mean, false).x);
  assert.equal(p.pipelineStats().threaded, false);
});

test('a seeded run gives the same curve with and without prefetching; the loop reports the pipeline', async () => {
  await initWasm(tf);
  const dataset = await loadDataset(synthetic({ trainSize: 96, testSize: 32, seed: 4 }));
  const run = async (prefetch: boolean) => {
    const { model, runDir, events } = await trainingRun({
      data: dataset,
      model: { initSeed: 3 },
      recipe: { epochs: 2, batchSize: 16, optimizer: { lr: 0.05 }, seed: 4 },
      runDir: { in: tmp, prefix: `run-${prefetch}-` },
      loop: { workers: 1, prefetch },
    });
    model.dispose();
    return { metrics: readMetrics(runDir), events };
  };
  const on = await run(true),
    off = await run(false);
  const losses = (m: typeof on.metrics) => m.filter((r) => r.type === 'iteration').map((r) => r.loss);
  assert.equal(losses(on.metrics).length, 12);
  assert.deepEqual(losses(on.metrics), losses(off.metrics));
  const log = (ev: TrainerEvent[]) => ev.find((e) => e.type === 'log' && e.message.startsWith('data pipeline:'));
  assert.match(JSON.stringify(log(on.events)), /ms per batch on its own thread; the loop waited/);
  assert.match(JSON.stringify(log(off.events)), /ms per batch on the training thread/);
});

// The data pipeline's cost and the prefetcher's overlap, for bench/train.ts.
import { BatchPrefetcher, makeSeededBatch } from '../src/core/data/prefetch';
import { mulberry32 } from '../src/core/data/random';

/**
 * The data pipeline on its own: mean subtraction, pad-4 crop and flip of a
 * CIFAR-shaped batch, made on this thread (its cost), and through the
 * trainer's BatchPrefetcher one step ahead of a synchronous stand-in step
 * (what the loop then waits for).
 */
export async function dataPipeline(batch: number): Promise<{ msPerBatch: number; prefetchWaitMs: number }> {
  const info = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  const count = 4096,
    size = 32 * 32 * 3,
    rng = mulberry32(1);
  const split = {
    images: Uint8Array.from({ length: count * size }, () => Math.floor(rng() * 256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
  };
  const mean = new Float32Array(size).fill(0.5);
  const augment = { pad: 4, flip: true };
  const indices = (k: number) => Uint32Array.from({ length: batch }, (_, i) => (k * batch + i) % count);
  const times: number[] = [];
  for (let k = 0; k < 30; k++) {
    const t0 = performance.now();
    makeSeededBatch(split, indices(k), info, mean, augment, k);
    times.push(performance.now() - t0);
  }
  const msPerBatch = times.sort((a, b) => a - b)[times.length >> 1];
  const p = new BatchPrefetcher(split, info, mean, augment);
  let waited = 0;
  const n = 20;
  try {
    p.request(0, indices(0), 0);
    await p.take(0, indices(0), 0); // the worker's start-up and cold first batch (~40 ms), once a run: not counted
    p.request(1, indices(1), 1);
    for (let k = 1; k <= n; k++) {
      const t0 = performance.now();
      await p.take(k, indices(k), k);
      waited += performance.now() - t0;
      p.request(k + 1, indices(k + 1), k + 1);
      const until = performance.now() + Math.max(50, 10 * msPerBatch); // the step holds the thread (a real one: seconds)
      while (performance.now() < until) {
        /* busy, as a tfjs step is */
      }
    }
  } finally {
    await p.dispose();
  }
  return { msPerBatch, prefetchWaitMs: waited / n };
}

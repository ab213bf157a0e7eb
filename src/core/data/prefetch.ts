// The next training batch is decoded, augmented and mean-subtracted on its own
// thread while the current step runs, so the data pipeline is never what the
// trainer waits for. A tfjs step holds the trainer's thread (wasm and native
// kernels run synchronously), so overlapping needs a second thread, not a
// promise. The worker makes exactly what `makeBatch` makes on this thread
// (same function, same seeded crops and flips), so prefetching cannot change
// a run; if the worker cannot start or fails, batches are made here instead.
import { Worker } from 'node:worker_threads';
import type { DataInfo } from '../lib/types';
import { workerEntry } from '../workerEntry';
import { Augment, Batch, makeBatch } from './batches';
import type { Split } from './dataset';
import { mulberry32 } from './random';

/** What the batch worker gets once: the split in shared memory, and how to make batches. */
export interface BatchWorkerInit {
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  count: number;
  info: DataInfo;
  mean: Float32Array;
  augment: Augment | false;
}
export interface BatchRequest {
  key: number;
  indices: Uint32Array;
  seed: number;
}
export type BatchReply =
  { key: number; x: Float32Array; labels: Int32Array; size: number; ms: number } | { key: number; error: string };

export interface PipelineStats {
  /** Batches made, and the time spent making them (on the worker, or here when it is off). */
  batches: number;
  makeMs: number;
  /** Time the training loop spent waiting for batches. */
  waitMs: number;
  threaded: boolean;
}

function shared(bytes: Uint8Array): SharedArrayBuffer {
  if (
    bytes.buffer instanceof SharedArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  )
    return bytes.buffer;
  const sab = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(sab).set(bytes);
  return sab;
}

/** Makes the batch for `seed` the way the worker does: the single definition of a training batch. */
export function makeSeededBatch(
  split: Split,
  indices: ArrayLike<number>,
  info: DataInfo,
  mean: Float32Array,
  augment: Augment | false,
  seed: number,
): Batch {
  return makeBatch(split, indices, info, mean, augment, mulberry32(seed));
}

export class BatchPrefetcher {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { indices: Uint32Array; seed: number; batch: Promise<Batch> }>();
  private readonly waiting = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private readonly stats: PipelineStats;

  constructor(
    private readonly split: Split,
    private readonly info: DataInfo,
    private readonly mean: Float32Array,
    private readonly augment: Augment | false,
    opts: { threaded?: boolean } = {},
  ) {
    this.stats = { batches: 0, makeMs: 0, waitMs: 0, threaded: false };
    if (opts.threaded === false) return;
    try {
      const entry = workerEntry('batchWorker.ts', 'batch-worker.js');
      const init: BatchWorkerInit = {
        images: shared(split.images),
        labels: shared(split.labels),
        count: split.count,
        info,
        mean,
        augment,
      };
      // The split now reads from the shared copy, so the original bytes can be freed
      // (CIFAR-10's training set is 150 MB): one copy for both threads, not two.
      split.images = new Uint8Array(init.images);
      split.labels = new Uint8Array(init.labels);
      this.worker = new Worker(entry.script, { eval: entry.eval, workerData: init });
      this.worker.on('message', (m: BatchReply) => this.receive(m));
      this.worker.on('error', (e) => this.stop(e));
      this.worker.on('exit', () => this.stop(new Error('the batch worker exited')));
      this.stats.threaded = true;
    } catch {
      this.worker = undefined;
    }
  }

  /** Starts making the batch for `key` (an iteration) on the worker. */
  request(key: number, indices: Uint32Array, seed: number): void {
    if (!this.worker || this.pending.has(key)) return;
    const batch = new Promise<Batch>((resolve, reject) => this.waiting.set(key, { resolve, reject }));
    batch.catch(() => undefined); // a failed prefetch is redone in take()
    this.pending.set(key, { indices, seed, batch });
    this.worker.postMessage({ key, indices, seed } satisfies BatchRequest);
  }

  /** The batch for `key`: the prefetched one when it was asked for with the same indices and seed, else made now. */
  async take(key: number, indices: Uint32Array, seed: number): Promise<Batch> {
    const t0 = performance.now();
    const p = this.pending.get(key);
    this.pending.delete(key);
    // A prefetch for other indices or another seed is dropped: its reply must not count as a batch made.
    if (p && !(p.seed === seed && sameIndices(p.indices, indices))) this.waiting.delete(key);
    let batch: Batch | undefined;
    if (p && p.seed === seed && sameIndices(p.indices, indices)) batch = await p.batch.catch(() => undefined);
    if (!batch) {
      const m0 = performance.now();
      batch = makeSeededBatch(this.split, indices, this.info, this.mean, this.augment, seed);
      this.stats.batches++;
      this.stats.makeMs += performance.now() - m0;
    }
    this.stats.waitMs += performance.now() - t0;
    return batch;
  }

  pipelineStats(): PipelineStats {
    return { ...this.stats };
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.stop(new Error('the batch prefetcher was disposed'));
    if (w) await w.terminate();
  }

  private receive(m: BatchReply): void {
    const w = this.waiting.get(m.key);
    this.waiting.delete(m.key);
    if (!w) return;
    if ('error' in m) return w.reject(new Error(m.error));
    this.stats.batches++;
    this.stats.makeMs += m.ms;
    w.resolve({ x: m.x, labels: m.labels, size: m.size });
  }

  /** After a worker failure every batch is made on this thread. */
  private stop(e: Error): void {
    this.worker = undefined;
    this.stats.threaded = false;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

function sameIndices(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The worker thread's side (src/trainer/batchWorker.ts). */
export function serveBatches(
  init: BatchWorkerInit,
  port: {
    on(e: 'message', f: (r: BatchRequest) => void): void;
    postMessage(m: BatchReply, transfer?: ArrayBuffer[]): void;
  },
): void {
  const split: Split = { images: new Uint8Array(init.images), labels: new Uint8Array(init.labels), count: init.count };
  port.on('message', (r) => {
    try {
      const t0 = performance.now();
      const b = makeSeededBatch(split, r.indices, init.info, init.mean, init.augment, r.seed);
      port.postMessage({ key: r.key, x: b.x, labels: b.labels, size: b.size, ms: performance.now() - t0 }, [
        b.x.buffer,
        b.labels.buffer,
      ]);
    } catch (e) {
      port.postMessage({ key: r.key, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

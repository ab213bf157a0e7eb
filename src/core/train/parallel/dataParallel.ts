// Data-parallel training on worker threads, for the WASM backend (one thread
// per backend instance in Node): N workers, each with its own tfjs and WASM
// backend, compute gradients on their shares of every batch at the same time.
//
// Per step:
//   1. the main thread writes the batch into a shared input buffer and tells
//      each worker its share (contiguous, sizes differing by at most one);
//   2. each worker loads the shared weights and moving statistics, runs the
//      training step on its share and writes its gradient and moving
//      statistics into its own slot of shared memory;
//   3. the main thread averages the slots, weighted by share size (the mean
//      gradient of the whole batch when batch norm is absent or frozen),
//      takes gradient norms from the average, and applies the SGD update to
//      the shared weights and velocities (math.ts: Sgd's arithmetic exactly).
// Nothing of the model's size goes through messages.
//
// Batch norm: each worker normalises with the statistics of its own share
// (as He et al. trained on 2 GPUs with 64 images each for a batch of 128).
// The moving mean and variance are then AVERAGED over the workers (weighted
// by share) after every step and loaded back into every worker, so all
// workers, the main thread's replica and the checkpoints hold one set. For
// the moving mean this equals what one worker would compute on the whole
// batch; for the variance it is the mean of the per-share variances (which
// leaves out the spread between the shares' means: slightly smaller).
//
// The main thread keeps its model as a replica: `syncReplica` copies the
// shared weights and statistics into it before evaluation and checkpoints,
// which therefore keep their format; `state`/`restore` read and write the
// velocities in Sgd's checkpoint layout.
import { Worker } from 'node:worker_threads';
import type * as tfjs from '@tensorflow/tfjs';
import { workerEntry } from '../../workerEntry';
import type { Batch } from '../../data/batches';
import type { DataInfo } from '../../lib/types';
import type { Stepper } from '../stepper';
import { evaluate, EvalResult, StepResult } from '../steps';
import { allFinite, isDecayed, layerGradNorms, Layout, layoutOf, sgdUpdate, VarSpec, weightedAverage } from './math';
import type { FromWorker, InputBuffers, ToWorker, WorkerInit, WorkerMemory } from './messages';

type TF = typeof tfjs;

export interface DataParallelOptions {
  tf: TF;
  /** The main thread's model: its weights start the workers, and it is kept as the replica. */
  model: tfjs.LayersModel;
  info: DataInfo;
  workers: number;
  momentum: number;
  weightDecay: number;
  /** Layer name of each trainable variable, for gradient norms (as StepContext.layerOf). */
  layerOf: string[];
  /** The user's model file, for workers to evaluate when the model has custom classes. */
  source?: { file: string; experiment: string };
  /** Largest batch expected (the input buffers grow if a larger one comes). */
  batchSize?: number;
}

export interface WorkerMemoryReport extends WorkerMemory {
  worker: number;
  peakWasmBytes: number;
  peakHeapBytes: number;
  /** Steps done and the time spent in them (ms), for measuring how busy the workers are. */
  steps: number;
  busyMs: number;
}

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

export class DataParallel implements Stepper {
  readonly mode = 'data-parallel';
  private readonly workers: Worker[] = [];
  private readonly pending: (Pending | undefined)[] = [];
  private readonly memoryOf: WorkerMemoryReport[] = [];
  private failure: Error | undefined;
  private input: InputBuffers | undefined;
  private inputSent: boolean[] = [];
  private capacity = 0;
  private nextId = 1;
  private disposed = false;

  private readonly tf: TF;
  private readonly trainable: tfjs.LayerVariable[];
  private readonly nonTrainable: tfjs.LayerVariable[];
  private readonly P: Layout;
  private readonly S: Layout;
  private readonly decays: boolean[];
  /** Shared: weights, velocities (main thread only, but kept beside them), statistics, per-worker slots. */
  private readonly weights: Float32Array;
  private readonly velocity: Float32Array;
  private readonly stats: Float32Array;
  private readonly grads: Float32Array;
  private readonly statSlots: Float32Array;
  private readonly avgGrad: Float32Array;

  private constructor(private readonly o: DataParallelOptions) {
    this.tf = o.tf;
    this.trainable = o.model.trainableWeights;
    this.nonTrainable = o.model.nonTrainableWeights;
    const spec = (vs: tfjs.LayerVariable[]): VarSpec[] =>
      vs.map((v) => ({ name: v.originalName ?? v.name, shape: v.shape as number[] }));
    this.P = layoutOf(spec(this.trainable));
    this.S = layoutOf(spec(this.nonTrainable));
    this.decays = this.P.vars.map((v) => isDecayed(v.name));
    const shared = (floats: number) => new Float32Array(new SharedArrayBuffer(Math.max(1, floats) * 4));
    this.weights = shared(this.P.total);
    this.velocity = shared(this.P.total);
    this.stats = shared(this.S.total);
    this.grads = shared(o.workers * this.P.total);
    this.statSlots = shared(o.workers * this.S.total);
    this.avgGrad = new Float32Array(this.P.total);
    this.read(this.trainable, this.weights, this.P);
    this.read(this.nonTrainable, this.stats, this.S);
  }

  /** Starts the workers and waits until each has built the model. */
  static async create(o: DataParallelOptions): Promise<DataParallel> {
    if (!(o.workers >= 1)) throw new Error(`workers must be at least 1, not ${o.workers}`);
    const dp = new DataParallel(o);
    try {
      await dp.start();
    } catch (e) {
      await dp.dispose();
      throw e;
    }
    return dp;
  }

  get count(): number {
    return this.workers.length;
  }

  private read(vars: tfjs.LayerVariable[], flat: Float32Array, layout: Layout): void {
    vars.forEach((v, i) => flat.set(v.read().dataSync(), layout.offsets[i]));
  }

  private async start(): Promise<void> {
    const entry = workerEntry('worker.ts', 'trainer-worker.js');
    const topology = withoutInitializers(JSON.parse(this.o.model.toJSON(null, true) as string));
    const ready: Promise<FromWorker>[] = [];
    for (let index = 0; index < this.o.workers; index++) {
      const init: WorkerInit = {
        index,
        topology,
        info: this.o.info,
        source: this.o.source,
        trainable: this.P.vars,
        nonTrainable: this.S.vars,
        weights: this.weights.buffer as SharedArrayBuffer,
        stats: this.stats.buffer as SharedArrayBuffer,
        grads: this.grads.buffer as SharedArrayBuffer,
        statSlots: this.statSlots.buffer as SharedArrayBuffer,
      };
      const worker = new Worker(entry.script, { eval: entry.eval, workerData: init });
      this.workers.push(worker);
      this.memoryOf.push({
        worker: index,
        wasmBytes: 0,
        heapBytes: 0,
        peakWasmBytes: 0,
        peakHeapBytes: 0,
        steps: 0,
        busyMs: 0,
      });
      ready.push(this.expect(index));
      worker.on('message', (m: FromWorker) => this.receive(index, m));
      worker.on('error', (e) => this.abort(new Error(`training worker ${index} failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!this.disposed) this.abort(new Error(`training worker ${index} exited (code ${code})`));
      });
    }
    await Promise.all(ready);
  }

  private expect(index: number): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending[index] = { resolve, reject };
    });
  }

  private receive(index: number, m: FromWorker): void {
    if (m.type === 'error') {
      this.abort(new Error(`training worker ${index}: ${m.message}`), m.stack);
      return;
    }
    const mem = this.memoryOf[index];
    mem.wasmBytes = m.wasmBytes;
    mem.heapBytes = m.heapBytes;
    mem.peakWasmBytes = Math.max(mem.peakWasmBytes, m.wasmBytes);
    mem.peakHeapBytes = Math.max(mem.peakHeapBytes, m.heapBytes);
    if (m.type === 'done') {
      mem.steps++;
      mem.busyMs += m.busyMs;
    }
    const p = this.pending[index];
    this.pending[index] = undefined;
    p?.resolve(m);
  }

  private abort(e: Error, stack?: string): void {
    if (stack) e.stack = `${e.message}\n${stack.split('\n').slice(1).join('\n')}`;
    this.failure ??= e;
    this.pending.forEach((p, i) => {
      p?.reject(this.failure!);
      this.pending[i] = undefined;
    });
  }

  private ensureCapacity(batchSize: number): void {
    if (this.input && batchSize <= this.capacity) return;
    const [h, w, c] = this.o.info.inputShape;
    this.capacity = Math.max(batchSize, this.o.batchSize ?? 0);
    this.input = {
      x: new SharedArrayBuffer(this.capacity * h * w * c * 4),
      labels: new SharedArrayBuffer(this.capacity * 4),
    };
    this.inputSent = this.workers.map(() => false);
  }

  /** One training step on `batch` with learning rate `lr`: the same result as trainStep with Sgd. */
  async step(batch: Batch, lr: number, withNorms: boolean): Promise<StepResult> {
    if (this.failure) throw this.failure;
    this.ensureCapacity(batch.size);
    new Float32Array(this.input!.x).set(batch.x);
    new Int32Array(this.input!.labels).set(batch.labels);
    // Contiguous shares, sizes differing by at most one.
    const n = this.workers.length;
    const shares = this.workers.map((_, i) => {
      const start = Math.floor((i * batch.size) / n);
      return { start, count: Math.floor(((i + 1) * batch.size) / n) - start };
    });
    const id = this.nextId++;
    const replies = await Promise.all(
      this.workers.map((worker, i) => {
        if (shares[i].count === 0) return Promise.resolve(undefined);
        const reply = this.expect(i);
        const message: ToWorker = { type: 'step', id, ...shares[i], input: this.inputSent[i] ? undefined : this.input };
        this.inputSent[i] = true;
        worker.postMessage(message);
        return reply;
      }),
    );
    const fractions = shares.map((s) => s.count / batch.size);
    let loss = 0,
      errors = 0;
    replies.forEach((r, i) => {
      if (!r) return;
      if (r.type !== 'done' || r.id !== id) throw new Error(`training worker ${i} answered out of turn`);
      loss += fractions[i] * r.loss;
      errors += r.errors;
    });
    const P = this.P.total,
      S = this.S.total;
    weightedAverage(this.avgGrad, this.grads, fractions, P);
    // wasm's kernels can turn NaN into ±Infinity and leave the loss finite: a non-finite gradient is divergence too.
    const result: StepResult = { loss: allFinite(this.avgGrad, P) ? Math.fround(loss) : NaN, errors };
    if (withNorms) result.gradNorms = layerGradNorms(this.avgGrad, this.P, this.o.layerOf);
    sgdUpdate(this.weights, this.velocity, this.avgGrad, this.P, this.decays, lr, this.o.momentum, this.o.weightDecay);
    if (S) weightedAverage(this.stats, this.statSlots, fractions, S);
    return result;
  }

  /** Copies the current weights and moving statistics into the main thread's model. */
  syncReplica(): void {
    const tf = this.tf;
    tf.tidy(() => {
      const write = (vars: tfjs.LayerVariable[], flat: Float32Array, layout: Layout) =>
        vars.forEach((v, i) =>
          v.write(tf.tensor(flat.slice(layout.offsets[i], layout.offsets[i] + layout.sizes[i]), v.shape as number[])),
        );
      write(this.trainable, this.weights, this.P);
      write(this.nonTrainable, this.stats, this.S);
    });
  }

  async syncModel(): Promise<void> {
    this.syncReplica();
  }

  /** On the main thread's replica, brought up to date first. */
  async evaluate(batches: Iterable<Batch>, withTop?: boolean): Promise<EvalResult> {
    this.syncReplica();
    return evaluate(this.tf, this.o.model, this.o.info, batches, withTop);
  }

  /** Velocities as one flat array, in Sgd.state()'s layout (for the checkpoint). */
  async optimizerState(): Promise<Float32Array> {
    return this.velocity.slice(0, this.P.total);
  }

  /** Restores velocities saved by Sgd.state() or optimizerState(). */
  async restoreOptimizer(flat: Float32Array): Promise<void> {
    if (flat.length < this.P.total) throw new Error('optimizer state in the checkpoint does not match the model');
    this.velocity.set(flat.subarray(0, this.P.total));
  }

  /** Each worker's memory now and at its peak, and its busy time. */
  memory(): WorkerMemoryReport[] {
    return this.memoryOf.map((m) => ({ ...m }));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.abort(new Error('the data-parallel workers were stopped'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The topology with every initializer replaced by zeros: the workers get their
 * weights from shared memory, so initializing is wasted work, and an
 * initializer's config need not survive JSON (a constant NaN becomes null) or
 * be a class the worker knows.
 */
export function withoutInitializers(topology: unknown): unknown {
  if (Array.isArray(topology)) return topology.map(withoutInitializers);
  if (topology === null || typeof topology !== 'object') return topology;
  return Object.fromEntries(
    Object.entries(topology).map(([k, v]) => [
      k,
      k.endsWith('_initializer') && v !== null && typeof v === 'object'
        ? { class_name: 'Zeros', config: {} }
        : withoutInitializers(v),
    ]),
  );
}

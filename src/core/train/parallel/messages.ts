// What the main thread and the training workers say to each other. Only
// control travels in messages; weights, gradients, batch-norm statistics and
// the batch itself live in SharedArrayBuffers that both sides view.
import type { DataInfo } from '../../lib/types';
import type { VarSpec } from './math';

/** Given to each worker as its workerData. */
export interface WorkerInit {
  index: number;
  /** The model's topology (model.toJSON() parsed): the worker rebuilds it with tf.models.modelFromJSON. */
  topology: unknown;
  info: DataInfo;
  /** The user's model file, evaluated in the worker only when the topology names a class it does not know. */
  source?: { file: string; experiment: string };
  trainable: VarSpec[];
  nonTrainable: VarSpec[];
  /** The current weights (P floats), written by the main thread between steps. */
  weights: SharedArrayBuffer;
  /** Moving batch-norm statistics (S floats), averaged by the main thread between steps. */
  stats: SharedArrayBuffer;
  /** N slots of P floats: worker i writes its gradient to slot i. */
  grads: SharedArrayBuffer;
  /** N slots of S floats: worker i writes its moving statistics after its step to slot i. */
  statSlots: SharedArrayBuffer;
}

export interface InputBuffers {
  /** Images, NHWC, capacity * h * w * c floats. */
  x: SharedArrayBuffer;
  labels: SharedArrayBuffer;
}

export type ToWorker =
  /** Load the shared weights and statistics, train on examples [start, start + count) of the input buffers. */
  { type: 'step'; id: number; start: number; count: number; input?: InputBuffers };

export interface WorkerMemory {
  /** The worker's WebAssembly heap (it grows with the largest batch and never shrinks). */
  wasmBytes: number;
  /** The worker's V8 heap in use. */
  heapBytes: number;
}

export type FromWorker =
  | ({ type: 'ready' } & WorkerMemory)
  /** `busyMs`: the worker's time from receiving the step to its answer. */
  | ({ type: 'done'; id: number; loss: number; errors: number; busyMs: number } & WorkerMemory)
  | { type: 'error'; message: string; stack?: string };

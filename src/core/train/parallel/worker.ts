// One data-parallel training worker (a worker thread with its own tfjs and
// its own WASM backend). Per step it loads the shared weights and moving
// statistics, runs the ordinary training step (src/core/train/steps.ts) on
// its share of the batch with batch norm in training mode (statistics of its
// own share, as in the paper's multi-GPU setup), and writes its gradient and
// its updated moving statistics to its slots in shared memory. It never
// applies an update: the main thread averages the slots and updates the
// shared weights, so every worker starts every step from the same weights.
import * as tfjs from '@tensorflow/tfjs';
import * as v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { initWasm } from '../../backend/wasmConvGrads';
import * as lib from '../../lib';
import { loadExperiment } from '../userModel';
import { layoutMismatch, layoutOf, VarSpec } from './math';
import type { FromWorker, InputBuffers, ToWorker, WorkerInit, WorkerMemory } from './messages';
import { StepContext, trainStep } from '../steps';

const tf = tfjs;

function memory(): WorkerMemory {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return { wasmBytes: backend.wasm?.HEAPU8?.buffer.byteLength ?? 0, heapBytes: v8.getHeapStatistics().used_heap_size };
}

async function buildModel(init: WorkerInit): Promise<tfjs.LayersModel> {
  try {
    return await tf.models.modelFromJSON({ modelTopology: init.topology } as tfjs.io.ModelArtifacts as never);
  } catch (e) {
    // A class the worker does not know (a custom layer in the user's file):
    // evaluate that file here too, which registers it, and try again.
    if (!init.source) throw e;
    await loadExperiment(tf, lib, init.source.file, init.source.experiment);
    return await tf.models.modelFromJSON({ modelTopology: init.topology } as tfjs.io.ModelArtifacts as never);
  }
}

const specs = (vars: tfjs.LayerVariable[]): VarSpec[] =>
  vars.map((v) => ({ name: v.originalName ?? v.name, shape: v.shape as number[] }));

/** Writes slices of a flat shared vector into variables. */
function load(vars: tfjs.LayerVariable[], flat: Float32Array, offsets: number[], sizes: number[]): void {
  tf.tidy(() => {
    vars.forEach((v, i) => v.write(tf.tensor(flat.slice(offsets[i], offsets[i] + sizes[i]), v.shape as number[])));
  });
}

export async function runWorker(): Promise<void> {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  const fail = (e: unknown) =>
    post({
      type: 'error',
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  try {
    const init = workerData as WorkerInit;
    await initWasm(tf);
    const model = await buildModel(init);
    const trainable = model.trainableWeights,
      nonTrainable = model.nonTrainableWeights;
    const mismatch =
      layoutMismatch(init.trainable, specs(trainable)) ?? layoutMismatch(init.nonTrainable, specs(nonTrainable));
    if (mismatch) throw new Error(`the worker's copy of the model differs from the main thread's: ${mismatch}`);
    const P = layoutOf(init.trainable),
      S = layoutOf(init.nonTrainable);
    const weights = new Float32Array(init.weights),
      stats = new Float32Array(init.stats);
    const gradSlot = new Float32Array(init.grads, init.index * P.total * 4, P.total);
    const statSlot = new Float32Array(init.statSlots, init.index * S.total * 4, S.total);
    let x = new Float32Array(0),
      labels = new Int32Array(0);
    const [h, w, c] = init.info.inputShape;
    const size = h * w * c;

    const ctx: StepContext = {
      tf,
      model,
      info: init.info,
      vars: trainable,
      layerOf: [],
      // Called by trainStep with the gradient of the loss on this worker's
      // share, before the gradients are freed: copy them out, apply nothing.
      apply: (grads) => {
        grads.forEach((g, i) => gradSlot.set(g.dataSync(), P.offsets[i]));
      },
    };

    port.on('message', (m: ToWorker) => {
      void (async () => {
        const t0 = performance.now();
        try {
          if (m.input) ({ x, labels } = views(m.input));
          load(trainable, weights, P.offsets, P.sizes);
          if (S.total) load(nonTrainable, stats, S.offsets, S.sizes);
          const batch = {
            x: x.slice(m.start * size, (m.start + m.count) * size),
            labels: labels.slice(m.start, m.start + m.count),
            size: m.count,
          };
          const step = await trainStep(ctx, batch, 0, false);
          // Batch norm's forward pass in training mode moved its statistics.
          nonTrainable.forEach((v, i) => statSlot.set(v.read().dataSync(), S.offsets[i]));
          post({
            type: 'done',
            id: m.id,
            loss: step.loss,
            errors: step.errors,
            busyMs: performance.now() - t0,
            ...memory(),
          });
        } catch (e) {
          fail(e);
        }
      })();
    });
    post({ type: 'ready', ...memory() });
  } catch (e) {
    fail(e);
  }
}

function views(input: InputBuffers): { x: Float32Array; labels: Int32Array } {
  return { x: new Float32Array(input.x), labels: new Int32Array(input.labels) };
}

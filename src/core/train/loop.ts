// The training loop: a custom loop rather than model.fit, so every iteration
// reports loss, training error, learning rate and speed, gradient norms are
// sampled every K iterations, and stop/pause/resume are cooperative.
import type * as tfjs from '@tensorflow/tfjs';
import type { TrainerEvent } from '../../protocol/trainer';
import { Augment, Batch, makeBatch, pixelMean } from '../data/batches';
import { BatchPrefetcher } from '../data/prefetch';
import { Dataset, Split } from '../data/dataset';
import { mixSeed, mulberry32, permutation } from '../data/random';
import { DEFAULT_DISTRIBUTION_EVERY, type ResolvedRecipe } from '../lib/experiment';
import { recordConfusion } from '../confusion/record';
import { saveCheckpoint, TrainState } from '../runs/checkpoint';
import { appendGradients, appendMetric } from '../runs/metricRecords';
import { appendDistributions } from '../distributions/records';
import { startDistributionProbe } from '../distributions/startProbe';
import { Control, yieldToEvents } from './control';
import { learningRate, updateWarmup } from './schedule';
import { GraphChoice, startStepper } from './startStepper';
import type { StepMode } from './stepper';

type TF = typeof tfjs;

export interface LoopOptions {
  tf: TF;
  model: tfjs.LayersModel;
  dataset: Dataset;
  recipe: ResolvedRecipe;
  runDir: string;
  emit: (e: TrainerEvent) => void;
  control: Control;
  resumeFrom?: { state: TrainState; optimizer?: Float32Array };
  /** Data-parallel worker threads on the wasm backend (src/core/train/parallel); 1: train on this thread; absent: one per core. */
  workers?: number;
  /** Graph mode on the native backend (./graph): 'auto' (default) or 'off'. */
  graph?: GraphChoice;
  /** Told which stepper trains, before the first step (for run.json and the panel). */
  onMode?: (mode: StepMode) => void;
  /** Make the next batch on a worker thread while the current step runs (default); false: on this thread. */
  prefetch?: boolean;
  /** The model file, for workers to evaluate when the model has custom layers. */
  source?: { file: string; experiment: string };
}

export interface LoopResult {
  status: 'finished' | 'stopped';
  iteration: number;
  trainError: number | null;
  testError: number | null;
}

export class DivergedError extends Error {
  constructor(
    readonly iteration: number,
    loss: number,
  ) {
    super(
      `diverged at iteration ${iteration}: the loss became ${loss}. Lower the learning rate (or add a warm-up) and train again.`,
    );
  }
}

/** A test loss that is not a number: the model's inference-time output is not finite (training's may still be). */
export class TestLossError extends DivergedError {
  constructor(iteration: number, epoch: number, loss: number) {
    super(iteration, loss);
    this.message = `diverged at iteration ${iteration}: the test loss became ${loss} at the end of epoch ${epoch} (iteration ${iteration}): the model's output at test time (inference mode) is not finite. Check layers that behave differently when not training, or lower the learning rate, and train again.`;
  }
}

export function plan(recipe: ResolvedRecipe, trainCount: number) {
  const iterationsPerEpoch = Math.max(1, Math.floor(trainCount / recipe.batchSize));
  const totalIterations = recipe.iterations ?? recipe.epochs * iterationsPerEpoch;
  return { iterationsPerEpoch, totalIterations, epochs: Math.ceil(totalIterations / iterationsPerEpoch) };
}

function* evalBatches(split: Split, ds: Dataset, mean: Float32Array, size = 256): Generator<Batch> {
  for (let i = 0; i < split.count; i += size) {
    const idx = Array.from({ length: Math.min(size, split.count - i) }, (_, k) => i + k);
    yield makeBatch(split, idx, ds.info, mean, false);
  }
}

export async function runTraining(o: LoopOptions): Promise<LoopResult> {
  const { tf, model, dataset: ds, recipe, runDir, emit, control } = o;
  const { iterationsPerEpoch, totalIterations } = plan(recipe, ds.train.count);
  const mean = pixelMean(ds.train, ds.info);
  const vars = model.trainableWeights;
  const layerOf = vars.map((v) => model.layers.find((l) => l.trainableWeights.includes(v))?.name ?? v.name);
  const stepper = await startStepper({
    tf,
    model,
    info: ds.info,
    layerOf,
    emit,
    batchSize: recipe.batchSize,
    graph: o.graph,
    workers: o.workers,
    source: o.source,
    optimizer: { momentum: recipe.optimizer.momentum, weightDecay: recipe.optimizer.weightDecay },
  });
  o.onMode?.(stepper.mode);
  if (o.resumeFrom?.optimizer) await stepper.restoreOptimizer(o.resumeFrom.optimizer);
  const augment: Augment | false = recipe.augment ? { pad: recipe.augment.pad, flip: recipe.augment.flip } : false;
  const batches = new BatchPrefetcher(ds.train, ds.info, mean, augment, { threaded: o.prefetch });
  // Crops and flips depend only on (seed, iteration): a resumed run, and the prefetcher, make the same batches.
  const batchSeed = (iteration: number) => mixSeed(recipe.seed, 13, iteration);

  const state: TrainState = o.resumeFrom?.state ?? {
    iteration: 0,
    epoch: 0,
    batchInEpoch: 0,
    bestTestError: null,
    warmupDone: false,
  };
  let lastTrainError: number | null = null,
    lastTestError: number | null = null;
  let recentError = 1;

  const checkpoint = async (kind: 'latest' | 'best') => {
    await stepper.syncModel();
    const path = await saveCheckpoint(
      tf,
      runDir,
      kind,
      model,
      state,
      kind === 'latest' ? await stepper.optimizerState() : undefined,
    );
    emit({ type: 'checkpoint', kind, iteration: state.iteration, epoch: state.epoch, path });
  };

  // Kernels and block outputs every `distributionEvery` iterations, and once before the first step of a fresh run.
  const probe = startDistributionProbe(tf, model, ds, mean);
  const distributionEvery = recipe.distributionEvery ?? DEFAULT_DISTRIBUTION_EVERY; // a run.json from before the setting
  const recordDistributions = async () => {
    await stepper.syncModel();
    appendDistributions(runDir, await probe.sample(state.iteration));
  };

  control.training = true;
  try {
    if (state.iteration === 0) await recordDistributions();
    while (state.iteration < totalIterations) {
      const epochStart = Date.now();
      // The epoch's order depends only on (seed, epoch): a resumed run sees the same batches.
      const order = permutation(ds.train.count, mulberry32(mixSeed(recipe.seed, 11, state.epoch)));
      const sums = state.epochSums ?? { loss: 0, errors: 0, seen: 0 };
      state.epochSums = sums;
      while (state.batchInEpoch < iterationsPerEpoch && state.iteration < totalIterations) {
        await yieldToEvents();
        if (control.isPaused) {
          emit({ type: 'state', state: 'paused' });
          await control.waitWhilePaused();
          if (!control.stopRequested) emit({ type: 'state', state: 'running' });
        }
        if (control.stopRequested) {
          await checkpoint('latest');
          if (control.failure) throw control.failure;
          return {
            status: 'stopped',
            iteration: state.iteration,
            trainError: lastTrainError,
            testError: lastTestError,
          };
        }
        const t0 = performance.now();
        const indicesOf = (b: number) =>
          order.subarray(b * recipe.batchSize, Math.min((b + 1) * recipe.batchSize, ds.train.count));
        const batch = await batches.take(state.iteration, indicesOf(state.batchInEpoch), batchSeed(state.iteration));
        if (state.batchInEpoch + 1 < iterationsPerEpoch && state.iteration + 1 < totalIterations) {
          batches.request(state.iteration + 1, indicesOf(state.batchInEpoch + 1), batchSeed(state.iteration + 1));
        }
        const lr = learningRate(recipe, totalIterations, state.iteration, state);
        const withNorms = state.iteration % recipe.gradientNormEvery === 0;
        const step = await stepper.step(batch, lr, withNorms);
        if (!Number.isFinite(step.loss)) throw new DivergedError(state.iteration + 1, step.loss);
        state.iteration++;
        state.batchInEpoch++;
        const trainError = step.errors / batch.size;
        recentError = 0.9 * recentError + 0.1 * trainError;
        updateWarmup(recipe, state.iteration, recentError, state);
        sums.loss += step.loss * batch.size;
        sums.errors += step.errors;
        sums.seen += batch.size;
        const event = {
          type: 'iteration' as const,
          iteration: state.iteration,
          epoch: state.epoch + 1,
          loss: step.loss,
          trainError,
          lr,
          imagesPerSec: batch.size / ((performance.now() - t0) / 1000),
        };
        appendMetric(runDir, event);
        emit(event);
        if (step.gradNorms) {
          const record = { iteration: state.iteration, layers: step.gradNorms };
          appendGradients(runDir, record);
          emit({ type: 'gradients', ...record });
        }
        if (state.iteration % distributionEvery === 0) await recordDistributions();
      }
      const test = await stepper.evaluate(evalBatches(ds.test, ds, mean), true);
      const val = ds.validation ? await stepper.evaluate(evalBatches(ds.validation, ds, mean)) : undefined;
      if (!Number.isFinite(test.loss)) throw new TestLossError(state.iteration, state.epoch + 1, test.loss);
      lastTrainError = sums.seen ? sums.errors / sums.seen : lastTrainError;
      lastTestError = test.error;
      const epochEvent = {
        type: 'epoch' as const,
        epoch: state.epoch + 1,
        iteration: state.iteration,
        trainLoss: sums.seen ? sums.loss / sums.seen : NaN,
        trainError: lastTrainError ?? NaN,
        testLoss: test.loss,
        testError: test.error,
        valError: val?.error,
        seconds: (Date.now() - epochStart) / 1000,
        rssMB: Math.round(process.memoryUsage.rss() / 2 ** 20),
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      // Before the epoch record: a reader that sees the epoch finds its confusion line already there.
      if (test.top) recordConfusion(runDir, epochEvent, ds.test.labels, ds.info.numClasses, test.top);
      appendMetric(runDir, epochEvent);
      emit(epochEvent);
      state.epoch++;
      state.batchInEpoch = 0;
      state.epochSums = undefined;
      const best = state.bestTestError === null || test.error < state.bestTestError;
      if (best) state.bestTestError = test.error;
      await checkpoint('latest');
      if (best) await checkpoint('best');
    }
    if (control.failure) throw control.failure;
    return { status: 'finished', iteration: state.iteration, trainError: lastTrainError, testError: lastTestError };
  } finally {
    control.training = false;
    const p = batches.pipelineStats();
    if (p.batches) {
      emit({
        type: 'log',
        level: 'info',
        message: `data pipeline: ${(p.makeMs / p.batches).toFixed(1)} ms per batch ${p.threaded ? 'on its own thread' : 'on the training thread'}; the loop waited ${(p.waitMs / p.batches).toFixed(2)} ms per batch for it`,
      });
    }
    await batches.dispose();
    try {
      await stepper.syncModel(); // the caller's model ends with the run's weights
    } catch (e) {
      // Only after a failed step (the original error is on its way out): say so, never mask it.
      emit({
        type: 'log',
        level: 'warn',
        message: `the model could not be brought up to date after the run: ${(e as Error).message}`,
      });
    } finally {
      await stepper.dispose();
    }
  }
}

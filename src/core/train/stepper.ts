// One interface for every way of taking a training step: eagerly on this
// thread, as one TensorFlow graph (native backend), or data-parallel over wasm
// worker threads. The loop (./loop.ts) sees only this; `startStepper` is the
// one place that decides which runs.
import type * as tfjs from '@tensorflow/tfjs';
import type { StepMode, TrainerEvent } from '../../protocol/trainer';
import type { Batch } from '../data/batches';
import type { DataInfo } from '../lib/types';
import { Sgd, SgdConfig } from './optimizer';
import { evaluate, EvalResult, StepContext, StepResult, trainStep } from './steps';

type TF = typeof tfjs;

export type { StepMode };

export interface Stepper {
  readonly mode: StepMode;
  /** One SGD step on the batch; gradient norms per layer when asked. */
  step(batch: Batch, lr: number, withNorms: boolean): Promise<StepResult>;
  /** Loss and error over batches, in inference mode, with the current weights; with `withTop`, each example's top-k too (same pass). */
  evaluate(batches: Iterable<Batch>, withTop?: boolean): Promise<EvalResult>;
  /** Momentum buffers as one flat array, in the trainable weights' order (the checkpoint's layout, the same for every mode). */
  optimizerState(): Promise<Float32Array>;
  restoreOptimizer(flat: Float32Array): Promise<void>;
  /** Makes the tfjs model hold the current weights (before a checkpoint, an analysis, or the end). */
  syncModel(): Promise<void>;
  dispose(): Promise<void>;
}

export interface StepperOptions {
  tf: TF;
  model: tfjs.LayersModel;
  info: DataInfo;
  optimizer: SgdConfig;
  /** Layer name of each trainable variable, for gradient norms. */
  layerOf: string[];
}

export type GraphChoice = 'auto' | 'off';

export interface StartStepperOptions extends StepperOptions {
  emit: (e: TrainerEvent) => void;
  batchSize: number;
  /** Graph mode on the native backend: 'auto' (default) compiles the step when the model allows it. */
  graph?: GraphChoice;
  /** Data-parallel worker threads on the wasm backend; 1: none; absent: one per core. */
  workers?: number;
  /** The model file, for workers to evaluate when the model has custom layers. */
  source?: { file: string; experiment: string };
}

/** tfjs op by op on this thread: every backend can do it. */
export class EagerStepper implements Stepper {
  readonly mode = 'eager';
  private readonly sgd: Sgd;
  private readonly ctx: StepContext;

  constructor(private readonly o: StepperOptions) {
    const vars = o.model.trainableWeights;
    this.sgd = new Sgd(o.tf, vars, o.optimizer);
    this.ctx = {
      tf: o.tf,
      model: o.model,
      info: o.info,
      vars,
      layerOf: o.layerOf,
      apply: (g, lr) => this.sgd.apply(g, lr),
    };
  }

  step(batch: Batch, lr: number, withNorms: boolean): Promise<StepResult> {
    return trainStep(this.ctx, batch, lr, withNorms);
  }

  evaluate(batches: Iterable<Batch>, withTop?: boolean): Promise<EvalResult> {
    return evaluate(this.o.tf, this.o.model, this.o.info, batches, withTop);
  }

  optimizerState(): Promise<Float32Array> {
    return this.sgd.state();
  }

  async restoreOptimizer(flat: Float32Array): Promise<void> {
    this.sgd.restore(flat);
  }

  async syncModel(): Promise<void> {}

  async dispose(): Promise<void> {
    this.sgd.dispose();
  }
}

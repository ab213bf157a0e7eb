// `experiment({...})` is what a workspace file exports: a model, data and a
// training recipe. Everything left out defaults to the paper's CIFAR recipe
// (He et al. 2015, Section 4.2).
import { DataSpec, synthetic } from './data';
import { seedProblem } from './seed';
import { ModelFactory } from './types';

/**
 * Always SGD with momentum, as in the paper. There is deliberately no Adam:
 * `type: 'adam'` used to be accepted and silently trained with SGD at Adam's
 * learning rate, so `experiment()` now refuses any other type.
 */
export interface OptimizerConfig {
  type?: 'sgd';
  lr?: number;
  momentum?: number;
  /** L2 penalty on conv and dense kernels only (not biases or batch-norm). */
  weightDecay?: number;
}

export interface ScheduleConfig {
  /** Iterations at which the learning rate is multiplied by `gamma`; by default 50% and 75% of the run (32k and 48k of 64k in the paper). */
  milestones?: number[];
  gamma?: number;
  /** ResNet-110's warm-up: a small lr until training error falls below a threshold. */
  warmup?: { lr: number; untilTrainError?: number; maxIterations?: number };
}

export interface AugmentConfig {
  /** Pixels of zero padding on each side before the random crop. */
  pad?: number;
  /** Random horizontal flips: by default on, except for MNIST's digits. */
  flip?: boolean;
}

/**
 * The paper flips CIFAR-10's photos, and a flipped shirt or shoe is still one;
 * a mirrored digit is not a digit (2, 3, 4, 7, 9 ...), so MNIST gets no flips
 * unless an experiment asks for them.
 */
export function flipsByDefault(data: DataSpec): boolean {
  return data.name !== 'mnist';
}

export interface ExperimentConfig {
  model: ModelFactory;
  data?: DataSpec;
  epochs?: number;
  /** Overrides `epochs` when set. */
  iterations?: number;
  batchSize?: number;
  optimizer?: OptimizerConfig;
  schedule?: ScheduleConfig;
  augment?: boolean | AugmentConfig;
  seed?: number;
  /** Layers' gradient norms are recorded every this many iterations. */
  gradientNormEvery?: number;
  /** Kernel and block-output distributions are recorded every this many iterations (and at iteration 0). */
  distributionEvery?: number;
}

export interface Experiment {
  readonly kind: 'resnet-lab/experiment';
  readonly config: ExperimentConfig;
}

export function experiment(config: ExperimentConfig): Experiment {
  if (typeof config?.model !== 'function') {
    throw new Error(
      'experiment({ model }) needs a model factory, e.g. resnetCifar({ depth: 20 }) or (info) => tf.model(...)',
    );
  }
  const type = (config.optimizer as { type?: unknown } | undefined)?.type;
  if (type !== undefined && type !== 'sgd') {
    throw new Error(
      `optimizer type ${JSON.stringify(type)} is not supported: ResNet Lab trains with SGD + momentum as the paper does; remove "type" and set lr, momentum, weightDecay`,
    );
  }
  const every = config.distributionEvery;
  if (every !== undefined && !(Number.isInteger(every) && every > 0))
    throw new Error(`distributionEvery must be a positive whole number of iterations, not ${String(every)}`);
  if (config.seed !== undefined) {
    const problem = seedProblem(config.seed);
    if (problem) throw new Error(problem);
  }
  return { kind: 'resnet-lab/experiment', config };
}

export function isExperiment(value: unknown): value is Experiment {
  return typeof value === 'object' && value !== null && (value as Experiment).kind === 'resnet-lab/experiment';
}

/** Distributions every 100 iterations: a small share of ResNet-56's training time in native graph mode (npm run bench), 1,000 records in a 100k run. */
export const DEFAULT_DISTRIBUTION_EVERY = 100;

/** The recipe with every default filled in: what a run records in run.json. */
export interface ResolvedRecipe {
  data: DataSpec;
  epochs: number;
  iterations?: number;
  batchSize: number;
  optimizer: Required<OptimizerConfig>;
  schedule: { milestones?: number[]; gamma: number; warmup?: ScheduleConfig['warmup'] };
  augment: Required<AugmentConfig> | false;
  seed: number;
  gradientNormEvery: number;
  distributionEvery: number;
}

export function resolveRecipe(c: Omit<ExperimentConfig, 'model'>): ResolvedRecipe {
  const opt = c.optimizer ?? {};
  const data = c.data ?? synthetic();
  return {
    data,
    epochs: c.epochs ?? 10,
    iterations: c.iterations,
    batchSize: c.batchSize ?? 128,
    optimizer: {
      type: 'sgd',
      lr: opt.lr ?? 0.1,
      momentum: opt.momentum ?? 0.9,
      weightDecay: opt.weightDecay ?? 1e-4,
    },
    schedule: { milestones: c.schedule?.milestones, gamma: c.schedule?.gamma ?? 0.1, warmup: c.schedule?.warmup },
    augment:
      c.augment === false
        ? false
        : { pad: 4, flip: flipsByDefault(data), ...(typeof c.augment === 'object' ? c.augment : {}) },
    seed: c.seed ?? 1,
    gradientNormEvery: c.gradientNormEvery ?? 20,
    distributionEvery: c.distributionEvery ?? DEFAULT_DISTRIBUTION_EVERY,
  };
}

// The one protocol between the trainer process and whoever forked it (the
// extension host or the CLI). Both sides validate what they receive with these
// schemas; types are inferred from them so they cannot drift apart.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from './graph';
import { IdentityResultSchema } from './identity';

export const BackendChoiceSchema = z.enum(['auto', 'tensorflow', 'wasm', 'cpu']);
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;

export const StepModeSchema = z.enum(['eager', 'graph', 'data-parallel']);
export type StepMode = z.infer<typeof StepModeSchema>;

export const DataNameSchema = z.enum(['synthetic', 'cifar10', 'mnist', 'fashion-mnist']);
export type DataName = z.infer<typeof DataNameSchema>;

/** Command-line or settings overrides of an experiment's recipe. */
export const OverridesSchema = z.object({
  epochs: z.number().int().positive().optional(),
  iterations: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  lr: z.number().positive().optional(),
  data: DataNameSchema.optional(),
  dataDir: z.string().optional(),
  limitTrain: z.number().int().positive().optional(),
  limitTest: z.number().int().positive().optional(),
  gradientNormEvery: z.number().int().positive().optional(),
  distributionEvery: z.number().int().positive().optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** A warm-up at a small learning rate (ResNet-110's, section 4.2) for nets whose experiment has none. */
  warmup: z
    .object({
      lr: z.number().positive(),
      untilTrainError: z.number().min(0).max(1).optional(),
      maxIterations: z.number().int().positive().optional(),
    })
    .optional(),
  /** Data-parallel WASM workers (one backend per worker thread). */
  workers: z.number().int().positive().optional(),
  /** Graph mode on the native backend: each training step as one TensorFlow graph ('auto', the default), or eager ('off'). */
  graph: z.enum(['auto', 'off']).optional(),
});
export type Overrides = z.infer<typeof OverridesSchema>;

export const TrainJobSchema = z.object({
  file: z.string(),
  experiment: z.string(),
  runsDir: z.string(),
  backend: BackendChoiceSchema.default('auto'),
  overrides: OverridesSchema.default({}),
  /** Folder for downloaded data sets. */
  cacheDir: z.string().optional(),
});
export type TrainJob = z.infer<typeof TrainJobSchema>;

export const CommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), job: TrainJobSchema }),
  z.object({
    type: z.literal('resume'),
    runDir: z.string(),
    backend: BackendChoiceSchema.default('auto'),
    cacheDir: z.string().optional(),
    /** Overrides the run's own graph-mode choice (a checkpoint resumes in either mode). */
    graph: z.enum(['auto', 'off']).optional(),
  }),
  z.object({ type: z.literal('describe'), file: z.string(), experiment: z.string(), data: DataNameSchema.optional() }),
  z.object({
    type: z.literal('analyze'),
    runDir: z.string(),
    analysis: z.enum(['lesion', 'responses', 'paths']),
    /** Lesion: deleted blocks; when given, only this set is evaluated (one click in the diagram). */
    lesioned: z.array(z.string()).optional(),
    /** Lesion study: random draws per k; responses: test images used. */
    draws: z.number().int().positive().optional(),
    examples: z.number().int().positive().optional(),
    /** Paths: backward passes sampled per path length. */
    samples: z.number().int().positive().optional(),
    /** Paths on the native backend: each pass as one TensorFlow graph ('auto', the default) or op by op ('off'). */
    graph: z.enum(['auto', 'off']).optional(),
    checkpoint: z.enum(['best', 'latest']).default('latest'),
    backend: BackendChoiceSchema.default('auto'),
    cacheDir: z.string().optional(),
    /**
     * A run folder is data: a checkpoint with custom layers needs its model file
     * run, which happens only when that file is inside one of these folders (the
     * CLI's current directory, a trusted workspace's folders). Absent: none is run.
     */
    codeRoots: z.array(z.string()).optional(),
  }),
  /** Writes the experiment as a Keras 3 project (src/core/export); answered by `exported` or `failed`. */
  z.object({
    type: z.literal('export-keras'),
    file: z.string(),
    experiment: z.string(),
    outDir: z.string(),
    fromRun: z.string().optional(),
    /** The initial weights' seed instead of the experiment's (export-keras --seed, train --engine keras --seed). */
    seed: z.number().int().nonnegative().optional(),
  }),
  /** He et al. 2015, Sec. 3.1: plain and residual stacks trained to give back their input (src/trainer/identity.ts). */
  z.object({
    type: z.literal('identity'),
    file: z.string(),
    /** The export to run; absent: the file's only identity experiment. */
    experiment: z.string().optional(),
    runsDir: z.string(),
    backend: BackendChoiceSchema.default('auto'),
    overrides: z
      .object({
        blocks: z.number().int().positive().optional(),
        width: z.number().int().positive().optional(),
        iterations: z.number().int().positive().optional(),
        lr: z.number().positive().optional(),
        seed: z.number().int().min(0).max(0xffffffff).optional(),
      })
      .default({}),
  }),
  /** A sweep's axes (the file is run, no model built); answered by `sweep-axes` or `failed`. */
  z.object({ type: z.literal('sweep-axes'), file: z.string(), sweep: z.string() }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume-training') }),
]);
export type TrainerCommand = z.infer<typeof CommandSchema>;

export const DiagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});
export type SourceDiagnostic = z.infer<typeof DiagnosticSchema>;

/** Where in training a record was made: every metric record is keyed by these (src/core/runs/metricRecords.ts). */
const TrainingPoint = { iteration: z.number().int(), epoch: z.number().int() };

export const IterationEventSchema = z.object({
  type: z.literal('iteration'),
  ...TrainingPoint,
  loss: z.number(),
  trainError: z.number(),
  lr: z.number(),
  imagesPerSec: z.number(),
});
export const EpochEventSchema = z.object({
  type: z.literal('epoch'),
  ...TrainingPoint,
  trainLoss: z.number(),
  trainError: z.number(),
  testLoss: z.number(),
  testError: z.number(),
  valError: z.number().optional(),
  seconds: z.number(),
  /** The trainer's memory at the end of the epoch and its peak so far (MB): flat across epochs unless something leaks. */
  rssMB: z.number().optional(),
  peakRssMB: z.number().optional(),
});
export const GradientsEventSchema = z.object({
  type: z.literal('gradients'),
  iteration: z.number().int(),
  layers: z.array(z.object({ name: z.string(), norm: z.number() })),
});

/** Veit et al. 2016: test error with residual blocks deleted (their output becomes their shortcut). */
export const LesionResultSchema = z.object({
  testExamples: z.number().int(),
  baselineError: z.number(),
  /** One entry per residual block (or plain block), in network order. */
  blocks: z.array(z.object({ name: z.string(), error: z.number(), downsampling: z.boolean() })),
  /** Deleting k random blocks, k = 1..n, averaged over draws. */
  random: z.array(z.object({ k: z.number().int(), meanError: z.number(), errors: z.array(z.number()) })),
  /** When `lesioned` was given: the error with exactly that set deleted. */
  custom: z.object({ lesioned: z.array(z.string()), error: z.number() }).optional(),
});
export type LesionResult = z.infer<typeof LesionResultSchema>;

/** He et al. 2015, Fig. 7: std of each 3x3 layer's response (after BN, before ReLU / addition). */
export const ResponsesResultSchema = z.object({
  testExamples: z.number().int(),
  layers: z.array(z.object({ name: z.string(), index: z.number().int(), std: z.number() })),
});
export type ResponsesResult = z.infer<typeof ResponsesResultSchema>;

/**
 * Veit et al. 2016, Sec. 4.2 / Fig. 6: the gradient that reaches the input
 * through paths of each length k (k residual branches taken, the shortcut at
 * every other block). See src/core/analysis/paths.ts.
 */
export const PathsResultSchema = z.object({
  testExamples: z.number().int().nonnegative(),
  /** The residual blocks (their Add layers), in network order; n = blocks.length. */
  blocks: z.array(z.string()),
  /** Configurations asked for per length; a length with fewer paths has all of them measured. */
  samples: z.number().int().positive(),
  lengths: z.array(
    z.object({
      k: z.number().int().nonnegative(),
      /** C(n, k): paths of this length. */
      paths: z.number().nonnegative(),
      /** Configurations measured, and whether they were all of this length's paths. */
      measured: z.number().int().nonnegative(),
      exhaustive: z.boolean(),
      /** Mean over the measured paths of the mean over images of |d loss / d input|. */
      perPath: z.number().nonnegative(),
      /** paths × perPath: the gradient all paths of this length carry together. */
      total: z.number().nonnegative(),
    }),
  ),
  /** The lengths holding the central `share` of the total gradient (Veit et al.'s effective paths). */
  effective: z.object({ from: z.number().int(), to: z.number().int(), share: z.number() }),
  /** The length whose paths carry the most gradient together. */
  peak: z.number().int(),
});
export type PathsResult = z.infer<typeof PathsResultSchema>;

/**
 * What the trainer process tells its parent: the life of a command (started
 * with its run folder, state, logs, finished or failed) and its answers. The
 * records of a run (iterations, epochs, gradient norms) are NOT among them:
 * they are in the run folder, which every view reads (src/core/runs/follow.ts),
 * so a run of this window and one written by another process reach the views
 * by the same road.
 */
export const EventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    runDir: z.string(),
    experiment: z.string(),
    backend: z.string(),
    /** How each step runs: eager, one TensorFlow graph, or data-parallel workers. */
    mode: StepModeSchema.optional(),
    summary: ModelSummarySchema,
    graph: ModelGraphSchema,
    epochs: z.number().int(),
    iterationsPerEpoch: z.number().int(),
    totalIterations: z.number().int(),
    startIteration: z.number().int(),
  }),
  z.object({
    type: z.literal('checkpoint'),
    kind: z.enum(['latest', 'best']),
    iteration: z.number().int(),
    epoch: z.number().int(),
    path: z.string(),
  }),
  z.object({ type: z.literal('state'), state: z.enum(['running', 'paused']) }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('lesion'), runDir: z.string(), result: LesionResultSchema }),
  z.object({ type: z.literal('responses'), runDir: z.string(), result: ResponsesResultSchema }),
  z.object({ type: z.literal('paths'), runDir: z.string(), result: PathsResultSchema }),
  z.object({
    type: z.literal('identity-progress'),
    iteration: z.number().int(),
    iterations: z.number().int(),
    plainLoss: z.number(),
    residualLoss: z.number(),
  }),
  z.object({ type: z.literal('identity'), runDir: z.string(), result: IdentityResultSchema }),
  z.object({ type: z.literal('described'), backend: z.string(), summary: ModelSummarySchema, graph: ModelGraphSchema }),
  /** The trainer is running the user's code (evaluating the file, calling the model function); the parent times it (a `while (true) {}` never returns). */
  z.object({ type: z.literal('building'), file: z.string(), experiment: z.string(), line: z.number().int() }),
  z.object({ type: z.literal('built') }),
  z.object({
    type: z.literal('sweep-axes'),
    axes: z.record(z.array(z.union([z.string(), z.number(), z.boolean()])).nonempty()),
  }),
  z.object({ type: z.literal('exported'), outDir: z.string(), files: z.array(z.string()), weightsFrom: z.string() }),
  z.object({
    type: z.literal('finished'),
    status: z.enum(['finished', 'stopped']),
    runDir: z.string(),
    iteration: z.number().int(),
    trainError: z.number().nullable(),
    testError: z.number().nullable(),
  }),
  z.object({
    type: z.literal('failed'),
    /** run: the run folder (damaged, still training, the disk full). */
    /** export: a model export-keras cannot write (a layer with no Keras counterpart, a checkpoint of another model). */
    kind: z.enum(['compile', 'build', 'data', 'diverged', 'crash', 'run', 'export']),
    message: z.string(),
    diagnostics: z.array(DiagnosticSchema).default([]),
    runDir: z.string().optional(),
    iteration: z.number().int().optional(),
  }),
]);
/** An event the parent receives (validated by parseEvent). */
export type LifecycleEvent = z.infer<typeof EventSchema>;
/** What a run records as it writes its folder: reported in the trainer's own process (tests, its progress), never sent over IPC. */
export type RecordEvent = IterationEvent | EpochEvent | GradientsEvent;
/** Everything the trainer's code reports in its own process; main.ts forwards the lifecycle events only. */
export type TrainerEvent = LifecycleEvent | RecordEvent;
export type IterationEvent = z.infer<typeof IterationEventSchema>;
export type EpochEvent = z.infer<typeof EpochEventSchema>;
export type GradientsEvent = z.infer<typeof GradientsEventSchema>;

export function parseCommand(raw: unknown): TrainerCommand {
  return CommandSchema.parse(raw);
}

/** Validates an event; a malformed one is reported, never acted on. */
export function parseEvent(raw: unknown): LifecycleEvent {
  return EventSchema.parse(raw);
}

export function isRecordEvent(e: TrainerEvent): e is RecordEvent {
  return e.type === 'iteration' || e.type === 'epoch' || e.type === 'gradients';
}

// run.json's schema: a run folder is read back by the CLI, the extension and
// a resume, so a damaged or hand-edited run.json is caught here with the field
// that is wrong, not later as "cannot read properties of undefined". Fields
// this version does not know are kept (passthrough), so newer run folders read.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from '../../protocol/graph';
import { RUN_STATUSES } from '../../protocol/runStatus';
import { StepModeSchema } from '../../protocol/trainer';

const count = z.number().int().nonnegative();

/** The states a run folder records: the panel's, less those only a live trainer is in (queued, starting, paused). */
export const StoredRunStatusSchema = z.enum(RUN_STATUSES).exclude(['queued', 'starting', 'paused']);

export const RunInfoSchema = z
  .object({
    id: z.string(),
    experiment: z.string(),
    file: z.string(),
    createdAt: z.string(),
    status: StoredRunStatusSchema,
    pid: z.number().int().optional(),
    /** The machine `pid` belongs to (os.hostname()); a run written elsewhere is judged by its files growing, not by its pid. */
    host: z.string().optional(),
    backend: z.string(),
    mode: StepModeSchema.optional(),
    recipe: z
      .object({
        data: z.object({ name: z.string() }).passthrough(),
        epochs: count,
        iterations: count.optional(),
        batchSize: z.number().int().positive(),
        optimizer: z.object({ lr: z.number(), momentum: z.number(), weightDecay: z.number() }).passthrough(),
        schedule: z.object({ gamma: z.number() }).passthrough(),
        seed: z.number().int(),
        gradientNormEvery: z.number().int().positive(),
        distributionEvery: z.number().int().positive().optional(),
      })
      .passthrough(),
    overrides: z.record(z.unknown()).default({}),
    dataset: z.object({ name: z.string(), train: count, test: count, inputShape: z.array(z.number()) }).passthrough(),
    summary: ModelSummarySchema,
    graph: ModelGraphSchema,
    iterationsPerEpoch: z.number().int().positive(),
    totalIterations: count,
    epochs: count,
    final: z
      .object({ iteration: count, trainError: z.number().nullable(), testError: z.number().nullable() })
      .optional(),
    error: z.string().optional(),
    /** Runs of the exported trainer (engine keras): Keras' backend, its devices, the compute precision. */
    kerasBackend: z.string().optional(),
    devices: z
      .object({
        count: z.number().int(),
        platform: z.string(),
        name: z.string(),
        processes: z.number().int().optional(),
      })
      .passthrough()
      .optional(),
    precision: z.string().optional(),
    /** A sweep's run (`experiment` is then `<sweep>#<point>`): the sweep's name, the point, its axis values. */
    sweep: z
      .object({
        name: z.string(),
        point: count,
        params: z.record(z.union([z.string(), z.number(), z.boolean()])),
      })
      .optional(),
  })
  .passthrough();

/** The first problem as "field.path: message", for a one-line error. */
export function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i.path.join('.') || '(top level)'}: ${i.message}`;
}

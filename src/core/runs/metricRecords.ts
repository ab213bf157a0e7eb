// What metrics.jsonl and gradients.jsonl hold, and the one mapping from a
// stored record to what the panel and the side view show. The trainer appends
// its `iteration` and `epoch` events as they are (core/train/loop.ts), so a
// stored record is a protocol event: the schemas here are the protocol's,
// loosened so that records from older versions (an epoch without `seconds`)
// and from the Keras engine's train.py still read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { EpochEventSchema, GradientsEventSchema, IterationEventSchema } from '../../protocol/trainer';
import type { MetricRecordView } from '../../protocol/webview';
import { GRADIENTS, METRICS } from './runFiles';

/** One line of metrics.jsonl: an iteration record (mini-batch loss, error, lr, speed) or an epoch record (test error, epoch means). */
export const MetricRecordSchema = IterationEventSchema.omit({ type: true })
  .partial()
  .merge(EpochEventSchema.omit({ type: true }).partial())
  .extend({ type: z.enum(['iteration', 'epoch']), iteration: z.number().int(), epoch: z.number().int() });
export type MetricRecord = z.infer<typeof MetricRecordSchema>;

/** One line of gradients.jsonl: the L2 norm of each layer's gradient at one iteration. */
export const GradientRecordSchema = GradientsEventSchema.omit({ type: true });
export type GradientRecord = z.infer<typeof GradientRecordSchema>;

/**
 * A record as the panel shows it: one `loss` per point, which for an epoch
 * record is its training loss over the epoch (`trainLoss`). Used for the
 * trainer's live events and for records read back from a folder alike.
 */
export function metricView(r: MetricRecord): MetricRecordView {
  return {
    type: r.type,
    iteration: r.iteration,
    epoch: r.epoch,
    loss: r.type === 'epoch' ? r.trainLoss : r.loss,
    trainError: r.trainError,
    testError: r.testError,
    testLoss: r.testLoss,
    lr: r.lr,
    imagesPerSec: r.imagesPerSec,
  };
}

export const metricViews = (records: readonly MetricRecord[]): MetricRecordView[] => records.map(metricView);

export function appendJsonLine(dir: string, name: string, record: object): void {
  fs.appendFileSync(path.join(dir, name), JSON.stringify(record) + '\n');
}

export const appendMetric = (runDir: string, record: MetricRecord): void => appendJsonLine(runDir, METRICS, record);
export const appendGradients = (runDir: string, record: GradientRecord): void =>
  appendJsonLine(runDir, GRADIENTS, record);

export interface LineChecks {
  safeParse(v: unknown): { success: boolean };
}

/**
 * The records of some .jsonl text; a torn line (the writer was killed
 * mid-write) is skipped, and so is a line the schema rejects. The parsed
 * object itself is kept (not the schema's copy), so fields this version does
 * not know survive. Whole files (readJsonLines) and tails of growing ones
 * (follow.ts) are read through it alike.
 */
export function parseJsonLines<T>(text: string, schema?: LineChecks): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // only the last line can be torn; anything else unparsable is skipped too
    }
    if (!schema || schema.safeParse(value).success) out.push(value as T);
  }
  return out;
}

export function readJsonLines<T>(file: string, schema?: LineChecks): T[] {
  return fs.existsSync(file) ? parseJsonLines<T>(fs.readFileSync(file, 'utf8'), schema) : [];
}

// What a stored line is checked for. JSON has no NaN or Infinity (a diverging
// test loss is written as null), so a value may be null; what every reader
// keys on (type, iteration, epoch; the layer names) must be there.
export const MetricLineSchema = MetricRecordSchema.pick({ type: true, iteration: true, epoch: true });
export const GradientLineSchema = GradientRecordSchema.extend({
  layers: z.array(z.object({ name: z.string(), norm: z.number().nullable() })),
});

export const readMetrics = (dir: string): MetricRecord[] => readJsonLines(path.join(dir, METRICS), MetricLineSchema);
export const readGradients = (dir: string): GradientRecord[] =>
  readJsonLines(path.join(dir, GRADIENTS), GradientLineSchema);
export const hasGradients = (dir: string): boolean => fs.existsSync(path.join(dir, GRADIENTS));
export const hasMetrics = (dir: string): boolean => fs.existsSync(path.join(dir, METRICS));

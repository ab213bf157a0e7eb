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
import { JsonLines, JsonlTail, LineChecks } from './jsonLines';
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

export { parseJsonLine, parseJsonLines, parseJsonLinesCounted } from './jsonLines';
export type { JsonLines, LineChecks } from './jsonLines';

/** A whole .jsonl file, read as a tail that reads once (jsonLines.ts): one reader for live and finished runs alike. */
export function readJsonLines<T>(file: string, schema?: LineChecks): T[] {
  return readJsonLinesCounted<T>(file, schema).records;
}

export function readJsonLinesCounted<T>(file: string, schema?: LineChecks): JsonLines<T> {
  return new JsonlTail<T>(file, schema).readToEnd();
}

/** Records in iteration order, whatever order the file has them in (a stable sort: an epoch record stays after its iteration's). */
function byIteration<T extends { iteration: number }>(read: JsonLines<T>): JsonLines<T> {
  return { records: [...read.records].sort((a, b) => a.iteration - b.iteration), skipped: read.skipped };
}

// What a stored line is checked for. JSON has no NaN or Infinity (a diverging
// test loss is written as null), so a value may be null; what every reader
// keys on (type, iteration, epoch; the layer names) must be there.
export const MetricLineSchema = MetricRecordSchema.pick({ type: true, iteration: true, epoch: true });
export const GradientLineSchema = GradientRecordSchema.extend({
  layers: z.array(z.object({ name: z.string(), norm: z.number().nullable() })),
});

export const readMetricLines = (dir: string): JsonLines<MetricRecord> =>
  byIteration(readJsonLinesCounted<MetricRecord>(path.join(dir, METRICS), MetricLineSchema));
export const readGradientLines = (dir: string): JsonLines<GradientRecord> =>
  byIteration(readJsonLinesCounted<GradientRecord>(path.join(dir, GRADIENTS), GradientLineSchema));
export const readMetrics = (dir: string): MetricRecord[] => readMetricLines(dir).records;
export const readGradients = (dir: string): GradientRecord[] => readGradientLines(dir).records;
export const hasGradients = (dir: string): boolean => fs.existsSync(path.join(dir, GRADIENTS));
export const hasMetrics = (dir: string): boolean => fs.existsSync(path.join(dir, METRICS));

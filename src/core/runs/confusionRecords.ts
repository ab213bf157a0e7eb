// confusion.jsonl: one line per evaluation of the test set -- the epoch, the
// iteration, the confusion matrix (rows: true class, columns: predicted) and,
// when predictions.bin holds that evaluation's top-k, the block's offset there.
// Written by the trainer (core/train/loop.ts) and by the Keras engine's
// train.py alike; read by the panel, the report and the CLI.
import * as path from 'node:path';
import { z } from 'zod';
import { appendJsonLine, JsonLines, readJsonLinesCounted } from './metricRecords';
import { CONFUSION } from './runFiles';

const Count = z.number().int().nonnegative();

export const ConfusionRecordSchema = z
  .object({
    epoch: z.number().int().positive(),
    iteration: z.number().int().nonnegative(),
    matrix: z.array(z.array(Count)).min(1),
    /** Byte offset of this evaluation's block in predictions.bin. */
    predictions: z.number().int().nonnegative().optional(),
  })
  .refine((r) => r.matrix.every((row) => row.length === r.matrix.length), {
    message: 'the matrix must be square',
  });
export type ConfusionRecord = z.infer<typeof ConfusionRecordSchema>;

export const appendConfusion = (runDir: string, record: ConfusionRecord): void =>
  appendJsonLine(runDir, CONFUSION, record);

/**
 * The run's confusion records in epoch order. An epoch evaluated twice (a run
 * resumed after a crash between the record and its checkpoint) keeps its last
 * line.
 */
export function readConfusionLines(runDir: string): JsonLines<ConfusionRecord> {
  const read = readJsonLinesCounted<ConfusionRecord>(path.join(runDir, CONFUSION), ConfusionRecordSchema);
  const byEpoch = new Map<number, ConfusionRecord>();
  for (const r of read.records) byEpoch.set(r.epoch, r);
  return { records: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch), skipped: read.skipped };
}

export const readConfusion = (runDir: string): ConfusionRecord[] => readConfusionLines(runDir).records;

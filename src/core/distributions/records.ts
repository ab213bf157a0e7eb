// distributions.jsonl: one line every `distributionEvery` iterations with the
// quantiles (quantiles.ts) of every weighted layer's kernel and of every
// block's output on the fixed probe batch, and the share of zeros of the
// outputs that come out of a ReLU. Written by the trainer (probe.ts) and by the
// Keras engine's train.py alike; read back schema-checked (a run folder is
// data, never code): a line that is not a record is skipped and counted.
import * as path from 'node:path';
import { z } from 'zod';
import { appendJsonLine, JsonLines, readJsonLinesCounted } from '../runs/metricRecords';
import { DISTRIBUTIONS } from '../runs/runFiles';
import { QUANTILE_LEVELS } from './quantiles';

const Quantiles = z.array(z.number().nullable()).length(QUANTILE_LEVELS.length);

export const DistributionRecordSchema = z.object({
  iteration: z.number().int().nonnegative(),
  /** Each layer with a kernel, by its tfjs name, input side first. */
  weights: z.array(z.object({ name: z.string(), q: Quantiles })),
  /** Each block's output on the probe batch; `zeros`: its share of zeros, when it is a ReLU's output. */
  activations: z.array(z.object({ name: z.string(), q: Quantiles, zeros: z.number().min(0).max(1).optional() })),
});
export type DistributionRecord = z.infer<typeof DistributionRecordSchema>;

export const appendDistributions = (runDir: string, record: DistributionRecord): void =>
  appendJsonLine(runDir, DISTRIBUTIONS, record);

export function readDistributionLines(dir: string): JsonLines<DistributionRecord> {
  const read = readJsonLinesCounted<DistributionRecord>(path.join(dir, DISTRIBUTIONS), DistributionRecordSchema);
  return { records: [...read.records].sort((a, b) => a.iteration - b.iteration), skipped: read.skipped };
}

export const readDistributions = (dir: string): DistributionRecord[] => readDistributionLines(dir).records;

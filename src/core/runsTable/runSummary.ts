// One run in a few numbers: what the runs table shows of it, read from run.json
// and one pass over metrics.jsonl (its final, best and last errors, the time it
// trained). Small enough to cache (summaryCache.ts); the folder stays the only
// source of truth, and a summary is thrown away when its files change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ModelSummarySchema } from '../../protocol/graph';
import { modelTraits } from '../graph/modelTraits';
import { parseJsonLine } from '../runs/metricRecords';
import { METRICS } from '../runs/runFiles';
import { readRunInfo, RunInfo, runBackendLabel } from '../runs/runFolder';
import { RunInfoSchema } from '../runs/runInfoSchema';

/**
 * run.json as the summary reads it: every field checked as usual, but of the
 * graph only what the shortcut search walks (node ids and kinds, edges) and
 * of the summary's layers only that they are a list. The full check costs
 * most of the time of reading hundreds of runs, for layers' shapes and
 * parameter counts the table never shows.
 */
const SummaryRunInfoSchema = RunInfoSchema.extend({
  summary: ModelSummarySchema.extend({ layers: z.array(z.unknown()) }),
  graph: z.object({
    name: z.string(),
    nodes: z.array(z.object({ id: z.string(), className: z.string() }).passthrough()),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
  }),
});

export const readSummaryInfo = (dir: string): RunInfo => readRunInfo(dir, SummaryRunInfoSchema);

export interface RunSummary {
  folder: string;
  experiment: string;
  /** The model file's name (not its path). */
  file: string;
  model: string;
  depth: number;
  shortcut: string;
  blockKind: string;
  params: number;
  data: string;
  lr: number;
  batchSize: number;
  seed: number;
  /** The last iteration recorded, and how many the run was to train. */
  iterations: number;
  totalIterations: number;
  /** "resnet-lab" (the tfjs trainer) or "keras" (train.py). */
  engine: string;
  /** "tensorflow · graph", "keras · jax · 1× NVIDIA H200". */
  backend: string;
  createdAt: string;
  status: string;
  finalTrainError: number | null;
  finalTestError: number | null;
  bestTestError: number | null;
  /** Seconds of training: the Keras engine's total, else the sum of its epochs' times. */
  seconds: number | null;
}

/** What one pass over metrics.jsonl keeps. */
export interface MetricTotals {
  lastIteration: number;
  lastTrainError: number | null;
  lastTestError: number | null;
  bestTestError: number | null;
  epochSeconds: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Folds metrics.jsonl's lines into totals; lines that are not records (torn, damaged) are passed over. */
export function metricTotals(text: string): MetricTotals {
  const t: MetricTotals = {
    lastIteration: 0,
    lastTrainError: null,
    lastTestError: null,
    bestTestError: null,
    epochSeconds: 0,
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parseJsonLine(line) as Record<string, unknown> | undefined;
    if (!r || typeof r !== 'object' || !finite(r.iteration)) continue;
    // A resume may leave records out of order: the latest is the highest iteration, not the last line.
    const latest = r.iteration >= t.lastIteration;
    if (latest) t.lastIteration = r.iteration;
    if (r.type === 'epoch') {
      if (finite(r.testError)) {
        if (latest) t.lastTestError = r.testError;
        t.bestTestError = t.bestTestError === null ? r.testError : Math.min(t.bestTestError, r.testError);
      }
      if (finite(r.seconds)) t.epochSeconds += r.seconds;
      if (latest && finite(r.trainError)) t.lastTrainError = r.trainError;
    } else if (latest && finite(r.trainError) && t.lastTestError === null) {
      // Before the first epoch ends, the latest mini-batch error is all there is.
      t.lastTrainError = r.trainError;
    }
  }
  return t;
}

export function readMetricTotals(dir: string): MetricTotals {
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, METRICS), 'utf8');
  } catch {
    // No records yet (a run still building its model).
  }
  return metricTotals(text);
}

export function summarizeRun(dir: string, info: RunInfo, totals: MetricTotals): RunSummary {
  const traits = modelTraits(info.graph);
  const extra = info as unknown as { seconds?: unknown };
  return {
    folder: path.basename(dir),
    experiment: info.experiment,
    file: path.basename(info.file),
    model: info.summary.name,
    depth: info.summary.depth,
    shortcut: traits.shortcut,
    blockKind: traits.blockKind,
    params: info.summary.totalParams,
    data: info.dataset.name,
    lr: info.recipe.optimizer.lr,
    batchSize: info.recipe.batchSize,
    seed: info.recipe.seed,
    iterations: Math.max(totals.lastIteration, info.final?.iteration ?? 0),
    totalIterations: info.totalIterations,
    engine: info.backend === 'keras' ? 'keras' : 'resnet-lab',
    backend: runBackendLabel(info),
    createdAt: info.createdAt,
    status: info.status,
    finalTrainError: info.final?.trainError ?? totals.lastTrainError,
    finalTestError: info.final?.testError ?? totals.lastTestError,
    bestTestError: totals.bestTestError,
    seconds: finite(extra.seconds) ? extra.seconds : totals.epochSeconds > 0 ? totals.epochSeconds : null,
  };
}

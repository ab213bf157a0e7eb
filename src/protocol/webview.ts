// What the extension host and both of its webviews (the training panel, the
// side view) say about runs: the records and views they exchange, and the
// messages both webviews send. Each webview's own message union is in its own
// module (panel.ts, sidebar.ts), as GitLens keeps a protocol.ts per webview:
// every message has a method string and typed params, and the host validates
// everything a webview sends.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from './graph';
import { RUN_STATUSES } from './runStatus';
import type { LesionResult, PathsResult, ResponsesResult } from './trainer';
import type { CurveView, GradientMatrix } from './charts';
export type { CurveView, GradientMatrix };
export { isLive } from './runStatus';

export interface RunAnalyses {
  lesion?: LesionResult;
  responses?: ResponsesResult;
  paths?: PathsResult;
}

export const MetricRecordSchema = z.object({
  type: z.enum(['iteration', 'epoch']),
  iteration: z.number(),
  epoch: z.number(),
  loss: z.number().optional(),
  trainError: z.number().optional(),
  testError: z.number().optional(),
  testLoss: z.number().optional(),
  lr: z.number().optional(),
  imagesPerSec: z.number().optional(),
});
export type MetricRecordView = z.infer<typeof MetricRecordSchema>;

/** Per-layer gradient L2 norms at one iteration (gradients.jsonl). */
export interface GradientRecordView {
  iteration: number;
  layers: { name: string; norm: number }[];
}

export const RunStatusSchema = z.enum(RUN_STATUSES);
export type { RunStatusView } from './runStatus';

/** What a webview knows about one run: named by its id (src/extension/runIds.ts), never by a path. */
export const RunViewSchema = z.object({
  id: z.string(),
  /** The run folder's name (not its path), once it has one: for labels and tooltips. */
  folder: z.string().optional(),
  experiment: z.string(),
  modelName: z.string().optional(),
  depth: z.number().optional(),
  dataName: z.string().optional(),
  backend: z.string().optional(),
  status: RunStatusSchema,
  totalIterations: z.number().optional(),
  iterationsPerEpoch: z.number().optional(),
  epochs: z.number().optional(),
  message: z.string().optional(),
  finalTrainError: z.number().nullable().optional(),
  finalTestError: z.number().nullable().optional(),
  createdAt: z.string().optional(),
  /** Written by another process (a train.py, a CLI run) and followed from its folder: no Stop/Pause here. */
  followed: z.boolean().optional(),
});
export type RunView = z.infer<typeof RunViewSchema>;

/** The latest iteration and epoch records of a run, for the panel's counters. */
export interface RunLatest {
  last?: MetricRecordView;
  lastEpoch?: MetricRecordView;
}

/**
 * Smoothing of the training-error curve: the weight in use, and the default
 * for these runs (it scales with their length); `remembered` when the user
 * chose it (kept per workspace).
 */
export interface SmoothingState {
  weight: number;
  default: number;
  remembered: boolean;
}

export const DiagramDataSchema = z.object({ graph: ModelGraphSchema, summary: ModelSummarySchema });
export type DiagramData = z.infer<typeof DiagramDataSchema>;

/** Webview -> host, from either webview. `columns` (the panel): the curve chart's width in pixels, so the first curves fit it. */
export const ReadyMessageSchema = z.object({
  method: z.literal('webview/ready'),
  params: z.object({ columns: z.number().int().min(10).max(10_000) }).optional(),
});
export const RunControlMessageSchema = z.object({
  method: z.literal('run/control'),
  params: z.object({ id: z.string(), action: z.enum(['stop', 'pause', 'resume']) }),
});
// Run ids the host listed (RunView.id), never paths: the host opens only runs it offered.
export const RunOpenMessageSchema = z.object({
  method: z.literal('run/open'),
  params: z.object({ id: z.string().max(4096) }),
});
export const RunsCompareMessageSchema = z.object({
  method: z.literal('runs/compare'),
  params: z.object({ ids: z.array(z.string().max(4096)).min(1).max(12) }),
});
export type OpenRunsMessage = z.infer<typeof RunOpenMessageSchema> | z.infer<typeof RunsCompareMessageSchema>;

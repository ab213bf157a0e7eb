// Messages between the extension host and its webviews (the training panel
// and the side view). Like GitLens' protocol.ts: every message has a method
// string and typed params; the host validates everything a webview sends.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from './graph';
import { RUN_STATUSES } from './runStatus';
import type { LesionResult, ResponsesResult } from './trainer';
import type { CurveView } from '../core/report/curveView';
import type { GradientMatrix } from '../core/report/gradientMatrix';
export type { CurveView, GradientMatrix };
export { isLive } from './runStatus';

export interface RunAnalyses { lesion?: LesionResult; responses?: ResponsesResult }

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
export interface GradientRecordView { iteration: number; layers: { name: string; norm: number }[] }

export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatusView = z.infer<typeof RunStatusSchema>;

/** What a webview knows about one run. */
export const RunViewSchema = z.object({
  id: z.string(),
  runDir: z.string().optional(),
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
export interface RunLatest { last?: MetricRecordView; lastEpoch?: MetricRecordView }

/**
 * Smoothing of the training-error curve: the weight in use, and the default
 * for these runs (it scales with their length); `remembered` when the user
 * chose it (kept per workspace).
 */
export interface SmoothingState { weight: number; default: number; remembered: boolean }

/** Host -> webview. Curves come as views at the chart's width (src/core/report/curveView.ts), not every record. */
export type HostMessage =
  | { method: 'panel/show'; params: { title: string; runs: RunView[]; curves: Record<string, CurveView>; latest: Record<string, RunLatest>; analyses: Record<string, RunAnalyses>; diagram?: DiagramData; maxPoints: number; flags: string[]; smoothing: SmoothingState } }
  | { method: 'curves/view'; params: { requestId: number; curves: Record<string, CurveView> } }
  | { method: 'run/gradientMatrix'; params: { id: string; matrix: GradientMatrix } }
  | { method: 'run/gradients'; params: { id: string; records: GradientRecordView[] } }
  | { method: 'analysis/result'; params: { id: string; lesion?: LesionResult; responses?: ResponsesResult } }
  | { method: 'analysis/error'; params: { id: string; message: string } }
  | { method: 'run/update'; params: { run: RunView } }
  | { method: 'run/metrics'; params: { id: string; records: MetricRecordView[] } }
  | { method: 'diagram/show'; params: DiagramData }
  /** The live preview: the edited model's diagram, or why it does not build (the last diagram stays, greyed). */
  | { method: 'diagram/preview'; params: { diagram?: DiagramData; error?: string } }
  | { method: 'sidebar/update'; params: { active?: RunView; activeMetrics: MetricRecordView[]; recent: RunView[] } }
  | { method: 'state/save'; params: { runDirs: string[] } };

export const DiagramDataSchema = z.object({ graph: ModelGraphSchema, summary: ModelSummarySchema });
export type DiagramData = z.infer<typeof DiagramDataSchema>;

/** Webview -> host: validated by the host before anything happens. */
export const WebviewMessageSchema = z.discriminatedUnion('method', [
  /** `columns`: the curve chart's width in pixels, so the first curves fit it. */
  z.object({ method: z.literal('webview/ready'), params: z.object({ columns: z.number().int().min(10).max(10_000) }).optional() }),
  z.object({
    method: z.literal('curves/request'),
    params: z.object({
      requestId: z.number().int(), from: z.number().optional(), to: z.number().optional(),
      columns: z.number().int().min(10).max(10_000), smoothing: z.number().min(0).max(0.9999).optional(),
    }),
  }),
  /** null: back to the default that scales with the run's length. */
  z.object({ method: z.literal('settings/smoothing'), params: z.object({ weight: z.number().min(0).max(0.9999).nullable() }) }),
  z.object({ method: z.literal('run/control'), params: z.object({ id: z.string(), action: z.enum(['stop', 'pause', 'resume']) }) }),
  // Run ids the host listed (RunView.id), never paths: the host opens only runs it offered.
  z.object({ method: z.literal('run/open'), params: z.object({ id: z.string().max(4096) }) }),
  z.object({ method: z.literal('runs/compare'), params: z.object({ ids: z.array(z.string().max(4096)).min(1).max(12) }) }),
  z.object({
    method: z.literal('export'),
    params: z.object({
      format: z.enum(['png', 'svg', 'csv', 'report', 'model']),
      chart: z.enum(['curves', 'loss', 'lr', 'gradients', 'lesion', 'responses', 'diagram']),
      /** PNG only: the chart canvas as a data URL (capped at 20 MB). */
      dataUrl: z.string().max(20_000_000).optional(),
    }),
  }),
  z.object({
    method: z.literal('analysis/run'),
    params: z.object({ id: z.string(), analysis: z.enum(['lesion', 'responses']), lesioned: z.array(z.string().max(200)).max(500).optional() }),
  }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;

export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  const r = WebviewMessageSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

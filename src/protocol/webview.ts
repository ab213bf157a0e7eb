// Messages between the extension host and its webviews (the training panel
// and the side view). Like GitLens' protocol.ts: every message has a method
// string and typed params; the host validates everything a webview sends.
import { z } from 'zod';
import { ModelGraphSchema, ModelSummarySchema } from './graph';
import type { LesionResult, ResponsesResult } from './trainer';

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

export const RunStatusSchema = z.enum(['queued', 'starting', 'running', 'paused', 'finished', 'stopped', 'failed', 'diverged', 'interrupted']);
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
});
export type RunView = z.infer<typeof RunViewSchema>;

/** Host -> webview. */
export type HostMessage =
  | { method: 'panel/show'; params: { title: string; runs: RunView[]; metrics: Record<string, MetricRecordView[]>; gradients: Record<string, GradientRecordView[]>; analyses: Record<string, RunAnalyses>; diagram?: DiagramData; maxPoints: number; flags: string[] } }
  | { method: 'run/gradients'; params: { id: string; records: GradientRecordView[] } }
  | { method: 'analysis/result'; params: { id: string; lesion?: LesionResult; responses?: ResponsesResult } }
  | { method: 'analysis/error'; params: { id: string; message: string } }
  | { method: 'run/update'; params: { run: RunView } }
  | { method: 'run/metrics'; params: { id: string; records: MetricRecordView[] } }
  | { method: 'diagram/show'; params: DiagramData }
  | { method: 'sidebar/update'; params: { active?: RunView; activeMetrics: MetricRecordView[]; recent: RunView[] } }
  | { method: 'state/save'; params: { runDirs: string[] } };

export const DiagramDataSchema = z.object({ graph: ModelGraphSchema, summary: ModelSummarySchema });
export type DiagramData = z.infer<typeof DiagramDataSchema>;

/** Webview -> host: validated by the host before anything happens. */
export const WebviewMessageSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('webview/ready') }),
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

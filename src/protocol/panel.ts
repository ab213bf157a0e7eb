// The training panel's messages (webview/panel <-> src/extension/trainingPanel.ts).
import { z } from 'zod';
import { ConfusionHostMessage, ConfusionImagesRequestSchema, ConfusionRequestSchema } from './confusion';
import type { LesionResult, PathsResult, ResponsesResult } from './trainer';
import type { DistributionView } from './distributions';
import {
  CurveView,
  DiagramData,
  GradientMatrix,
  GradientRecordView,
  MetricRecordView,
  ReadyMessageSchema,
  RunAnalyses,
  RunControlMessageSchema,
  RunLatest,
  RunOpenMessageSchema,
  RunsCompareMessageSchema,
  RunView,
  SmoothingState,
} from './webview';

/** Everything the panel shows at once: the runs, their curves at the chart's width (src/core/report/curveView.ts), the diagram. */
export interface PanelShowParams {
  title: string;
  runs: RunView[];
  curves: Record<string, CurveView>;
  latest: Record<string, RunLatest>;
  analyses: Record<string, RunAnalyses>;
  diagram?: DiagramData;
  maxPoints: number;
  flags: string[];
  smoothing: SmoothingState;
}

/**
 * What the panel shows, kept by the host (workspaceState, never the webview:
 * it names folders and files) for the serializer after a window reload: the
 * run folders shown, or the model whose diagram alone was shown. Checked when
 * read back like anything stored.
 */
export const PanelStateSchema = z.object({
  runDirs: z.array(z.string().max(4096)).max(12).default([]),
  model: z.object({ file: z.string().max(4096), experiment: z.string().max(200) }).optional(),
});
export type PanelState = z.input<typeof PanelStateSchema>;

/** Host -> panel. Curves come as views at the chart's width, not every record. */
export type PanelHostMessage =
  | { method: 'panel/show'; params: PanelShowParams }
  | { method: 'curves/view'; params: { requestId: number; curves: Record<string, CurveView> } }
  | { method: 'run/gradientMatrix'; params: { id: string; matrix: GradientMatrix } }
  | { method: 'run/gradients'; params: { id: string; records: GradientRecordView[] } }
  /** The answer to `distributions/request`: undefined when the run recorded none. */
  | { method: 'run/distributions'; params: { id: string; view?: DistributionView } }
  | {
      method: 'analysis/result';
      params: { id: string; lesion?: LesionResult; responses?: ResponsesResult; paths?: PathsResult };
    }
  | { method: 'analysis/error'; params: { id: string; analysis: 'lesion' | 'responses' | 'paths'; message: string } }
  | { method: 'run/update'; params: { run: RunView } }
  | { method: 'run/metrics'; params: { id: string; records: MetricRecordView[] } }
  | { method: 'diagram/show'; params: DiagramData }
  /** The live preview: the edited model's diagram, or why it does not build (the last diagram stays, greyed). */
  /** `title`: the experiment shown, in the heading as in the tab. */
  | { method: 'diagram/preview'; params: { diagram?: DiagramData; error?: string; title: string } }
  | ConfusionHostMessage;

/** Panel -> host: validated by the host before anything happens. */
export const PanelMessageSchema = z.discriminatedUnion('method', [
  ReadyMessageSchema,
  z.object({
    method: z.literal('curves/request'),
    params: z.object({
      requestId: z.number().int(),
      from: z.number().optional(),
      to: z.number().optional(),
      columns: z.number().int().min(10).max(10_000),
      smoothing: z.number().min(0).max(0.9999).optional(),
    }),
  }),
  /** null: back to the default that scales with the run's length. */
  z.object({
    method: z.literal('settings/smoothing'),
    params: z.object({ weight: z.number().min(0).max(0.9999).nullable() }),
  }),
  RunControlMessageSchema,
  RunOpenMessageSchema,
  RunsCompareMessageSchema,
  ConfusionRequestSchema,
  ConfusionImagesRequestSchema,
  z.object({
    method: z.literal('export'),
    params: z.object({
      format: z.enum(['png', 'svg', 'csv', 'report', 'model']),
      chart: z.enum(['curves', 'loss', 'lr', 'gradients', 'lesion', 'responses', 'paths', 'diagram', 'confusion']),
      /** PNG only: the chart canvas as a data URL (capped at 20 MB). */
      dataUrl: z.string().max(20_000_000).optional(),
    }),
  }),
  /** `records`: how many the webview's view of the run already covers; the host answers only when there are more (or fewer). */
  z.object({
    method: z.literal('distributions/request'),
    params: z.object({ id: z.string().max(200), records: z.number().int().min(0).optional() }),
  }),
  z.object({
    method: z.literal('analysis/run'),
    params: z.object({
      id: z.string(),
      analysis: z.enum(['lesion', 'responses', 'paths']),
      lesioned: z.array(z.string().max(200)).max(500).optional(),
    }),
  }),
]);
export type PanelMessage = z.infer<typeof PanelMessageSchema>;

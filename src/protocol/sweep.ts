// The sweep results view's messages (webview/sweep <-> src/extension/sweepResultsPanel.ts)
// and the sweeps the side view lists. Sweeps are named by the id the host
// offered (their folder's name), never by a path.
import { z } from 'zod';
import { ReadyMessageSchema } from './webview';

/** A sweep as the side view lists it: k of n, ETA, whether it still runs here. */
export interface SweepView {
  id: string;
  sweep: string;
  file: string;
  /** `3 of 8 · ETA 4 min · 1 failed` */
  progress: string;
  done: number;
  total: number;
  running: boolean;
}

export interface SweepRunView {
  point: number;
  label: string;
  status: string;
  testError: number | null;
  message?: string;
}

/** Host -> results view: everything it shows, computed by the host (src/core/sweeps). */
export type SweepHostMessage = {
  method: 'sweep/results';
  params: {
    id: string;
    title: string;
    progress: string;
    running: boolean;
    /** The figure (src/core/sweeps/chart.ts): drawn in currentColor, no scripts. */
    svg: string;
    table: { header: string[]; rows: string[][] };
    runs: SweepRunView[];
  };
};

const SweepId = z.string().min(1).max(256);

export const SweepCancelMessageSchema = z.object({
  method: z.literal('sweep/cancel'),
  params: z.object({ id: SweepId }),
});
export const SweepOpenMessageSchema = z.object({ method: z.literal('sweep/open'), params: z.object({ id: SweepId }) });
export const SweepExportMessageSchema = z.object({
  method: z.literal('sweep/export'),
  params: z.object({
    id: SweepId,
    format: z.enum(['csv', 'svg', 'png', 'html']),
    /** format png: the figure drawn by the webview, as a data: URL. */
    png: z
      .string()
      .max(20_000_000)
      .regex(/^data:image\/png;base64,/)
      .optional(),
  }),
});

/** Results view -> host. */
export const SweepMessageSchema = z.discriminatedUnion('method', [
  ReadyMessageSchema,
  SweepCancelMessageSchema,
  SweepExportMessageSchema,
]);
export type SweepMessage = z.infer<typeof SweepMessageSchema>;

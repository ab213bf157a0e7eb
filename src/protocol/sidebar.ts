// The side view's messages (webview/sidebar <-> src/extension/sidebarView.ts).
import { z } from 'zod';
import {
  MetricRecordView,
  ReadyMessageSchema,
  RunControlMessageSchema,
  RunOpenMessageSchema,
  RunsCompareMessageSchema,
  RunView,
} from './webview';
import { SweepCancelMessageSchema, SweepOpenMessageSchema, SweepView } from './sweep';

/** Host -> side view: the active run (this window's, or one followed from its folder) with its latest records, and the recent runs. */
export type SidebarHostMessage = {
  method: 'sidebar/update';
  params: { active?: RunView; activeMetrics: MetricRecordView[]; recent: RunView[]; sweeps?: SweepView[] };
};

/** Side view -> host: open or compare runs it was offered, control the active one. */
export const SidebarMessageSchema = z.discriminatedUnion('method', [
  ReadyMessageSchema,
  RunControlMessageSchema,
  RunOpenMessageSchema,
  RunsCompareMessageSchema,
  SweepCancelMessageSchema,
  SweepOpenMessageSchema,
]);
export type SidebarMessage = z.infer<typeof SidebarMessageSchema>;

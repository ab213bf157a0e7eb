// The runs table's messages (webview/runsTable <-> src/extension/runsTablePanel.ts)
// and the row it shows. A row is a flat record of cells keyed by column, so a
// new column (a sweep's name, say) is one entry in src/core/runsTable/columns.ts
// and nothing here changes. Runs are named by the host's ids (runIds.ts): a
// webview never sees a path, and the host acts only on ids it offered.
import { z } from 'zod';
import { RunsCompareMessageSchema } from './webview';

export type CellValue = string | number | null;

/** How a column's values read, sort and scale: text, a count, a rate (lr), an error (shown as %), seconds. */
export type ColumnType = 'text' | 'count' | 'rate' | 'error' | 'seconds';

export interface ColumnView {
  key: string;
  label: string;
  type: ColumnType;
  /** A hyperparameter or model fact: an axis of the parallel-coordinates view. */
  hparam?: boolean;
}

export interface RunRowView {
  id: string;
  /** The run folder's name (not its path). */
  folder: string;
  /** Still being written: it cannot be deleted or archived. */
  live: boolean;
  cells: Record<string, CellValue>;
}

/** One line of a config diff: "depth 20 → 56". */
export interface ConfigChange {
  key: string;
  label: string;
  from: string;
  to: string;
}

export type RunsTableHostMessage =
  | {
      method: 'runsTable/rows';
      params: {
        columns: ColumnView[];
        rows: RunRowView[];
        /** Folders with a run.json that could not be read (damaged): left out, counted. */
        unreadable: number;
        /** How long reading the folders took on the host. */
        readMs: number;
      };
    }
  | { method: 'runsTable/diff'; params: { ids: [string, string]; folders: [string, string]; changes: ConfigChange[] } }
  | { method: 'runsTable/notice'; params: { text: string } };

const id = z.string().max(64);
const ids = z.array(id).max(2000);

export const RunsTableMessageSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('webview/ready') }),
  z.object({ method: z.literal('runsTable/refresh') }),
  // Overlay their curves in the training panel (today's Compare; at most 12).
  RunsCompareMessageSchema,
  z.object({ method: z.literal('runsTable/diff'), params: z.object({ ids: z.tuple([id, id]) }) }),
  z.object({
    method: z.literal('runsTable/remove'),
    params: z.object({ ids: ids.min(1), action: z.enum(['delete', 'archive']) }),
  }),
]);
export type RunsTableMessage = z.infer<typeof RunsTableMessageSchema>;

// The data of a parallel-coordinates view (TensorBoard HParams' style): one
// vertical axis per hyperparameter, the final test error last, each run a line
// through its values. Every value is placed at a height in [0, 1] (0: the
// axis's bottom); the webview only multiplies by pixels. Axes whose runs all
// agree are left out (they would explain nothing), numbers spread over more
// than a decade (a learning rate) go on a log scale, text is spaced evenly in
// sorted order.
import type { CellValue, ColumnView, RunRowView } from '../../protocol/runsTable';
import { formatCell } from './columns';

export type AxisScale = 'linear' | 'log' | 'category';

export interface PcAxis {
  key: string;
  label: string;
  scale: AxisScale;
  /** Labelled heights along the axis. */
  ticks: { y: number; label: string }[];
}

export interface PcLine {
  id: string;
  /** One height per axis; null where the run has no value (drawn as a gap). */
  ys: (number | null)[];
  /** The metric's value (the colour of the line). */
  metric: number | null;
}

export interface ParallelCoordinates {
  axes: PcAxis[];
  lines: PcLine[];
}

interface Scaler {
  axis: PcAxis;
  at: (v: CellValue) => number | null;
}

function numericScaler(column: ColumnView, values: number[]): Scaler {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const log = min > 0 && max / min >= 10;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const [lo, hi] = [f(min), f(max)];
  const at = (v: number) => (hi === lo ? 0.5 : (f(v) - lo) / (hi - lo));
  const tickValues =
    [...new Set(values)].length <= 5 ? [...new Set(values)] : [min, log ? Math.sqrt(min * max) : (min + max) / 2, max];
  return {
    axis: {
      key: column.key,
      label: column.label,
      scale: log ? 'log' : 'linear',
      ticks: tickValues.sort((a, b) => a - b).map((v) => ({ y: at(v), label: formatCell(column.type, v) })),
    },
    at: (v) => (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? at(v) : null),
  };
}

function categoryScaler(column: ColumnView, values: string[]): Scaler {
  const sorted = [...new Set(values)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const at = (v: string) => (sorted.length === 1 ? 0.5 : sorted.indexOf(v) / (sorted.length - 1));
  return {
    axis: {
      key: column.key,
      label: column.label,
      scale: 'category',
      ticks: sorted.map((v) => ({ y: at(v), label: v })),
    },
    at: (v) => (v === null || !sorted.includes(String(v)) ? null : at(String(v))),
  };
}

function scalerFor(column: ColumnView, rows: RunRowView[]): Scaler | undefined {
  const present = rows.map((r) => r.cells[column.key] ?? null).filter((v): v is string | number => v !== null);
  if (!present.length) return undefined;
  const numbers = present.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return numbers.length === present.length
    ? numericScaler(column, numbers)
    : categoryScaler(column, present.map(String));
}

/**
 * Axes for the hyperparameter columns that vary among `rows`, then the metric
 * column (kept even when constant); a line per row.
 */
export function parallelCoordinates(rows: RunRowView[], columns: ColumnView[], metricKey: string): ParallelCoordinates {
  const metric = columns.find((c) => c.key === metricKey);
  if (!metric) throw new Error(`no column "${metricKey}"`);
  const varying = columns.filter(
    (c) => c.hparam && c.key !== metricKey && new Set(rows.map((r) => String(r.cells[c.key] ?? null))).size > 1,
  );
  const scalers = [...varying.map((c) => scalerFor(c, rows)), scalerFor(metric, rows)].filter(
    (s): s is Scaler => s !== undefined,
  );
  return {
    axes: scalers.map((s) => s.axis),
    lines: rows.map((r) => {
      const m = r.cells[metricKey];
      return {
        id: r.id,
        ys: scalers.map((s) => s.at(r.cells[s.axis.key] ?? null)),
        metric: typeof m === 'number' && Number.isFinite(m) ? m : null,
      };
    }),
  };
}

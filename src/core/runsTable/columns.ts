// The runs table's columns and what it does with them: each column is one
// entry (its key, label, type and how it reads a run's summary), so another
// column, a sweep's name say, is one more entry here. Rows are flat cells;
// sorting, filtering and formatting are pure functions the webview runs on
// them (no node import here: the webview bundles this module).
import type { CellValue, ColumnType, ColumnView, RunRowView } from '../../protocol/runsTable';
import type { RunSummary } from './runSummary';

export interface Column extends ColumnView {
  value: (s: RunSummary) => CellValue;
}

export const RUN_COLUMNS: Column[] = [
  { key: 'experiment', label: 'experiment', type: 'text', value: (s) => s.experiment },
  { key: 'file', label: 'file', type: 'text', value: (s) => s.file },
  { key: 'depth', label: 'depth', type: 'count', hparam: true, value: (s) => s.depth },
  { key: 'shortcut', label: 'shortcut', type: 'text', hparam: true, value: (s) => s.shortcut },
  { key: 'block', label: 'block', type: 'text', hparam: true, value: (s) => s.blockKind },
  { key: 'params', label: 'params', type: 'count', hparam: true, value: (s) => s.params },
  { key: 'lr', label: 'lr', type: 'rate', hparam: true, value: (s) => s.lr },
  { key: 'batch', label: 'batch', type: 'count', hparam: true, value: (s) => s.batchSize },
  { key: 'seed', label: 'seed', type: 'count', hparam: true, value: (s) => s.seed },
  { key: 'iterations', label: 'iterations', type: 'count', hparam: true, value: (s) => s.iterations },
  { key: 'engine', label: 'engine', type: 'text', value: (s) => s.backend },
  { key: 'trainError', label: 'train err', type: 'error', value: (s) => s.finalTrainError },
  { key: 'testError', label: 'test err', type: 'error', value: (s) => s.finalTestError },
  { key: 'bestTestError', label: 'best test', type: 'error', value: (s) => s.bestTestError },
  { key: 'time', label: 'time', type: 'seconds', value: (s) => s.seconds },
  { key: 'status', label: 'status', type: 'text', value: (s) => s.status },
  // "2026-12-01 05:07" (UTC, as run.json has it): sorts as the timestamp does.
  { key: 'created', label: 'started', type: 'text', value: (s) => s.createdAt.replace('T', ' ').slice(0, 16) },
];

export const columnViews = (columns: Column[] = RUN_COLUMNS): ColumnView[] =>
  columns.map(({ key, label, type, hparam }) => ({ key, label, type, ...(hparam ? { hparam } : {}) }));

export function runRow(id: string, summary: RunSummary, live: boolean, columns: Column[] = RUN_COLUMNS): RunRowView {
  return {
    id,
    folder: summary.folder,
    live,
    cells: Object.fromEntries(columns.map((c) => [c.key, c.value(summary)])),
  };
}

/** Compares two cells: numbers as numbers, text as text; an empty cell sorts last either way. */
function compareCells(a: CellValue, b: CellValue): number {
  if (a === null || b === null) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** The rows sorted by one column; ties keep their order, and empty cells go last in both directions. */
export function sortRows(rows: RunRowView[], key: string, descending = false): RunRowView[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => {
      const a = x.row.cells[key] ?? null;
      const b = y.row.cells[key] ?? null;
      if (a === null || b === null) return a === b ? x.i - y.i : a === null ? 1 : -1;
      return (descending ? -compareCells(a, b) : compareCells(a, b)) || x.i - y.i;
    })
    .map((x) => x.row);
}

/**
 * The rows a filter keeps. Space-separated terms must all match: `key=value`
 * or `key<n` / `key>n` (`<=`, `>=`) test one column (errors in %: `testError<8`),
 * any other word must occur in the run folder's name or in some cell as shown. Case does not matter.
 */
export function filterRows(rows: RunRowView[], query: string, columns: ColumnView[]): RunRowView[] {
  const terms = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return rows;
  const byKey = new Map(columns.map((c) => [c.key.toLowerCase(), c]));
  const tests = terms.map((term) => {
    const m = /^(\w+)(<=|>=|=|<|>)(.+)$/.exec(term);
    const column = m && byKey.get(m[1]);
    if (m && column) {
      const [, , op, want] = m;
      return (row: RunRowView) => matches(row.cells[column.key] ?? null, column.type, op, want);
    }
    return (row: RunRowView) =>
      row.folder.toLowerCase().includes(term) ||
      columns.some((c) =>
        formatCell(c.type, row.cells[c.key] ?? null)
          .toLowerCase()
          .includes(term),
      );
  });
  return rows.filter((row) => tests.every((t) => t(row)));
}

function matches(value: CellValue, type: ColumnType, op: string, want: string): boolean {
  if (value === null) return false;
  if (op === '=') return formatCell(type, value).toLowerCase() === want || String(value).toLowerCase() === want;
  const n = Number(want);
  if (typeof value !== 'number' || !Number.isFinite(n)) return false;
  const v = type === 'error' ? value * 100 : value;
  return op === '<' ? v < n : op === '>' ? v > n : op === '<=' ? v <= n : v >= n;
}

/** A cell as the table shows it: errors in %, seconds as 1h 02m, counts with thousands separators. */
export function formatCell(type: ColumnType, value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  switch (type) {
    case 'error':
      return `${(value * 100).toFixed(2)}%`;
    case 'seconds':
      return formatSeconds(value);
    case 'rate':
      return String(Number(value.toPrecision(4)));
    case 'count':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
    default:
      return String(value);
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

// A run's confusion records as text and CSV, for the CLI (`resnet-lab
// confusion`, `export-csv`). Class names come from run.json's data set.
import { toCsv } from '../report/csv';
import { ReportError } from '../report/reportError';
import type { ConfusionRecord } from '../runs/confusionRecords';
import { perClassError, rowTotals } from './matrix';

/** The names of a matrix's classes: the data set's, or their numbers where it names fewer. */
export function classLabels(names: readonly string[] | undefined, numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, i) => names?.[i] ?? String(i));
}

/** The record of epoch `epoch`, or the last one; an Error naming the epochs there are when it has none. */
export function pickEpoch(records: readonly ConfusionRecord[], epoch?: number): ConfusionRecord {
  if (records.length === 0)
    throw new ReportError('the run has no confusion records yet (the trainer writes them after each epoch)');
  if (epoch === undefined) return records[records.length - 1];
  const found = records.find((r) => r.epoch === epoch);
  if (!found)
    throw new ReportError(
      `no confusion record for epoch ${epoch}: the run has epochs ${records[0].epoch}–${records[records.length - 1].epoch}`,
    );
  return found;
}

const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

/** The matrix as an aligned text table: rows true class, columns predicted, then each class's examples and error. */
export function confusionText(record: ConfusionRecord, names: readonly string[] | undefined): string {
  const labels = classLabels(names, record.matrix.length);
  const totals = rowTotals(record.matrix);
  const errors = perClassError(record.matrix);
  const header = ['true \\ predicted', ...labels, 'examples', 'error'];
  const rows = record.matrix.map((row, i) => [labels[i], ...row.map(String), String(totals[i]), pct(errors[i])]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ');
  const correct = record.matrix.reduce((s, row, i) => s + row[i], 0);
  const all = totals.reduce((s, v) => s + v, 0);
  return [
    `epoch ${record.epoch}, iteration ${record.iteration}: ${correct} of ${all} test images right (error ${pct(all ? 1 - correct / all : null)})`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}

/** One epoch's matrix as CSV: a row per true class, a column per predicted class, then examples and error (a fraction). */
export function confusionMatrixCsv(record: ConfusionRecord, names: readonly string[] | undefined): string {
  const labels = classLabels(names, record.matrix.length);
  const totals = rowTotals(record.matrix);
  const errors = perClassError(record.matrix);
  return toCsv(
    ['true', ...labels, 'examples', 'error'],
    record.matrix.map((row, i) => [labels[i], ...row, totals[i], errors[i]]),
  );
}

/** Every epoch's matrix as CSV, long form: one row per (epoch, true class, predicted class). */
export function confusionCsv(records: readonly ConfusionRecord[], names: readonly string[] | undefined): string {
  return toCsv(
    ['epoch', 'iteration', 'true', 'trueClass', 'predicted', 'predictedClass', 'count'],
    records.flatMap((r) => {
      const labels = classLabels(names, r.matrix.length);
      return r.matrix.flatMap((row, i) =>
        row.map((count, j) => [r.epoch, r.iteration, i, labels[i], j, labels[j], count]),
      );
    }),
  );
}

/** Each class's test error at every epoch as CSV: one row per (epoch, class); error a fraction, empty without examples. */
export function classErrorsCsv(records: readonly ConfusionRecord[], names: readonly string[] | undefined): string {
  return toCsv(
    ['epoch', 'iteration', 'class', 'className', 'examples', 'error'],
    records.flatMap((r) => {
      const labels = classLabels(names, r.matrix.length);
      const totals = rowTotals(r.matrix);
      return perClassError(r.matrix).map((e, i) => [r.epoch, r.iteration, i, labels[i], totals[i], e]);
    }),
  );
}

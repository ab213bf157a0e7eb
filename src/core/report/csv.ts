// A run's records as CSV (RFC 4180: comma separated, fields with commas,
// quotes or newlines quoted), for spreadsheets and plotting tools. Numbers
// are written in JavaScript's shortest round-trip form, so parsing them back
// gives the same doubles; a missing value is an empty field.
import type { LesionResult, ResponsesResult } from '../../protocol/trainer';
import type { GradientRecord, MetricRecord } from '../runs/metricRecords';

type Cell = string | number | boolean | null | undefined;

function field(v: Cell): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number')
    return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** Parses CSV text into rows of strings (quoted fields, doubled quotes, CRLF). */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    cur = '',
    quoted = false,
    i = 0,
    any = false;
  while (i < src.length) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cur += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      cur += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(cur);
      cur = '';
      any = true;
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
      any = false;
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cur += c;
    any = true;
    i++;
  }
  if (any || cur || row.length) {
    row.push(cur);
    rows.push(row);
  }
  return rows;
}

/** Rows of a parsed CSV as objects keyed by the header; numeric fields as numbers, empty ones left out. */
export function csvRecords(src: string): Record<string, string | number>[] {
  const [header, ...rows] = parseCsv(src);
  if (!header) return [];
  return rows.map((r) => {
    const o: Record<string, string | number> = {};
    header.forEach((h, i) => {
      const v = r[i] ?? '';
      if (v === '') return;
      const num = Number(v);
      o[h] = v.trim() !== '' && !Number.isNaN(num) ? num : v;
    });
    return o;
  });
}

export const METRICS_COLUMNS = [
  'iteration',
  'epoch',
  'type',
  'loss',
  'trainError',
  'testError',
  'testLoss',
  'lr',
  'imagesPerSec',
  'trainLoss',
  'valError',
  'seconds',
] as const;

/**
 * metrics.jsonl as CSV: one row per record. Iteration rows carry loss,
 * trainError (of the mini-batch), lr, imagesPerSec; epoch rows carry
 * trainLoss and trainError over the epoch, testLoss, testError, valError and
 * the epoch's seconds. Errors are fractions (0.25 = 25%).
 */
export function metricsCsv(records: MetricRecord[]): string {
  return toCsv(
    [...METRICS_COLUMNS],
    records.map((r) => METRICS_COLUMNS.map((c) => (r as unknown as Record<string, Cell>)[c])),
  );
}

/** gradients.jsonl as CSV, long form: one row per layer per record. */
export function gradientsCsv(records: GradientRecord[]): string {
  return toCsv(
    ['iteration', 'layer', 'norm'],
    records.flatMap((r) => r.layers.map((l) => [r.iteration, l.name, l.norm])),
  );
}

/**
 * lesion.json as CSV. `kind` is baseline (nothing deleted), block (that one
 * block deleted), random (k random blocks deleted: the mean, with `draw`
 * empty) or random-draw (one draw, numbered), custom (the listed blocks).
 */
export function lesionCsv(result: LesionResult): string {
  const rows: Cell[][] = [['baseline', '', 0, '', result.baselineError, '']];
  for (const b of result.blocks) rows.push(['block', b.name, 1, '', b.error, b.downsampling]);
  for (const r of result.random) {
    rows.push(['random', '', r.k, '', r.meanError, '']);
    r.errors.forEach((e, i) => rows.push(['random-draw', '', r.k, i + 1, e, '']));
  }
  if (result.custom)
    rows.push(['custom', result.custom.lesioned.join(' '), result.custom.lesioned.length, '', result.custom.error, '']);
  return toCsv(['kind', 'block', 'k', 'draw', 'error', 'downsampling'], rows);
}

/** responses.json as CSV: layer (its BN), index (the conv's position), std. */
export function responsesCsv(result: ResponsesResult): string {
  return toCsv(
    ['layer', 'index', 'std'],
    result.layers.map((l) => [l.name, l.index, l.std]),
  );
}

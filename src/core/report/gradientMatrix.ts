// Per-layer gradient norms as one matrix (layers named once, not once per
// record: 1,000 records of 40 layers are ~0.4 MB instead of ~1.8 MB of JSON),
// and the heatmap's columns: when there are more records than the screen has
// room for, a cell is the mean of the records it covers, never a dropped one.
// No DOM and no Node here: the host and the panel's webview both use it.

import type { GradientMatrix } from '../../protocol/charts';
export type { GradientMatrix };

interface RecordLike {
  iteration: number;
  layers: { name: string; norm: number }[];
}

const r4 = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);

export function toGradientMatrix(records: readonly RecordLike[]): GradientMatrix {
  const layers = records[0]?.layers.map((l) => l.name) ?? [];
  const m: GradientMatrix = { layers, iterations: [], norms: [] };
  appendRecords(m, records);
  return m;
}

/** Live records join the matrix; a layer missing from a record counts as 0. */
export function appendRecords(m: GradientMatrix, records: readonly RecordLike[]): void {
  if (m.layers.length === 0 && records.length) m.layers = records[0].layers.map((l) => l.name);
  for (const rec of records) {
    const byName = new Map(rec.layers.map((l) => [l.name, l.norm]));
    m.iterations.push(rec.iteration);
    m.norms.push(m.layers.map((name) => r4(byName.get(name) ?? 0)));
  }
}

/** Records [from, to) shown in column c of `columns`: consecutive, as even as integers allow. */
export function columnRange(records: number, columns: number, c: number): [number, number] {
  return [Math.floor((c * records) / columns), Math.floor(((c + 1) * records) / columns)];
}

/** How many columns fit: one per record, or fewer so that each is at least `minPx` wide. */
export function columnCount(records: number, widthPx: number, minPx = 2): number {
  return Math.max(1, Math.min(records, Math.floor(widthPx / minPx)));
}

export interface Column {
  from: number;
  to: number;
  firstIteration: number;
  lastIteration: number;
  /** Mean norm per layer over the column's records. */
  means: number[];
}

export function columns(m: GradientMatrix, count: number): Column[] {
  const out: Column[] = [];
  const n = m.iterations.length;
  for (let c = 0; c < count; c++) {
    const [from, to] = columnRange(n, count, c);
    if (to <= from) continue;
    const means = m.layers.map((_, l) => {
      let s = 0;
      for (let i = from; i < to; i++) s += m.norms[i][l];
      return s / (to - from);
    });
    out.push({ from, to, firstIteration: m.iterations[from], lastIteration: m.iterations[to - 1], means });
  }
  return out;
}

/**
 * The cell under a pointer, from its position as a fraction of the drawn
 * heatmap (so the canvas may be scaled to any size): column, and layer index
 * with the input (layer 0) in the bottom row.
 */
export function cellAt(
  fx: number,
  fy: number,
  cols: number,
  rows: number,
): { column: number; layer: number } | undefined {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return undefined;
  return { column: Math.floor(fx * cols), layer: rows - 1 - Math.floor(fy * rows) };
}

// distributions.jsonl as CSV, long form: one row per tensor per record, its
// quantiles in columns named by level (q0 … q100) and, for a block output
// after a ReLU, its share of zeros.
import { toCsv } from '../report/csv';
import { QUANTILE_LEVELS } from './quantiles';
import type { DistributionRecord } from './records';

export const DISTRIBUTION_COLUMNS = [
  'iteration',
  'kind',
  'layer',
  ...QUANTILE_LEVELS.map((p) => `q${Math.round(100 * p)}`),
  'zeros',
];

export function distributionsCsv(records: readonly DistributionRecord[]): string {
  return toCsv(
    DISTRIBUTION_COLUMNS,
    records.flatMap((r) => [
      ...r.weights.map((w) => [r.iteration, 'kernel', w.name, ...w.q, undefined]),
      ...r.activations.map((a) => [r.iteration, 'activation', a.name, ...a.q, a.zeros]),
    ]),
  );
}

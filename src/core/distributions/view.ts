// From distribution records to what a chart draws: one series per layer, the
// records thinned evenly to at most `maxRecords` (a 100,000-iteration run has
// 1,000; a panel chart's plot is under 200 px wide), the last one always kept:
// ResNet-110's 165 series stay a message of about 1.5 MB.
import type { DistributionSeries, DistributionView } from '../../protocol/distributions';
import type { DistributionRecord } from './records';

/** Indices of `n` items thinned to at most `max`, evenly, first and last included. */
export function evenPicks(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

export function distributionView(records: readonly DistributionRecord[], maxRecords = 160): DistributionView {
  const picked = evenPicks(records.length, Math.max(2, maxRecords)).map((i) => records[i]);
  const byName = new Map<string, DistributionSeries>();
  const seriesOf = (name: string, kind: DistributionSeries['kind']) => {
    const key = `${kind}:${name}`;
    let s = byName.get(key);
    if (!s) byName.set(key, (s = { name, kind, q: Array<null[]>(picked.length).fill([]) }));
    return s;
  };
  picked.forEach((r, t) => {
    for (const w of r.weights) seriesOf(w.name, 'weights').q[t] = w.q;
    for (const a of r.activations) {
      const s = seriesOf(a.name, 'activations');
      s.q[t] = a.q;
      if (a.zeros !== undefined) (s.zeros ??= Array<number | null>(picked.length).fill(null))[t] = a.zeros;
    }
  });
  return { iterations: picked.map((r) => r.iteration), series: [...byName.values()], records: records.length };
}

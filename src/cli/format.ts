import type { ModelSummary } from '../protocol/graph';

export const pct = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(2)}%`);

export function summaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [l.name, l.className, `[${l.outputShape.map((d) => d ?? 'N').join(', ')}]`, String(l.params)]);
  const head = ['layer', 'type', 'output shape', 'params'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `${s.name}: ${s.depth} weighted layers, ${s.shortcuts} shortcut connections, ` +
      `${s.trainableParams.toLocaleString('en-US')} trainable parameters (${s.totalParams.toLocaleString('en-US')} in all)`,
  ].join('\n');
}

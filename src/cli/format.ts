import type { ModelSummary } from '../protocol/graph';

export const pct = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(2)}%`);

export function summaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [
    l.name,
    l.className,
    `[${l.outputShape.map((d) => d ?? 'N').join(', ')}]`,
    String(l.params),
  ]);
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

/**
 * An experiment's size in one line, as the CodeLens shows it:
 * `ResNet-20 · 0.27 M params · 9 shortcuts` (the paper's names: a net with no
 * shortcut is `plain-N`; N is the weighted layers on the main path).
 */
export function factsLine(s: Pick<ModelSummary, 'depth' | 'shortcuts' | 'trainableParams'>): string {
  const kind = s.shortcuts > 0 ? `ResNet-${s.depth}` : `plain-${s.depth}`;
  // Millions as the paper gives them (0.27M); a small net's 19,218 in thousands (0.02 M would lose
  // most of it), a toy's 2,590 as it is.
  const n = s.trainableParams;
  const params =
    n >= 100_000
      ? `${(n / 1e6).toFixed(2)} M params`
      : n >= 10_000
        ? `${(n / 1e3).toFixed(1)} k params`
        : `${n.toLocaleString('en-US')} params`;
  return `${kind} · ${params} · ${s.shortcuts} shortcut${s.shortcuts === 1 ? '' : 's'}`;
}

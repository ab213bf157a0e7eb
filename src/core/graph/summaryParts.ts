// A model's summary by part, as the paper's Table 1 reads a ResNet: the stem,
// each stage (its blocks and layers), the head, with the output shape and the
// parameters of each. Small enough for a hover; `resnet-lab summary` prints
// every layer. Layers are grouped by their name's first component
// (`stage2/block1/conv1` → stage2); unprefixed layers in a row form one part.
import type { ModelSummary } from '../../protocol/graph';

export interface SummaryPart {
  /** `stage2`, or the unprefixed layers' names (`conv1, bn1, relu1`). */
  part: string;
  layers: number;
  /** Distinct second name components (`block1`, `block2`) of a prefixed part. */
  blocks: number;
  /** The output shape of the part's last layer, batch left out: `16×16×32`. */
  output: string;
  params: number;
}

const MAX_NAMES = 3;

export function summaryParts(s: ModelSummary): SummaryPart[] {
  const groups: { key: string; prefixed: boolean; layers: ModelSummary['layers'] }[] = [];
  for (const l of s.layers) {
    if (l.className === 'InputLayer') continue;
    const slash = l.name.indexOf('/');
    const key = slash < 0 ? '' : l.name.slice(0, slash);
    const last = groups.at(-1);
    if (last && last.key === key) last.layers.push(l);
    else groups.push({ key, prefixed: slash >= 0, layers: [l] });
  }
  return groups.map((g) => {
    const names = g.layers.map((l) => l.name);
    const blocks = new Set(
      names
        .map((n) => n.split('/'))
        .filter((c) => c.length > 2)
        .map((c) => c[1]),
    );
    return {
      part: g.prefixed
        ? g.key
        : names.slice(0, MAX_NAMES).join(', ') + (names.length > MAX_NAMES ? `, … (${names.length})` : ''),
      layers: g.layers.length,
      blocks: blocks.size,
      output: g.layers
        .at(-1)!
        .outputShape.slice(1)
        .map((d) => d ?? '?')
        .join('×'),
      params: g.layers.reduce((sum, l) => sum + l.params, 0),
    };
  });
}

/** The parts as a Markdown table (a hover's): part, blocks and layers, output, parameters. */
export function summaryPartsMarkdown(s: ModelSummary): string {
  const rows = summaryParts(s).map((p) => {
    const what = p.blocks
      ? `${p.blocks} block${p.blocks === 1 ? '' : 's'}, ${p.layers} layers`
      : `${p.layers} layer${p.layers === 1 ? '' : 's'}`;
    return `| ${p.part} | ${what} | ${p.output} | ${p.params.toLocaleString('en-US')} |`;
  });
  return ['| part | layers | output | params |', '|---|---|---|---:|', ...rows].join('\n');
}

// What a run's model is, in the paper's words, read back from its stored
// graph (run.json keeps the graph, not the options the model file passed):
// the block kind (plain, basic, bottleneck, pre-activation) and the shortcut
// option of Sec. 3.3 (A: identity + zero-padding, B: projections only where
// the shape changes, C: projections everywhere). The runs table and the
// config diff show them, so they must come from any run folder, a Keras
// engine's included.
import type { ModelGraph } from '../../protocol/graph';
import { adjacency, findShortcuts } from './shortcuts';

export type BlockKind = 'plain' | 'basic' | 'bottleneck' | 'pre-activation' | 'mixed';
export type ShortcutOptionName = 'A' | 'B' | 'C' | 'identity' | 'none' | 'mixed';

export interface ModelTraits {
  blockKind: BlockKind;
  shortcut: ShortcutOptionName;
}

const WEIGHTED = new Set(['Conv2D', 'Dense', 'DepthwiseConv2D', 'SeparableConv2D']);
const ACTIVATION = new Set(['ReLU', 'Activation']);

/** Hundreds of runs share a handful of models: the shortcut search runs once per distinct graph. */
const known = new Map<string, ModelTraits>();
const MAX_KNOWN = 256;

export function modelTraits(graph: Pick<ModelGraph, 'nodes' | 'edges'>): ModelTraits {
  const key = `${graph.nodes.map((n) => `${n.id}\0${n.className}`).join('\n')}\n\n${graph.edges.map((e) => `${e.from}\0${e.to}`).join('\n')}`;
  let traits = known.get(key);
  if (!traits) {
    if (known.size >= MAX_KNOWN) known.clear();
    traits = traitsOf(graph as ModelGraph);
    known.set(key, traits);
  }
  return { ...traits };
}

function traitsOf(graph: ModelGraph): ModelTraits {
  const shortcuts = findShortcuts(graph);
  if (shortcuts.length === 0) return { blockKind: 'plain', shortcut: 'none' };
  const classOf = new Map(graph.nodes.map((n) => [n.id, n.className]));
  const { outputs } = adjacency(graph);

  const kinds = new Set(
    shortcuts.map((s) => {
      const convs = s.skips.filter((id) => WEIGHTED.has(classOf.get(id) ?? '')).length;
      // Pre-activation units leave the addition as it is (He et al. 2016): no activation right after it.
      const activated = (outputs.get(s.to) ?? []).some((id) => ACTIVATION.has(classOf.get(id) ?? ''));
      if (!activated) return 'pre-activation';
      return convs >= 3 ? 'bottleneck' : 'basic';
    }),
  );
  const blockKind: BlockKind = kinds.size === 1 ? [...kinds][0] : 'mixed';

  const projections = shortcuts.filter((s) => s.kind === 'projection').length;
  const paddings = shortcuts.filter((s) => s.kind === 'padding').length;
  let shortcut: ShortcutOptionName;
  if (projections === shortcuts.length) shortcut = 'C';
  else if (projections > 0) shortcut = paddings > 0 ? 'mixed' : 'B';
  else shortcut = paddings > 0 ? 'A' : 'identity';
  return { blockKind, shortcut };
}

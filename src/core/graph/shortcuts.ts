// Finds the shortcut connections in a model graph. Pure data in, data out: the
// trainer, the CLI summary and the diagram webview all use it.
//
// A shortcut is an input of an addition that reaches it through fewer layers
// than the other input (the residual branch F). Followed back to where it
// splits off the main path (the fork), its kind is:
//   identity   - nothing in between (y = x + F(x)),
//   padding    - only parameter-free layers, e.g. option A's zero-padding,
//   projection - a convolution or dense layer (options B and C).
import type { ModelGraph } from '../../protocol/graph';

export type ShortcutKind = 'identity' | 'padding' | 'projection';

export interface Shortcut {
  /** Where the shortcut leaves the main path. */
  from: string;
  /** The addition it joins. */
  to: string;
  kind: ShortcutKind;
  /** Layers on the shortcut itself (empty for identity). */
  via: string[];
  /** Layers of the residual branch F that the shortcut skips. */
  skips: string[];
}

const MERGE_ADD = new Set(['Add']);
const WEIGHTED = new Set(['Conv2D', 'Dense', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose']);

interface Index {
  inputs: Map<string, string[]>;
  outputs: Map<string, string[]>;
  classOf: Map<string, string>;
  order: string[];
  position: Map<string, number>;
}

/** Each node's producers (`inputs`) and consumers (`outputs`), in edge order. */
export function adjacency(graph: ModelGraph): { inputs: Map<string, string[]>; outputs: Map<string, string[]> } {
  const inputs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  const outputs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) {
    inputs.get(e.to)?.push(e.from);
    outputs.get(e.from)?.push(e.to);
  }
  return { inputs, outputs };
}

function index(graph: ModelGraph): Index {
  const { inputs, outputs } = adjacency(graph);
  return {
    inputs,
    outputs,
    classOf: new Map(graph.nodes.map((n) => [n.id, n.className])),
    order: graph.nodes.map((n) => n.id),
    position: new Map(graph.nodes.map((n, i) => [n.id, i])),
  };
}

/**
 * Longest path (in layers) from any input to each node: a node's row in the
 * diagram. Iterative (Kahn's topological order), not recursive: ResNet-1202
 * has thousands of layers in a row and would overflow the call stack.
 */
export function longestPathDepth(graph: ModelGraph): Map<string, number> {
  const { inputs, outputs, order } = index(graph);
  const waiting = new Map(order.map((id) => [id, inputs.get(id)?.length ?? 0]));
  const depth = new Map<string, number>();
  const ready = order.filter((id) => waiting.get(id) === 0);
  for (const id of ready) depth.set(id, 0);
  while (ready.length) {
    const id = ready.pop()!;
    const d = depth.get(id)!;
    for (const next of outputs.get(id) ?? []) {
      if (!waiting.has(next)) continue; // an edge to a node the graph does not list
      depth.set(next, Math.max(depth.get(next) ?? 0, d + 1));
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const stuck = order.find((id) => (waiting.get(id) ?? 0) > 0);
  if (stuck !== undefined) throw new Error(`the model graph has a cycle at ${stuck}`);
  return depth;
}

export function findShortcuts(graph: ModelGraph): Shortcut[] {
  const idx = index(graph);
  const depth = longestPathDepth(graph);
  const result: Shortcut[] = [];
  for (const id of idx.order) {
    if (!MERGE_ADD.has(idx.classOf.get(id) ?? '')) continue;
    const ins = [...(idx.inputs.get(id) ?? [])].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0));
    if (ins.length < 2) continue;
    const deepest = ins[ins.length - 1];
    for (const start of ins.slice(0, -1)) {
      // Walk back along single-input, single-output layers to the fork.
      const via: string[] = [];
      let cur = start;
      while ((idx.outputs.get(cur)?.length ?? 0) === 1 && (idx.inputs.get(cur)?.length ?? 0) === 1) {
        via.unshift(cur);
        cur = idx.inputs.get(cur)![0];
      }
      const kind: ShortcutKind =
        via.length === 0
          ? 'identity'
          : via.some((v) => WEIGHTED.has(idx.classOf.get(v) ?? ''))
            ? 'projection'
            : 'padding';
      result.push({ from: cur, to: id, kind, via, skips: branchBetween(idx, depth, cur, deepest, new Set(via)) });
    }
  }
  return result;
}

/** The layers on paths from `fork` (exclusive) to `end` (inclusive), excluding the shortcut's own layers. */
function branchBetween(
  idx: Index,
  depth: Map<string, number>,
  fork: string,
  end: string,
  exclude: Set<string>,
): string[] {
  // What reaches `end`, found by walking back from it (a loop, not recursion: depth must not matter).
  // Whatever lies after the fork is deeper than it, so the walk stops there: linear in the block, not the net.
  const forkDepth = depth.get(fork) ?? 0;
  const reachesEnd = new Set<string>([end]);
  const back = [end];
  while (back.length) {
    for (const p of idx.inputs.get(back.pop()!) ?? []) {
      if (!reachesEnd.has(p) && (depth.get(p) ?? 0) > forkDepth) {
        reachesEnd.add(p);
        back.push(p);
      }
    }
  }
  const reaches = (id: string) => reachesEnd.has(id);
  const found: string[] = [];
  const stack = [...(idx.outputs.get(fork) ?? [])];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || exclude.has(id) || !reaches(id)) continue;
    seen.add(id);
    found.push(id);
    if (id !== end) stack.push(...(idx.outputs.get(id) ?? []));
  }
  const position = (id: string) => idx.position.get(id) ?? 0;
  return [...seen].sort((a, b) => position(a) - position(b));
}

/** Weighted layers (conv, dense) not on a shortcut: the depth the paper names a net by. */
export function mainPathDepth(graph: ModelGraph): number {
  const onShortcut = new Set(findShortcuts(graph).flatMap((s) => s.via));
  return graph.nodes.filter((n) => WEIGHTED.has(n.className) && !onShortcut.has(n.id)).length;
}

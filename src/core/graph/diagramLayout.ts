// Lays out a model graph as a column, read top to bottom like the paper's
// Figure 3: the main path down the middle, every shortcut as its own arc on
// the right that visibly skips the layers it bypasses. Layers on a shortcut
// (option A's padding, a projection) are drawn on the arc, not in the column.
// Blocks (layers sharing a name prefix such as "stage2/block1") collapse.
import type { ModelGraph } from '../../protocol/graph';
import { findShortcuts, Shortcut } from './shortcuts';

export interface LayoutNode {
  id: string;
  label: string;
  detail: string;
  shape: string;
  params: number;
  row: number;
  column: number;
  /** Set when this box stands for a collapsed block. */
  group?: string;
  members: string[];
}

export interface LayoutEdge {
  from: string;
  to: string;
}
export interface LayoutShortcut extends Shortcut {
  fromBox: string;
  toBox: string;
}
export interface StageMark {
  row: number;
  label: string;
}

export interface Layout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  shortcuts: LayoutShortcut[];
  stages: StageMark[];
  rows: number;
  groups: string[];
}

export function groupOf(id: string): string | undefined {
  const cut = id.lastIndexOf('/');
  return cut > 0 ? id.slice(0, cut).replace(/\/shortcut$/, '') : undefined;
}

const fmtShape = (s: (number | null)[]) => s.slice(1).join('×');

export function layoutGraph(graph: ModelGraph, collapsed: Set<string>): Layout {
  const shortcuts = findShortcuts(graph);
  const onShortcut = new Set(shortcuts.flatMap((s) => s.via));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const boxOf = (id: string) => {
    const g = groupOf(id);
    return g && collapsed.has(g) ? `group:${g}` : id;
  };

  // Boxes: every layer not on a shortcut, with collapsed groups merged.
  const boxes = new Map<string, LayoutNode>();
  for (const n of graph.nodes) {
    if (onShortcut.has(n.id)) continue;
    const id = boxOf(n.id);
    const existing = boxes.get(id);
    if (existing) {
      existing.members.push(n.id);
      existing.params += n.params;
      existing.shape = fmtShape(n.outputShape);
      continue;
    }
    const group = id.startsWith('group:') ? id.slice(6) : undefined;
    boxes.set(id, {
      id,
      label: group ?? n.id,
      detail: group ? 'block' : n.className,
      shape: fmtShape(n.outputShape),
      params: n.params,
      row: 0,
      column: 0,
      group,
      members: [n.id],
    });
  }
  for (const b of boxes.values()) if (b.group) b.detail = `${b.members.length} layers`;

  // Edges between boxes, leaving out the shortcut paths (drawn as arcs).
  const edgeKeys = new Set<string>();
  const edges: LayoutEdge[] = [];
  const shortcutPairs = new Set(shortcuts.map((s) => `${s.via.length ? s.via[s.via.length - 1] : s.from}->${s.to}`));
  for (const e of graph.edges) {
    if (onShortcut.has(e.from) || onShortcut.has(e.to) || shortcutPairs.has(`${e.from}->${e.to}`)) continue;
    const from = boxOf(e.from),
      to = boxOf(e.to);
    const key = `${from}->${to}`;
    if (from === to || edgeKeys.has(key)) continue;
    edgeKeys.add(key);
    edges.push({ from, to });
  }

  // Rows by longest path over the box edges; side branches go to column 1.
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from]);
  const rowOf = new Map<string, number>();
  const row = (id: string): number => {
    if (rowOf.has(id)) return rowOf.get(id)!;
    rowOf.set(id, 0);
    const r = Math.max(-1, ...(incoming.get(id) ?? []).map(row)) + 1;
    rowOf.set(id, r);
    return r;
  };
  const used = new Map<number, number>();
  for (const b of boxes.values()) {
    b.row = row(b.id);
    b.column = used.get(b.row) ?? 0;
    used.set(b.row, b.column + 1);
  }

  // Stage boundaries: where the spatial size of the main path changes.
  const stages: StageMark[] = [];
  const mainColumn = [...boxes.values()].filter((b) => b.column === 0).sort((a, b) => a.row - b.row);
  for (let i = 1; i < mainColumn.length; i++) {
    const prev = byId.get(mainColumn[i - 1].members[mainColumn[i - 1].members.length - 1]);
    const cur = byId.get(mainColumn[i].members[0]);
    if (!prev || !cur || prev.outputShape.length !== 4 || cur.outputShape.length !== 4) continue;
    if (prev.outputShape[1] !== cur.outputShape[1])
      stages.push({ row: mainColumn[i].row, label: `${fmtShape(prev.outputShape)} → ${fmtShape(cur.outputShape)}` });
  }

  const groups = [...new Set(graph.nodes.map((n) => groupOf(n.id)).filter((g): g is string => !!g))];
  return {
    nodes: [...boxes.values()],
    edges,
    shortcuts: shortcuts.map((s) => ({ ...s, fromBox: boxOf(s.from), toBox: boxOf(s.to) })),
    stages,
    rows: Math.max(0, ...[...boxes.values()].map((b) => b.row)) + 1,
    groups,
  };
}

/** Box and grid sizes shared by the panel's diagram and the SVG export. */
export const BOX_W = 230,
  BOX_H = 34,
  ROW_H = 46,
  COL_W = 260;

type Point = { x: number; y: number };

/** A main-path edge from the bottom of box `a` to the top of box `b`; skips and side branches curve to the left. */
export function edgePath(a: Point, b: Point): string {
  const x1 = a.x + BOX_W / 2,
    y1 = a.y + BOX_H,
    x2 = b.x + BOX_W / 2,
    y2 = b.y;
  return Math.abs(b.y - a.y) > ROW_H + 1 || a.x !== b.x
    ? `M${x1},${y1} C${x1 - 60},${(y1 + y2) / 2} ${x2 - 60},${(y1 + y2) / 2} ${x2},${y2}`
    : `M${x1},${y1} L${x2},${y2}`;
}

/** The i-th shortcut as an arc on the right of the column, from box `a` to box `b`; where to put its label. */
export function shortcutArc(a: Point, b: Point, i: number): { d: string; end: Point; label: Point } {
  let x1 = a.x + BOX_W,
    y1 = a.y + BOX_H / 2,
    y2 = b.y + BOX_H / 2;
  const x2 = b.x + BOX_W;
  if (a.x === b.x && a.y === b.y) {
    y1 = a.y + 6;
    y2 = b.y + BOX_H - 6;
    x1 = x2;
  } // both ends in one collapsed block
  const bulge = 40 + (i % 2) * 14 + Math.min(60, Math.abs(y2 - y1) / 12);
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    d: `M${r(x1)},${r(y1)} C${r(x1 + bulge)},${r(y1)} ${r(x2 + bulge)},${r(y2)} ${r(x2)},${r(y2)}`,
    end: { x: x2, y: y2 },
    label: { x: (x1 + x2) / 2 + bulge * 0.75, y: (y1 + y2) / 2 },
  };
}

/**
 * A layer's identity across two builds of an edited model. Its name when it
 * has a path ("stage2/block1/conv1": the library names its layers); otherwise
 * its name without the trailing number plus its place among layers of that
 * name, because tfjs numbers unnamed layers per process ("conv2d_Conv2D7"
 * becomes "conv2d_Conv2D19" the next time the same file is built).
 */
export function layerKeys(graph: ModelGraph): Map<string, string> {
  const seen = new Map<string, number>();
  const keys = new Map<string, string>();
  for (const n of graph.nodes) {
    if (n.id.includes('/')) {
      keys.set(n.id, n.id);
      continue;
    }
    const base = n.id.replace(/\d+$/, '');
    const i = seen.get(base) ?? 0;
    seen.set(base, i + 1);
    keys.set(n.id, `${base}#${i}`);
  }
  return keys;
}

/** What makes a layer "the same" after an edit: its class, output shape, parameters and inputs. */
function signatures(graph: ModelGraph): Map<string, string> {
  const keys = layerKeys(graph);
  const inputs = new Map<string, string[]>();
  for (const e of graph.edges) inputs.set(e.to, [...(inputs.get(e.to) ?? []), keys.get(e.from) ?? e.from]);
  return new Map(
    graph.nodes.map((n) => [
      keys.get(n.id)!,
      `${n.className}|${n.outputShape.join(',')}|${n.params}|${(inputs.get(n.id) ?? []).sort().join(',')}`,
    ]),
  );
}

/** The layers of `next` (by id) that are new or differ from their counterpart in `previous`. */
export function changedLayers(previous: ModelGraph, next: ModelGraph): Set<string> {
  const before = signatures(previous),
    after = signatures(next);
  const keys = layerKeys(next);
  return new Set(next.nodes.filter((n) => before.get(keys.get(n.id)!) !== after.get(keys.get(n.id)!)).map((n) => n.id));
}

/**
 * The collapsed blocks after an edit: a block that still exists keeps its
 * state; a new one (a deeper net's extra blocks) follows the majority of
 * the blocks the user had, so a net shown collapsed stays collapsed.
 */
export function keepCollapsed(previous: ModelGraph, next: ModelGraph, collapsed: Set<string>): Set<string> {
  const groups = (g: ModelGraph) => [...new Set(g.nodes.map((n) => groupOf(n.id)).filter((x): x is string => !!x))];
  const old = new Set(groups(previous));
  const foldNew =
    old.size > 0 ? [...old].filter((g) => collapsed.has(g)).length * 2 > old.size : next.nodes.length > 60;
  return new Set(groups(next).filter((g) => (old.has(g) ? collapsed.has(g) : foldNew)));
}

// The diagram's unraveled view (Veit et al. 2016, Fig. 1): n residual blocks
// are 2^n paths from input to output, one per choice of branch or shortcut at
// each block. Pure geometry, no DOM: unravel.ts draws it.
//
// Up to MAX_DRAWN_BLOCKS blocks every path is drawn: the blocks are rows, each
// row has a box for the residual branch and a band for the shortcut beside it,
// and path p runs down its own lane (the same offset in both bands), through
// the box where it takes the branch and through the band where it skips. More
// blocks make too many lines to follow (ResNet-20 has 512 paths), so the view
// shows how many paths have each length instead: C(n, k).
import type { ModelGraph } from '../../src/protocol/graph';
import { findShortcuts } from '../../src/core/graph/shortcuts';
import { pathLength, pathLengthCounts } from '../../src/core/analysis/pathCounts';

export const MAX_DRAWN_BLOCKS = 4;

/** The residual blocks of a graph, in network order: one per addition with a shortcut, named by the addition. */
export function residualBlockNames(graph: ModelGraph): string[] {
  return [...new Set(findShortcuts(graph).map((s) => s.to))];
}

/** Every path of n blocks as a bit mask (bit i: takes block i's branch), shortest first, then by the blocks used. */
export function enumeratePaths(n: number): number[] {
  if (n > 20) throw new Error(`enumeratePaths: ${n} blocks are 2^${n} paths, too many to list`);
  return Array.from({ length: 2 ** n }, (_, m) => m).sort((a, b) => pathLength(a) - pathLength(b) || a - b);
}

export type Point = [number, number];

export interface UnravelBox {
  block: number;
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface UnravelPath {
  mask: number;
  length: number;
  /** The blocks whose branch it takes, by index. */
  blocks: number[];
  points: Point[];
}

export interface UnravelLayout {
  width: number;
  height: number;
  input: Point;
  output: Point;
  /** The residual branch of each block. */
  branches: UnravelBox[];
  /** The shortcut band beside each branch. */
  shortcuts: UnravelBox[];
  paths: UnravelPath[];
}

export interface UnravelSizes {
  lane: number;
  rowGap: number;
  boxH: number;
  bandGap: number;
  margin: number;
  /** Room left of the branch boxes for the block names. */
  labelW: number;
}
const SIZES: UnravelSizes = { lane: 12, rowGap: 44, boxH: 40, bandGap: 30, margin: 40, labelW: 84 };

export function unravelLayout(names: string[], sizes: UnravelSizes = SIZES): UnravelLayout {
  const n = names.length;
  if (n > MAX_DRAWN_BLOCKS)
    throw new Error(`unravelLayout: ${n} blocks; the drawing is for up to ${MAX_DRAWN_BLOCKS} (use lengthBars)`);
  const { lane, rowGap, boxH, bandGap, margin, labelW } = sizes;
  const masks = enumeratePaths(n);
  const bandW = masks.length * lane + lane;
  const branchX = labelW,
    shortcutX = branchX + bandW + bandGap;
  const width = shortcutX + bandW + margin;
  const centre = (branchX + shortcutX + bandW) / 2;
  const input: Point = [centre, margin / 2];
  const rowTop = (i: number) => margin + rowGap + i * (boxH + rowGap);
  const output: Point = [centre, rowTop(n) + margin / 2];
  const box = (x: number, i: number): UnravelBox => ({ block: i, name: names[i], x, y: rowTop(i), w: bandW, h: boxH });
  const branches = names.map((_, i) => box(branchX, i));
  const shortcuts = names.map((_, i) => box(shortcutX, i));
  const paths = masks.map((mask, p) => {
    const offset = lane + p * lane;
    const points: Point[] = [input];
    const blocks: number[] = [];
    for (let i = 0; i < n; i++) {
      const branch = (mask >> i) & 1;
      if (branch) blocks.push(i);
      const x = (branch ? branchX : shortcutX) + offset;
      points.push([x, rowTop(i)], [x, rowTop(i) + boxH]);
    }
    points.push(output);
    return { mask, length: blocks.length, blocks, points };
  });
  return { width, height: output[1] + margin / 2, input, output, branches, shortcuts, paths };
}

export interface LengthBar {
  k: number;
  count: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The distribution of path lengths as bars: C(n, k) for k = 0..n, scaled to the plot's height. */
export function lengthBars(n: number, plot: { x: number; y: number; w: number; h: number }): LengthBar[] {
  const counts = pathLengthCounts(n);
  const max = Math.max(...counts);
  const slot = plot.w / counts.length;
  return counts.map((count, k) => {
    const h = (count / max) * plot.h;
    return { k, count, x: plot.x + k * slot + slot * 0.15, y: plot.y + plot.h - h, w: slot * 0.7, h };
  });
}

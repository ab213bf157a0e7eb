// The diagram's unraveled view (webview/panel/unravelLayout.ts): every path
// of a net with up to four residual blocks as a line, and the distribution of
// path lengths for more. Pure geometry, checked against what a path is: a
// choice of branch or shortcut at each block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelGraph } from '../../src/protocol/graph';
import { pathLengthCounts } from '../../src/core/analysis/pathCounts';
import { enumeratePaths, lengthBars, residualBlockNames, unravelLayout } from '../../webview/panel/unravelLayout';

/** input → stem → n blocks (conv, add with the block's input) → fc, or the same without the adds. */
function chain(n: number, residual: boolean): ModelGraph {
  const node = (id: string, className: string) => ({ id, className, outputShape: [null, 8], params: 0 });
  const nodes = [node('input', 'InputLayer'), node('stem', 'Dense')];
  const edges: ModelGraph['edges'] = [{ from: 'input', to: 'stem' }];
  let prev = 'stem';
  for (let i = 1; i <= n; i++) {
    const conv = `block${i}/conv`;
    nodes.push(node(conv, 'Dense'));
    edges.push({ from: prev, to: conv });
    if (residual) {
      nodes.push(node(`block${i}/add`, 'Add'));
      edges.push({ from: conv, to: `block${i}/add` }, { from: prev, to: `block${i}/add` });
      prev = `block${i}/add`;
    } else prev = conv;
  }
  nodes.push(node('fc', 'Dense'));
  edges.push({ from: prev, to: 'fc' });
  return { name: 'chain', nodes, edges };
}

test('the residual blocks of a graph, named by their additions; a plain net has none', () => {
  assert.deepEqual(residualBlockNames(chain(3, true)), ['block1/add', 'block2/add', 'block3/add']);
  assert.deepEqual(residualBlockNames(chain(3, false)), []);
});

test('paths of n blocks: 2^n masks, shortest first, C(n, k) of each length', () => {
  assert.deepEqual(enumeratePaths(3), [0, 1, 2, 4, 3, 5, 6, 7]);
  assert.deepEqual(enumeratePaths(0), [0]);
  const counts = Array(5).fill(0);
  for (const m of enumeratePaths(4)) counts[[0, 1, 2, 3].filter((b) => (m >> b) & 1).length]++;
  assert.deepEqual(counts, pathLengthCounts(4));
  assert.throws(() => enumeratePaths(27), /too many to list/);
});

test('the drawing: each path passes through the branch box of the blocks it uses and the shortcut band of the others', () => {
  const names = ['stage1/block1/add', 'stage2/block1/add', 'stage3/block1/add'];
  const layout = unravelLayout(names);
  assert.equal(layout.paths.length, 8);
  assert.deepEqual(
    layout.branches.map((b) => b.name),
    names,
  );
  const inside = (x: number, y: number, b: { x: number; y: number; w: number; h: number }) =>
    x > b.x && x < b.x + b.w && y >= b.y && y <= b.y + b.h;
  for (const p of layout.paths) {
    assert.equal(p.points.length, 2 + 2 * 3, 'input, in and out of each block, output');
    assert.deepEqual(p.points[0], layout.input);
    assert.deepEqual(p.points.at(-1), layout.output);
    assert.equal(p.length, p.blocks.length);
    for (let i = 0; i < 3; i++) {
      const [x, y] = p.points[1 + 2 * i];
      const uses = p.blocks.includes(i);
      assert.equal(inside(x, y, layout.branches[i]), uses, `path ${p.mask} at block ${i}`);
      assert.equal(inside(x, y, layout.shortcuts[i]), !uses, `path ${p.mask} at block ${i}`);
      assert.equal(p.points[2 + 2 * i][0], x, 'straight down through the block');
    }
  }
  // Every path has its own lane, so no two lines share a segment.
  const lanes = layout.paths.map(
    (p) => (p.points[1][0] - layout.branches[0].x) % (layout.shortcuts[0].x - layout.branches[0].x),
  );
  assert.equal(new Set(lanes).size, 8);
  // Shortest first: the all-shortcut path, then the three of length 1, ...
  assert.deepEqual(
    layout.paths.map((p) => p.length),
    [0, 1, 1, 1, 2, 2, 2, 3],
  );
  assert.ok(layout.width > layout.shortcuts[0].x + layout.shortcuts[0].w);
  assert.ok(layout.height > layout.output[1]);
  assert.throws(() => unravelLayout(['a', 'b', 'c', 'd', 'e']), /up to 4/);
});

test('more blocks: bars of C(n, k), the tallest at n/2, heights in proportion', () => {
  const bars = lengthBars(9, { x: 10, y: 20, w: 300, h: 100 });
  assert.deepEqual(
    bars.map((b) => b.count),
    pathLengthCounts(9),
  );
  assert.equal(bars[4].h, 100);
  assert.equal(bars[5].h, 100);
  assert.ok(Math.abs(bars[0].h - 100 / 126) < 1e-9);
  for (const b of bars) assert.ok(Math.abs(b.y + b.h - 120) < 1e-9, 'standing on the axis');
  assert.ok(
    bars.every((b, i) => i === 0 || b.x > bars[i - 1].x + bars[i - 1].w),
    'side by side, not overlapping',
  );
});

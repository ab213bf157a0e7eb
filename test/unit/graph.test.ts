// The model graph read from real tfjs models, and the shortcuts found in it:
// the numbers the summary, the CLI and the diagram show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { findShortcuts, longestPathDepth, mainPathDepth } from '../../src/core/graph/shortcuts';
import { plainCifar, preactResnetCifar, resnetCifar } from '../../src/core/lib';
import type { DataInfo } from '../../src/core/lib/types';
import { ModelGraph, ModelGraphSchema } from '../../src/protocol/graph';

const cifar: DataInfo = { inputShape: [32, 32, 3], numClasses: 10 };

function graphOf(model: tf.LayersModel) {
  const g = extractGraph(model);
  model.dispose();
  return g;
}

const kinds = (g: ReturnType<typeof extractGraph>) => {
  const count = { identity: 0, padding: 0, projection: 0 };
  for (const s of findShortcuts(g)) count[s.kind]++;
  return count;
};

test('extractGraph: every layer once, with class, output shape, params, and the edges between them', () => {
  const model = resnetCifar({ depth: 8, widths: [4, 8, 8] })(cifar);
  const g = extractGraph(model);
  ModelGraphSchema.parse(g); // plain data that run.json and the webview accept
  assert.equal(g.name, 'resnet8');
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    model.layers.map((l) => l.name),
  );
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  assert.deepEqual(byId.get('input'), {
    id: 'input',
    className: 'InputLayer',
    outputShape: [null, 32, 32, 3],
    params: 0,
  });
  assert.deepEqual(byId.get('conv1'), {
    id: 'conv1',
    className: 'Conv2D',
    outputShape: [null, 32, 32, 4],
    params: 3 * 3 * 3 * 4,
  });
  assert.equal(byId.get('stage2/block1/shortcut/pad')!.className, 'ZeroPadShortcut');
  assert.deepEqual(byId.get('stage2/block1/shortcut/pad')!.outputShape, [null, 16, 16, 8]);
  assert.equal(
    g.nodes.reduce((s, n) => s + n.params, 0),
    model.countParams(),
  );
  const has = (from: string, to: string) => g.edges.some((e) => e.from === from && e.to === to);
  assert.ok(has('input', 'conv1'));
  assert.ok(has('relu1', 'stage1/block1/conv1'));
  assert.ok(has('relu1', 'stage1/block1/add'), 'identity shortcut edge');
  assert.ok(has('stage1/block1/bn2', 'stage1/block1/add'));
  assert.ok(has('stage1/block1/relu2', 'stage2/block1/shortcut/pad'));
  assert.ok(has('stage2/block1/shortcut/pad', 'stage2/block1/add'));
  // Each add has exactly two inputs; no edge to or from a layer outside the model.
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.ok(g.edges.every((e) => ids.has(e.from) && ids.has(e.to)));
  for (const n of g.nodes.filter((x) => x.className === 'Add'))
    assert.equal(g.edges.filter((e) => e.to === n.id).length, 2);
  model.dispose();
});

test('resnet-20, option A: 9 shortcuts, 7 identity and 2 zero-padding; depth 20', () => {
  const g = graphOf(resnetCifar({ depth: 20 })(cifar));
  const s = findShortcuts(g);
  assert.equal(s.length, 9);
  assert.deepEqual(kinds(g), { identity: 7, padding: 2, projection: 0 });
  const padding = s.filter((x) => x.kind === 'padding');
  assert.deepEqual(
    padding.map((x) => x.to),
    ['stage2/block1/add', 'stage3/block1/add'],
  );
  assert.deepEqual(
    padding.map((x) => x.via),
    [['stage2/block1/shortcut/pad'], ['stage3/block1/shortcut/pad']],
  );
  assert.deepEqual(
    padding.map((x) => x.from),
    ['stage1/block3/relu2', 'stage2/block3/relu2'],
  );
  // The first unit's identity shortcut leaves after the stem's ReLU and skips its two convs.
  const first = s.find((x) => x.to === 'stage1/block1/add')!;
  assert.deepEqual(first, {
    from: 'relu1',
    to: 'stage1/block1/add',
    kind: 'identity',
    via: [],
    skips: [
      'stage1/block1/conv1',
      'stage1/block1/bn1',
      'stage1/block1/relu1',
      'stage1/block1/conv2',
      'stage1/block1/bn2',
    ],
  });
  assert.deepEqual(padding[0].skips, [
    'stage2/block1/conv1',
    'stage2/block1/bn1',
    'stage2/block1/relu1',
    'stage2/block1/conv2',
    'stage2/block1/bn2',
  ]);
  assert.equal(mainPathDepth(g), 20);
});

test('resnet-20, option B: 7 identity and 2 projections, and the projections do not count in the depth', () => {
  const g = graphOf(resnetCifar({ depth: 20, shortcut: 'B' })(cifar));
  assert.deepEqual(kinds(g), { identity: 7, padding: 0, projection: 2 });
  const proj = findShortcuts(g).filter((x) => x.kind === 'projection');
  assert.deepEqual(
    proj.map((x) => x.via),
    [
      ['stage2/block1/shortcut/proj', 'stage2/block1/shortcut/proj_bn'],
      ['stage3/block1/shortcut/proj', 'stage3/block1/shortcut/proj_bn'],
    ],
  );
  for (const p of proj)
    assert.ok(
      p.skips.every((l) => !l.includes('/shortcut/')),
      `${p.to} skips ${p.skips}`,
    );
  assert.equal(g.nodes.filter((n) => n.className === 'Conv2D' || n.className === 'Dense').length, 22);
  assert.equal(mainPathDepth(g), 20);
});

test('resnet-20, option C: 9 projections; depth still 20', () => {
  const g = graphOf(resnetCifar({ depth: 20, shortcut: 'C' })(cifar));
  assert.deepEqual(kinds(g), { identity: 0, padding: 0, projection: 9 });
  assert.equal(mainPathDepth(g), 20);
});

test('plain-20 has no shortcuts and depth 20', () => {
  const g = graphOf(plainCifar({ depth: 20 })(cifar));
  assert.deepEqual(findShortcuts(g), []);
  assert.equal(mainPathDepth(g), 20);
});

test('pre-activation resnet-20 has 9 shortcuts (7 identity, 2 padding from the pre-activation) and depth 20', () => {
  const g = graphOf(preactResnetCifar({ depth: 20 })(cifar));
  const s = findShortcuts(g);
  assert.equal(s.length, 9);
  assert.deepEqual(kinds(g), { identity: 7, padding: 2, projection: 0 });
  // Where the shape changes the shortcut leaves from the unit's own BN-ReLU.
  assert.deepEqual(
    s.filter((x) => x.kind === 'padding').map((x) => x.from),
    ['stage2/block1/relu1', 'stage3/block1/relu1'],
  );
  assert.equal(mainPathDepth(g), 20);
});

test('a hand-written functional model with one tf.layers.add: one identity shortcut that skips exactly the branch', () => {
  const input = tf.input({ shape: [8, 8, 3], name: 'in' });
  const stem = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'stem' })
    .apply(input) as tf.SymbolicTensor;
  let f = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'f_conv1' })
    .apply(stem) as tf.SymbolicTensor;
  f = tf.layers.reLU({ name: 'f_relu' }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'f_conv2' }).apply(f) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: 'sum' }).apply([stem, f]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'hand' });
  const g = extractGraph(model);
  assert.deepEqual(findShortcuts(g), [
    { from: 'stem', to: 'sum', kind: 'identity', via: [], skips: ['f_conv1', 'f_relu', 'f_conv2'] },
  ]);
  // stem, f_conv1, f_conv2, out.
  assert.equal(mainPathDepth(g), 4);
  const depth = longestPathDepth(g);
  assert.equal(depth.get('in'), 0);
  assert.equal(depth.get('sum'), 5);
  assert.equal(depth.get('out'), 7);
  const summary = summarize(model, g);
  assert.deepEqual(
    { name: summary.name, depth: summary.depth, shortcuts: summary.shortcuts },
    { name: 'hand', depth: 4, shortcuts: 1 },
  );
  assert.equal(summary.trainableParams, 3 * 3 * 3 * 4 + 4 + 2 * (3 * 3 * 4 * 4 + 4) + 4 * 2 + 2);
  assert.equal(summary.totalParams, summary.trainableParams);
  assert.equal(summary.layers.length, model.layers.length);
  model.dispose();
});

test('an add taking the block input on either side finds the same shortcut', () => {
  const input = tf.input({ shape: [4, 4, 2], name: 'in' });
  let f = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'a' }).apply(input) as tf.SymbolicTensor;
  f = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'b' }).apply(f) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: 'sum' }).apply([f, input]) as tf.SymbolicTensor; // branch first
  const model = tf.model({ inputs: input, outputs: y });
  assert.deepEqual(findShortcuts(extractGraph(model)), [
    { from: 'in', to: 'sum', kind: 'identity', via: [], skips: ['a', 'b'] },
  ]);
  model.dispose();
});

test('summarize gives the paper numbers for resnet-20: 269,722 parameters, depth 20, 9 shortcuts', () => {
  const model = resnetCifar({ depth: 20 })(cifar);
  const s = summarize(model);
  assert.equal(s.trainableParams, 269_722);
  assert.equal(s.totalParams - s.trainableParams, 2 * (16 * 7 + 32 * 6 + 64 * 6)); // BN moving mean and variance
  assert.equal(s.depth, 20);
  assert.equal(s.shortcuts, 9);
  model.dispose();
});

test('no recursion that depth can break: a 30,000-layer residual chain (deeper than ResNet-1202)', () => {
  // input -> (conv_i -> add_i with an identity shortcut from the previous add) x 15,000
  const nodes: ModelGraph['nodes'] = [{ id: 'input', className: 'InputLayer', outputShape: [null, 4], params: 0 }];
  const edges: ModelGraph['edges'] = [];
  let prev = 'input';
  for (let i = 0; i < 15_000; i++) {
    nodes.push(
      { id: `conv${i}`, className: 'Conv2D', outputShape: [null, 4], params: 1 },
      { id: `add${i}`, className: 'Add', outputShape: [null, 4], params: 0 },
    );
    edges.push({ from: prev, to: `conv${i}` }, { from: `conv${i}`, to: `add${i}` }, { from: prev, to: `add${i}` });
    prev = `add${i}`;
  }
  const graph: ModelGraph = { name: 'chain', nodes, edges };
  const depth = longestPathDepth(graph);
  assert.equal(depth.get(prev), 30_000);
  const shortcuts = findShortcuts(graph);
  assert.equal(shortcuts.length, 15_000);
  assert.deepEqual(shortcuts[14_999], {
    from: 'add14998',
    to: 'add14999',
    kind: 'identity',
    via: [],
    skips: ['conv14999'],
  });
  assert.equal(mainPathDepth(graph), 15_000);
});

test("the paper's ResNet-1202 (n = 200): its graph, 600 shortcuts and a collapsed diagram, without overflowing the stack", async () => {
  const { diagramSvg } = await import('../../src/core/report/diagramSvg');
  const { layoutGraph } = await import('../../src/core/graph/diagramLayout');
  const g = graphOf(resnetCifar({ depth: 1202 })(cifar));
  assert.equal(mainPathDepth(g), 1202);
  assert.equal(findShortcuts(g).length, 600);
  const layout = layoutGraph(g, new Set(layoutGraph(g, new Set()).groups));
  assert.ok(layout.rows < 700, `${layout.rows} rows collapsed`);
  assert.match(diagramSvg(g), /^<svg/);
});

// What the live preview's redraw keeps and highlights (webview/panel/diagramLayout.ts),
// on real graphs of the library's nets and of a hand-written model built twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { extractGraph } from '../../src/core/graph/extract';
import { resnetCifar } from '../../src/core/lib';
import { changedLayers, keepCollapsed, layoutGraph } from '../../src/core/graph/diagramLayout';

const cifar = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

function graphOf(build: () => tf.LayersModel) {
  const model = build();
  const graph = extractGraph(model);
  model.dispose();
  return graph;
}

/** A hand-written net with tfjs' automatic layer names, which are numbered per process. */
function handWritten(filters: number) {
  return graphOf(() => {
    const input = tf.input({ shape: [32, 32, 3] });
    const x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const f = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.add().apply([x, f]) as tf.SymbolicTensor;
    const p = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(p) as tf.SymbolicTensor });
  });
}

test('ResNet-8 -> ResNet-14: the three new blocks and the layers they feed are highlighted, nothing else', () => {
  const r8 = graphOf(() => resnetCifar({ depth: 8, widths: [8, 16, 32] })(cifar));
  const r14 = graphOf(() => resnetCifar({ depth: 14, widths: [8, 16, 32] })(cifar));
  const changed = changedLayers(r8, r14);
  const newBlocks = r14.nodes.filter((n) => /\/block2\//.test(n.id)).map((n) => n.id);
  assert.equal(newBlocks.length, 21, 'three blocks of seven layers');
  for (const id of newBlocks) assert.ok(changed.has(id), `${id} is new`);
  // Besides them, only the layers whose input is now a new block's output.
  assert.deepEqual(
    [...changed].filter((id) => !newBlocks.includes(id)),
    [
      'stage2/block1/conv1',
      'stage2/block1/shortcut/pad',
      'stage3/block1/conv1',
      'stage3/block1/shortcut/pad',
      'avgpool',
    ],
  );
  // Each stage's second block feeds what follows: the first layer after it has a new input.
  assert.ok(changed.has('stage2/block1/conv1') && changed.has('stage3/block1/conv1') && changed.has('avgpool'));
  assert.ok(
    !changed.has('conv1') && !changed.has('stage1/block1/conv1') && !changed.has('fc'),
    'the stem, the first block and the classifier are as before',
  );
  assert.equal(changedLayers(r14, r14).size, 0);
});

test('a hand-written net built again (new automatic names) is unchanged; a wider one has its convs changed', () => {
  const a = handWritten(16),
    b = handWritten(16),
    wider = handWritten(32);
  assert.notDeepEqual(
    a.nodes.map((n) => n.id),
    b.nodes.map((n) => n.id),
    'tfjs numbered the second build anew',
  );
  assert.equal(changedLayers(a, b).size, 0);
  const changed = [...changedLayers(a, wider)].map((id) => wider.nodes.find((n) => n.id === id)!.className);
  assert.deepEqual(changed.sort(), ['Add', 'Conv2D', 'Conv2D', 'Dense', 'GlobalAveragePooling2D']);
});

test('collapsed blocks stay collapsed; new blocks follow the majority of the old ones', () => {
  const r8 = graphOf(() => resnetCifar({ depth: 8, widths: [8, 16, 32] })(cifar));
  const r14 = graphOf(() => resnetCifar({ depth: 14, widths: [8, 16, 32] })(cifar));
  const groups8 = layoutGraph(r8, new Set()).groups;
  assert.deepEqual(groups8, ['stage1/block1', 'stage2/block1', 'stage3/block1']);
  // All collapsed: the new blocks come collapsed too.
  assert.deepEqual([...keepCollapsed(r8, r14, new Set(groups8))].sort(), layoutGraph(r14, new Set()).groups.sort());
  // One collapsed of three: only that one stays, the new ones open.
  assert.deepEqual([...keepCollapsed(r8, r14, new Set(['stage2/block1']))], ['stage2/block1']);
  // Collapsed blocks that went away are dropped.
  assert.deepEqual([...keepCollapsed(r14, r8, new Set(['stage2/block2', 'stage1/block1']))], ['stage1/block1']);
});

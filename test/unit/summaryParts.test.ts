// The hover's summary by part (src/core/graph/summaryParts.ts): ResNet-20 as
// the paper's Table 1 reads it, every parameter counted once, narrow enough
// for a hover (the layer-by-layer table wrapped until unreadable there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resnetCifar, setInitSeed } from '../../src/core/lib';
import { extractGraph, summarize } from '../../src/core/graph/extract';
import { summaryParts, summaryPartsMarkdown } from '../../src/core/graph/summaryParts';

test('ResNet-20 by part: the stem, three stages of three blocks, the head; the parameters add up', () => {
  setInitSeed(1);
  const model = resnetCifar({ depth: 20 })({ inputShape: [32, 32, 3], numClasses: 10 });
  const s = summarize(model, extractGraph(model));
  model.dispose();
  assert.deepEqual(summaryParts(s), [
    { part: 'conv1, bn1, relu1', layers: 3, blocks: 0, output: '32×32×16', params: 496 },
    { part: 'stage1', layers: 21, blocks: 3, output: '32×32×16', params: 14208 },
    { part: 'stage2', layers: 22, blocks: 3, output: '16×16×32', params: 51456 },
    { part: 'stage3', layers: 22, blocks: 3, output: '8×8×64', params: 204288 },
    { part: 'avgpool, fc', layers: 2, blocks: 0, output: '10', params: 650 },
  ]);
  assert.equal(
    summaryParts(s).reduce((n, p) => n + p.params, 0),
    s.totalParams,
  );
  const md = summaryPartsMarkdown(s).split('\n');
  assert.equal(md[3], '| stage1 | 3 blocks, 21 layers | 32×32×16 | 14,208 |');
  assert.ok(Math.max(...md.map((l) => l.length)) <= 60, md.join('\n'));
});

test('a hand-written net of many unprefixed layers names three and counts the rest', () => {
  const layer = (name: string, params: number) => ({ name, className: 'Dense', outputShape: [null, 4], params });
  const parts = summaryParts({
    name: 'mlp',
    totalParams: 10,
    trainableParams: 10,
    depth: 5,
    shortcuts: 0,
    layers: ['a', 'b', 'c', 'd', 'e'].map((n) => layer(n, 2)),
  });
  assert.deepEqual(parts, [{ part: 'a, b, c, … (5)', layers: 5, blocks: 0, output: '4', params: 10 }]);
});

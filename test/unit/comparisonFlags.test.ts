// What the panel warns about when it compares runs (src/extension/runViews.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonFlags } from '../../src/extension/runViews';
import type { RunView } from '../../src/protocol/webview';

const run = (id: string, o: Partial<RunView> = {}): RunView => ({
  id,
  experiment: 'quickstart',
  status: 'finished',
  ...o,
});

test('a comparison warns of different data sets and lengths, and not of what is not known yet', () => {
  assert.deepEqual(
    comparisonFlags([
      run('a', { dataName: 'synthetic', totalIterations: 300 }),
      run('b', { dataName: 'cifar10', totalIterations: 500 }),
    ]),
    ['different data sets: synthetic, cifar10', 'different lengths: 300, 500 iterations'],
  );
  // Two copies of one run, one of them live and not read from its folder yet: nothing to warn of.
  assert.deepEqual(comparisonFlags([run('a', { dataName: 'synthetic', totalIterations: 300 }), run('b')]), []);
  assert.deepEqual(comparisonFlags([run('a', { dataName: 'synthetic' }), run('b', { dataName: 'synthetic' })]), []);
});
